"""What evidence, confidence and the review report add to a run: the demo's job (sample_docs/
invoices, bad files and contracts) on one engine, run three ways.

- without trust: OCR off, and the trust stage (evidence and confidence, runner.assess) replaced by
  one that returns nothing: what a run cost before records carried evidence;
- with trust: OCR off, evidence from the text layers and confidence from the log-probabilities;
- with trust and OCR: the default, scans read by OCR too (counted separately: pages, seconds).

Then the review report is written. Prints wall seconds per run and each as a ratio to the run
without trust, and the OCR pages/s measured on the scanned sample pages in this process.

    .venv/bin/python bench/trust_overhead.py

On the CPU with the tiny random checkpoint (default without a GPU) the answers are random, so
evidence is mostly "not found": the figure measures the machinery's cost, which grows with the
values found (a real model's answers are found, and found values cost more than missing ones)."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

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


def main() -> None:
    from pipeline.tiny_model import build_tiny_model

    settings = Settings(model=str(build_tiny_model(ROOT / ".cache" / "tiny-gemma4")), max_model_len=32768,
                        max_tokens=1536, max_soft_tokens=70, window=16, enforce_eager=True)
    work = Path(tempfile.mkdtemp(prefix="docintel-trust-"))
    engine = create_engine(settings)
    try:
        run(engine, settings, work / "warm-up", ocr=False, trust=False)  # caches and first-request costs
        timings = {
            "without trust": run(engine, settings, work / "none", ocr=False, trust=False),
            "with trust": run(engine, settings, work / "trust", ocr=False, trust=True),
            "with trust and OCR": run(engine, settings, work / "ocr", ocr=True, trust=True),
        }
    finally:
        engine.close()
    started = time.perf_counter()
    index = write_review(str(work / "ocr"))
    review = time.perf_counter() - started
    base = timings["without trust"]
    print(f"\n{'run':<22} {'wall s':>8} {'vs without':>11}")
    for name, seconds in timings.items():
        print(f"{name:<22} {seconds:>8.1f} {seconds / base:>10.3f}x")
    print(f"{'review report':<22} {review:>8.1f} {(base + review) / base:>10.3f}x  ({index})")
    pages, seconds = ocr_rate()
    print(f"\nOCR in this process: {pages} scanned sample pages in {seconds:.1f} s: {pages / seconds:.2f} pages/s "
          f"({1000 * seconds / pages:.0f} ms a page, reading at the OCR size, upright included)")
    shutil.rmtree(work, ignore_errors=True)


def run(engine, settings: Settings, out: Path, ocr: bool, trust: bool) -> float:
    """Wall seconds of the demo's job with OCR and the trust stage on or off."""
    config = settings.model_copy(update={"ocr": ocr, "reprocess": True})
    started = time.perf_counter()
    with contextlib.ExitStack() as patches:
        if not trust:
            patches.enter_context(mock.patch.object(runner, "assess", lambda *a, **k: Assessment([], [])))
            patches.enter_context(mock.patch.object(runner, "window_support", lambda *a, **k: None))
        for schema, folders in JOBS:
            runner.run_batch([SAMPLES / f for f in folders], load_schema(schema), out, config, engine)
    return time.perf_counter() - started


def ocr_rate() -> tuple[int, float]:
    """Scanned sample pages read with and without OCR: the difference is OCR's."""
    sources = [s for s in discover([SAMPLES / "invoice", SAMPLES / "contract"])
               if any(k in s for k in ("scan", "photo", "tiff"))]
    timed = {}
    for ocr in (False, True):
        started = time.perf_counter()
        docs = [render_source(s, RenderOptions(max_soft_tokens=70, ocr=ocr)) for s in sources]
        timed[ocr] = time.perf_counter() - started
    pages = sum(len(d.pages) for d in docs if isinstance(d, RenderedDocument))
    return pages, timed[True] - timed[False]


if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    main()
