"""Load a document-type JSON Schema and check, at load time, that the structured-output backend
(xgrammar) can enforce it: a schema it would silently loosen or reject fails here with the
keyword, its location and what to do, not in the middle of a nightly run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import jsonschema

from .arrow import arrow_column

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

# Formats xgrammar turns into grammar rules (vLLM's STRING_SUPPORTED_FORMATS); any other
# `format` makes vLLM reject the request.
ENFORCEABLE_FORMATS = frozenset(
    {"email", "date", "time", "date-time", "duration", "ipv4", "ipv6", "hostname", "uuid",
     "uri", "uri-reference", "uri-template", "json-pointer", "relative-json-pointer"}
)


class SchemaError(ValueError):
    """The schema file is unreadable, not a JSON Schema, or not enforceable by the backend."""


@dataclass(frozen=True)
class DocumentSchema:
    """A loaded, checked schema: ``name`` and ``version`` identify it in every output row."""

    name: str
    version: str
    schema: dict[str, Any]
    path: Path

    @cached_property
    def text(self) -> str:
        return json.dumps(self.schema, sort_keys=True)

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        cls = jsonschema.validators.validator_for(self.schema)
        return cls(self.schema, format_checker=cls.FORMAT_CHECKER)


def load_schema(name_or_path: str | Path) -> DocumentSchema:
    """Load ``schemas/<name>.json`` or any JSON Schema file, and check it is enforceable."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = SCHEMA_DIR / f"{name_or_path}.json"
    try:
        schema = json.loads(path.read_text())
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in SCHEMA_DIR.glob("*.json")))
        raise SchemaError(f"no schema {name_or_path!r}: not a file, and not one of: {known}") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise SchemaError(f"{path}: a JSON Schema must be an object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise SchemaError(f"{path}: not a valid JSON Schema: {exc.message}") from None
    problems = unenforceable(schema) or _grammar_error(schema)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise SchemaError(f"{path}: the structured-output backend cannot enforce:\n{listing}")
    if schema.get("type") != "object":
        raise SchemaError(f"{path}: the top level must be \"type\": \"object\"")
    try:
        arrow_column(schema)
    except ValueError as exc:
        raise SchemaError(f"{path}: {exc}") from None
    return DocumentSchema(
        name=str(schema.get("title") or path.stem),
        version=str(schema.get("version", "0")),
        schema=schema,
        path=path,
    )


def unenforceable(schema: dict[str, Any]) -> list[str]:
    """Each keyword xgrammar would reject or silently ignore, as 'location: problem. Fix.'"""
    return [f"{where}: {problem}" for where, node in _walk(schema, "#") for problem in _problems(node)]


def _grammar_error(schema: dict[str, Any]) -> list[str]:
    """Compile the schema with xgrammar itself where it is installed (the in-process engine)."""
    try:
        import xgrammar
    except ImportError:  # an HTTP-engine client without vLLM: the server checks again
        return []
    try:
        xgrammar.Grammar.from_json_schema(json.dumps(schema), strict_mode=True)
    except Exception as exc:  # xgrammar raises plain RuntimeError/ValueError with its reason
        return [f"#: xgrammar cannot compile the schema: {exc}"]
    return []


def _walk(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{where}/{i}")


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("type")
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


def _problems(node: dict[str, Any]) -> Iterator[str]:
    types = _types(node)
    if types & {"integer", "number"} and "multipleOf" in node:
        yield ("'multipleOf' is ignored by the grammar. Drop it and check precision in a business "
               "rule, or use a string with a 'pattern' such as ^-?[0-9]+(\\.[0-9]{1,2})?$.")
    if "array" in types:
        for key in ("uniqueItems", "contains", "minContains", "maxContains"):
            if key in node:
                yield f"'{key}' on an array cannot be enforced. Remove it and deduplicate or check after extraction."
    if "string" in types:
        fmt = node.get("format")
        if fmt is not None and fmt not in ENFORCEABLE_FORMATS:
            yield (f"format '{fmt}' is not supported. Use a 'pattern' instead, or one of: "
                   f"{', '.join(sorted(ENFORCEABLE_FORMATS))}.")
        if ("pattern" in node or "format" in node) and ("minLength" in node or "maxLength" in node):
            yield ("'pattern'/'format' together with 'minLength'/'maxLength' cannot be enforced. "
                   "Express the length in the pattern, e.g. ^[A-Z]{3,8}$.")
    if "object" in types and "propertyNames" in node:
        names = node["propertyNames"]
        if isinstance(names, dict) and ("pattern" in names or "format" in names) and (
            "minLength" in names or "maxLength" in names
        ):
            yield "'propertyNames' with a pattern and a length bound cannot be enforced. Put the length in the pattern."
        for key in ("patternProperties", "properties"):
            if key in node:
                yield f"'propertyNames' together with '{key}' cannot be enforced. Use one of them."
        if node.get("unevaluatedProperties", True) is not True:
            yield "'propertyNames' together with 'unevaluatedProperties' cannot be enforced."
    if "object" in types and isinstance(node.get("patternProperties"), dict):
        if "properties" in node:
            yield "'patternProperties' together with 'properties' cannot be enforced. Use one of them."
        if len(node["patternProperties"]) > 1:
            yield "more than one 'patternProperties' entry cannot be enforced. Merge them into one pattern."
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) >= 2:
        yield "'allOf' with several branches is not enforced (any JSON would pass). Merge the branches into one schema."
