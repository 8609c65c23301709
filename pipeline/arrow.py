"""The Arrow type of a JSON Schema: how a record becomes a typed Parquet column that DuckDB,
Athena and Spark query (``record`` in ``results``). Used by the sink to write records and by
schemas.py to refuse, at load time, a schema that cannot be stored."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, Callable

import pyarrow as pa

Convert = Callable[[Any], Any]


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
