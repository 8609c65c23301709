"""Sink throughput: 100,000 invoice result rows through docintel's ParquetSink (typed record
struct, rolling files, atomic publish, commit) vs a plain ``pyarrow.parquet.write_table`` of the
same rows, to a local folder and to an S3 server on loopback (moto, started here).

    .venv/bin/python bench/sink.py [--rows 100000] [--window 64]

Prints rows/second, files written and bytes per target, and the ratio to the plain write."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.dataset import Run, commit_run  # noqa: E402
from pipeline.samples import invoice_record  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402
from pipeline.sink import ParquetSink, ResultRow  # noqa: E402
from pipeline.storage import S3Options, Store  # noqa: E402


def make_rows(count: int) -> list[ResultRow]:
    rng = random.Random(3)
    records = [invoice_record(rng) for _ in range(200)]  # reused: generation is not what we time
    now = datetime.now(timezone.utc)
    return [ResultRow(f"{i:064x}", f"s3://in/{i}.pdf", 1, True, records[i % 200], [], 1, 900, 300, 0.01, 1.0, now)
            for i in range(count)]


def through_sink(store: Store, rows: list[ResultRow], window: int) -> tuple[float, list[str]]:
    schema = load_schema("invoice")
    run = Run(run_id="bench", run_date=date.today(), schema_name="invoice", schema_version=schema.version,
              model="m", prompt_version="1", max_soft_tokens=280, fingerprint="bench", started_at="")
    start = time.perf_counter()
    sink = ParquetSink(store, schema, run)
    for i in range(0, len(rows), window):
        sink.write(rows[i:i + window], [])
    sink.close()
    commit_run(store, run, {"results": len(rows)}, sink.files)
    return time.perf_counter() - start, sink.files


def plain_write(store: Store, rows: list[ResultRow]) -> float:
    """What a user would write by hand: the same rows, the record as JSON text, one call."""
    start = time.perf_counter()
    table = pa.Table.from_pylist([{**vars(r), "record": json.dumps(r.record)} for r in rows])
    pq.write_table(table, store.path("plain.parquet"), filesystem=store.filesystem, compression="zstd")
    return time.perf_counter() - start


def size(store: Store, relpaths: list[str]) -> int:
    return sum(store.filesystem.get_file_info(store.path(p)).size for p in relpaths)


def report(target: str, store: Store, rows: list[ResultRow], window: int) -> None:
    plain = plain_write(store, rows)
    seconds, files = through_sink(store, rows, window)
    print(f"{target:<6} sink : {len(rows) / seconds:>9,.0f} rows/s  {len(files)} file(s)  "
          f"{size(store, files) / 2**20:6.1f} MiB")
    print(f"{target:<6} plain: {len(rows) / plain:>9,.0f} rows/s  1 file     "
          f"{size(store, ['plain.parquet']) / 2**20:6.1f} MiB   sink / plain time: {seconds / plain:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=64)
    args = parser.parse_args()
    rows = make_rows(args.rows)

    with tempfile.TemporaryDirectory() as tmp:
        report("local", Store(tmp), rows, args.window)

    from moto.server import ThreadedMotoServer

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        options = S3Options(endpoint_url=f"http://{host}:{port}")
        boto3.client("s3", endpoint_url=options.endpoint_url).create_bucket(Bucket="bench")
        report("s3", Store("s3://bench/out", options), rows, args.window)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
