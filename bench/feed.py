"""Feed rate: pages/s that the host side delivers into the engine, against the number of
input-processing processes, beside the Gemma 4 processor alone.

    .venv/bin/python bench/feed.py [--docs 120] [--max-k 2 | --ks 1,2,4] [--max-soft-tokens 280]
        [--model PATH | --full-size [--reference CONFIG]] [--skip processor|in-process]

Every request asks for one output token (``max_tokens=1``), so with the tiny checkpoint the
engine computes next to nothing and what is measured is the host: chat template, Gemma 4
processor, tokenisation, image hashing (and, for the server, JPEG encoding and HTTP). Modes:

- ``processor``: the Hugging Face processor of the checkpoint on the same page images, one
  process, no engine: the ceiling of one input process.
- ``in-process``: the ``vllm`` engine (``vllm.LLM`` in this process), one input process.
- ``server``: the managed ``vllm serve`` with ``--api-server-count K``, K = 1 .. ``--max-k``.

The same generated invoices (``pipeline.samples.write_batch``) are rendered once, before any
clock, and every mode gets the same requests. A mode's clock runs from its first submit to its
last answer; engine and server start-up (1-2 minutes a server on a 2-core machine) is outside
it. Every engine is closed before the next starts, so no vLLM process outlives its mode."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The figures are the output: vLLM's INFO lines (also the server's) only when asked for.
os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")

from pipeline.config import Settings  # noqa: E402
from pipeline.engines import GenerationRequest, create_engine, generate  # noqa: E402
from pipeline.prompt import build_messages  # noqa: E402
from pipeline.render import RenderedDocument, RenderOptions, render_source  # noqa: E402
from pipeline.runner import render_options  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402

DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "shared/reference/gemma-4-12B-it.config.json"


@dataclass(frozen=True)
class Prepared:
    """Documents rendered and their requests built, before any clock starts."""

    paths: list[Path]
    docs: list[RenderedDocument]
    requests: list[GenerationRequest]

    @property
    def pages(self) -> int:
        return sum(len(d.pages) for d in self.docs)


@dataclass(frozen=True)
class FeedRate:
    mode: str
    processes: int
    pages: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def default_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def base_settings(model: str | None, root: Path, max_soft_tokens: int, **update: object) -> Settings:
    """Settings for a bench: ``model`` as given, or the tiny checkpoint built under ``root``
    (eager, as the tests run it: compiling a few-MB model only costs start-up time)."""
    if model:
        return Settings(model=model, max_soft_tokens=max_soft_tokens, **update)
    from pipeline.tiny_model import build_tiny_model

    tiny = str(build_tiny_model(root / "tiny"))
    return Settings(model=tiny, max_soft_tokens=max_soft_tokens, max_model_len=32768, enforce_eager=True,
                    **({"max_tokens": 1024} | update))


def full_size_settings(reference: Path, max_soft_tokens: int, **update: object) -> Settings:
    """Settings for the full Gemma 4 12B architecture with random weights (GPU only): the
    checkpoint folder is built once per machine from ``reference`` (the published config.json)."""
    from pipeline.tiny_model import build_full_size_model

    folder = Path(os.environ.get("DOCINTEL_BENCH_CHECKPOINTS", tempfile.gettempdir())) / "docintel-gemma-4-12B-dummy"
    model = str(build_full_size_model(folder, reference))
    return Settings(model=model, max_soft_tokens=max_soft_tokens, **({"load_format": "dummy"} | update))


def render_all(paths: Sequence[Path], options: RenderOptions, workers: int) -> list[tuple[Path, RenderedDocument]]:
    """Render every document in ``workers`` processes (PyMuPDF is not thread-safe); a document
    that fails to render is dropped, so both sides of a comparison see the same set."""
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        rendered = pool.map(render_source, [str(p) for p in paths], [options] * len(paths), chunksize=4)
        return [(p, d) for p, d in zip(paths, rendered) if isinstance(d, RenderedDocument)]


def prepare(paths: Sequence[Path], settings: Settings, max_tokens: int, workers: int) -> Prepared:
    """Render ``paths`` and build the runner's own request for each (greedy, schema-constrained)."""
    schema = load_schema("invoice")
    kept = render_all(paths, render_options(settings), workers)
    docs = [d for _, d in kept]
    max_text = settings.max_text_chars if settings.include_text_layer else 0
    requests = [GenerationRequest(messages=build_messages(d, schema, max_text), schema=schema.schema,
                                  max_tokens=max_tokens, temperature=0.0, seed=settings.seed) for d in docs]
    return Prepared([p for p, _ in kept], docs, requests)


def processor_rate(settings: Settings, prepared: Prepared) -> FeedRate:
    """The checkpoint's Hugging Face processor alone (template text, image processor,
    tokeniser) over every page image, one page per call as vLLM calls it per image item."""
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(settings.tokenizer or settings.model)
    images = [page.image for doc in prepared.docs for page in doc.pages]
    processor(text=["<|image|>"], images=[images[0]], max_soft_tokens=settings.max_soft_tokens)  # warm-up
    start = time.perf_counter()
    for image in images:
        processor(text=["Page 1: <|image|>"], images=[image], max_soft_tokens=settings.max_soft_tokens,
                  return_tensors="pt")
    return FeedRate("processor", 1, len(images), time.perf_counter() - start)


def engine_rate(settings: Settings, prepared: Prepared, mode: str, processes: int) -> FeedRate:
    """Start the engine ``settings`` names (start-up not timed), warm it up on two requests,
    then time every request from the first submit to the last answer; always close it."""
    engine = create_engine(settings)
    try:
        generate(engine, prepared.requests[:2])  # warm-up: caches, grammar compilation
        start = time.perf_counter()
        answers = generate(engine, prepared.requests, timeout=0.05)
        seconds = time.perf_counter() - start
    finally:
        engine.close()
    failed = [a.error for a in answers if a.error]
    if failed:
        print(f"  {mode} K={processes}: {len(failed)} requests failed, e.g. {failed[0][:200]}", file=sys.stderr)
    return FeedRate(mode, processes, prepared.pages, seconds)


def measure(settings: Settings, prepared: Prepared, ks: Sequence[int], skip: Sequence[str] = ()) -> list[FeedRate]:
    """Every mode in turn: processor alone, in process, then the server with each K in ``ks``;
    modes named in ``skip`` are left out."""
    rates = [] if "processor" in skip else [processor_rate(settings, prepared)]
    if rates:
        print(f"  processor alone: {rates[-1].pages_per_second:.1f} pages/s", flush=True)
    if "in-process" not in skip:
        rates.append(engine_rate(settings.model_copy(update={"engine": "vllm"}), prepared, "in-process", 1))
        print(f"  in-process: {rates[-1].pages_per_second:.1f} pages/s", flush=True)
    for k in ks:
        rates.append(engine_rate(settings.model_copy(update={"engine": "server", "api_server_count": k}),
                                 prepared, "server", k))
        print(f"  server K={k}: {rates[-1].pages_per_second:.1f} pages/s", flush=True)
    return rates


def table(rates: Sequence[FeedRate]) -> str:
    """mode, K, pages/s and the ratio to the in-process engine (to the first engine row when
    in-process was skipped), one row per mode."""
    engines = [r for r in rates if r.mode != "processor"]
    base = next((r for r in engines if r.mode == "in-process"), engines[0] if engines else None)
    inprocess = base.pages_per_second if base else 0.0
    heading = "x in-process" if base is None or base.mode == "in-process" else f"x {base.mode} K={base.processes}"
    lines = [f"{'mode':<11} {'K':>2} {'pages':>6} {'seconds':>8} {'pages/s':>8} {heading:>13}"]
    for r in rates:
        ratio = r.pages_per_second / inprocess if inprocess else float("nan")
        lines.append(f"{r.mode:<11} {r.processes:>2} {r.pages:>6} {r.seconds:>8.2f} {r.pages_per_second:>8.1f} "
                     f"{ratio:>13.2f}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=120, help="generated invoices (default 120)")
    parser.add_argument("--max-k", type=int, default=min(4, default_cpus()),
                        help="largest --api-server-count to measure (default min(4, cores))")
    parser.add_argument("--max-soft-tokens", type=int, default=280, choices=(70, 140, 280, 560, 1120),
                        help="image-token budget per page (default 280, as in issue 11's measurement)")
    parser.add_argument("--ks", type=lambda text: [int(k) for k in text.split(",")],
                        help="the K values to measure, comma-separated (e.g. 1,2,4; overrides --max-k)")
    parser.add_argument("--model", help="checkpoint (default: the tiny CPU checkpoint, built here)")
    parser.add_argument("--full-size", action="store_true", help="GPU only: Gemma 4 12B architecture, random weights")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help=f"gemma-4-12B-it config.json for --full-size (default {DEFAULT_REFERENCE})")
    parser.add_argument("--enforce-eager", action="store_true", help="skip torch.compile and CUDA graphs")
    parser.add_argument("--skip", action="append", default=[], choices=("processor", "in-process"),
                        help="leave a mode out (repeatable)")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    root = Path(tempfile.mkdtemp(prefix="docintel-feed-"))
    eager: dict[str, object] = {"enforce_eager": True} if args.enforce_eager else {}
    if args.full_size:
        settings = full_size_settings(args.reference, args.max_soft_tokens, **eager)
    else:
        settings = base_settings(args.model, root, args.max_soft_tokens, **eager)
    from pipeline.samples import write_batch

    paths = write_batch(root / "docs", args.docs, seed=2)
    prepared = prepare(paths, settings, max_tokens=1, workers=default_cpus())
    print(f"documents: {len(prepared.docs)}  pages: {prepared.pages}  budget: {args.max_soft_tokens}  "
          f"cores: {default_cpus()}  model: {settings.model}", flush=True)
    rates = measure(settings, prepared, args.ks or range(1, args.max_k + 1), args.skip)
    print(table(rates))


if __name__ == "__main__":
    main()
