"""Whole documents however long, and mixed batches: one request while a document fits the
context, page windows merged by merge.py beyond it, and --schema auto routing.

The real in-process engine (tiny random checkpoint) shows that the paths run end to end; its
answers are random, so what the records say is checked with :class:`TruthEngine`, a test double
that answers each request with the truth of the pages it shows (the model itself cannot be made
to answer correctly on demand)."""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pymupdf
import pytest

from pipeline.classify import known_schemas
from pipeline.config import Settings
from pipeline.engines import Generation, GenerationRequest
from pipeline.evaluate import evaluate
from pipeline.runner import run_batch
from pipeline.samples.files import contract_sample, invoice_sample
from pipeline.schemas import load_schema

CONTRACT_PAGES = 200


@pytest.fixture(scope="module")
def long_contract(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    sample = contract_sample(random.Random(8), "classic", "en", contract_type="master_services",
                             min_pages=CONTRACT_PAGES)
    folder = tmp_path_factory.mktemp("long")
    (folder / "msa.pdf").write_bytes(sample.data)
    return folder, sample.record


@pytest.fixture(scope="module")
def long_invoice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], bytes]:
    sample = invoice_sample(random.Random(3), "letterhead", "en", n_lines=120)  # line items over 3+ pages
    folder = tmp_path_factory.mktemp("invoice")
    (folder / "invoice.pdf").write_bytes(sample.data)
    return folder, sample.record, sample.data


def rows(out: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(out / table).to_pylist() if (out / table).exists() else []


def pages_shown(request: GenerationRequest) -> list[int]:
    """The page numbers a request shows (its "Page N:" labels)."""
    return [int(m[1]) for part in request.messages[0]["content"] if part["type"] == "text"
            for m in [re.fullmatch(r"Page (\d+):", part["text"])] if m]


class TruthEngine:
    """Test double: answers as a perfect reader of the pages shown would. ``answer(request)``
    gives the record; ``max_pages`` refuses longer requests as vLLM refuses a prompt over its
    context, so the runner's split can be seen."""

    model = "truth"

    def __init__(self, answer, context: int | None = None, max_pages: int | None = None,
                 hold_until: int = 0) -> None:
        """``hold_until``: answer nothing before that many requests were submitted."""
        self.context, self._answer, self._max_pages, self._hold_until = context, answer, max_pages, hold_until
        self._done: list[tuple[int, Generation]] = []
        self.requests: list[list[int]] = []

    def submit(self, key: int, request: GenerationRequest) -> None:
        shown = pages_shown(request)
        self.requests.append(shown)
        if self._max_pages is not None and len(shown) > self._max_pages:
            error = f"ValueError: The decoder prompt (length 999999) is longer than the maximum model length of {self.context}"
            self._done.append((key, Generation(error=error)))
        else:
            self._done.append((key, Generation(text=json.dumps(self._answer(request)), finish_reason="stop",
                                               prompt_tokens=100 * len(shown), output_tokens=10)))

    def poll(self, timeout: float) -> list[tuple[int, Generation]]:
        if len(self.requests) < self._hold_until:
            return []
        done, self._done = self._done[::-1], []  # in any order, as a real engine
        return done

    def count_tokens(self, texts):
        return None

    def close(self) -> None:
        pass


def contract_reader(truth: dict[str, Any], page_count: int):
    """The truth as the pages show it: the parties and the terms on page 1, the governing law
    near the end, the signatures on the last page; null (or no entries) elsewhere."""
    def answer(request: GenerationRequest) -> dict[str, Any]:
        shown = set(pages_shown(request))
        first, last = 1 in shown, page_count in shown
        record = {key: (value if first else ([] if isinstance(value, list) else None)) for key, value in truth.items()}
        record["governing_law"] = truth["governing_law"] if {page_count - 1, page_count} & shown else None
        record["signatories"] = truth["signatories"] if last else []
        return record
    return answer


def invoice_reader(truth: dict[str, Any], pdf: bytes):
    """The header on page 1, each line item on the page that prints it, the totals on the last
    page."""
    with pymupdf.open(stream=pdf) as doc:
        texts = {number: page.get_text() for number, page in enumerate(doc, 1)}
    on_page = item_pages(truth["line_items"], texts)

    def answer(request: GenerationRequest) -> dict[str, Any]:
        shown = pages_shown(request)
        record = {key: (value if 1 in shown else None) for key, value in truth.items()}
        record["line_items"] = [item for item, page in zip(truth["line_items"], on_page) if page in shown]
        for key in ("subtotal", "tax_total", "total"):
            record[key] = truth[key] if len(texts) in shown else None
        return record
    return answer


def item_pages(items: list[dict[str, Any]], texts: dict[int, str]) -> list[int | None]:
    """The page each line item is printed on, read in order (a description may repeat)."""
    flat = {n: " ".join(t.split()) for n, t in texts.items()}
    pages: list[int | None] = []
    page, offset = min(flat), 0
    for item in items:
        description = " ".join(item["description"].split())
        while page in flat and (found := flat[page].find(description, offset)) < 0:
            page, offset = page + 1, 0
        pages.append(page if page in flat else None)
        if page in flat:
            offset = found + len(description)
    return pages


# --- the real engine (tiny checkpoint): the paths run ------------------------------------------

def test_a_200_page_contract_is_one_request_when_the_context_holds_it(engine, cpu_settings, long_contract,
                                                                     tmp_path: Path) -> None:
    folder, _ = long_contract
    out = tmp_path / "out"
    assert engine.context == 262144
    settings = cpu_settings.model_copy(update={"max_text_chars": 20_000})
    summary = run_batch([folder], load_schema("contract"), out, settings, engine)
    [row] = rows(out, "results") or rows(out, "errors")
    assert summary.documents == 1 and row["page_count"] == CONTRACT_PAGES
    if "record" in row:  # the random model may still break the schema; the request is what is checked here
        assert row["windows"] == 1
    assert summary.prompt_tokens > CONTRACT_PAGES * cpu_settings.max_soft_tokens  # every page in one prompt


def test_the_same_contract_in_windows_when_the_context_is_small(engine, cpu_settings, long_contract,
                                                                tmp_path: Path) -> None:
    folder, _ = long_contract
    out = tmp_path / "out"
    settings = cpu_settings.model_copy(update={"max_model_len": 8192, "max_text_chars": 4000, "max_attempts": 1})
    summary = run_batch([folder], load_schema("contract"), out, settings, engine)
    results, errors = rows(out, "results"), rows(out, "errors")
    assert len(results) + len(errors) == 1 and summary.documents == 1
    for row in results:
        assert row["windows"] >= 3 and row["page_count"] == CONTRACT_PAGES
    for row in errors:  # every window's random answer broke the schema: the document is still one row
        assert row["stage"] in ("validate", "merge")


# --- the truth fed through the runner: the merge policy on real documents -----------------------

def test_windows_of_a_long_contract_merge_to_its_truth(cpu_settings, long_contract, tmp_path: Path) -> None:
    folder, truth = long_contract
    engine = TruthEngine(contract_reader(truth, CONTRACT_PAGES), context=8192)
    out = tmp_path / "out"
    run_batch([folder], load_schema("contract"), out, cpu_settings.model_copy(update={"max_text_chars": 4000}), engine)
    [row] = rows(out, "results")
    assert row["windows"] == len(engine.requests) >= 3
    windows = sorted(engine.requests)
    assert windows[0][0] == 1 and windows[-1][-1] == CONTRACT_PAGES
    for before, after in zip(windows, windows[1:]):
        assert after[0] == before[-1] - cpu_settings.window_overlap + 1  # overlapping by window_overlap pages
    record = json.loads(row["record_json"])
    for field, value in truth.items():
        assert record[field] == value, field
    assert not [f for f in row["flags"] if f.startswith("window_")]


def test_line_items_over_page_windows_end_as_one_list_in_page_order(cpu_settings, long_invoice, tmp_path: Path) -> None:
    folder, truth, pdf = long_invoice
    engine = TruthEngine(invoice_reader(truth, pdf))
    out = tmp_path / "out"
    settings = cpu_settings.model_copy(update={"window_pages": 2, "window_overlap": 1})
    run_batch([folder], load_schema("invoice"), out, settings, engine)
    [row] = rows(out, "results")
    assert row["page_count"] >= 3 and row["windows"] == row["page_count"] - 1
    record = json.loads(row["record_json"])
    assert record["line_items"] == truth["line_items"]  # overlap pages' rows once, in page order
    assert {k: record[k] for k in ("total", "invoice_number")} == {k: truth[k] for k in ("total", "invoice_number")}


def test_a_window_the_engine_refuses_as_too_long_is_split(cpu_settings, long_contract, tmp_path: Path) -> None:
    folder, truth = long_contract
    engine = TruthEngine(contract_reader(truth, CONTRACT_PAGES), context=262144, max_pages=30)
    out = tmp_path / "out"
    run_batch([folder], load_schema("contract"), out, cpu_settings.model_copy(update={"max_text_chars": 4000}), engine)
    [row] = rows(out, "results")
    answered = [r for r in engine.requests if len(r) <= 30]
    assert engine.requests[0] == list(range(1, CONTRACT_PAGES + 1))  # planned as one request, refused
    assert row["windows"] == len(answered) > 1
    assert json.loads(row["record_json"]) == truth


# --- mixed batches: --schema auto ---------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str | None, dict | None]]]:
    """Two invoices, a contract and a letter that is neither: name -> (true schema, true record)."""
    folder = tmp_path_factory.mktemp("mixed")
    truth: dict[str, tuple[str | None, dict | None]] = {}
    for name, sample in [("inv-a.pdf", invoice_sample(random.Random(2), "letterhead", "en")),
                         ("inv-b.pdf", invoice_sample(random.Random(4), "footer_seller", "de")),
                         ("msa.pdf", contract_sample(random.Random(8), "classic", "en",
                                                     contract_type="master_services"))]:
        (folder / name).write_bytes(sample.data)
        truth[name] = (sample.schema, sample.record)
    letter = pymupdf.open()
    letter.new_page().insert_text((72, 72), "Dear Ms Lindqvist,\nthank you for your visit last Tuesday.\n"
                                             "Kind regards, Tom", fontsize=11)
    (folder / "letter.pdf").write_bytes(letter.tobytes())
    truth["letter.pdf"] = (None, None)
    return folder, truth


def partitioned(out: Path, table: str) -> dict[str, str]:
    """File name -> the schema partition its row is in."""
    found = {}
    for path in (out / table).glob("schema_name=*/*/*.parquet"):
        schema = path.parent.parent.name.split("=", 1)[1]
        for source in pq.read_table(path, columns=["source"])["source"].to_pylist():
            assert Path(source).name not in found  # one row per document
            found[Path(source).name] = schema
    return found


def test_a_mixed_batch_is_routed_by_the_classifiers_answer(engine, cpu_settings, mixed, tmp_path: Path) -> None:
    folder, truth = mixed
    out = tmp_path / "out"
    summary = run_batch([folder], known_schemas(), out, cpu_settings, engine)
    results, errors = partitioned(out, "results"), partitioned(out, "errors")
    assert set(results) | set(errors) == set(truth) and not set(results) & set(errors)
    for path in (out / "results").glob("schema_name=*/*/*.parquet"):
        schema = load_schema(path.parent.parent.name.split("=", 1)[1])
        for row in pq.read_table(path).to_pylist():  # extracted with the schema of its partition
            schema.validator.validate(json.loads(row["record_json"]))
    for path in (out / "errors").glob("schema_name=auto/*/*.parquet"):
        for row in pq.read_table(path).to_pylist():  # never got a schema: the classifier named none
            assert (row["stage"], row["error_type"]) == ("classify", "unclassified")
            assert "the classifier answered" in row["message"]
    assert sum(summary.routed.values()) == sum(1 for s in {**results, **errors}.values() if s != "auto")
    assert len(summary.manifests) == 3  # invoice, contract, auto


def test_a_mixed_batch_lands_in_the_true_schemas_partitions(cpu_settings, mixed, tmp_path: Path) -> None:
    folder, truth = mixed

    def answer(request: GenerationRequest) -> dict[str, Any]:
        text = json.dumps([part.get("text", "") for part in request.messages[0]["content"]])
        schema, record = next((s, r) for s, r in truth.values()
                              if r is None or r.get("invoice_number", r.get("title")) in text)
        if "schema" in request.schema["properties"]:  # the classification request
            return {"schema": schema or "none"}
        return record

    out = tmp_path / "out"
    summary = run_batch([folder], known_schemas(), out, cpu_settings, TruthEngine(answer))
    assert partitioned(out, "results") == {n: s for n, (s, _) in truth.items() if s}
    assert partitioned(out, "errors") == {"letter.pdf": "auto"}
    [letter] = rows(out, "errors")
    assert letter["error_type"] == "unclassified" and json.loads(letter["last_answer"]) == {"schema": "none"}
    assert summary.routed == {"invoice": 2, "contract": 1}
    for row in rows(out, "results"):
        assert json.loads(row["record_json"]) == truth[Path(row["source"]).name][1]
        assert row["classified_as"] == truth[Path(row["source"]).name][0]
    # docintel eval reports the routing accuracy against the truth's schema (null: fits none).
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    for name, (schema, record) in truth.items():
        document_id = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        (truth_dir / f"{name}.json").write_text(json.dumps({"document_id": document_id, "schema": schema,
                                                            "record": record}))
    evaluation = evaluate(truth_dir, out)
    assert sorted(evaluation.routing) == [("contract", "contract"), ("invoice", "invoice"), ("invoice", "invoice"),
                                          ("none", "none")]
    [routing] = [t for t in evaluation.tables() if t.title.startswith("Routing")]
    assert routing.rows[-1][:3] == ["(all)", "4", "4/4 (100%)"]


def test_the_window_plan_follows_the_context(cpu_settings: Settings) -> None:
    from pipeline.windows import page_costs, plan_windows, prompt_tokens

    costs = page_costs(["x" * 3000] * 200, 280)
    assert plan_windows(costs, None, 2, 60_000) == [range(0, 200)]
    assert plan_windows(costs, 262144 - 4096, 2, 60_000) == [range(0, 200)]
    windows = plan_windows(costs, 16384 - 4096, 2, 60_000)
    assert windows[0].start == 0 and windows[-1].stop == 200 and len(windows) > 2
    for before, after in zip(windows, windows[1:]):
        assert after.start == before.stop - 2
    assert all(prompt_tokens(costs[w.start:w.stop], 60_000) <= 16384 - 4096 for w in windows)
    assert plan_windows(costs, None, 2, 60_000, max_pages=50) == [range(0, 50), range(48, 98), range(96, 146),
                                                                  range(144, 194), range(192, 200)]


def test_rendered_pages_held_in_memory_are_bounded(cpu_settings, long_invoice, tmp_path: Path) -> None:
    folder, truth, pdf = long_invoice
    pages = pymupdf.open(stream=pdf).page_count
    sources = []
    for i in range(3):  # three documents of the same pages
        sources.append(tmp_path / f"copy-{i}.pdf")
        sources[-1].write_bytes(pdf + b"\n%" + bytes([48 + i]))
    bounded = run_batch(sources, load_schema("invoice"), tmp_path / "bounded",
                        cpu_settings.model_copy(update={"max_pages_in_flight": 1}), TruthEngine(lambda r: truth))
    assert bounded.results == 3
    assert bounded.peak_pages_held == pages  # the next document started rendering once the one before ended
    # Without the bound, all three are rendered and held together (the engine answers none before).
    free = run_batch(sources, load_schema("invoice"), tmp_path / "free", cpu_settings,
                     TruthEngine(lambda r: truth, hold_until=3))
    assert free.results == 3 and free.peak_pages_held == 3 * pages
