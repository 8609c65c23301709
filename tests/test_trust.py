"""Evidence, confidence and needs_review in the results, end to end through the runner and the
Parquet columns, queried as the README shows.

What a record says is made true with test_long_documents' TruthEngine (a test double that
answers with the truth record: the tiny model's random answers cannot be grounded); the real
tiny checkpoint shows that token log-probabilities become confidences."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.runner import run_batch
from pipeline.samples.evidence import box_as_read
from pipeline.samples.files import invoice_sample
from pipeline.schemas import load_schema
from test_long_documents import TruthEngine
from test_queries import readme_queries


def iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


@pytest.mark.parametrize("variant,seed,layout", [("digital", 2, "letterhead"), ("scan_rot90", 11, "zebra")])
def test_truth_answers_are_grounded_where_the_generator_drew_them(cpu_settings, tmp_path: Path, variant: str,
                                                                  seed: int, layout: str) -> None:
    sample = invoice_sample(random.Random(seed), layout, "en", variant)
    (tmp_path / "doc.pdf").write_bytes(sample.data)
    out = tmp_path / "out"
    run_batch([tmp_path / "doc.pdf"], load_schema("invoice"), out, cpu_settings, TruthEngine(lambda r: sample.record))
    [row] = pq.read_table(out / "results").to_pylist()
    fields = {f["path"]: f for f in row["fields"]}
    truth = sample.truth()
    rotation = {c["page"]: c["rotation"] for c in row["corrections"]}
    skew = {c["page"]: c["skew"] for c in row["corrections"]}
    grounded = []
    for path, place in truth["evidence"].items():
        if place.get("printed") is False or place.get("form") == "named":
            continue
        found = fields[path]
        box = found["box"] and [found["box"][k] for k in ("x0", "y0", "x1", "y1")]
        expected = box_as_read(place, truth, rotation.get(place["page"], 0), skew.get(place["page"], 0.0))
        grounded.append(found["page"] == place["page"] and box is not None and iou(box, expected) >= 0.5)
    assert len(grounded) > 20
    assert sum(grounded) / len(grounded) >= (0.98 if variant == "digital" else 0.9), [
        (p, fields[p]) for p, ok in zip([p for p, pl in truth["evidence"].items()
                                         if pl.get("printed") is not False and pl.get("form") != "named"], grounded)
        if not ok]
    for f in row["fields"]:  # every leaf of the record, each with a confidence in 0-1
        assert 0.0 <= f["confidence"] <= 1.0
    assert set(fields) >= {"invoice_number", "seller.name", "line_items[0].amount", "total"}
    # Everything found where printed and no rule broken: nothing for a person to look at, unless
    # the record itself breaks a business rule or a printed value was not found.
    assert row["needs_review"] == bool(row["review_reasons"])
    assert all(r.startswith(("flag:", "no_evidence:")) for r in row["review_reasons"]), row["review_reasons"]


def test_the_tiny_models_answers_get_confidences_and_reasons(engine, cpu_settings, tmp_path: Path) -> None:
    sample = invoice_sample(random.Random(2), "letterhead", "en")
    (tmp_path / "doc.pdf").write_bytes(sample.data)
    out = tmp_path / "out"
    settings = cpu_settings.model_copy(update={"review_threshold": 0.99})
    run_batch([tmp_path / "doc.pdf"], load_schema("invoice"), out, settings, engine)
    rows = pq.read_table(out / "results").to_pylist() if (out / "results").exists() else []
    for row in rows:  # the random model may break the schema; when it does not:
        record = json.loads(row["record_json"])
        assert {f["path"] for f in row["fields"]} >= {k for k, v in record.items() if not isinstance(v, (dict, list))}
        assert all(0.0 <= f["confidence"] <= 1.0 for f in row["fields"])
        assert row["needs_review"] and any(r.startswith("low_confidence:") for r in row["review_reasons"])


def test_the_readmes_review_queries_run_on_the_columns(cpu_settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    records = []
    for seed in (2, 3):
        sample = invoice_sample(random.Random(seed), "letterhead", "en")
        (tmp_path / f"doc{seed}.pdf").write_bytes(sample.data)
        records.append(dict(sample.record))
    records[1]["total"] = "987654.32"  # printed nowhere, and breaks total = subtotal + tax: up for review
    answers = iter(records)
    run_batch([tmp_path / "doc2.pdf"], load_schema("invoice"), out, cpu_settings,
              TruthEngine(lambda r, record=next(answers): record))
    run_batch([tmp_path / "doc3.pdf"], load_schema("invoice"), out, cpu_settings,
              TruthEngine(lambda r, record=next(answers): record))
    to_review, below, evidence_of = readme_queries(out, "### Queries a reviewer needs")
    review = duckdb.sql(to_review).fetchall()
    assert [Path(source).name for _, source, reasons in review
            if any(r.startswith("flag: total_mismatch") for r in reasons)] == ["doc3.pdf"]
    low = duckdb.sql(below).fetchall()
    assert all(confidence < 0.5 for *_, confidence, _, _ in low)
    assert ("doc3.pdf", "total") in {(Path(source).name, path) for _, source, path, *_ in low}
    evidence = duckdb.sql(evidence_of.replace("%/invoice_digital.pdf", "%/doc2.pdf")).fetchall()
    number = next(e for e in evidence if e[0] == "invoice_number")
    assert number[1] == number[4] == records[0]["invoice_number"] and number[3] == 1 and number[6] == "exact"
    assert set(number[5]) == {"x0", "y0", "x1", "y1"}


def test_calibrate_fits_on_labelled_results_and_runs_load_it(cpu_settings, tmp_path: Path, capsys) -> None:
    from pipeline.calibration import Calibration
    from pipeline.cli import main

    docs, truth_dir, out = tmp_path / "docs", tmp_path / "truth", tmp_path / "out"
    docs.mkdir(), truth_dir.mkdir()
    answers = {}
    for seed in range(4):  # two answered with the truth, two with some values wrong
        sample = invoice_sample(random.Random(seed), "letterhead", "en")
        (docs / f"doc{seed}.pdf").write_bytes(sample.data)
        (truth_dir / f"doc{seed}.json").write_text(json.dumps(sample.truth()))
        wrong = {**sample.record, "total": "987654.32", "invoice_number": "X-0", "issue_date": "1999-01-01"}
        answers[sample.record["invoice_number"]] = sample.record if seed % 2 else wrong

    def answer(request):
        text = json.dumps([p.get("text", "") for p in request.messages[0]["content"]])
        return next(a for number, a in answers.items() if number in text)

    run_batch([docs], load_schema("invoice"), out, cpu_settings, TruthEngine(answer))
    assert main(["eval", "--truth", str(truth_dir), "--results", str(out)]) == 0
    assert "Reliability of field confidence" in capsys.readouterr().out
    assert main(["calibrate", "--truth", str(truth_dir), "--results", str(out), "--out", str(tmp_path / "c.json")]) == 0
    calibration = Calibration.load(tmp_path / "c.json")
    assert calibration.samples > 40 and 0 < calibration.positives < calibration.samples
    assert "before" in capsys.readouterr().out
    # A run with the calibration gives calibrated confidences: values of the fitted map.
    settings = cpu_settings.model_copy(update={"calibration": str(tmp_path / "c.json"), "reprocess": True})
    run_batch([docs], load_schema("invoice"), tmp_path / "again", settings, TruthEngine(answer))
    fitted = set(calibration.ys)
    confidences = [f["confidence"] for row in pq.read_table(tmp_path / "again" / "results").to_pylist()
                   for f in row["fields"] if f["value"] is not None]
    assert confidences and all(min(fitted) - 1e-6 <= c <= max(fitted) + 1e-6 for c in confidences)
