"""Check one model answer: complete, JSON, valid under the schema; then the business rules.

Constrained decoding is not a guarantee (xgrammar can emit raw control characters and numbers
without end, and max_tokens can cut an answer), so every answer is parsed and validated here.
A failed check is an ``error_type`` the runner may retry; a failed business rule is a flag stored
with the record, because the document itself may be wrong (that is what AP teams want to see)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .rules import business_flags
from .schemas import DocumentSchema


@dataclass
class Validation:
    record: dict[str, Any] | None = None
    error_type: str | None = None  # "truncated_output", "invalid_json", "schema_violation"
    message: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_type is None


def validate_answer(text: str, finish_reason: str | None, schema: DocumentSchema) -> Validation:
    """Parse and validate one answer. Never raises."""
    if finish_reason == "length":
        return Validation(error_type="truncated_output",
                          message=f"the answer hit max_tokens after {len(text)} characters")
    try:
        # strict=False: raw control characters inside strings are kept, not fatal.
        record = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        return Validation(error_type="invalid_json", message=f"{exc.msg} at character {exc.pos}")
    return validate_record(record, schema)


def validate_record(record: Any, schema: DocumentSchema) -> Validation:
    """Validate a parsed record (an answer, or windows' records merged) under the schema, then
    apply the business rules. Never raises."""
    errors = sorted(schema.validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(f"{e.json_path}: {e.message[:200]}" for e in errors[:3])
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        return Validation(record=record, error_type="schema_violation", message=shown + more)
    return Validation(record=record, flags=business_flags(schema.name, record))

