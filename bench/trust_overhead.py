"""What evidence, confidence and the review report add to a run: the demo's job (sample_docs/
invoices, bad files and contracts) on one engine, run four ways.

- without trust: OCR off, no log-probabilities requested, and the trust stage (evidence and
  confidence, runner.assess) replaced by one that returns nothing: what a run cost before records
  carried evidence;
- log-probabilities only: the same, with the answers' log-probabilities requested;
- with trust: OCR off, evidence from the text layers and confidence from the log-probabilities;
- with trust and OCR: the default, scans read by OCR too (counted separately: pages, seconds).

Each run --rounds times (default 3), in turns, each run first once; the median counts. Then the
review report is written. Prints wall seconds per run and each as a ratio to the run without
trust, and the OCR pages/s measured on the scanned sample pages in this process.

    .venv/bin/python bench/trust_overhead.py [--rounds 3]

On the CPU with the tiny random checkpoint (default without a GPU) the answers are random, so
evidence is mostly "not found": the figure measures the machinery's cost, which grows with the
values found (a real model's answers are found, and found values cost more than missing ones)."""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import runner  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.engines import create_engine  # noqa: E402
from pipeline.render import RenderedDocument, RenderOptions, render_source  # noqa: E402
from pipeline.review import write_review  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402
from pipeline.sources import discover  # noqa: E402
from pipeline.trust import Assessment  # noqa: E402

SAMPLES = ROOT / "sample_docs"
JOBS = (("invoice", ["invoice", "bad"]), ("contract", ["contract"]))


RUNS = {  # name: (OCR, log-probabilities, the trust stage)
    "without trust": (False, False, False),
    "log-probabilities only": (False, True, False),
    "with trust": (False, True, True),
    "with trust and OCR": (True, True, True),
}


def main() -> None:
    from pipeline.tiny_model import build_tiny_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="each run this many times, in turns; the median counts")
    rounds = parser.parse_args().rounds
    settings = Settings(model=str(build_tiny_model(ROOT / ".cache" / "tiny-gemma4")), max_model_len=32768,
                        max_tokens=1536, max_soft_tokens=70, window=16, enforce_eager=True)
    work = Path(tempfile.mkdtemp(prefix="docintel-trust-"))
    engine = create_engine(settings)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in RUNS}
    try:
        run(engine, settings, work / "warm-up", *RUNS["with trust and OCR"])  # caches, first-request costs
        for turn in range(rounds):
            names = list(RUNS)[turn % len(RUNS):] + list(RUNS)[:turn % len(RUNS)]  # each run first once
            for name in names:
                timings[name].append(run(engine, settings, work / name.replace(" ", "-"), *RUNS[name]))
    finally:
        engine.close()
    started = time.perf_counter()
    index = write_review(str(work / "with-trust-and-OCR"))
    review = time.perf_counter() - started
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in timings.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in timings.items()}
    base, base_cpu = wall["without trust"], cpu["without trust"]
    print(f"\n{'run':<24} {'wall s':>7} {'ratio':>7} {'CPU s':>7} {'ratio':>7}   wall of each round (s)")
    for name, runs in timings.items():
        print(f"{name:<24} {wall[name]:>7.1f} {wall[name] / base:>6.3f}x {cpu[name]:>7.1f} {cpu[name] / base_cpu:>6.3f}x   "
              + ", ".join(f"{w:.1f}" for w, _ in runs))
    trust = wall["with trust"] + review
    print(f"{'with trust + report':<24} {trust:>7.1f} {trust / base:>6.3f}x   (the review report: {review:.1f} s, {index})")
    print("(medians over the rounds; CPU: this process, the engine's processes and the render workers together)")
    print(f"the trust stage itself (evidence, confidence, review reasons; in this process): "
          f"{100 * statistics.median(STAGE_SHARE):.1f} % of a run's wall (median; "
          f"{100 * min(STAGE_SHARE):.1f}-{100 * max(STAGE_SHARE):.1f} %); the review report {100 * review / base:.1f} %")
    pages, seconds = ocr_rate()
    print(f"\nOCR in this process: {pages} scanned sample pages in {seconds:.1f} s: {pages / seconds:.2f} pages/s "
          f"({1000 * seconds / pages:.0f} ms a page, reading at the OCR size, upright included)")
    shutil.rmtree(work, ignore_errors=True)


STAGE_SHARE: list[float] = []  # the trust stage's seconds / the run's wall, per run with it
TRUST_STAGE = [0.0]  # seconds spent in the trust stage (runner.assess, runner.window_support)


def timed(stage):
    def counted(*args, **kwargs):
        started = time.perf_counter()
        try:
            return stage(*args, **kwargs)
        finally:
            TRUST_STAGE[0] += time.perf_counter() - started
    return counted


def cpu_seconds() -> tuple[float, dict[int, float]]:
    """CPU seconds of this process and its reaped children (the render workers), and of each live
    descendant (the engine's processes) by process id."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = {}
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            live[child.pid] = times.user + times.system
    return time.process_time() + children.ru_utime + children.ru_stime, live


def run(engine, settings: Settings, out: Path, ocr: bool, logprobs: bool, trust: bool) -> tuple[float, float]:
    """Wall and CPU seconds of the demo's job with OCR, log-probabilities and the trust stage on or off."""
    config = settings.model_copy(update={"ocr": ocr, "reprocess": True})
    TRUST_STAGE[0] = 0.0
    engine.llm.reset_prefix_cache()  # each run starts cold: none inherits the prompts of the one before
    own, live = cpu_seconds()
    started = time.perf_counter()
    with contextlib.ExitStack() as patches:
        if not logprobs:
            # vLLM is imported here, not at the top: render workers re-import this module, and
            # vLLM's libraries alone would take their address-space limit (render_memory_mb).
            import vllm

            asked = vllm.SamplingParams  # as the engine asked before confidence: no log-probabilities
            patches.enter_context(mock.patch.object(vllm, "SamplingParams", lambda **kwargs: asked(
                **{**kwargs, "logprobs": None, "flat_logprobs": False})))
        if not trust:
            patches.enter_context(mock.patch.object(runner, "assess", lambda *a, **k: Assessment([], [])))
            patches.enter_context(mock.patch.object(runner, "window_support", lambda *a, **k: None))
        else:  # its own time, counted directly: the A/B difference drowns in the rounds' spread here
            for name in ("assess", "window_support"):
                patches.enter_context(mock.patch.object(runner, name, timed(getattr(runner, name))))
        summaries = [runner.run_batch([SAMPLES / f for f in folders], load_schema(schema), out, config, engine)
                     for schema, folders in JOBS]
    seconds = time.perf_counter() - started
    own_after, live_after = cpu_seconds()
    cpu = own_after - own + sum(after - live.get(pid, 0.0) for pid, after in live_after.items())
    print(f"  {out.name}: {seconds:.1f} s, {cpu:.1f} s CPU, trust stage {TRUST_STAGE[0]:.2f} s; " + "; ".join(
        f"{s.schema}: {s.documents} documents, {s.results} results, {sum(s.errors.values())} errors, "
        f"{s.pages} pages, {s.output_tokens} output tokens" for s in summaries), flush=True)
    if trust:
        STAGE_SHARE.append(TRUST_STAGE[0] / seconds)
    return seconds, cpu


def ocr_rate() -> tuple[int, float]:
    """Scanned sample pages read with and without OCR: the difference is OCR's."""
    sources = [s for s in discover([SAMPLES / "invoice", SAMPLES / "contract"])
               if any(k in s for k in ("scan", "photo", "tiff"))]
    seconds = {}
    for ocr in (False, True):
        started = time.perf_counter()
        docs = [render_source(s, RenderOptions(max_soft_tokens=70, ocr=ocr)) for s in sources]
        seconds[ocr] = time.perf_counter() - started
    pages = sum(len(d.pages) for d in docs if isinstance(d, RenderedDocument))
    return pages, seconds[True] - seconds[False]


if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    main()
