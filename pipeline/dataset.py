"""The output dataset: where runs put their files, how a run starts, resumes and commits.

Layout under the output root (a folder or ``s3://bucket/prefix``)::

    results/schema_name=<name>/run_date=<YYYY-MM-DD>/part-<run_id>-<writer>-<seq>.parquet
    errors/schema_name=<name>/run_date=<YYYY-MM-DD>/part-<run_id>-<writer>-<seq>.parquet
    _runs/<run_id>.json         the run's intent, written when it starts
    _manifests/<run_id>.json    the run's commit: written last, listing exactly its files

Protocol:

- Every data file appears complete or not at all (``Store.write_atomic``), with a name unique
  per run and writer, so a killed writer leaves no partial file and two writers never collide.
- A run is committed when its manifest exists. The manifest is written last, with a
  conditional put: of two writers finishing the same run, exactly one commits.
- A run that was killed is resumed by the next start with the same job (same inputs, schema
  version, model and prompt version): it keeps the run id, keeps the files the killed writer
  completed, skips their documents, and commits them all together.
- A document already committed for the same (schema version, model, prompt version) is
  skipped, unless ``reprocess`` is set; so a rerun adds nothing. Documents whose committed row
  is an error that may pass next time (``RETRYABLE_ERRORS``) are tried again.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

import pyarrow.parquet as pq

from .storage import Store

TABLES = ("results", "errors")
# A committed row counts as done for a run with the same values of these.
VERSION_KEYS = ("schema_name", "schema_version", "model", "prompt_version")
# Errors that say nothing about the document itself: a later run tries it again.
# (An OOM kill may come from the load of other processes on the machine.)
RETRYABLE_ERRORS = frozenset({"unreadable", "render_crashed", "render_out_of_memory", "engine_error"})


class RunConflict(RuntimeError):
    """Another writer committed this run first."""


@dataclass(frozen=True)
class Run:
    """What identifies a run's rows: every row carries these columns."""

    run_id: str
    run_date: date
    schema_name: str
    schema_version: str
    model: str
    prompt_version: str
    max_soft_tokens: int
    fingerprint: str
    started_at: str
    resumed: bool = field(default=False, compare=False)

    def partition(self, table: str) -> str:
        return f"{table}/schema_name={self.schema_name}/run_date={self.run_date.isoformat()}"


def job_fingerprint(inputs: Iterable[str], schema_name: str, schema_version: str, model: str,
                    prompt_version: str, reprocess: bool) -> str:
    """Same inputs and versions: the same job, so a restart resumes instead of starting over."""
    text = json.dumps([sorted(inputs), schema_name, schema_version, model, prompt_version, reprocess])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def start_run(store: Store, fingerprint: str, **columns: Any) -> Run:
    """Resume the newest uncommitted run of this job, or record the intent of a new one."""
    committed = {_run_id(p) for p in store.list("_manifests/")}
    for relpath in sorted(store.list("_runs/"), reverse=True):  # run ids sort by start time
        if _run_id(relpath) in committed:
            continue
        intent = json.loads(store.read(relpath))
        if intent["fingerprint"] == fingerprint:
            intent["run_date"] = date.fromisoformat(intent["run_date"])
            return Run(**intent, resumed=True)
    now = datetime.now(timezone.utc)
    run = Run(run_id=now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6], run_date=now.date(),
              fingerprint=fingerprint, started_at=now.isoformat(), **columns)
    store.put_if_absent(f"_runs/{run.run_id}.json", json.dumps(_record(run), indent=1).encode())
    return run


def done_documents(store: Store, run: Run, reprocess: bool) -> set[str]:
    """Document ids this run must not extract again: those already in this run's own files
    (a resumed run), and, unless reprocessing, those committed earlier for the same versions."""
    done = _document_ids(store, run_files(store, run))
    if reprocess:
        return done
    for relpath in store.list("_manifests/"):
        manifest = json.loads(store.read(relpath))
        if all(manifest[key] == getattr(run, key) for key in VERSION_KEYS):
            done |= _document_ids(store, [f["path"] for f in manifest["files"]])
    return done


def run_files(store: Store, run: Run) -> list[str]:
    """Every data file of the run, from all its writers, in both tables."""
    prefix = f"part-{run.run_id}-"
    return [p for table in TABLES for p in store.list(run.partition(table) + "/")
            if p.rsplit("/", 1)[-1].startswith(prefix) and p.endswith(".parquet")]


def commit_run(store: Store, run: Run, counts: dict[str, Any], own_files: list[str]) -> dict[str, Any]:
    """Write the manifest, listing exactly the run's files: the run's commit point.

    If another writer committed the run first, this writer removes those of ``own_files`` that
    manifest does not list (so no uncommitted rows stay visible) and raises RunConflict; their
    documents are not committed and the next run extracts them."""
    files = []
    for relpath in run_files(store, run):
        metadata = pq.read_metadata(store.path(relpath), filesystem=store.filesystem)
        files.append({"path": relpath, "table": relpath.split("/", 1)[0], "rows": metadata.num_rows})
    manifest = {**_record(run), "committed_at": datetime.now(timezone.utc).isoformat(), **counts, "files": files}
    relpath = f"_manifests/{run.run_id}.json"
    if store.put_if_absent(relpath, json.dumps(manifest, indent=1).encode()):
        return manifest
    listed = {f["path"] for f in json.loads(store.read(relpath))["files"]}
    for own in own_files:
        if own not in listed:
            store.delete(own)
    raise RunConflict(f"run {run.run_id} was committed by another writer first; this writer's "
                      f"unlisted files were removed and the next run extracts their documents")


def _record(run: Run) -> dict[str, Any]:
    """The run's columns as JSON values: its intent file, and the head of its manifest."""
    return {k: v for k, v in asdict(run).items() if k != "resumed"} | {"run_date": run.run_date.isoformat()}


def _run_id(relpath: str) -> str:
    return relpath.rsplit("/", 1)[-1].removesuffix(".json")


def _document_ids(store: Store, relpaths: list[str]) -> set[str]:
    ids: set[str] = set()
    for relpath in relpaths:
        table = pq.read_table(store.path(relpath), filesystem=store.filesystem,
                              columns=["document_id", "error_type"] if relpath.startswith("errors/") else ["document_id"])
        if "error_type" in table.column_names:
            keep = [d for d, e in zip(table["document_id"].to_pylist(), table["error_type"].to_pylist())
                    if e not in RETRYABLE_ERRORS]
        else:
            keep = table["document_id"].to_pylist()
        ids.update(d for d in keep if d)
    return ids
