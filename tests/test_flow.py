"""The Prefect flow under Prefect's test harness (a real, temporary API and database) with vLLM on
the tiny checkpoint. Each flow run loads the engine (~30 s on two cores), so one invoice run is
shared by most assertions; a second run, on the contracts, checks the engine slot."""

from __future__ import annotations

import contextvars
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import pyarrow.parquet as pq
import pytest
from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.client.schemas.objects import Artifact, TaskRun
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists
from prefect.states import Failed
from conftest import PREFECT_STARTUP_TIMEOUT
from prefect.testing.utilities import prefect_test_harness

from flows.extract import ENGINE_LIMIT, extract_documents, is_transient, retry_if_safe
from pipeline.dataset import start_run
from pipeline.schemas import load_schema
from pipeline.sink import ErrorRow, ParquetSink, SinkError
from pipeline.sources import SourceError, discover
from pipeline.storage import FileTooLarge, S3Options, StorageError, Store, read_bytes

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"
T = TypeVar("T")


@pytest.fixture(scope="module", autouse=True)
def prefect_api() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=PREFECT_STARTUP_TIMEOUT):
        yield


def tiny_settings(tiny_model: Path, window: int) -> dict[str, Any]:
    return {"model": str(tiny_model), "max_model_len": 16384, "max_tokens": 1536, "max_soft_tokens": 70,
            "enforce_eager": True, "window": window}


@dataclass
class FlowRun:
    id: UUID
    report: dict[str, Any]
    output: Path
    documents: int
    window: int


@pytest.fixture(scope="module")
def invoice_run(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> FlowRun:
    """Invoices plus the bad files, with truth, in windows of 4: the run most tests look at."""
    output = tmp_path_factory.mktemp("flow-out")
    source = [str(SAMPLES / "invoice"), str(SAMPLES / "bad")]
    state = extract_documents(source, "invoice", str(output), tiny_settings(tiny_model, 4),
                              truth=str(SAMPLES / "truth"), return_state=True)
    assert state.is_completed(), state.message
    return FlowRun(state.state_details.flow_run_id, state.result(), output, len(discover(source)), 4)


def eventually(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 60.0) -> T:
    """``read()`` until ``done`` holds: task runs reach the API through events, a little later."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.5)
        value = read()
    return value


def task_runs(flow_run_id: UUID, settled: Callable[[list[TaskRun]], bool]) -> list[TaskRun]:
    with get_client(sync_client=True) as client:
        flow_runs = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        return eventually(lambda: client.read_task_runs(flow_run_filter=flow_runs), settled)


def artifacts(flow_run_id: UUID) -> dict[str, Artifact]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a for a in found if a.key}


def test_every_document_is_accounted_for_and_the_run_committed(invoice_run: FlowRun) -> None:
    report, output = invoice_run.report, invoice_run.output
    assert report["documents"] == invoice_run.documents
    assert report["results"] + sum(report["errors"].values()) + report["skipped"] == invoice_run.documents
    assert report["errors"]["unsupported_format"] == 1  # sample_docs/bad/notes.txt
    assert pq.read_table(output / "results").num_rows == report["results"]
    assert pq.read_table(output / "errors").num_rows == sum(report["errors"].values())
    manifest = output / "_manifests" / f"{report['run_id']}.json"
    assert report["manifest"] == str(manifest)
    assert json.loads(manifest.read_text())["results"] == report["results"]


def test_one_task_run_per_window(invoice_run: FlowRun) -> None:
    windows = math.ceil(invoice_run.documents / invoice_run.window)
    runs = task_runs(invoice_run.id, lambda rs: len(rs) == windows + 4 and all(r.state and r.state.is_final() for r in rs))
    names = sorted(r.name for r in runs)
    assert [n for n in names if n.startswith("window-")] == sorted(f"window-{i}" for i in range(windows))
    assert {n.rsplit("-", 1)[0] for n in names if not n.startswith("window-")} == {
        "discover-documents", "commit-run", "write-review-report", "evaluate-output"}
    assert all(r.state.is_completed() for r in runs)


def test_run_report_artifacts(invoice_run: FlowRun) -> None:
    report = invoice_run.report
    found = artifacts(invoice_run.id)
    assert set(found) == {"docintel-invoice-summary", "docintel-invoice-report"}
    table = found["docintel-invoice-summary"]
    assert table.type == "table"
    figures = {row["figure"]: row["value"] for row in json.loads(table.data)}
    assert figures["documents"] == report["documents"]
    assert figures["results"] == report["results"]
    assert figures["pages"] == report["pages"] > 0
    assert figures["errors"] == sum(report["errors"].values())
    assert {k.removeprefix("errors: "): v for k, v in figures.items() if k.startswith("errors: ")} == report["errors"]
    assert figures["prompt tokens"] > 0 and figures["output tokens"] > 0
    assert figures["pages/second"] > 0

    markdown = found["docintel-invoice-report"]
    assert markdown.type == "markdown"
    assert f"`{invoice_run.output}`" in markdown.data and report["manifest"] in markdown.data
    assert f"Review report (documents needing review first, with their pages and evidence): [{report['review']}]" \
        in markdown.data and Path(report["review"]).is_file()
    accuracy = markdown.data.split("## Accuracy", 1)[1]
    with_truth = len(list((SAMPLES / "truth").glob("invoice__*.json")))
    assert f"| invoice | {with_truth} | {report['results']} |" in accuracy  # overview: documents, extracted
    assert "| (all fields) |" in accuracy and "precision" in accuracy and "contract" not in accuracy


def test_the_engine_slot_is_a_global_limit_of_one(invoice_run: FlowRun) -> None:
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(ENGINE_LIMIT)
    assert (limit.limit, limit.active_slots) == (1, 0)


def test_a_second_run_waits_for_the_engine_slot(tiny_model: Path, tmp_path: Path) -> None:
    """While the slot is held (as by another run on the machine), a run discovers its documents and
    then waits: its batch starts only after the slot is released."""
    with get_client(sync_client=True) as client:
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=ENGINE_LIMIT, limit=1))
        except ObjectAlreadyExists:
            pass
    holding, released = threading.Event(), []
    context = contextvars.copy_context()  # the harness's API settings live in context variables
    holder = threading.Thread(target=context.run, args=(hold_slot_while_a_run_waits, holding, released))
    holder.start()
    assert holding.wait(30)
    report = extract_documents([str(SAMPLES / "contract")], "contract", str(tmp_path), tiny_settings(tiny_model, 2))
    holder.join()
    started = json.loads((tmp_path / "_runs" / f"{report['run_id']}.json").read_text())["started_at"]
    assert released and datetime.fromisoformat(started) > released[0]
    documents = len(discover([SAMPLES / "contract"]))
    assert report["results"] + sum(report["errors"].values()) == report["documents"] == documents
    assert pq.read_table(tmp_path / "results").num_rows == report["results"]


def hold_slot_while_a_run_waits(holding: threading.Event, released: list[datetime]) -> None:
    """Hold the engine slot until a run started after it has finished discovery, then 2 s more;
    record the release time only if that happened."""
    with concurrency(ENGINE_LIMIT, occupy=1, strict=True):
        since = datetime.now(timezone.utc)
        holding.set()
        with get_client(sync_client=True) as client:
            discovered = eventually(lambda: [t for t in client.read_task_runs()
                                             if t.name.startswith("discover-documents") and t.end_time
                                             and t.end_time > since and t.state and t.state.is_completed()], bool)
        time.sleep(2)  # the run is now blocked on the slot
        if discovered:
            released.append(datetime.now(timezone.utc))


def test_a_missing_input_fails_before_the_model_loads(tmp_path: Path) -> None:
    output = tmp_path / "out"
    state = extract_documents([str(tmp_path / "nowhere")], "invoice", str(output), return_state=True)
    assert state.is_failed() and "input not found" in state.message
    runs = task_runs(state.state_details.flow_run_id, lambda rs: bool(rs) and all(r.state.is_final() for r in rs))
    assert [(r.name.rsplit("-", 1)[0], r.state.type.value) for r in runs] == [("discover-documents", "FAILED")]
    assert not output.exists()  # no run was started, no engine created


# The retry condition, on real faults.

def test_transient_failures_outside_the_sink_are_retried() -> None:
    with pytest.raises(StorageError) as unreachable:  # an S3 endpoint that refuses connections
        read_bytes("s3://bucket/key", S3Options(endpoint_url="http://127.0.0.1:9", max_attempts=1))
    assert is_transient(unreachable.value) and not isinstance(unreachable.value, SinkError)
    assert retry_if_safe(None, None, Failed(data=unreachable.value))


def test_a_failure_inside_the_sink_is_not_retried(tmp_path: Path) -> None:
    store = Store(tmp_path)
    schema = load_schema("invoice")
    run = start_run(store, "fingerprint", schema_name=schema.name, schema_version=schema.version, model="m",
                    prompt_version="p", max_soft_tokens=70)
    (tmp_path / run.partition("errors")).parent.mkdir(parents=True)
    (tmp_path / run.partition("errors")).write_text("a file where the partition folder goes")
    row = ErrorRow(None, "file:///x", "render", "empty_file", "empty", 0, datetime.now(timezone.utc))
    with pytest.raises(Exception) as failure:
        ParquetSink(store, schema, run).write([], [row])
    assert isinstance(failure.value, SinkError)
    assert not retry_if_safe(None, None, Failed(data=failure.value))


@pytest.mark.parametrize("error", [SourceError("input not found: /x"), FileTooLarge("/x: too large"),
                                   ValueError("a schema error"), TypeError("a programming error")])
def test_permanent_failures_are_not_retried(error: Exception) -> None:
    assert not retry_if_safe(None, None, Failed(data=error))
