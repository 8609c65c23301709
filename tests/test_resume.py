"""A real run process killed with SIGKILL partway through, then started again: every document
ends exactly once, and the manifest lists exactly the committed files. Locally and on S3."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.samples import write_batch
from pipeline.storage import Store


def start_run(inputs: Path, out: str, model: Path, endpoint: str | None, *flags: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline.cli", "run", str(inputs), "--schema", "invoice", "--out", out,
               "--model", str(model), "--max-model-len", "32768", "--max-soft-tokens", "70", "--enforce-eager",
               "--window", "2", "--file-rows", "2", *flags]
    if endpoint:
        command += ["--s3-endpoint-url", endpoint]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"})


def wait_for_first_file(store: Store, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not store.list("results/") and not store.list("errors/"):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "no output file appeared"
        time.sleep(0.2)


@pytest.fixture(params=["local", "s3"])
def output(request, tmp_path: Path):
    if request.param == "local":
        yield str(tmp_path / "out"), None, Store(tmp_path / "out")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        yield bucket.uri("out"), bucket.options.endpoint_url, Store(bucket.uri("out"), bucket.options)


def test_killed_run_restarts_with_no_duplicates_and_no_losses(tiny_model: Path, tmp_path: Path, output) -> None:
    out, endpoint, store = output
    documents = write_batch(tmp_path / "docs", 12, seed=7)
    inputs = documents[0].parent

    first = start_run(inputs, out, tiny_model, endpoint)
    wait_for_first_file(store, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert store.list("_manifests/") == []  # killed before its commit

    second = start_run(inputs, out, tiny_model, endpoint)
    log = second.communicate(timeout=600)[0]
    assert second.returncode == 0, log[-3000:]
    assert "resumed and committed" in log

    [manifest_path] = store.list("_manifests/")
    manifest = json.loads(store.read(manifest_path))
    data_files = [p for table in ("results/", "errors/") for p in store.list(table)]
    assert sorted(f["path"] for f in manifest["files"]) == sorted(data_files)
    rows = [row for path in data_files
            for row in pq.read_table(store.path(path), filesystem=store.filesystem,
                                     columns=["source", "document_id"]).to_pylist()]
    assert sorted(r["source"] for r in rows) == sorted(p.resolve().as_uri() for p in documents)
    assert sum(f["rows"] for f in manifest["files"]) == len(documents)
