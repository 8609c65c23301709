"""Prefect flow around the runner: the batch of ``docintel run`` as tasks at a grain Prefect can
afford, with retries for transient failures, a global limit on the engine and a run report.

Tasks: ``discover-documents`` (a missing input fails the flow before the model loads), then one
``extract-window`` task per window of ``settings.window`` documents (the requests stream into
the engine across windows; a window is the unit of writing and progress; a task run per document
would cost more in orchestration than a tiny model spends on it), then ``commit-run``. The engine
is created once per flow run, in the flow, while holding the ``docintel-engine`` global
concurrency slot, and the window tasks run in the flow's process and thread.

Prefect lives only here and in ``deploy/``; ``pipeline/`` does not import it."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.objects import State, TaskRun
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists
from prefect.tasks import Task

from pipeline.config import Settings
from pipeline.engines import create_engine
from pipeline.evaluate import TextTable, evaluate
from pipeline.classify import AUTO, SchemaChoice, choose_schema
from pipeline.review import write_review
from pipeline.runner import Batch, RunSummary, s3_options
from pipeline.schemas import DocumentSchema
from pipeline.sink import SinkError
from pipeline.sources import discover
from pipeline.storage import FileTooLarge, StorageError, is_s3

ENGINE_LIMIT = "docintel-engine"
"""Global concurrency limit held while a flow run loads and uses its engine. Created with 1 slot
the first time a run needs it: two runs on one GPU machine must not both load a 12B model."""
HEALTH_TIMEOUT = 30.0  # seconds per server for the health check of the openai engine

# Prefect builds a pydantic model of the flow's parameters, and pydantic warns on every call that a
# field named "schema" shadows BaseModel.schema(); the name is part of the flow's interface.
warnings.filterwarnings("ignore", message='Field name "schema" in "Extract_DocumentsModel"', category=UserWarning)

_TRANSIENT = (StorageError, ConnectionError, TimeoutError, httpx.TransportError)


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is an outage that may pass: storage or
    network, not a missing input, an oversized file, a bad schema or a programming error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _TRANSIENT) and not isinstance(current, FileTooLarge):
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_if_safe(failed_task: Task, task_run: TaskRun, state: State) -> bool:
    """``retry_condition_fn``: retry transient failures that happened before the sink was touched.

    A window that fails before ``ParquetSink.write`` wrote nothing: running it again renders and
    extracts it again, and its rows are written once. A failure inside the sink is not retried,
    since the window's rows may be partly buffered (a second attempt would write them twice) or a
    file may be lost mid-publish (a commit would then list fewer rows than it counted). The flow
    run fails instead; leaving the ``Batch`` publishes what was written, and the next start of the
    same job resumes the run, skips the documents in its files and extracts the rest once."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc) and not isinstance(exc, SinkError)
    return False


# NO_CACHE: a Batch cannot be hashed, and discovery must look again on every run.
_RETRIES: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [10, 60], "retry_condition_fn": retry_if_safe,
                            "cache_policy": NO_CACHE}


@task(name="discover-documents", **_RETRIES)
def discover_documents(source: list[str], settings: Settings) -> int:
    """Count the documents under ``source``; a missing input raises here, before the model loads."""
    return len(discover(source, s3_options(settings)))


@task(name="check-servers", cache_policy=NO_CACHE)
def check_servers(settings: Settings) -> None:
    """Fail before extraction when an OpenAI-compatible server is down or serves another model.

    Not retried: its ServerCheckError names every bad server (down, wrong model, refusing the
    request format), and a run that cannot use them should fail now and say why."""
    from pipeline.engines.http import check_servers as check  # imported only for the openai engine

    check(settings.server_urls, settings.model, HEALTH_TIMEOUT, settings.server_api_key)


@task(name="extract-window", task_run_name="window-{index}", **_RETRIES)
def extract_window(batch: Batch, index: int) -> int:
    """Stream ``batch`` until as many documents have finished as windows 0..``index`` hold, and
    write them; the requests of later windows stay in the engine meanwhile. Returns the size of
    window ``index``."""
    batch.extract(index)  # adds the counts only once it has written the rows
    done = sum(len(w) for w in batch.windows[:index + 1])
    get_run_logger().info("window %d/%d: %d documents; %d of %d done", index + 1, len(batch.windows),
                          len(batch.windows[index]), done, batch.summary.documents)
    return len(batch.windows[index])


@task(name="commit-run", **_RETRIES)
def commit_run(batch: Batch) -> RunSummary:
    """Publish the last files and write the run's manifest.

    A retry after a failure in ``commit_run`` (reading file footers, the manifest put) is safe: it
    lists the same files. If the manifest put succeeded but its answer was lost, the retry finds
    the manifest and raises RunConflict; the run is committed all the same."""
    return batch.commit()


@task(name="evaluate-output", cache_policy=NO_CACHE)
def evaluate_output(truth: str, output: str, schema_name: str) -> str:
    """The accuracy of the output against the truth files, for the schema of this run, as Markdown."""
    evaluation = evaluate(Path(truth), Path(output))
    intro = f"Truth: `{truth}`; the latest row of each document in the output is scored."
    if schema_name == AUTO:  # every schema, and where the classifier sent the documents
        return "\n\n".join([intro, *(t.to_markdown() for t in evaluation.tables())])
    if schema_name not in evaluation.schemas:
        return f"No truth for `{schema_name}` under `{truth}`."
    tables = {t.title: t for t in evaluation.tables()}
    overview = tables["Accuracy by schema"]
    mine = TextTable(overview.title, overview.columns, [row for row in overview.rows if row[0] == schema_name])
    return "\n\n".join([intro, mine.to_markdown(), tables[f"{schema_name}: per field"].to_markdown()])


@flow(name="extract-documents")
def extract_documents(
    source: list[str],
    schema: str,
    output: str,
    settings: dict[str, Any] | None = None,
    truth: str | None = None,
    schema_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """Extract ``schema`` records from the documents under ``source`` into Parquet at ``output`` and
    publish the run report: artifacts ``docintel-<schema>-summary`` (table) and ``-report`` (Markdown).

    Args:
        source: Files, folders (searched recursively) and s3://bucket/prefix locations.
        schema: invoice, contract, the path of a JSON Schema file, or auto: classify each document
            among the known schemas (schemas/ and schema_dirs) and extract it with the one named.
        output: The dataset: a folder or s3://bucket/prefix.
        settings: Any field of pipeline/config.py's Settings, e.g. {"max_soft_tokens": 560}; the
            others come from DOCINTEL_* environment variables and the defaults.
        truth: A folder of truth files; when given, the report scores the output against it
            (local output only).
        schema_dirs: More folders of JSON Schema files for schema auto.
    """
    log = get_run_logger()
    config = Settings(**(settings or {}))
    document_schema = choose_schema(schema, schema_dirs or [])  # a bad schema fails here, with its reason
    log.info("%d documents under %s to extract as %s@%s", discover_documents(source, config), source,
             document_schema.name, document_schema.version)
    if config.engine == "openai":
        check_servers(config)
    with engine_slot():
        summary, engine_seconds = extract(source, document_schema, output, config)
    log.info("%d results, %d errors %s, %d skipped, %.2f pages/s; manifest %s", summary.results,
             sum(summary.errors.values()), dict(summary.errors), summary.skipped, summary.pages_per_second,
             summary.manifest)
    scores = score(truth, output, document_schema.name)
    review = write_review_report(output, summary, config)
    publish_report(summary, engine_seconds, output, document_schema.name, scores, review)
    return {"run_id": summary.run_id, "documents": summary.documents, "skipped": summary.skipped,
            "pages": summary.pages, "results": summary.results, "flagged": summary.flagged,
            "errors": dict(summary.errors), "manifest": summary.manifest, "manifests": summary.manifests,
            "routed": dict(summary.routed), "needs_review": summary.needs_review, "review": review,
            "seconds": summary.seconds,
            "engine_seconds": engine_seconds}


@contextmanager
def engine_slot() -> Iterator[None]:
    """Hold the engine's global concurrency slot (created with 1 slot if it does not exist yet)."""
    log = get_run_logger()
    with get_client(sync_client=True) as client:
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=ENGINE_LIMIT, limit=1))
            log.info("created the global concurrency limit %r with 1 slot", ENGINE_LIMIT)
        except ObjectAlreadyExists:
            pass  # an operator may have raised it for a machine with several GPUs
    started = time.perf_counter()
    log.info("waiting for a slot of %r", ENGINE_LIMIT)
    # A lease renewal that fails for a moment must not kill a run that holds a loaded model.
    with concurrency(ENGINE_LIMIT, occupy=1, strict=True, raise_on_lease_renewal_failure=False):
        log.info("got a slot of %r after %.1f s", ENGINE_LIMIT, time.perf_counter() - started)
        yield


def extract(source: list[str], schema: DocumentSchema | SchemaChoice, output: str, settings: Settings) -> tuple[RunSummary, float]:
    """Load the engine, run every window of the batch as a task, commit, close the engine; returns
    the run's summary and the seconds spent loading and closing the engine."""
    log = get_run_logger()
    started = time.perf_counter()
    engine = create_engine(settings)
    engine_seconds = time.perf_counter() - started
    log.info("%s engine for %s ready in %.1f s", settings.engine, engine.model, engine_seconds)
    try:
        with Batch(source, schema, output, settings, engine) as batch:
            log.info("%s run %s: %d windows of up to %d documents", "resuming" if batch.summary.resumed else "starting",
                     batch.summary.run_id, len(batch.windows), settings.window)
            for index in range(len(batch.windows)):
                extract_window(batch, index)
        summary = commit_run(batch)
    finally:
        started = time.perf_counter()
        engine.close()
        engine_seconds += time.perf_counter() - started
    return summary, engine_seconds


def score(truth: str | None, output: str, schema_name: str) -> str | None:
    """The evaluation section of the report, or None without truth."""
    if truth is None:
        return None
    if is_s3(output):
        get_run_logger().warning("not evaluating: the evaluation reads a local output folder, not %s", output)
        return f"Not evaluated: the evaluation reads a local output folder, not `{output}`."
    return evaluate_output(truth, output, schema_name)


@task(name="write-review-report", **_RETRIES)
def write_review_report(output: str, summary: RunSummary, settings: Settings) -> str:
    """The static HTML review report of the run's rows (with --schema auto, of the latest row of
    every document), beside the dataset; returns its URI."""
    runs = summary.manifests or [summary.manifest]
    return write_review(output, run_id=summary.run_id if len(runs) == 1 else None, s3=s3_options(settings))


def publish_report(summary: RunSummary, engine_seconds: float, output: str, schema_name: str,
                   scores: str | None, review: str) -> None:
    """The run summary as a table artifact and a Markdown artifact (output location, review
    report, scores)."""
    key = "docintel-" + re.sub(r"[^a-z0-9]+", "-", schema_name.lower()).strip("-")
    create_table_artifact(table=summary_table(summary, engine_seconds), key=f"{key}-summary",
                          description=f"docintel run {summary.run_id}: {summary.schema}")
    create_markdown_artifact(markdown=report_markdown(summary, output, schema_name, scores, review), key=f"{key}-report",
                             description=f"docintel run {summary.run_id}: output and accuracy")


def summary_table(summary: RunSummary, engine_seconds: float) -> list[dict[str, Any]]:
    """One row per figure: documents, pages, results, errors (by type), tokens, speed."""
    figures: list[tuple[str, Any]] = [
        ("documents", summary.documents), ("skipped (already committed)", summary.skipped),
        ("pages", summary.pages), ("results", summary.results), ("flagged results", summary.flagged),
        ("results needing review", summary.needs_review),
        ("errors", sum(summary.errors.values())),
        *((f"errors: {kind}", count) for kind, count in sorted(summary.errors.items())),
        ("prompt tokens", summary.prompt_tokens), ("output tokens", summary.output_tokens),
        ("engine load and close seconds", round(engine_seconds, 1)),
        ("extraction seconds", round(summary.seconds, 1)),
        ("pages/second", round(summary.pages_per_second, 2)),
        ("first result after seconds", round(summary.first_result_seconds or 0.0, 1)),
        ("engine starved (share of streaming time)", round(summary.starved_share, 3)),
    ]
    return [{"figure": name, "value": value} for name, value in figures]


def report_markdown(summary: RunSummary, output: str, schema_name: str, scores: str | None, review: str) -> str:
    """Where the run's rows are, its counts, the review report and, with truth, its accuracy."""
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.errors.items())) or "none"
    location = output if is_s3(output) else str(Path(output).expanduser().resolve())
    parts = [
        f"# docintel: {summary.schema}, run `{summary.run_id}`",
        f"Output: `{location}`, committed by the manifest{'s' if len(summary.manifests) > 1 else ''} "
        f"{', '.join(f'`{m}`' for m in summary.manifests or [summary.manifest])}. " + (
            f"Rows are in each schema's partitions (routed: {', '.join(f'{k} {n}' for k, n in sorted(summary.routed.items())) or 'none'}); "
            f"documents without a schema in `errors/schema_name={AUTO}/`, one partition per run date."
            if schema_name == AUTO else
            f"Rows are in `results/schema_name={schema_name}/` and `errors/schema_name={schema_name}/`, one "
            f"partition per run date."),
        f"Model `{summary.model}`{', resumed run' if summary.resumed else ''}: {summary.documents} documents, "
        f"{summary.skipped} skipped as already committed, {summary.results} results ({summary.flagged} flagged, "
        f"{summary.needs_review} needing review), "
        f"{sum(summary.errors.values())} errors ({errors}); {summary.pages} pages at "
        f"{summary.pages_per_second:.2f} pages/s.",
        f"Review report (documents needing review first, with their pages and evidence): [{review}]({review})",
    ]
    if scores is not None:
        parts += ["## Accuracy", scores]
    return "\n\n".join(parts) + "\n"
