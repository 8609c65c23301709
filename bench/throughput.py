"""Throughput: docintel end to end (``run_batch``: discover, render, prompt, engine, validate,
Parquet) against bare vLLM on the same generated invoices.

    .venv/bin/python bench/throughput.py [--docs 500] [--engine vllm|server|both]
        [--api-server-count 1] [--max-soft-tokens 280] [--model PATH] [--full-size]

Bare vLLM is the best vLLM alone can do with the offline API: every request is rendered and its
messages built before the clock starts, then all go to ``vllm.LLM.chat`` in one call. docintel
starts from the files. Both sides make one attempt per document (``max_attempts=1``) with
greedy decoding and the same sampling parameters, so they generate alike; the token totals are
printed to show it.

Run order: warm-up (two requests), bare, then docintel (``--abba``: bare, docintel, docintel,
bare, and each side's mean, when the machine's drift matters more than the extra minutes).
``--engine vllm`` runs both sides on one in-process engine. ``--engine server`` runs bare on an
in-process engine, closes it, then docintel on the managed ``vllm serve`` with
``--api-server-count`` input processes; ``both`` adds docintel in process before the switch
(two model loads for three measurements, as bench/gpu.sh needs).

Without ``--model`` it runs the tiny random-weight checkpoint on the CPU. ``--full-size`` (GPU
only) builds the full Gemma 4 12B architecture from the reference config.json with random
weights (``load_format="dummy"``) and a tokenizer of the real vocabulary size and special-token
ids; random weights rarely close a JSON value, so answers run to ``--max-tokens`` (default 384
there, about an invoice record) and count as errors: throughput is what is measured.

Printed: documents, pages, wall times, docintel/bare, pages/s, prompt and output tokens/s,
time to first result, the engine's starved share (the runner's own account; for the server
also from vLLM's ``/metrics`` gauges sampled every 0.2 s), the GPU, and the cost of a million
pages at ``--dollars-per-gpu-hour``."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The figures are the output: vLLM's INFO lines (also the server's) only when asked for.
os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from feed import DEFAULT_REFERENCE, Prepared, base_settings, default_cpus, full_size_settings, prepare  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.engines import Engine, create_engine  # noqa: E402
from pipeline.hardware import detect, resolve  # noqa: E402
from pipeline.runner import RunSummary, run_batch  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402

# Typical on-demand price of one H100/H200 SXM GPU-hour at GPU clouds in 2025 (Lambda, RunPod,
# CoreWeave and the like list about $2.5-4.5; hyperscalers' on-demand 8-GPU nodes cost more per GPU).
DEFAULT_DOLLARS_PER_GPU_HOUR = 4.0


@dataclass
class Side:
    """One measured run of one side."""

    name: str
    seconds: float
    pages: int
    prompt_tokens: int
    output_tokens: int
    first_result: float | None = None
    starved_share: float | None = None
    metrics_starved_share: float | None = None
    peak_in_engine: int | None = None
    errors: dict[str, int] = field(default_factory=dict)

    def rate(self, amount: int) -> float:
        return amount / self.seconds if self.seconds else 0.0


class MetricsSampler:
    """Samples vLLM's ``/metrics`` gauges ``vllm:num_requests_running`` and ``..._waiting`` in a
    thread every ``interval`` seconds, to tell how often the engine could have run more."""

    _GAUGE = re.compile(r"^vllm:num_requests_(running|waiting)(?:\{[^}]*\})?\s+([0-9.eE+-]+)", re.MULTILINE)

    def __init__(self, base_url: str, interval: float = 0.2) -> None:
        self._url = base_url.removesuffix("/v1") + "/metrics"
        self._interval = interval
        self.samples: list[tuple[float, float]] = []  # (running, waiting)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)

    def __enter__(self) -> MetricsSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.wait(self._interval):
                try:
                    text = client.get(self._url).text
                except httpx.HTTPError:
                    continue
                totals = {"running": 0.0, "waiting": 0.0}
                for name, value in self._GAUGE.findall(text):  # one line per engine (data parallel)
                    totals[name] += float(value)
                self.samples.append((totals["running"], totals["waiting"]))

    def starved_share(self, max_num_seqs: int) -> float | None:
        """Share of samples, from the first with a request in the engine to the last, in which
        nothing waited and fewer than ``max_num_seqs`` ran. The drain at the end (no documents
        left to send) counts too, so this is an upper bound on starvation."""
        busy = [i for i, (running, waiting) in enumerate(self.samples) if running + waiting > 0]
        if not busy:
            return None
        window = self.samples[busy[0]:busy[-1] + 1]
        return sum(1 for running, waiting in window if waiting == 0 and running < max_num_seqs) / len(window)


def bare(engine: Engine, prepared: Prepared) -> Side:
    """All prepared requests in one ``LLM.chat`` call, with the runner's sampling parameters."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    request = prepared.requests[0]
    params = SamplingParams(max_tokens=request.max_tokens, temperature=request.temperature, seed=request.seed,
                            structured_outputs=StructuredOutputsParams(json=request.schema))
    llm = engine.llm  # type: ignore[attr-defined]
    start = time.perf_counter()
    outputs = llm.chat([r.messages for r in prepared.requests], params, use_tqdm=False)
    seconds = time.perf_counter() - start
    return announce(Side("bare vllm.LLM.chat", seconds, prepared.pages,
                         prompt_tokens=sum(len(o.prompt_token_ids or []) for o in outputs),
                         output_tokens=sum(len(o.outputs[0].token_ids) for o in outputs),
                         first_result=seconds))  # LLM.chat returns every answer at once


def docintel(engine: Engine, prepared: Prepared, settings: Settings, out: Path, name: str) -> Side:
    """``run_batch`` from the files to a committed dataset, sampling /metrics for a server."""
    url = getattr(engine, "url", None)
    sampler = MetricsSampler(url) if url else None
    with sampler or contextlib.nullcontext():
        summary = run_batch(prepared.paths, load_schema("invoice"), out, settings, engine)
    return announce(_side(name, summary, sampler.starved_share(resolve(settings).max_num_seqs or 1) if sampler else None))


def announce(side: Side) -> Side:
    """Print a side's figures as soon as they are measured: a run cut off by a time limit
    (bench/gpu.sh) still shows what it got."""
    print(f"  measured {side.name}: {side.seconds:.2f} s, {side.rate(side.pages):.2f} pages/s", flush=True)
    return side


def _side(name: str, summary: RunSummary, metrics_share: float | None) -> Side:
    return Side(name, summary.seconds, summary.pages, summary.prompt_tokens, summary.output_tokens,
                first_result=summary.first_result_seconds, starved_share=summary.starved_share,
                metrics_starved_share=metrics_share, peak_in_engine=summary.peak_in_engine,
                errors=dict(summary.errors))


def warm_up(engine: Engine, prepared: Prepared) -> None:
    """Two requests first: xgrammar compiles the schema once, caches fill, kernels load."""
    from pipeline.engines import generate

    generate(engine, prepared.requests[:2])


def mean(sides: Sequence[Side]) -> Side:
    """One side's runs averaged (A-B-B-A)."""
    first = sides[0]
    n = len(sides)
    avg = lambda values: sum(values) / n if all(v is not None for v in values) else None  # noqa: E731
    return Side(first.name + f" (mean of {n})", sum(s.seconds for s in sides) / n, first.pages,
                first.prompt_tokens, first.output_tokens, avg([s.first_result for s in sides]),
                avg([s.starved_share for s in sides]), avg([s.metrics_starved_share for s in sides]),
                first.peak_in_engine, first.errors)


def in_process_runs(settings: Settings, prepared: Prepared, root: Path, abba: bool,
                    with_docintel: bool) -> list[Side]:
    """Bare (and docintel, when ``with_docintel``) on one in-process engine, closed after."""
    engine = create_engine(settings.model_copy(update={"engine": "vllm"}))
    try:
        warm_up(engine, prepared)
        if not with_docintel:
            return [bare(engine, prepared)]
        run = lambda i: docintel(engine, prepared, settings, root / f"out-vllm-{i}", "docintel, in process")  # noqa: E731
        if not abba:
            return [bare(engine, prepared), run(0)]
        a1, b1, b2, a2 = bare(engine, prepared), run(1), run(2), bare(engine, prepared)
        return [mean([a1, a2]), mean([b1, b2])]
    finally:
        engine.close()


def server_run(settings: Settings, prepared: Prepared, root: Path, abba: bool) -> list[Side]:
    """docintel on the managed server (start-up excluded: run_batch starts after it is up)."""
    engine = create_engine(settings.model_copy(update={"engine": "server"}))
    name = f"docintel, server K={resolve(settings).api_server_count}"
    try:
        warm_up(engine, prepared)
        runs = [docintel(engine, prepared, settings, root / f"out-server-{i}", name) for i in range(2 if abba else 1)]
        return [mean(runs)] if abba else runs
    finally:
        engine.close()


def report(sides: Sequence[Side], prepared: Prepared, dollars_per_hour: float, settings: Settings) -> str:
    base = sides[0]
    host = detect()
    gpu = f"{host.gpu_name}, {host.gpu_memory_gib:.0f} GiB" if host.has_gpu else "none (CPU)"
    lines = [f"documents: {len(prepared.paths)}  pages: {prepared.pages}  budget: {settings.max_soft_tokens}  "
             f"model: {settings.model}  load format: {settings.load_format}",
             f"GPU: {gpu}  cores: {default_cpus()}  max_num_seqs: {resolve(settings).max_num_seqs}  "
             f"$/GPU-hour: {dollars_per_hour:.2f}",
             f"{'side':<34} {'wall s':>8} {'x bare':>7} {'pages/s':>8} {'prompt t/s':>11} {'output t/s':>11} "
             f"{'1st s':>7} {'starved':>8} {'/metrics':>8} {'$/M pages':>10}"]
    for s in sides:
        pages_per_second = s.rate(s.pages)
        cost = dollars_per_hour / 3600 / pages_per_second * 1e6 if pages_per_second else float("nan")
        lines.append(f"{s.name:<34} {s.seconds:>8.2f} {s.seconds / base.seconds:>7.3f} {pages_per_second:>8.2f} "
                     f"{s.rate(s.prompt_tokens):>11.0f} {s.rate(s.output_tokens):>11.0f} "
                     f"{_fmt(s.first_result, '.2f'):>7} {_fmt(s.starved_share, '.1%'):>8} "
                     f"{_fmt(s.metrics_starved_share, '.1%'):>8} {cost:>10.2f}")
    for s in sides:
        lines.append(f"  {s.name}: prompt tokens {s.prompt_tokens}, output tokens {s.output_tokens}"
                     + (f", peak in engine {s.peak_in_engine}, errors {s.errors}" if s.peak_in_engine is not None else ""))
    return "\n".join(lines)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def settings_for(args: argparse.Namespace, root: Path) -> Settings:
    """The run's settings: tiny CPU checkpoint, a given model, or the full-size dummy one."""
    update: dict[str, object] = {"max_attempts": 1, "temperature": 0.0, "api_server_count": args.api_server_count}
    if args.enforce_eager:
        update["enforce_eager"] = True
    if args.max_tokens:
        update["max_tokens"] = args.max_tokens
    if args.full_size:
        return full_size_settings(args.reference, args.max_soft_tokens, **(update | {"max_tokens": args.max_tokens or 384}))
    return base_settings(args.model, root, args.max_soft_tokens, **update)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=500, help="generated invoices (default 500)")
    parser.add_argument("--engine", choices=("vllm", "server", "both"), default="vllm",
                        help="docintel's engine: in process, the managed server, or both (default vllm)")
    parser.add_argument("--api-server-count", type=int, default=1, help="input processes of the server (default 1)")
    parser.add_argument("--model", help="checkpoint (default: the tiny CPU checkpoint, built here)")
    parser.add_argument("--max-soft-tokens", type=int, default=280, choices=(70, 140, 280, 560, 1120),
                        help="image-token budget per page (default 280, the nightly default)")
    parser.add_argument("--max-tokens", type=int, help="output cap per request (default: the settings', "
                                                       "1024 for the tiny checkpoint, 384 with --full-size)")
    parser.add_argument("--dollars-per-gpu-hour", type=float, default=DEFAULT_DOLLARS_PER_GPU_HOUR,
                        help="price of one GPU-hour for the cost line (default $4.00: a typical 2025 on-demand "
                             "H100/H200 SXM GPU-hour at GPU clouds, which list about $2.5-4.5)")
    parser.add_argument("--full-size", action="store_true", help="GPU only: Gemma 4 12B architecture, random weights")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help=f"gemma-4-12B-it config.json for --full-size (default {DEFAULT_REFERENCE})")
    parser.add_argument("--enforce-eager", action="store_true",
                        help="skip torch.compile and CUDA graphs: a minute less start-up, slower decode")
    parser.add_argument("--abba", action="store_true", help="run bare, docintel, docintel, bare; print the means")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    root = Path(tempfile.mkdtemp(prefix="docintel-throughput-"))
    settings = settings_for(args, root)
    from pipeline.samples import write_batch

    paths = write_batch(root / "docs", args.docs, seed=2)
    prepared = prepare(paths, settings, max_tokens=settings.max_tokens, workers=default_cpus())
    print(f"prepared {len(prepared.requests)} requests ({prepared.pages} pages) in {root}", flush=True)
    sides = in_process_runs(settings, prepared, root, args.abba, with_docintel=args.engine != "server")
    if args.engine != "vllm":
        sides += server_run(settings, prepared, root, args.abba)
    print(report(sides, prepared, args.dollars_per_gpu_hour, settings))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
