"""The accuracy scorer: normalisation, list matching, counts and metrics, the join of truth to
results, and the report outputs."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.evaluate import ALL_FIELDS, EVALUATION_SCHEMA, evaluate
from pipeline.scoring import FieldCounts, _assign, compile_schema, leaf_paths, score_record
from pipeline.samples import contract_record, invoice_record
from pipeline.schemas import SCHEMA_DIR

ROOT = Path(__file__).resolve().parent.parent
INVOICE = json.loads((SCHEMA_DIR / "invoice.json").read_text())
CONTRACT = json.loads((SCHEMA_DIR / "contract.json").read_text())
SCHEMAS = {"invoice": INVOICE, "contract": CONTRACT}
MONEY = ["line_items[].unit_price", "line_items[].amount", "subtotal", "tax_total", "total"]
AMOUNT = {"type": "string", "pattern": "^-?[0-9]{1,13}(\\.[0-9]{1,4})?$"}
seeds = st.integers(0, 10**6)


def record(schema: str, seed: int) -> dict:
    rng = random.Random(seed)
    return invoice_record(rng) if schema == "invoice" else contract_record(rng)


def present_leaves(value: Any) -> int:
    """Values a record holds (no null, no blank string): what recall or precision is out of."""
    if isinstance(value, dict):
        return sum(present_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(present_leaves(v) for v in value)
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else 1


def mutate(truth: dict, rng: random.Random) -> dict:
    """A plausible bad extraction: values changed or dropped, list items lost, doubled or made up."""
    predicted = copy.deepcopy(truth)
    for key in ("line_items", "parties", "signatories"):
        items = predicted.get(key)
        if items is None:
            continue
        for item in items:
            for name in item:
                if rng.random() < 0.3:
                    item[name] = rng.choice([None, "12.50", "Made-up text", item[name]])
        if items and rng.random() < 0.3:
            items.pop(rng.randrange(len(items)))
        if items and rng.random() < 0.3:
            items.append(copy.deepcopy(rng.choice(items)))
        if rng.random() < 0.3:
            items.append({name: rng.choice([None, "7.00", "Extra"]) for name in (items or [{"name": 0}])[0]})
    for name in ("invoice_number", "total", "title", "term_months", "iban"):
        if name in predicted and rng.random() < 0.3:
            predicted[name] = None
    return predicted


def shuffled(data: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(data)
    for key in ("line_items", "parties", "signatories"):
        if key in out:
            rng.shuffle(out[key])
    return out


def one_field(node: dict, name: str = "value", currency: bool = False) -> dict:
    properties = {name: node, **({"currency": {"type": ["string", "null"]}} if currency else {})}
    return {"type": "object", "properties": properties}


def same(truth: Any, predicted: Any, node: dict, name: str = "value") -> bool:
    counts = score_record({name: truth}, {name: predicted}, one_field(node, name)).total
    assert counts.missing == counts.extra == 0
    return counts.tp == 1


# --- metrics ------------------------------------------------------------------------------------

def test_metrics_and_their_zero_denominators() -> None:
    counts = FieldCounts(tp=3, wrong=1, missing=2, extra=4)
    assert (counts.precision, counts.recall, counts.f1) == (3 / 8, 3 / 6, 6 / 14)
    assert counts.f1 == pytest.approx(2 * counts.precision * counts.recall / (counts.precision + counts.recall))
    assert (FieldCounts().precision, FieldCounts().recall, FieldCounts().f1) == (None, None, None)
    assert (FieldCounts(missing=2).precision, FieldCounts(missing=2).recall, FieldCounts(missing=2).f1) == (None, 0, 0)
    assert (FieldCounts(extra=1).precision, FieldCounts(extra=1).recall, FieldCounts(extra=1).f1) == (0, None, 0)


@given(schema=st.sampled_from(["invoice", "contract"]), seed=seeds)
@settings(max_examples=40, deadline=None)
def test_perfect_prediction_scores_one(schema: str, seed: int) -> None:
    truth = record(schema, seed)
    score = score_record(truth, copy.deepcopy(truth), SCHEMAS[schema])
    assert (score.total.precision, score.total.recall, score.total.f1) == (1.0, 1.0, 1.0)
    assert score.total.tp == present_leaves(truth) and score.differences == []


@pytest.mark.parametrize("predicted", [None, {}])
@pytest.mark.parametrize("schema", ["invoice", "contract"])
def test_empty_prediction_has_zero_recall(schema: str, predicted: dict | None) -> None:
    truth = record(schema, 7)
    total = score_record(truth, predicted, SCHEMAS[schema]).total
    assert total == FieldCounts(missing=present_leaves(truth))
    assert (total.recall, total.f1, total.precision) == (0.0, 0.0, None)


@given(schema=st.sampled_from(["invoice", "contract"]), seed=seeds, rng=st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_denominators_count_the_values_of_each_side(schema: str, seed: int, rng: random.Random) -> None:
    truth = record(schema, seed)
    predicted = mutate(truth, rng)
    total = score_record(truth, predicted, SCHEMAS[schema]).total
    assert total.tp + total.wrong + total.missing == present_leaves(truth)
    assert total.tp + total.wrong + total.extra == present_leaves(predicted)


# --- lists --------------------------------------------------------------------------------------

@given(schema=st.sampled_from(["invoice", "contract"]), seed=seeds, rng=st.randoms(use_true_random=False))
@settings(max_examples=80, deadline=None)
def test_permuted_lists_score_as_unpermuted(schema: str, seed: int, rng: random.Random) -> None:
    truth = record(schema, seed)
    predicted = mutate(truth, rng)
    expected = score_record(truth, predicted, SCHEMAS[schema]).fields
    assert score_record(truth, shuffled(predicted, rng), SCHEMAS[schema]).fields == expected
    assert score_record(shuffled(truth, rng), predicted, SCHEMAS[schema]).fields == expected
    assert score_record(truth, shuffled(truth, rng), SCHEMAS[schema]).total.errors == 0


TIE_SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": {
    "type": "object", "properties": {"a": {"type": ["string", "null"]}, "b": {"type": ["string", "null"]},
                                     "c": {"type": ["string", "null"]}}}}}}
tie_items = st.lists(st.fixed_dictionaries({k: st.sampled_from(["x", "y", None]) for k in "abc"}), max_size=5)


@given(truth=tie_items, predicted=tie_items, rng=st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_permutations_score_alike_even_when_matchings_tie(truth: list, predicted: list, rng: random.Random) -> None:
    # few distinct values: many optimal matchings that differ in which field a tp lands on
    expected = score_record({"items": truth}, {"items": predicted}, TIE_SCHEMA).fields
    permuted_truth, permuted_predicted = rng.sample(truth, len(truth)), rng.sample(predicted, len(predicted))
    assert score_record({"items": permuted_truth}, {"items": permuted_predicted}, TIE_SCHEMA).fields == expected


@given(weights=st.integers(0, 5).flatmap(lambda n: st.integers(0, 5).flatmap(
    lambda m: st.lists(st.lists(st.integers(0, 4), min_size=m, max_size=m), min_size=n, max_size=n))))
@settings(max_examples=300, deadline=None)
def test_assignment_is_a_maximum_weight_matching(weights: list[list[int]]) -> None:
    pairs = _assign(weights)
    assert len({i for i, _ in pairs}) == len({j for _, j in pairs}) == len(pairs)
    assert all(weights[i][j] > 0 for i, j in pairs)
    rows, cols = len(weights), len(weights[0]) if weights else 0
    if rows <= cols:  # every injective map of the smaller side; zero-weight pairs add nothing
        totals = (sum(weights[i][j] for i, j in enumerate(perm)) for perm in itertools.permutations(range(cols), rows))
    else:
        totals = (sum(weights[i][j] for j, i in enumerate(perm)) for perm in itertools.permutations(range(rows), cols))
    best = max(totals, default=0)
    assert sum(weights[i][j] for i, j in pairs) == best


def test_line_items_matched_by_content_not_position() -> None:
    schema = {"type": "object", "properties": {"lines": {"type": "array", "items": {
        "type": "object", "properties": {"text": {"type": "string"}, "amount": AMOUNT}}}}}
    truth = {"lines": [{"text": "Bolts", "amount": "10"}, {"text": "Nuts", "amount": "20"}]}
    # the second predicted line shares the first truth line's amount only: it pairs with it
    predicted = {"lines": [{"text": "Nuts", "amount": "20.00"}, {"text": "Screws", "amount": "10.0"}]}
    fields = score_record(truth, predicted, schema).fields
    assert fields == {"lines[].text": FieldCounts(tp=1, wrong=1), "lines[].amount": FieldCounts(tp=2)}


# --- normalisation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("truth", "predicted", "equal"), [
    ("Van der Berg Logistics B.V.", "VAN DER BERG LOGISTICS BV", True),
    ("Kestrel Print & Packaging Ltd", "kestrel print  packaging ltd.", True),
    ("  Atelier\nLumière\tSARL ", "Atelier Lumière SARL", True),
    ("Ｂｅｒｇｍａｎｎ", "Bergmann", True),  # full-width letters: NFKC
    ("Industriestraße 14", "INDUSTRIESTRASSE 14", True),  # case folding maps ß to ss
    ("Jürgen Wagner", "Jurgen Wagner", False),  # accents are kept
    ("Smith-Jones", "Smith Jones", False),  # punctuation is removed, not turned into a space
    ("Net 30", "Net 60", False),
])
def test_text_normalisation(truth: str, predicted: str, equal: bool) -> None:
    assert same(truth, predicted, {"type": "string"}, "name") is equal


@pytest.mark.parametrize(("name", "truth", "predicted", "equal"), [
    ("tax_id", "FR 61 489327015", "FR61489327015", True),
    ("iban", "DE33600501010004027581", "de33 6005 0101 0004 0275 81", True),
    ("postal_code", "EC2A 3EP", "ec2a3ep", True),
    ("invoice_number", "RE-2024-00012", "RE 2024 00012", True),
    ("purchase_order", "PO-125017", "PO-125018", False),
])
def test_identifier_normalisation(name: str, truth: str, predicted: str, equal: bool) -> None:
    assert same(truth, predicted, {"type": "string"}, name) is equal


@pytest.mark.parametrize(("node", "truth", "predicted", "equal"), [
    ({"type": "string", "format": "date"}, "2024-06-22", "2024-06-22", True),
    ({"type": "string", "format": "date"}, "2024-06-22", "20240622", True),
    ({"type": "string", "format": "date"}, "2024-06-22", "22.06.2024", False),
    ({"type": "string", "format": "date"}, "2024-06-22", "2024-06-23", False),
    (AMOUNT, "1234.5", "1234.50", True),
    (AMOUNT, "1234.50", "1234.5000", True),
    (AMOUNT, "0.0125", "0.01", False),  # never rounded to cents
    (AMOUNT, "1234.50", "1,234.50", False),
    ({"type": "number"}, 1.5, 1.50, True),
    ({"type": "integer"}, 12, 12.0, True),
    ({"type": "integer"}, 1, True, False),
    ({"type": "boolean"}, False, False, True),
    ({"enum": ["supply", "license"]}, "supply", "Supply", False),
])
def test_typed_normalisation(node: dict, truth: Any, predicted: Any, equal: bool) -> None:
    assert same(truth, predicted, node) is equal


@pytest.mark.parametrize("blank", [None, "", "   ", "..."])
def test_blank_values_are_absent(blank: str | None) -> None:
    schema = one_field({"type": ["string", "null"]})
    assert score_record({"value": "x"}, {"value": blank}, schema).total == FieldCounts(missing=1)
    assert score_record({"value": blank}, {"value": "x"}, schema).total == FieldCounts(extra=1)
    assert score_record({"value": blank}, {"value": None}, schema).total == FieldCounts()


@pytest.mark.parametrize(("currency", "truth", "predicted", "equal"), [
    ("JPY", "1000", "1000.00", True),  # JPY has no minor unit; the value is the same
    ("EUR", "1234.5", "1234.50", True),
    ("EUR", "1234.56", "1234.65", False),
])
def test_amounts_compare_by_value_in_their_currency(currency: str, truth: str, predicted: str, equal: bool) -> None:
    schema = one_field(AMOUNT, "total", currency=True)
    score = score_record({"total": truth, "currency": currency}, {"total": predicted, "currency": currency}, schema)
    assert (score.fields["total"].tp == 1) is equal


@pytest.mark.parametrize("seed", range(5))
def test_a_wrong_currency_fails_every_amount(seed: int) -> None:
    truth = invoice_record(random.Random(seed))
    predicted = {**copy.deepcopy(truth), "currency": "JPY" if truth["currency"] != "JPY" else "EUR"}
    fields = score_record(truth, predicted, INVOICE).fields
    for path in MONEY:
        assert fields[path].tp == 0 and fields[path].wrong > 0, path
    assert fields["currency"] == FieldCounts(wrong=1)
    assert fields["line_items[].description"].errors == 0  # the items still pair up by their text
    assert all(counts.errors == 0 for path, counts in fields.items() if path not in [*MONEY, "currency"])


def test_a_missing_currency_fails_the_amount_too() -> None:
    truth = contract_record(random.Random(3), "master_services")
    predicted = {**truth, "currency": None}
    fields = score_record(truth, predicted, CONTRACT).fields
    assert fields["currency"] == FieldCounts(missing=1)
    assert fields["contract_value"] == FieldCounts(wrong=1)


def test_schema_kinds() -> None:
    root = compile_schema(INVOICE)
    kinds = {name: child.kind for name, child in root.properties}
    assert kinds["issue_date"] == kinds["due_date"] == "date"
    assert kinds["total"] == "money" and kinds["iban"] == kinds["invoice_number"] == "identifier"
    line = dict(dict(root.properties)["line_items"].item.properties)
    assert (line["quantity"].kind, line["amount"].kind, line["description"].kind) == ("decimal", "money", "text")
    assert "parties[].address" in leaf_paths(compile_schema(CONTRACT))
    assert dict(compile_schema(CONTRACT).properties)["contract_type"].kind == "exact"


# --- a small case, counted by hand ---------------------------------------------------------------

HAND_SCHEMA = {"type": "object", "properties": {
    "number": {"type": "string"},
    "currency": {"type": "string"},
    "total": AMOUNT,
    "due": {"type": ["string", "null"], "format": "date"},
    "note": {"type": ["string", "null"]},
    "lines": {"type": "array", "items": {"type": "object", "properties": {
        "text": {"type": "string"}, "quantity": {"anyOf": [AMOUNT, {"type": "null"}]}, "amount": AMOUNT}}},
    "tags": {"type": "array", "items": {"type": "string"}},
}}
HAND_TRUTH = {"number": "INV-1", "currency": "EUR", "total": "30.00", "due": "2024-07-01", "note": None,
              "lines": [{"text": "Bolts", "quantity": "2", "amount": "10.00"},
                        {"text": "Nuts", "quantity": None, "amount": "20.00"}],
              "tags": ["red", "blue", "blue"]}
HAND_PREDICTED = {"number": "INV-7", "currency": "eur", "total": "30", "due": None, "note": "",
                  "lines": [{"text": "nuts", "quantity": "1", "amount": "20"},
                            {"text": "Washers", "quantity": "3", "amount": "5"}],
                  "tags": ["Blue", "green"]}


def test_hand_computed_case() -> None:
    score = score_record(HAND_TRUTH, HAND_PREDICTED, HAND_SCHEMA)
    # Nuts pairs with nuts (text and amount equal); Bolts and Washers share nothing, so stay unpaired.
    assert score.fields == {
        "number": FieldCounts(wrong=1),
        "currency": FieldCounts(tp=1),
        "total": FieldCounts(tp=1),
        "due": FieldCounts(missing=1),
        "lines[].text": FieldCounts(tp=1, missing=1, extra=1),
        "lines[].quantity": FieldCounts(missing=1, extra=2),
        "lines[].amount": FieldCounts(tp=1, missing=1, extra=1),
        "tags[]": FieldCounts(tp=1, missing=2, extra=1),
    }
    assert score.total == FieldCounts(tp=5, wrong=1, missing=6, extra=5)
    assert (score.total.precision, score.total.recall, score.total.f1) == (5 / 11, 5 / 12, 10 / 23)


# --- joining truth and results ------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


def write_truth(folder: Path, name: str, schema: str, record: dict, **extra: Any) -> str:
    document_id = hashlib.sha256(name.encode()).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    data = {"schema": schema, "document_id": document_id, "record": record, **extra}
    (folder / f"{name}.json").write_text(json.dumps(data))
    return document_id


def write_results(out: Path, schema: str, run_id: str, rows: list[tuple[str, str, dict]], at: datetime,
                  max_soft_tokens: int | None = 280) -> None:
    """A results file as the pipeline writes it; rows are (document_id, source, record)."""
    folder = out / "results" / f"schema_name={schema}" / f"run_date={at.date()}"
    folder.mkdir(parents=True, exist_ok=True)
    budget = {} if max_soft_tokens is None else {"max_soft_tokens": max_soft_tokens}
    table = pa.Table.from_pylist([
        {"document_id": doc, "source": source, "schema_version": "1.0.0", "model": "gemma-4", "prompt_version": "3",
         **budget, "run_id": run_id, "extracted_at": at, "record_json": json.dumps(rec), "flags": []}
        for doc, source, rec in rows])
    pq.write_table(table, folder / f"part-{run_id}.parquet")


def write_errors(out: Path, schema: str, run_id: str, rows: list[tuple[str | None, str, str]], at: datetime) -> None:
    """An errors file; rows are (document_id, source, error_type)."""
    folder = out / "errors" / f"schema_name={schema}" / f"run_date={at.date()}"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([
        {"document_id": doc, "source": source, "run_id": run_id, "failed_at": at, "stage": "render",
         "error_type": error_type, "message": "...", "attempts": 0} for doc, source, error_type in rows],
        schema=pa.schema([("document_id", pa.string()), ("source", pa.string()), ("run_id", pa.string()),
                          ("failed_at", pa.timestamp("us", tz="UTC")), ("stage", pa.string()),
                          ("error_type", pa.string()), ("message", pa.string()), ("attempts", pa.int32())]))
    pq.write_table(table, folder / f"part-{run_id}.parquet")


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, Path, dict[str, dict]]:
    """Three labelled invoices and one contract; the results know the files by other names."""
    truth_dir, out = tmp_path / "truth", tmp_path / "out"
    records = {name: invoice_record(random.Random(i)) for i, name in enumerate(["a.pdf", "b.pdf", "c.pdf"])}
    ids = {name: write_truth(truth_dir, f"invoice__{name}", "invoice", rec, layout="digital" if name != "c.pdf"
                             else "scanned") for name, rec in records.items()}
    contract = contract_record(random.Random(9))
    contract_id = write_truth(truth_dir / "more", "contract__x.pdf", "contract", contract)
    wrong_b = {**records["b.pdf"], "total": "0.01"}
    write_results(out, "invoice", "run-1", [(ids["a.pdf"], "s3://bucket/renamed-1.pdf", records["a.pdf"]),
                                            (ids["b.pdf"], "file:///elsewhere/2.pdf", wrong_b),
                                            ("f" * 64, "file:///unlabelled.pdf", records["a.pdf"])], NOW)
    write_errors(out, "invoice", "run-1", [(ids["c.pdf"], "file:///3.pdf", "corrupt_file"),
                                           (None, "file:///empty.pdf", "empty_file")], NOW)
    write_results(out, "contract", "run-1", [(contract_id, "file:///contract.pdf", contract)], NOW)
    return truth_dir, out, records


def test_join_by_document_id_survives_renamed_files(batch: tuple[Path, Path, dict[str, dict]]) -> None:
    truth_dir, out, records = batch
    evaluation = evaluate(truth_dir, out)
    assert evaluation.schemas == ["contract", "invoice"]
    docs = {d.truth.path.name: d for d in evaluation.documents}
    assert docs["invoice__a.pdf.json"].prediction.source == "s3://bucket/renamed-1.pdf"
    assert docs["invoice__a.pdf.json"].exact_match
    assert docs["invoice__b.pdf.json"].score.differences[0].field == "total"
    assert not docs["invoice__c.pdf.json"].extracted and docs["invoice__c.pdf.json"].error_type == "corrupt_file"
    assert docs["invoice__c.pdf.json"].score.total.missing == present_leaves(records["c.pdf"])
    assert docs["contract__x.pdf.json"].exact_match
    summary = evaluation.summary("invoice")
    assert (summary.documents, summary.extracted, summary.exact_matches) == (3, 2, 1)
    assert summary.fields["total"] == FieldCounts(tp=1, wrong=1, missing=1)
    assert summary.counts.recall == pytest.approx(
        (present_leaves(records["a.pdf"]) + present_leaves(records["b.pdf"]) - 1) / sum(map(present_leaves, records.values())))
    assert evaluation.unlabelled == {"invoice": 1, "contract": 0}
    by_layout = evaluation.breakdown("invoice", "layout")
    assert {k: (s.documents, s.exact_matches) for k, s in by_layout.items()} == {"digital": (2, 1), "scanned": (1, 0)}


def test_the_latest_extraction_wins(batch: tuple[Path, Path, dict[str, dict]]) -> None:
    truth_dir, out, records = batch
    b_id = hashlib.sha256(b"invoice__b.pdf").hexdigest()
    later = NOW.replace(hour=5)
    write_results(out, "invoice", "run-2", [(b_id, "file:///b-again.pdf", records["b.pdf"])], later, max_soft_tokens=None)
    evaluation = evaluate(truth_dir, out)
    doc = next(d for d in evaluation.documents if d.truth.document_id == b_id)
    assert doc.exact_match and doc.prediction.run_id == "run-2" and doc.prediction.max_soft_tokens is None
    run = evaluation.run_info("invoice")
    assert (run.run_ids, run.model, run.max_soft_tokens) == (("run-1", "run-2"), "gemma-4", None)
    older = evaluate(truth_dir, out, run_ids={"run-1"})
    assert not next(d for d in older.documents if d.truth.document_id == b_id).exact_match
    assert older.run_info("invoice").max_soft_tokens == 280


def test_committed_truth_joins_by_the_hash_of_its_document(tmp_path: Path) -> None:
    # the committed truth files carry the SHA-256 of their document
    truth_dir = ROOT / "sample_docs" / "truth"
    digital = json.loads((truth_dir / "invoice__invoice_digital.pdf.json").read_text())["record"]
    document_id = hashlib.sha256((ROOT / "sample_docs/invoice/invoice_digital.pdf").read_bytes()).hexdigest()
    write_results(tmp_path, "invoice", "run-1", [(document_id, "file:///copy-of-invoice.pdf", digital)], NOW)
    evaluation = evaluate(truth_dir, tmp_path)
    assert [d.truth.path.name for d in evaluation.documents if d.exact_match] == ["invoice__invoice_digital.pdf.json"]
    assert evaluation.summary("invoice").documents == len(list(truth_dir.glob("invoice__*.json")))
    assert evaluation.summary("contract").extracted == 0


def test_invalid_truth_is_refused(tmp_path: Path) -> None:
    truth = {**invoice_record(random.Random(1)), "issue_date": "22.06.2024"}
    write_truth(tmp_path / "truth", "invoice__a.pdf", "invoice", truth)
    write_results(tmp_path / "out", "invoice", "run-1", [], NOW)
    with pytest.raises(ValueError, match="issue_date"):
        evaluate(tmp_path / "truth", tmp_path / "out")


def test_truth_without_document_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "invoice__gone.pdf.json").write_text(json.dumps({"schema": "invoice", "record": {}}))
    write_results(tmp_path / "out", "invoice", "run-1", [], NOW)
    with pytest.raises(ValueError, match="missing or invalid 'document_id'"):
        evaluate(tmp_path / "truth", tmp_path / "out")


# --- outputs ------------------------------------------------------------------------------------

def test_markdown_parquet_and_terminal_tables(batch: tuple[Path, Path, dict[str, dict]], tmp_path: Path) -> None:
    truth_dir, out, _ = batch
    evaluation = evaluate(truth_dir, out)
    markdown = evaluation.to_markdown()
    for text in ["# Extraction accuracy", "## invoice", "### By layout", "### Documents", "### Differences",
                 "not extracted (corrupt_file)", "| line_items[].amount |", "## Scoring rules", "s3://bucket/renamed-1.pdf"]:
        assert text in markdown, text
    path = evaluation.write_parquet(tmp_path / "evals" / "eval.parquet")
    table = pq.read_table(path)
    assert table.schema == EVALUATION_SCHEMA
    rows = {(r["schema_name"], r["field"]): r for r in table.to_pylist()}
    assert len(rows) == len(leaf_paths(compile_schema(INVOICE))) + len(leaf_paths(compile_schema(CONTRACT))) + 2
    total = rows["invoice", "total"]
    assert (total["tp"], total["wrong"], total["missing"], total["extra"]) == (1, 1, 1, 0)
    assert (total["precision"], total["recall"], total["f1"]) == (0.5, 1 / 3, 0.4)
    assert (total["documents"], total["extracted"], total["exact_matches"]) == (3, 2, 1)
    assert (total["model"], total["prompt_version"], total["max_soft_tokens"], total["run_ids"]) == ("gemma-4", "3", 280, ["run-1"])
    assert rows["contract", ALL_FIELDS]["f1"] == 1.0
    assert rows["invoice", "due_date"]["extra"] == 0
    overview, *fields = evaluation.tables()
    assert overview.rows[1][:4] == ["invoice", "3", "2", "1/3 (33%)"]
    assert [t.title for t in fields] == ["contract: per field", "invoice: per field"]
    assert fields[1].rows[-1][0] == ALL_FIELDS and all(len(r) == len(fields[1].columns) for r in fields[1].rows)


def test_differences_show_normalised_values(batch: tuple[Path, Path, dict[str, dict]]) -> None:
    truth_dir, out, records = batch
    markdown = evaluate(truth_dir, out).to_markdown()
    currency, total = records["b.pdf"]["currency"], Decimal(records["b.pdf"]["total"])
    assert f"- `total` wrong: truth `{currency} {total.normalize():f}`, predicted `{currency} 0.01`" in markdown
