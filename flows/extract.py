"""Prefect flow around the runner: the same batch as ``docintel run``, with Prefect's logging,
retries and run history. Prefect lives only here; ``pipeline/`` does not import it."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from pipeline.config import Settings
from pipeline.engine import create_engine
from pipeline.runner import RunSummary, run_batch
from pipeline.schemas import load_schema
from pipeline.sources import discover


@task
def count_documents(inputs: list[str]) -> int:
    """Discovery as its own task: a missing input fails the flow before the model loads."""
    return len(discover(inputs))


@task
def extract(inputs: list[str], schema: str, output: str, settings: Settings) -> RunSummary:
    engine = create_engine(settings)
    try:
        return run_batch(inputs, load_schema(schema), output, settings, engine)
    finally:
        engine.close()


@flow(name="extract-documents")
def extract_documents(
    inputs: list[str], schema: str, output: str, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Extract ``schema`` records from the documents under ``inputs`` into Parquet at ``output``.

    ``settings`` takes any :class:`~pipeline.config.Settings` field, e.g. ``{"model": ...}``."""
    log = get_run_logger()
    config = Settings(**(settings or {}))
    load_schema(schema)  # a bad schema fails here, with its reason
    log.info("%d documents to extract as %s", count_documents(inputs), schema)
    summary = extract(inputs, schema, output, config)
    log.info("%d results, %d errors %s, %.1f pages/s", summary.results, sum(summary.errors.values()),
             dict(summary.errors), summary.pages_per_second)
    return {"run_id": summary.run_id, "documents": summary.documents, "results": summary.results,
            "skipped": summary.skipped, "errors": dict(summary.errors), "manifest": summary.manifest}
