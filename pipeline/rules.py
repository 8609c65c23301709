"""Business rules per document type. A rule returns flags (short strings with the numbers that
disagree); a flagged record is still a result, stored with its flags for a person to review.

Rules are keyed by schema name; a user's own schema has none unless added here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator

Record = dict[str, Any]

# Amounts are printed to the cent; a line or total may be rounded once per line.
CENT = Decimal("0.01")


def business_flags(schema_name: str, record: Record) -> list[str]:
    """All flags the rules for ``schema_name`` raise on ``record`` (none for unknown types)."""
    return [flag for rule in RULES.get(schema_name, ()) for flag in rule(record)]


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def invoice_line_amounts(record: Record) -> Iterator[str]:
    for i, line in enumerate(record.get("line_items") or []):
        qty, price, amount = (_amount(line.get(k)) for k in ("quantity", "unit_price", "amount"))
        if None not in (qty, price, amount) and abs(qty * price - amount) > CENT:
            yield f"line_amount_mismatch: line {i + 1}: {qty} x {price} != {amount}"


def invoice_subtotal(record: Record) -> Iterator[str]:
    lines = [_amount(line.get("amount")) for line in record.get("line_items") or []]
    subtotal = _amount(record.get("subtotal"))
    if lines and None not in lines and subtotal is not None:
        total = sum(lines, Decimal(0))
        if abs(total - subtotal) > CENT * len(lines):
            yield f"subtotal_mismatch: lines sum to {total}, subtotal is {subtotal}"


def invoice_total(record: Record) -> Iterator[str]:
    subtotal, tax, total = (_amount(record.get(k)) for k in ("subtotal", "tax_total", "total"))
    if None not in (subtotal, tax, total) and abs(subtotal + tax - total) > CENT:
        yield f"total_mismatch: {subtotal} + {tax} != {total}"


def invoice_due_date(record: Record) -> Iterator[str]:
    issued, due = _date(record.get("issue_date")), _date(record.get("due_date"))
    if issued and due and due < issued:
        yield f"due_before_issue: due {due} is before issue {issued}"


def contract_dates(record: Record) -> Iterator[str]:
    start, end = _date(record.get("effective_date")), _date(record.get("expiry_date"))
    if start and end and end <= start:
        yield f"expiry_not_after_effective: expiry {end} is not after effective {start}"


RULES: dict[str, tuple[Callable[[Record], Iterator[str]], ...]] = {
    "invoice": (invoice_line_amounts, invoice_subtotal, invoice_total, invoice_due_date),
    "contract": (contract_dates,),
}
