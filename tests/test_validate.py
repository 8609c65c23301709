import copy
import json

import pytest

from pipeline.rules import business_flags
from pipeline.schemas import load_schema
from pipeline.validate import validate_answer

INVOICE = {
    "invoice_number": "INV-2026-0042", "issue_date": "2026-03-01", "due_date": "2026-03-31",
    "currency": "EUR",
    "seller": {"name": "Nordlicht GmbH", "tax_id": "DE123456789",
               "address": {"street": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE"}},
    "buyer": {"name": "Acme Ltd", "tax_id": None, "address": None},
    "line_items": [
        {"description": "Consulting", "quantity": "3", "unit_price": "150.00", "amount": "450.00"},
        {"description": "Travel", "quantity": None, "unit_price": None, "amount": "50.00"},
    ],
    "subtotal": "500.00", "tax_total": "95.00", "total": "595.00",
    "payment_terms": "Net 30", "iban": "DE89370400440532013000", "purchase_order": None,
}


@pytest.fixture(scope="module")
def invoice():
    return load_schema("invoice")


def test_consistent_invoice_is_valid_without_flags(invoice) -> None:
    check = validate_answer(json.dumps(INVOICE), "stop", invoice)
    assert check.ok and check.record == INVOICE and check.flags == []


def test_cut_answer_is_truncated_output(invoice) -> None:
    check = validate_answer(json.dumps(INVOICE)[:100], "length", invoice)
    assert check.error_type == "truncated_output"


def test_non_json_answer_says_where(invoice) -> None:
    check = validate_answer('{"invoice_number": "1",}', "stop", invoice)
    assert check.error_type == "invalid_json"
    assert "character" in check.message


def test_schema_violation_names_the_field(invoice) -> None:
    bad = copy.deepcopy(INVOICE)
    bad["issue_date"] = "2026-13-45"
    del bad["total"]
    check = validate_answer(json.dumps(bad), "stop", invoice)
    assert check.error_type == "schema_violation"
    assert "$.issue_date" in check.message and "'total' is a required property" in check.message


def test_raw_control_characters_inside_strings_are_kept(invoice) -> None:
    text = json.dumps(INVOICE).replace("Consulting", "Consult\ning")
    check = validate_answer(text, "stop", invoice)
    assert check.ok and check.record["line_items"][0]["description"] == "Consult\ning"


@pytest.mark.parametrize("change,flag", [
    ({"total": "600.00"}, "total_mismatch"),
    ({"subtotal": "510.00", "total": "605.00"}, "subtotal_mismatch"),
    ({"due_date": "2026-02-01"}, "due_before_issue"),
])
def test_business_rule_failures_are_flags_not_errors(invoice, change: dict, flag: str) -> None:
    record = {**INVOICE, **change}
    check = validate_answer(json.dumps(record), "stop", invoice)
    assert check.ok
    assert [f.split(":")[0] for f in check.flags] == [flag]


def test_line_amount_rule_names_the_line() -> None:
    record = copy.deepcopy(INVOICE)
    record["line_items"][0]["amount"] = "460.00"
    record["subtotal"], record["total"] = "510.00", "605.00"
    assert business_flags("invoice", record) == ["line_amount_mismatch: line 1: 3 x 150.00 != 460.00"]


def test_contract_expiry_must_follow_effective_date() -> None:
    flags = business_flags("contract", {"effective_date": "2026-01-01", "expiry_date": "2025-12-31"})
    assert flags == ["expiry_not_after_effective: expiry 2025-12-31 is not after effective 2026-01-01"]
    assert business_flags("contract", {"effective_date": "2026-01-01", "expiry_date": None}) == []


def test_user_schemas_have_no_rules() -> None:
    assert business_flags("receipt", {"total": "-1"}) == []
