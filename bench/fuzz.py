"""Fuzz rendering: seeded mutations of the sample documents through a limited RenderPool.

    .venv/bin/python bench/fuzz.py [--cases 2000] [--seconds 0] [--seed 0] [--timeout 20]
                                   [--memory-mb 2048] [--workers 2] [--save fuzz-findings]

Prints cases/s, the count per outcome (error type), the slowest cases, the peak RSS of any
worker, and the findings: a worker that crashed (a renderer bug), an out-of-memory or a timeout
(inputs that need more than the limits), a case past its time limit, an exception out of the
pool. Findings are saved to --save with the recipe (seed file, mutations, random seed) in the
name, so that ``mutate(seed, names, random.Random(n))`` rebuilds each one. The short run of the
same property is tests/test_fuzz.py."""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.render import RenderFailure, RenderOptions  # noqa: E402
from pipeline.render_pool import RenderPool  # noqa: E402
from pipeline.samples.hostile import MUTATIONS, fuzz_seeds, mutate  # noqa: E402
from pipeline.storage import S3Options  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = {"render_crashed", "render_out_of_memory", "render_timeout", "exception", "past_limit"}


def cases(seed: int, count: int, seeds: dict[str, bytes]):
    """(name, bytes) of each case, reproducibly from ``seed``."""
    rng = random.Random(seed)
    for number in range(count):
        source = rng.choice(sorted(seeds))
        names = rng.sample(sorted(MUTATIONS), rng.randint(1, 3))
        case_seed = rng.randrange(2**32)
        name = f"{number:06d}_{Path(source).stem}_{'-'.join(names)}_{case_seed}{Path(source).suffix}"
        yield name, mutate(seeds[source], names, random.Random(case_seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: run all cases)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=20.0, help="render_timeout per case, seconds")
    parser.add_argument("--memory-mb", type=int, default=2048, help="render_memory_mb per worker")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--in-flight", type=int, default=32, help="cases submitted ahead")
    parser.add_argument("--save", type=Path, default=ROOT / "fuzz-findings", help="folder for findings")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    outcomes: Counter[str] = Counter()
    timings: list[tuple[float, str, str]] = []
    findings: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    done = 0
    pool = RenderPool(RenderOptions(max_soft_tokens=70), S3Options(), args.workers, timeout=args.timeout,
                      memory_bytes=args.memory_mb * 2**20)
    pending: list[tuple[str, Path, object]] = []

    def collect(name: str, path: Path, future) -> None:
        nonlocal done
        try:
            result = future.result()
            kind = result.error_type if isinstance(result, RenderFailure) else type(result).__name__
            message, seconds = getattr(result, "message", ""), result.seconds
        except Exception as exc:  # the pool promises never to raise: this is a finding
            kind, message, seconds = "exception", f"{type(exc).__name__}: {exc}", 0.0
        if seconds > args.timeout + 10:
            findings.append((name, "past_limit", f"{seconds:.1f} s"))
        outcomes[kind] += 1
        timings.append((seconds, name, kind))
        if kind in FINDINGS:
            findings.append((name, kind, message))
            args.save.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, args.save / name)
        path.unlink()
        done += 1

    try:
        for name, data in cases(args.seed, args.cases, fuzz_seeds(ROOT / "sample_docs")):
            if args.seconds and time.perf_counter() - started > args.seconds:
                break
            path = work / name
            path.write_bytes(data)
            pending.append((name, path, pool.submit(str(path))))
            while len(pending) >= args.in_flight:
                collect(*pending.pop(0))
        for item in pending:
            collect(*item)
    finally:
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started

    print(f"{done} cases in {elapsed:.1f} s: {done / elapsed:.1f} cases/s "
          f"({args.workers} workers, limits {args.timeout:g} s and {args.memory_mb} MiB per document)")
    print("\noutcomes:")
    for kind, count in outcomes.most_common():
        print(f"  {kind:24s} {count:6d}  {100 * count / done:5.1f} %")
    print("\nslowest cases:")
    for seconds, name, kind in sorted(timings, reverse=True)[:8]:
        print(f"  {seconds:7.2f} s  {kind:22s} {name}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS of a render worker: {peak:.0f} MB (limit: {args.memory_mb} MiB of address space)")
    print(f"findings (crash, out of memory, timeout, past the limit, exception): {len(findings)}"
          + (f", saved to {args.save}" if findings else ""))
    for name, kind, message in findings[:20]:
        print(f"  {kind:22s} {name}: {message[:120]}")


if __name__ == "__main__":
    main()
