"""Prefect's overhead on a batch: the same 200 generated invoices through ``run_batch`` directly and
through the ``extract-documents`` flow (under Prefect's test harness: a real local API server), in
one run, with the same settings, on the tiny checkpoint and the in-process engine.

    .venv/bin/python bench/flow_overhead.py [--documents 200] [--window 64] [--rounds 2]

Each way runs ``--rounds`` times, in ABBA order, each run with a fresh engine. Engine load and
close are excluded from both figures: run_batch is timed with an engine loaded before and closed
after, and the flow's wall time is reduced by the seconds its own engine load and close took (the
flow reports them). What remains on the flow side is extraction plus everything
Prefect adds: the flow run, the discovery, window and commit task runs, the concurrency slot and
the artifacts. Each run writes to its own folder, so neither skips the other's documents."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / ".cache" / "tiny-gemma4"


@dataclass
class Timing:
    """One measured run."""

    documents: int
    results: int
    errors: int
    pages: int
    seconds: float  # extraction, engine load and close excluded
    batch_seconds: float  # of which from the start of the Batch to its commit (the runner's own clock)
    engine_seconds: float


def main() -> None:
    """Parse the arguments; compare in a temporary folder, removed afterwards."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each way, in ABBA order")
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")

    with tempfile.TemporaryDirectory(prefix="flow-overhead-") as folder:
        compare(Path(folder), args.documents, args.window, args.rounds)


def compare(work: Path, count: int, window: int, rounds: int) -> None:
    """Generate ``count`` invoices under ``work``, run them both ways ``rounds`` times in ABBA
    order (so neither way always runs first, on colder caches), print the figures."""
    from prefect.testing.utilities import prefect_test_harness

    from pipeline.samples import write_batch
    from pipeline.tiny_model import build_tiny_model

    started = time.perf_counter()
    documents = write_batch(work / "docs", count, seed=7)
    print(f"{len(documents)} documents generated in {time.perf_counter() - started:.1f} s")
    source = [str(work / "docs" / "invoice")]  # the documents' folder, not docs/truth
    settings = {"model": str(build_tiny_model(TINY)), "max_model_len": 16384, "max_tokens": 1536,
                "max_soft_tokens": 70, "enforce_eager": True, "window": window}
    runs: dict[str, list[Timing]] = {"run_batch directly": [], "extract-documents flow": []}
    with prefect_test_harness():  # up for both ways: the same background load
        for i in range(rounds):
            order = list(runs) if i % 2 == 0 else list(reversed(runs))
            for name in order:
                timing = time_run_batch if name == "run_batch directly" else time_flow
                runs[name].append(timing(source, work / f"out-{len(runs[name])}-{name.split()[0]}", settings))
    report(runs, count, window)


def report(runs: dict[str, list[Timing]], count: int, window: int) -> None:
    """One line per run, then the mean overhead of the flow."""
    print(f"\n{'':24}{'documents':>10}{'results':>9}{'errors':>8}{'pages':>7}{'seconds':>9}{'batch s':>9}"
          f"{'engine s':>10}")
    for name, timings in runs.items():
        for t in timings:
            print(f"{name:24}{t.documents:>10}{t.results:>9}{t.errors:>8}{t.pages:>7}{t.seconds:>9.1f}"
                  f"{t.batch_seconds:>9.1f}{t.engine_seconds:>10.1f}")
    direct, flow = (sum(t.seconds for t in timings) / len(timings) for timings in runs.values())
    print("\nseconds: wall time, engine load and close excluded ('engine s', measured apart); batch s: the part "
          "from the start of the Batch to its commit, by the runner's clock")
    print(f"Prefect overhead: {flow - direct:+.1f} s = {100 * (flow - direct) / direct:+.1f}% of run_batch's mean "
          f"{direct:.1f} s, over {len(runs['run_batch directly'])} runs each ({-(-count // window)} window task "
          f"runs of up to {window} documents per flow run, plus discovery, commit, the engine slot and two artifacts)")
    flows = runs["extract-documents flow"]
    outside = sum(t.seconds - t.batch_seconds for t in flows) / len(flows)
    batches = [t.batch_seconds for timings in runs.values() for t in timings]
    print(f"of which outside the batch (flow run, discovery, engine slot, artifacts): {outside:.1f} s = "
          f"{100 * outside / direct:.1f}%; batch s of all runs spans {min(batches):.1f}-{max(batches):.1f} s")


def time_run_batch(source: list[str], out: Path, settings: dict[str, Any]) -> Timing:
    """run_batch with a fresh engine (as the flow has: no prefix cache carried over), loaded before
    and closed after the timed part."""
    from pipeline.config import Settings
    from pipeline.engines import create_engine
    from pipeline.runner import run_batch
    from pipeline.schemas import load_schema

    config = Settings(**settings)
    started = time.perf_counter()
    engine = create_engine(config)
    engine_seconds = time.perf_counter() - started
    try:
        started = time.perf_counter()
        summary = run_batch(source, load_schema("invoice"), out, config, engine)
        seconds = time.perf_counter() - started
    finally:
        started = time.perf_counter()
        engine.close()
        engine_seconds += time.perf_counter() - started
    return Timing(summary.documents, summary.results, sum(summary.errors.values()), summary.pages, seconds,
                  summary.seconds, engine_seconds)


def time_flow(source: list[str], out: Path, settings: dict[str, Any]) -> Timing:
    """The flow's wall time less the engine load and close it reports."""
    from flows.extract import extract_documents

    started = time.perf_counter()
    report = extract_documents(source, "invoice", str(out), settings)
    seconds = time.perf_counter() - started - report["engine_seconds"]
    return Timing(report["documents"], report["results"], sum(report["errors"].values()), report["pages"], seconds,
                  report["seconds"], report["engine_seconds"])


if __name__ == "__main__":
    main()
