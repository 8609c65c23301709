"""Write the run's rows as Parquet: ``results`` (one row per extracted document, the record as a
typed struct derived from the JSON Schema plus the raw JSON) and ``errors`` (one row per failed
document, with stage, type and reason). Hive-partitioned by schema name and run date:

    OUT/results/schema_name=invoice/run_date=2026-11-28/part-<run_id>.parquet
    OUT/errors/schema_name=invoice/run_date=2026-11-28/part-<run_id>.parquet

Each window of documents is appended as one row group, so memory stays flat."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import DocumentSchema

Convert = Callable[[Any], Any]


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


@dataclass
class ErrorRow:
    document_id: str | None
    source: str
    stage: str  # "read", "render", "engine", "validate"
    error_type: str
    message: str
    attempts: int
    failed_at: datetime
    last_answer: str | None = None


RUN_COLUMNS = [
    pa.field("schema_version", pa.string()),
    pa.field("model", pa.string()),
    pa.field("prompt_version", pa.string()),
    pa.field("max_soft_tokens", pa.int32()),
    pa.field("run_id", pa.string()),
]


@dataclass
class ParquetSink:
    """Appends rows of one run to its results and errors files under ``out``."""

    out: Path
    schema: DocumentSchema
    model: str
    prompt_version: str
    max_soft_tokens: int
    run_id: str
    run_date: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        record_type, self._convert_record = arrow_column(self.schema.schema)
        self.results_schema = pa.schema([
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
        ])
        self.errors_schema = pa.schema([
            pa.field("document_id", pa.string()),
            pa.field("source", pa.string(), nullable=False),
            *RUN_COLUMNS,
            pa.field("failed_at", pa.timestamp("us", tz="UTC")),
            pa.field("stage", pa.string()),
            pa.field("error_type", pa.string()),
            pa.field("message", pa.string()),
            pa.field("attempts", pa.int32()),
            pa.field("last_answer", pa.string()),
        ])
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.paths: dict[str, Path] = {}

    def write(self, results: list[ResultRow], errors: list[ErrorRow]) -> None:
        """Append one window's rows (a row group per table)."""
        run = {"schema_version": self.schema.version, "model": self.model, "prompt_version": self.prompt_version,
               "max_soft_tokens": self.max_soft_tokens, "run_id": self.run_id}
        if results:
            rows = [{**vars(r), **run, "record": self._convert_record(r.record),
                     "record_json": json.dumps(r.record, ensure_ascii=False)} for r in results]
            self._append("results", pa.Table.from_pylist(rows, schema=self.results_schema))
        if errors:
            self._append("errors", pa.Table.from_pylist([{**vars(e), **run} for e in errors],
                                                        schema=self.errors_schema))

    def _append(self, table: str, rows: pa.Table) -> None:
        if table not in self._writers:
            folder = (self.out / table / f"schema_name={self.schema.name}"
                      / f"run_date={self.run_date.isoformat()}")
            folder.mkdir(parents=True, exist_ok=True)
            self.paths[table] = folder / f"part-{self.run_id}.parquet"
            self._writers[table] = pq.ParquetWriter(self.paths[table], rows.schema, compression="zstd")
        self._writers[table].write_table(rows)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def arrow_column(node: dict[str, Any], defs: dict[str, Any] | None = None) -> tuple[pa.DataType, Convert]:
    """The Arrow type of a JSON Schema node and the function that converts a JSON value to it.

    Objects become structs, arrays lists, ``format: date`` strings dates, integers int64,
    numbers float64, booleans bool, nodes with ``x-arrow-type`` that type (decimals); anything without one clear type (free-form objects, unions)
    is kept as a JSON string so no value is ever lost."""
    defs = defs if defs is not None else {**node.get("definitions", {}), **node.get("$defs", {})}
    ref = node.get("$ref", "")
    if ref.startswith(("#/$defs/", "#/definitions/")):
        return arrow_column({**defs[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}, defs)
    if "x-arrow-type" in node:
        return _declared_type(node["x-arrow-type"])
    branches = [b for b in node.get("anyOf", node.get("oneOf", [])) if b.get("type") != "null"]
    if len(branches) == 1:
        return arrow_column(branches[0], defs)
    types = node.get("type")
    types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    kind = types[0] if len(types) == 1 and not branches and "enum" not in node else "json"
    if "enum" in node and all(isinstance(v, str) for v in node["enum"] if v is not None):
        kind = "string"
    if kind == "object" and node.get("properties"):
        columns = {name: arrow_column(child, defs) for name, child in node["properties"].items()}
        struct = pa.struct([pa.field(name, t) for name, (t, _) in columns.items()])
        return struct, lambda v: None if v is None else {n: c(v.get(n)) for n, (_, c) in columns.items()}
    if kind == "array" and isinstance(node.get("items"), dict):
        item_type, item = arrow_column(node["items"], defs)
        return pa.list_(item_type), lambda v: None if v is None else [item(x) for x in v]
    if kind == "string" and node.get("format") == "date":
        return pa.date32(), lambda v: None if v is None else date.fromisoformat(v)
    scalar = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    if kind in scalar:
        return scalar[kind], lambda v: v
    return pa.string(), lambda v: None if v is None else json.dumps(v, ensure_ascii=False)


def _declared_type(declared: str) -> tuple[pa.DataType, Convert]:
    """A schema's own column type (``"x-arrow-type": "decimal128(17, 4)"``) for decimal strings:
    exact sums in DuckDB/Athena/Spark instead of float rounding."""
    match = re.fullmatch(r"decimal128\((\d+),\s*(\d+)\)", declared.strip())
    if not match:
        raise ValueError(f"x-arrow-type {declared!r}: only decimal128(precision, scale) is supported")
    precision, scale = int(match[1]), int(match[2])
    return pa.decimal128(precision, scale), lambda v: None if v is None else Decimal(str(v))
