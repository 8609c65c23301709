"""End to end: the `docintel run` command on sample_docs/ with real vLLM on the tiny checkpoint."""

import json
import os
import re
from datetime import date, datetime, timezone
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.dataset import Run, commit_run
from pipeline.schemas import load_schema
from pipeline.sink import ParquetSink, ResultRow
from pipeline.sources import discover
from pipeline.storage import Store

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"

BAD_FILES = {
    "empty.pdf": "empty_file",
    "corrupt.pdf": "corrupt_file",
    "truncated.pdf": "truncated_file",
    "encrypted.pdf": "encrypted",
    "notes.txt": "unsupported_format",
    "bomb.png": "image_too_large",
    "too_many_pages.pdf": "too_many_pages",
}


def docintel_run(inputs: list[Path], schema: str, out: Path, model: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline.cli", "run", *map(str, inputs), "--schema", schema,
               "--out", str(out), "--model", str(model), "--max-model-len", "32768",
               "--max-soft-tokens", "70", "--enforce-eager"]
    # The plain command, as the README shows it: the CPU KV cache is sized by docintel itself.
    env = {k: v for k, v in os.environ.items() if k not in ("VLLM_CPU_KVCACHE_SPACE", "VLLM_LOGGING_LEVEL")}
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)


@pytest.mark.parametrize("schema,folders", [("invoice", ["invoice", "bad"]), ("contract", ["contract"])])
def test_run_on_sample_docs_accounts_for_every_document(tiny_model: Path, tmp_path: Path, schema: str,
                                                        folders: list[str]) -> None:
    inputs = [SAMPLES / f for f in folders]
    out = tmp_path / "out"
    proc = docintel_run(inputs, schema, out, tiny_model)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "documents" in proc.stdout and "pages / s" in proc.stdout
    # Not a terminal: progress as log lines, and none of vLLM's INFO lines without --verbose.
    assert re.search(r"INFO docintel: \d+/\d+ documents, \d+ pages, [\d.]+ pages/s, \d+ errors", proc.stderr)
    assert not re.search(r"INFO \d\d-\d\d \d\d:\d\d:\d\d \[", proc.stderr), proc.stderr[-3000:]

    results = pq.read_table(out / "results").to_pylist()
    errors = pq.read_table(out / "errors").to_pylist() if (out / "errors").exists() else []
    expected = sorted(discover(inputs))
    # The accounting invariant: every input is exactly one row, in results or in errors.
    assert sorted(r["source"] for r in results + errors) == expected

    validator = load_schema(schema).validator
    for row in results:
        assert list(validator.iter_errors(json.loads(row["record_json"]))) == []
        assert row["schema_version"] == "1.0.0" and row["page_count"] >= 1
    good = {r["source"] for r in results}
    assert good, "the tiny model produced no schema-valid record at all"

    by_name = {Path(e["source"]).name: e for e in errors}
    for name, error_type in BAD_FILES.items():
        if "bad" in folders:
            assert by_name[name]["error_type"] == error_type, by_name[name]
            assert by_name[name]["stage"] == "render" and by_name[name]["message"]
    # Good documents fail only where the (random) model's answer did, never in rendering; the
    # 120-page contract goes in page windows at this context (merge: the windows' records merged).
    assert all(e["stage"] in ("validate", "merge") for n, e in by_name.items() if n not in BAD_FILES)
    if schema == "contract":
        long = [r for r in results if Path(r["source"]).name == "contract_long_msa.pdf"]
        assert all(r["windows"] > 1 and r["page_count"] == 120 for r in long)


def test_run_refuses_an_unenforceable_schema_before_loading_a_model(tmp_path: Path) -> None:
    schema = tmp_path / "po.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"tags": {"type": "array", "uniqueItems": True}}}))
    proc = docintel_run([SAMPLES / "invoice"], str(schema), tmp_path / "out", tmp_path / "no-model")
    assert proc.returncode == 2
    assert "uniqueItems" in proc.stderr and "#/properties/tags" in proc.stderr


def test_eval_writes_report_and_trend_rows(tmp_path: Path) -> None:
    """`docintel eval` on a results folder (written here by the real sink from one truth record)."""
    truth = json.loads((SAMPLES / "truth" / "invoice__invoice_digital.pdf.json").read_text())
    store = Store(tmp_path / "out")
    run = Run(run_id="r1", run_date=date(2026, 11, 28), schema_name="invoice", schema_version="1.0.0", model="m",
              prompt_version="1", max_soft_tokens=280, fingerprint="f", started_at="")
    sink = ParquetSink(store, load_schema("invoice"), run)
    sink.write([ResultRow(truth["document_id"], "file:///renamed.pdf", 1, True, truth["record"], [], 1, 1, 1, 0.0,
                          0.0, datetime.now(timezone.utc))], [])
    sink.close()
    commit_run(store, run, {}, sink.files)
    report, trend = tmp_path / "report.md", tmp_path / "trend.parquet"
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "eval", "--truth", str(SAMPLES / "truth"),
                           "--results", str(tmp_path / "out"), "--report", str(report), "--parquet", str(trend)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "invoice: per field" in proc.stdout and "## Scoring rules" in report.read_text()
    rows = {(r["schema_name"], r["field"]): r for r in pq.read_table(trend).to_pylist()}
    assert rows[("invoice", "total")]["tp"] == 1 and rows[("invoice", "total")]["run_ids"] == ["r1"]
