"""Write a run's rows as Parquet into the dataset (layout and commit protocol: dataset.py).

``results`` holds one row per extracted document: the record as a typed struct derived from the
JSON Schema, plus the raw JSON; ``errors`` one row per failed document, with stage, type and
reason. Rows are buffered into row groups of ``ROW_GROUP_ROWS`` in the writer's open file, and
a file is closed (published, complete) once it holds ``file_rows`` rows or is ``file_seconds``
old: few files for a nightly batch, and little work lost if the process is killed."""

from __future__ import annotations

import json
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .arrow import arrow_column
from .dataset import Run
from .schemas import DocumentSchema
from .storage import Store

# Large row groups: per-group metadata and dictionaries otherwise dominate the file (a row group
# per window of 64 rows made files 100x larger), and readers scan fewer, bigger chunks. Buffering
# costs no durability: a file is only visible once closed.
ROW_GROUP_ROWS = 16_384


@dataclass
class ResultRow:
    document_id: str
    source: str
    page_count: int
    has_text_layer: bool
    record: dict[str, Any]
    flags: list[str]
    attempts: int
    prompt_tokens: int
    output_tokens: int
    render_seconds: float
    engine_seconds: float
    extracted_at: datetime
    windows: int = 1  # requests the record was read in (page windows, merged)
    corrections: list[dict[str, Any]] = field(default_factory=list)  # pages turned or deskewed before reading
    classified_as: str | None = None  # --schema auto: the kind the classifier named
    fields: list[dict[str, Any]] = field(default_factory=list)  # per leaf: value, evidence, confidence (trust.py)
    needs_review: bool = False
    review_reasons: list[str] = field(default_factory=list)


@dataclass
class ErrorRow:
    document_id: str | None
    source: str
    stage: str  # "read", "render", "prompt", "engine", "validate"
    error_type: str
    message: str
    attempts: int
    failed_at: datetime
    last_answer: str | None = None
    classified_as: str | None = None  # --schema auto: the kind the classifier named ("none", ...)


RUN_COLUMNS = [
    pa.field("schema_version", pa.string()),
    pa.field("model", pa.string()),
    pa.field("prompt_version", pa.string()),
    pa.field("max_soft_tokens", pa.int32()),
    pa.field("run_id", pa.string()),
]


# A page the renderer turned upright (rotation: degrees clockwise, 0/90/180/270) or deskewed
# (skew: degrees), numbered from 1.
CORRECTION = pa.struct([pa.field("page", pa.int32()), pa.field("rotation", pa.int32()),
                        pa.field("skew", pa.float32())])


# One leaf of the record with its evidence and confidence (long form: see trust.py for why).
FIELD = pa.struct([
    pa.field("path", pa.string()),  # seller.name, line_items[0].amount
    pa.field("value", pa.string()),  # the value as text (numbers and booleans as JSON)
    pa.field("confidence", pa.float32()),
    pa.field("page", pa.int32()),  # where it is printed, from 1
    pa.field("quote", pa.string()),  # as printed
    pa.field("box", pa.struct([pa.field(n, pa.float32()) for n in ("x0", "y0", "x1", "y1")])),  # 0-1 of the page
    pa.field("match", pa.string()),  # exact, fuzzy, none
    pa.field("reason", pa.string()),  # for none: why
])


def results_schema(record_type: pa.DataType) -> pa.Schema:
    return pa.schema([
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        *RUN_COLUMNS,
        pa.field("extracted_at", pa.timestamp("us", tz="UTC")),
        pa.field("page_count", pa.int32()),
        pa.field("has_text_layer", pa.bool_()),
        pa.field("record", record_type),
        pa.field("record_json", pa.string()),
        pa.field("flags", pa.list_(pa.string())),
        pa.field("attempts", pa.int32()),
        pa.field("prompt_tokens", pa.int32()),
        pa.field("output_tokens", pa.int32()),
        pa.field("render_seconds", pa.float64()),
        pa.field("engine_seconds", pa.float64()),
        pa.field("windows", pa.int32()),
        pa.field("corrections", pa.list_(CORRECTION)),
        pa.field("classified_as", pa.string()),
        pa.field("needs_review", pa.bool_()),
        pa.field("review_reasons", pa.list_(pa.string())),
        pa.field("fields", pa.list_(FIELD)),
    ])


ERRORS_SCHEMA = pa.schema([
    pa.field("document_id", pa.string()),
    pa.field("source", pa.string(), nullable=False),
    *RUN_COLUMNS,
    pa.field("failed_at", pa.timestamp("us", tz="UTC")),
    pa.field("stage", pa.string()),
    pa.field("error_type", pa.string()),
    pa.field("message", pa.string()),
    pa.field("attempts", pa.int32()),
    pa.field("last_answer", pa.string()),
    pa.field("classified_as", pa.string()),
])


@dataclass
class _OpenFile:
    relpath: str
    writer: pq.ParquetWriter
    closer: ExitStack
    opened: float
    rows: int = 0
    buffer: list[pa.Table] = field(default_factory=list)

    def flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=ROW_GROUP_ROWS)
            self.buffer.clear()


class SinkError(RuntimeError):
    """Writing rows failed part-way: some may be buffered or published already, so the same rows
    must not simply be written again (a scheduler must not retry the write in place)."""


@contextmanager
def _sink_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        raise SinkError(f"writing Parquet failed: {type(exc).__name__}: {exc}") from exc


class ParquetSink:
    """Appends one writer's rows of a run to rolling files in the run's partitions."""

    def __init__(self, store: Store, schema: DocumentSchema | None, run: Run,
                 file_rows: int = 100_000, file_seconds: float = 600.0) -> None:
        """``schema`` None: a writer of errors only (documents that never got a schema)."""
        self.schemas = {"errors": ERRORS_SCHEMA}
        if schema is not None:
            record_type, self._convert_record = arrow_column(schema.schema)
            self.schemas["results"] = results_schema(record_type)
        self.store, self.run = store, run
        self.file_rows, self.file_seconds = file_rows, file_seconds
        self.writer_id = uuid.uuid4().hex[:8]
        self.files: list[str] = []  # relpaths this writer published
        self._open: dict[str, _OpenFile] = {}
        self._columns = {"schema_version": run.schema_version, "model": run.model,
                         "prompt_version": run.prompt_version, "max_soft_tokens": run.max_soft_tokens,
                         "run_id": run.run_id}

    def write(self, results: list[ResultRow], errors: list[ErrorRow]) -> None:
        """Append one window's rows, then roll files that are full. Raises SinkError."""
        with _sink_errors():
            self._write(results, errors)

    def close(self) -> None:
        """Publish every open file. Raises SinkError."""
        with _sink_errors():
            for table in list(self._open):
                self._close(table)

    def _write(self, results: list[ResultRow], errors: list[ErrorRow]) -> None:
        if results:
            self._append("results", [{**vars(r), **self._columns, "record": self._convert_record(r.record),
                                      "record_json": json.dumps(r.record, ensure_ascii=False)} for r in results])
        if errors:
            self._append("errors", [{**vars(e), **self._columns} for e in errors])
        for table, open_file in list(self._open.items()):
            if open_file.rows >= self.file_rows or time.monotonic() - open_file.opened >= self.file_seconds:
                self._close(table)

    def _append(self, table: str, rows: list[dict[str, Any]]) -> None:
        if table not in self._open:
            seq = sum(1 for f in self.files if f.startswith(table + "/"))
            relpath = f"{self.run.partition(table)}/part-{self.run.run_id}-{self.writer_id}-{seq:04d}.parquet"
            closer = ExitStack()
            stream = closer.enter_context(self.store.write_atomic(relpath))
            writer = pq.ParquetWriter(stream, self.schemas[table], compression="zstd")
            self._open[table] = _OpenFile(relpath, writer, closer, time.monotonic())
        open_file = self._open[table]
        open_file.buffer.append(pa.Table.from_pylist(rows, schema=self.schemas[table]))
        open_file.rows += len(rows)
        if sum(t.num_rows for t in open_file.buffer) >= ROW_GROUP_ROWS:
            open_file.flush()

    def _close(self, table: str) -> None:
        open_file = self._open.pop(table)
        open_file.flush()
        open_file.writer.close()
        open_file.closer.close()  # write_atomic publishes the complete file here
        self.files.append(open_file.relpath)
