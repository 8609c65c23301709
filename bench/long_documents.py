"""Long documents: one generated contract of N pages (default 200) through the real runner, in one
request at the model's whole context and in page windows at smaller contexts, on one engine.

Prints per context: requests (windows), prompt and output tokens, wall seconds, pages/s, the
peak of rendered pages held, and each run's wall time as a ratio to the one-request run (the
alternative a user would pick: splitting the document by hand is what windows automate).

    .venv/bin/python bench/long_documents.py [--pages 200] [--contexts 32768 16384 8192]

On the CPU with the tiny random checkpoint (default when no GPU) the answers are random: the
figures measure the machinery (render, input processing, prefill of long prompts, merging),
not accuracy."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import Settings  # noqa: E402
from pipeline.engines import create_engine  # noqa: E402
from pipeline.runner import run_batch  # noqa: E402
from pipeline.samples.files import contract_sample  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--contexts", type=int, nargs="+", default=[32768, 16384, 8192])
    parser.add_argument("--max-text-chars", type=int, default=20_000)
    parser.add_argument("--model", help="checkpoint (default: the tiny CPU checkpoint, built under .cache/)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docintel-long-"))
    started = time.perf_counter()
    sample = contract_sample(random.Random(8), "classic", "en", contract_type="master_services", min_pages=args.pages)
    (work / "docs").mkdir()
    (work / "docs" / "contract.pdf").write_bytes(sample.data)
    print(f"generated a {args.pages}-page contract ({len(sample.data) / 1024:.0f} KiB) in "
          f"{time.perf_counter() - started:.1f} s")
    if args.model:
        settings = Settings(model=args.model, max_text_chars=args.max_text_chars)
    else:
        from pipeline.tiny_model import build_tiny_model

        settings = Settings(model=str(build_tiny_model(ROOT / ".cache" / "tiny-gemma4")), max_tokens=1536,
                            max_soft_tokens=70, enforce_eager=True, max_text_chars=args.max_text_chars)
    engine = create_engine(settings)
    try:
        print(f"engine context: {engine.context} tokens")
        rows = []
        for context in [-1, *args.contexts]:
            run = settings.model_copy(update={"max_model_len": context, "reprocess": True})
            summary = run_batch([work / "docs"], load_schema("contract"), work / f"out-{context}", run, engine)
            rows.append((context, summary))
    finally:
        engine.close()
    base = rows[0][1].seconds
    print(f"\n{'context':>10} {'requests':>9} {'prompt tok':>11} {'output tok':>11} {'wall s':>8} {'pages/s':>8} "
          f"{'pages held':>11} {'vs one request':>15}")
    for context, s in rows:
        requests = _requests(work / f"out-{context}")
        print(f"{'model' if context < 0 else context:>10} {requests:>9} {s.prompt_tokens:>11} {s.output_tokens:>11} "
              f"{s.seconds:>8.1f} {s.pages_per_second:>8.2f} {s.peak_pages_held:>11} {s.seconds / base:>14.2f}x")


def _requests(out: Path) -> str:
    """The windows of the result row, or the error type when the document became an error row."""
    import pyarrow.parquet as pq

    if (out / "results").exists():
        return str(pq.read_table(out / "results", columns=["windows"])["windows"][0].as_py())
    return pq.read_table(out / "errors", columns=["error_type"])["error_type"][0].as_py()


if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    main()
