"""The runner on the real in-process vLLM engine (tiny Gemma 4 checkpoint on the CPU)."""

import gc
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pymupdf
import pytest

from pipeline.runner import run_batch
from pipeline.schemas import load_schema
from test_render import image_bytes, make_pdf


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"invoice-{i}.pdf").write_bytes(make_pdf(1, text=f"Invoice INV-{i} total {i}00.00"))
    (folder / "notes.txt").write_text("not a document")
    return folder


def rows(out: Path, table: str) -> list[dict]:
    return pq.read_table(out / table).to_pylist() if (out / table).exists() else []


def test_every_document_ends_as_exactly_one_row(engine, cpu_settings, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    progress: list[tuple[int, int]] = []
    settings = cpu_settings.model_copy(update={"window": 3})
    summary = run_batch([docs], load_schema("invoice"), out, settings, engine,
                        on_progress=lambda p: progress.append((p.done, p.total)))
    # After discovery, after window 0 (at least its 3 documents finished), after the last.
    assert progress[0] == (0, 4) and progress[-1] == (4, 4) and len(progress) == 3
    assert 3 <= progress[1][0] <= 4
    results, errors = rows(out, "results"), rows(out, "errors")
    sources = sorted(p.resolve().as_uri() for p in docs.iterdir())
    assert sorted(r["source"] for r in results + errors) == sources
    assert summary.documents == 4 and summary.results == len(results)
    assert [e["error_type"] for e in errors if e["source"].endswith("notes.txt")] == ["unsupported_format"]
    for r in results:
        assert r["model"] == cpu_settings.model and r["schema_version"] == "1.0.0" and r["prompt_tokens"] > 0


def test_the_engines_startup_heap_is_left_out_of_garbage_collection(engine) -> None:
    # vLLM's front end, torch and the tokenizer: hundreds of thousands of objects that a full
    # collection would otherwise walk every time, with this process (the one feeding the engine) stalled.
    assert gc.get_freeze_count() > 100_000


def test_answers_cut_by_max_tokens_are_retried_then_kept_as_errors(engine, cpu_settings, docs: Path, tmp_path: Path) -> None:
    # max_tokens doubles on the retry: 4, then 8, both far too short for an invoice.
    settings = cpu_settings.model_copy(update={"max_tokens": 4, "max_attempts": 2})
    out = tmp_path / "out"
    run_batch([docs], load_schema("invoice"), out, settings, engine)
    errors = {Path(e["source"]).name: e for e in rows(out, "errors")}
    assert rows(out, "results") == []
    for name in ("invoice-0.pdf", "invoice-1.pdf", "invoice-2.pdf"):
        assert errors[name]["error_type"] == "truncated_output"
        assert errors[name]["stage"] == "validate" and errors[name]["attempts"] == 2
        assert errors[name]["last_answer"]


def test_requests_the_engine_refuses_cost_only_themselves(engine, cpu_settings, docs: Path, tmp_path: Path) -> None:
    doc = pymupdf.open()  # one page whose text layer alone is longer than the 262,144-token context
    page = doc.new_page()
    for _ in range(6):  # 6 x 68,000 characters, drawn over each other: no window can hold the page
        page.insert_textbox(pymupdf.Rect(5, 5, 590, 835), "Lorem ipsum dolor sit amet 12345. " * 2000, fontsize=1)
    (docs / "huge-text.pdf").write_bytes(doc.tobytes())
    (docs / "strip.png").write_bytes(image_bytes((1, 5000), "PNG"))  # an image the processor may refuse
    settings = cpu_settings.model_copy(update={"max_text_chars": 1_000_000})
    out = tmp_path / "out"
    summary = run_batch([docs], load_schema("invoice"), out, settings, engine)
    errors = {Path(e["source"]).name: e for e in rows(out, "errors")}
    assert errors["huge-text.pdf"]["stage"] == "engine"
    assert "maximum" in errors["huge-text.pdf"]["message"]
    handled = {Path(r["source"]).name for r in rows(out, "results")} | set(errors)
    assert handled == {p.name for p in docs.iterdir()}
    assert not any(errors.get(f"invoice-{i}.pdf", {}).get("stage") == "engine" for i in range(3))
    assert summary.peak_in_engine >= 3  # the good documents were in the engine together


def test_a_rerun_adds_nothing_and_reprocess_extracts_again(engine, cpu_settings, docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    schema = load_schema("invoice")
    first = run_batch([docs], schema, out, cpu_settings, engine)
    files = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    again = run_batch([docs], schema, out, cpu_settings, engine)
    assert (again.skipped, again.results, sum(again.errors.values())) == (4, 0, 0)
    assert sorted(p.relative_to(out) for p in out.rglob("*.parquet")) == files
    assert again.run_id != first.run_id and (out / "_manifests" / f"{again.run_id}.json").exists()

    forced = run_batch([docs], schema, out, cpu_settings.model_copy(update={"reprocess": True}), engine)
    assert forced.skipped == 0 and forced.results + sum(forced.errors.values()) == 4
    # The latest extraction per document is one row each, from the reprocessing run.
    latest = duckdb.sql(f"""
        SELECT run_id FROM read_parquet('{out}/results/**/*.parquet')
        QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY extracted_at DESC) = 1""").fetchall()
    assert {r for (r,) in latest} == {forced.run_id} and len(latest) == forced.results


def test_an_interrupted_run_is_resumed_and_committed_once(engine, cpu_settings, docs: Path, tmp_path: Path) -> None:
    """An exception mid-run (here: the sink's store failing after the first window) leaves the
    first window's files published but the run uncommitted; the next start resumes it."""
    out = tmp_path / "out"
    schema = load_schema("invoice")
    settings = cpu_settings.model_copy(update={"window": 2, "file_rows": 1})

    def fail_after_first_window(progress) -> None:
        if progress.done >= 2:
            raise KeyboardInterrupt  # what an operator's Ctrl-C raises in the same place
    with pytest.raises(KeyboardInterrupt):
        run_batch([docs], schema, out, settings, engine, on_progress=fail_after_first_window)
    assert not (out / "_manifests").exists()
    resumed = run_batch([docs], schema, out, settings, engine)
    assert resumed.resumed and resumed.skipped == 2
    manifest = json.loads((out / "_manifests" / f"{resumed.run_id}.json").read_text())
    listed = sorted(f["path"] for f in manifest["files"])
    assert listed == sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    rows_ = rows(out, "results") + rows(out, "errors")
    assert sorted(r["source"] for r in rows_) == sorted(p.resolve().as_uri() for p in docs.iterdir())
    assert {r["run_id"] for r in rows_} == {resumed.run_id}


class Reordering:
    """A test double around the real engine, for what the real one cannot produce on demand:
    answers held back and handed out newest first, and every answer to an even key replaced by
    one that is not JSON (so its document is retried, under a new key)."""

    def __init__(self, engine) -> None:
        self.model, self.context, self._engine = engine.model, engine.context, engine
        self.count_tokens = engine.count_tokens
        self._held: list = []
        self.order: list[int] = []

    def submit(self, key, request) -> None:
        self._engine.submit(key, request)

    def poll(self, timeout):
        new = self._engine.poll(timeout)
        self._held += new
        if len(self._held) < 2 and (new or not self._held):  # hold one back until another comes
            return []
        out, self._held = list(reversed(self._held)), []
        for key, generation in out:
            self.order.append(key)
            if key % 2 == 0:
                generation.text = "not json"
        return out

    def close(self) -> None:
        pass


def test_answers_out_of_order_and_retried_keep_the_accounting(engine, cpu_settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(6):
        (folder / f"invoice-{i}.pdf").write_bytes(make_pdf(1 + i % 3, text=f"Invoice INV-{i} total {i}00.00"))
    reordering = Reordering(engine)
    out = tmp_path / "out"
    summary = run_batch([folder], load_schema("invoice"), out, cpu_settings.model_copy(update={"window": 2}), reordering)
    handled = rows(out, "results") + rows(out, "errors")
    assert sorted(r["source"] for r in handled) == sorted(p.resolve().as_uri() for p in folder.iterdir())
    assert summary.results + sum(summary.errors.values()) == 6
    assert reordering.order != sorted(reordering.order)  # answers did come back out of order
    assert any(r["attempts"] == 2 for r in handled)  # and some were retried
