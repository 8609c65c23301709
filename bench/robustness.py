"""Run a folder of hostile files through docintel and say how each ended.

    .venv/bin/python bench/robustness.py DIR [--render-only] [--timeout 120] [--memory-mb 4096]
    .venv/bin/python bench/robustness.py --write-hostile DIR   # write the hostile folder first

Whole pipeline (default): ``run_batch`` with the tiny random-weight model on CPU, then the
Parquet ``results`` and ``errors`` tables are read back. ``--render-only``: the render stage
alone, in a RenderPool with the given limits (no model). Either way it prints, per error type,
how many files and how many either PDF engine alone would have read (each error file is tried
with PyMuPDF and with PDFium, no fallback, under the same rules and limits), the slowest files
(from a render pass of its own, also in a full run), peak RSS, and whether every file is
accounted for exactly once."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.render import RenderedDocument, RenderFailure, RenderOptions, Skipped  # noqa: E402
from pipeline.render_pool import RenderPool  # noqa: E402
from pipeline.sources import discover  # noqa: E402
from pipeline.storage import S3Options  # noqa: E402

ENGINES = ("pymupdf", "pdfium")


def render_stage(uris: list[str], options: RenderOptions, timeout: float, memory_bytes: int,
                 workers: int) -> dict[str, RenderedDocument | RenderFailure | Skipped]:
    """Every file through a RenderPool; the outcome per URI."""
    with RenderPool(options, S3Options(), workers, timeout=timeout, memory_bytes=memory_bytes) as pool:
        futures = {uri: pool.submit(uri) for uri in uris}
        return {uri: future.result() for uri, future in futures.items()}


def pipeline_stage(uris: list[str], root: Path, args: argparse.Namespace) -> dict[str, list[dict]]:
    """Every file through run_batch with the tiny model; the Parquet rows per source URI."""
    import pyarrow.dataset as ds

    from pipeline.config import Settings
    from pipeline.engines import create_engine
    from pipeline.runner import run_batch
    from pipeline.schemas import load_schema
    from pipeline.tiny_model import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="robustness-"))
    settings = Settings(model=str(build_tiny_model(work / "tiny-gemma4")), max_model_len=32768, max_tokens=512,
                        max_soft_tokens=70, window=16, enforce_eager=True, render_timeout=args.timeout,
                        render_memory_mb=args.memory_mb, renderer=args.renderer)
    engine = create_engine(settings)
    try:
        summary = run_batch([root], load_schema("invoice"), work / "out", settings, engine)
    finally:
        engine.close()
    print(f"run {summary.run_id}: {summary.documents} documents, {summary.results} results, "
          f"{sum(summary.errors.values())} errors in {summary.seconds:.1f} s")
    rows: dict[str, list[dict]] = {uri: [] for uri in uris}
    for table in ("results", "errors"):
        folder = work / "out" / table
        if folder.exists():
            for row in ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist():
                rows.setdefault(row["source"], []).append({"table": table, **row})
    return rows


def engines_alone(uris: list[str], options: RenderOptions, timeout: float, memory_bytes: int,
                  workers: int) -> dict[str, list[str]]:
    """Which PDF engines, each alone, render each file (same rules and limits)."""
    read: dict[str, list[str]] = {uri: [] for uri in uris}
    for engine in ENGINES:
        alone = RenderOptions(**{**vars(options), "renderer": engine, "fallback": False})
        for uri, outcome in render_stage(uris, alone, timeout, memory_bytes, workers).items():
            if isinstance(outcome, RenderedDocument):
                read[uri].append(engine)
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--render-only", action="store_true", help="the render stage alone, no model")
    parser.add_argument("--write-hostile", action="store_true", help="write the hostile folder into FOLDER first")
    parser.add_argument("--renderer", default="pymupdf", choices=ENGINES)
    parser.add_argument("--timeout", type=float, default=120.0, help="render_timeout, seconds per document")
    parser.add_argument("--memory-mb", type=int, default=4096, help="render_memory_mb per worker")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.write_hostile:
        from pipeline.samples.hostile import write_hostile_folder

        print(f"wrote {len(write_hostile_folder(args.folder))} files to {args.folder}")
    uris = discover([args.folder])
    options = RenderOptions(max_soft_tokens=70, renderer=args.renderer)
    memory_bytes = args.memory_mb * 2**20
    started = time.perf_counter()
    rendered = render_stage(uris, options, args.timeout, memory_bytes, args.workers)
    render_seconds = time.perf_counter() - started
    if args.render_only:
        outcome = {uri: r.error_type if isinstance(r, RenderFailure) else type(r).__name__
                   for uri, r in rendered.items()}
        once = {uri: 1 for uri in uris}
    else:
        rows = pipeline_stage(uris, args.folder, args)
        outcome = {uri: ",".join(r.get("error_type") or "result" for r in found) or "missing"
                   for uri, found in rows.items()}
        once = {uri: len(found) for uri, found in rows.items()}
    # Render refusals only: a file that rendered and failed later (a prompt over the context, an
    # invalid answer) was read; its row is the engine's or the model's.
    refused = [uri for uri, r in rendered.items() if isinstance(r, RenderFailure)]
    read_alone = engines_alone(refused, options, args.timeout, memory_bytes, args.workers)
    report(args.folder, uris, outcome, read_alone, rendered, once, render_seconds, args.timeout)


def report(root: Path, uris: list[str], outcome: dict[str, str], read_alone: dict[str, list[str]],
           rendered: dict, once: dict[str, int], render_seconds: float, timeout: float) -> None:
    def short(uri: str) -> str:
        return uri.split(root.resolve().as_uri() + "/", 1)[-1]

    print(f"\n{len(uris)} files, rendered in {render_seconds:.1f} s\n")
    print(f"{'outcome':28s} {'files':>5s} {'pymupdf alone':>13s} {'pdfium alone':>12s}  examples")
    for kind, count in sorted(Counter(outcome.values()).items(), key=lambda kv: (-kv[1], kv[0])):
        members = [uri for uri in uris if outcome[uri] == kind]
        alone = {e: sum(e in read_alone.get(uri, []) for uri in members) for e in ("pymupdf", "pdfium")}
        shown = "-" if kind in ("RenderedDocument", "result") else ""
        print(f"{kind:28s} {count:5d} {shown or alone['pymupdf']:>13} {shown or alone['pdfium']:>12}  "
              f"{', '.join(short(u) for u in members[:3])}")
    readable = [short(u) for u, engines in read_alone.items() if engines]
    print(f"\nrender refusals that an engine alone renders: {len(readable)} {readable[:10]}")
    print("\nslowest renders:")
    timed = sorted(((getattr(r, "seconds", 0.0), uri) for uri, r in rendered.items()), reverse=True)
    for seconds, uri in timed[:8]:
        print(f"  {seconds:7.2f} s  {short(uri)}  ({outcome[uri]})")
    over = [short(u) for s, u in timed if s > timeout * 1.05 + 5]
    print(f"files past the render limit of {timeout:g} s (+5%, +5 s for the kill): {len(over)} {over}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:.0f} MB, largest child process {workers:.0f} MB "
          "(a render worker; in a full run possibly vLLM's engine core)")
    wrong = {short(u): n for u, n in once.items() if n != 1}
    print(f"every file accounted for exactly once: {'yes' if not wrong else 'NO ' + str(wrong)}"
          f" ({sum(once.values())} rows for {len(uris)} files)")


if __name__ == "__main__":
    main()
