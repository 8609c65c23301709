"""The merge of page windows (pipeline/merge.py): constructed windows with known answers, the real
schemas and the sample documents' truth records split into windows. Pure code: no model, fast."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.merge import MergedRecord, WindowRecord, _resolve, merge_windows

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {name: json.loads((ROOT / "schemas" / f"{name}.json").read_text()) for name in ("invoice", "contract")}
TRUTHS = sorted((ROOT / "sample_docs" / "truth").glob("*.json"))
INVOICE = SCHEMAS["invoice"]
CONTRACT = SCHEMAS["contract"]


def validate(record: dict[str, Any], schema: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(record)


def item(description: str, amount: str, quantity: str | None = "1", unit_price: str | None = None) -> dict[str, Any]:
    return {"description": description, "quantity": quantity, "unit_price": unit_price or amount, "amount": amount}


def party(name: str = "", city: str | None = None) -> dict[str, Any]:
    address = None if city is None else {"street": None, "city": city, "postal_code": None, "country": None}
    return {"name": name, "tax_id": None, "address": address}


def invoice(**fields: Any) -> dict[str, Any]:
    """A valid invoice record: defaults for what a window does not show, then `fields`."""
    record = {"invoice_number": "", "issue_date": "2025-01-13", "due_date": None, "currency": "EUR",
              "seller": party(), "buyer": party(), "line_items": [], "subtotal": "0", "tax_total": "0",
              "total": "0", "payment_terms": None, "iban": None, "purchase_order": None}
    record.update(fields)
    validate(record, INVOICE)
    return record


def windows_of(*records: dict[str, Any], pages: int = 40, overlap: int = 4) -> list[WindowRecord]:
    """Windows of `pages` pages overlapping by `overlap`: 1-40, 37-76, 73-112, ..."""
    step = pages - overlap
    return [WindowRecord(i * step + 1, i * step + pages, r) for i, r in enumerate(records)]


# --- one window ---------------------------------------------------------------------------------

def test_one_window_is_the_record_unchanged() -> None:
    record = invoice(invoice_number="A-1", total="10.00", line_items=[item("x", "10.00")])
    merged = merge_windows([WindowRecord(1, 12, record)], INVOICE)
    assert merged == MergedRecord(record=record, flags=[], windows=1)
    assert merged.record is not record  # a copy: the caller may change one without the other


def test_no_windows_is_an_error() -> None:
    with pytest.raises(ValueError):
        merge_windows([], INVOICE)


def test_window_pages_are_checked() -> None:
    with pytest.raises(ValueError):
        WindowRecord(5, 4, {})


# --- scalars ------------------------------------------------------------------------------------

def test_disagreeing_scalars_take_the_first_by_page_order_and_flag_both_values_with_pages() -> None:
    merged = merge_windows(windows_of(invoice(total="120.00"), invoice(total="125.00")), INVOICE)
    assert merged.record["total"] == "120.00"
    assert "window_conflict: total: '120.00' (pages 1-40) vs '125.00' (pages 37-76)" in merged.flags
    assert merged.windows == 2


def test_null_in_one_window_and_a_value_in_another_is_no_conflict() -> None:
    merged = merge_windows(windows_of(invoice(due_date=None, purchase_order="PO-1", invoice_number=""),
                                      invoice(due_date="2025-03-14", purchase_order=None, invoice_number="TG-1")),
                           INVOICE)
    assert merged.record["due_date"] == "2025-03-14"
    assert merged.record["purchase_order"] == "PO-1"
    assert merged.record["invoice_number"] == "TG-1"  # "" is absent too
    assert merged.flags == []


def test_values_equal_after_normalisation_are_no_conflict() -> None:
    merged = merge_windows(windows_of(invoice(total="120.00", payment_terms="Net  30"),
                                      invoice(total="120", payment_terms="net 30")), INVOICE)
    assert (merged.record["total"], merged.record["payment_terms"]) == ("120.00", "Net  30")
    assert merged.flags == []


def test_identifiers_with_leading_zeros_are_text_not_numbers() -> None:
    merged = merge_windows(windows_of(invoice(invoice_number="007"), invoice(invoice_number="7")), INVOICE)
    assert merged.flags == ["window_conflict: invoice_number: '007' (pages 1-40) vs '7' (pages 37-76)"]


def test_numbers_and_booleans_are_scalars_and_compared_as_such() -> None:
    first = contract(term_months=12, auto_renewal=True, renewal_notice_days=30)
    second = contract(term_months=12, auto_renewal=False, renewal_notice_days=None)
    merged = merge_windows(windows_of(first, second), CONTRACT)
    assert merged.record["term_months"] == 12 and merged.record["renewal_notice_days"] == 30
    assert merged.record["auto_renewal"] is True
    assert merged.flags == ["window_conflict: auto_renewal: true (pages 1-40) vs false (pages 37-76)"]
    validate(merged.record, CONTRACT)


def test_support_decides_a_scalar_and_the_flag_names_the_chosen_value_first() -> None:
    first, second = invoice(total="120.00"), invoice(total="125.00")
    windows = [WindowRecord(1, 40, first, support={"total": 0.2}),
               WindowRecord(37, 76, second, support={"total": 0.9})]
    merged = merge_windows(windows, INVOICE)
    assert merged.record["total"] == "125.00"
    assert "window_conflict: total: '125.00' (pages 37-76) vs '120.00' (pages 1-40)" in merged.flags


def test_support_ties_go_to_page_order_and_a_supported_value_beats_an_unsupported_one() -> None:
    first, second, third = invoice(total="1.00"), invoice(total="2.00"), invoice(total="3.00")
    tie = [WindowRecord(1, 40, first, {"total": 0.5}), WindowRecord(37, 76, second, {"total": 0.5})]
    assert merge_windows(tie, INVOICE).record["total"] == "1.00"
    agreeing = [WindowRecord(1, 40, first), WindowRecord(37, 76, second, {"total": 0.7}), WindowRecord(73, 112, first)]
    assert merge_windows(agreeing, INVOICE).flags == [
        "window_conflict: total: '2.00' (pages 37-76) vs '1.00' (pages 1-40, 73-112)"]
    one = [WindowRecord(1, 40, first), WindowRecord(37, 76, second, {"total": 0.1}), WindowRecord(73, 112, third)]
    assert merge_windows(one, INVOICE).record["total"] == "2.00"


def test_support_of_nested_fields_is_keyed_by_dotted_path() -> None:
    windows = [WindowRecord(1, 40, invoice(seller=party("Acme GmbH")), {"seller.name": 0.3}),
               WindowRecord(37, 76, invoice(seller=party("Acme AG")), {"seller.name": 0.8})]
    merged = merge_windows(windows, INVOICE)
    assert merged.record["seller"]["name"] == "Acme AG"
    assert merged.flags == ["window_conflict: seller.name: 'Acme AG' (pages 37-76) vs 'Acme GmbH' (pages 1-40)"]


def test_windows_are_taken_in_page_order_whatever_order_they_come_in() -> None:
    windows = windows_of(invoice(total="120.00"), invoice(total="125.00"))
    assert merge_windows(windows[::-1], INVOICE) == merge_windows(windows, INVOICE)


# --- objects ------------------------------------------------------------------------------------

def test_nested_objects_merge_field_by_field() -> None:
    first = invoice(seller=party("Transports Garnier SAS", city="Lyon"), buyer=party())
    second = invoice(seller={"name": "", "tax_id": "FR 61 489327015", "address": None},
                     buyer=party("Atelier Lumière SARL", city="Paris"))
    merged = merge_windows(windows_of(first, second), INVOICE)
    assert merged.record["seller"] == {"name": "Transports Garnier SAS", "tax_id": "FR 61 489327015",
                                       "address": {"street": None, "city": "Lyon", "postal_code": None,
                                                   "country": None}}
    assert merged.record["buyer"] == party("Atelier Lumière SARL", city="Paris")
    assert merged.flags == []
    validate(merged.record, INVOICE)


def test_a_deep_conflict_names_its_full_path() -> None:
    windows = windows_of(invoice(seller=party("A", city="Lyon")), invoice(seller=party("A", city="Paris")))
    merged = merge_windows(windows, INVOICE)
    assert merged.flags == ["window_conflict: seller.address.city: 'Lyon' (pages 1-40) vs 'Paris' (pages 37-76)"]


def test_a_field_absent_everywhere_keeps_the_first_windows_value() -> None:
    merged = merge_windows(windows_of(invoice(invoice_number=""), invoice(invoice_number="  ")), INVOICE)
    assert merged.record["invoice_number"] == ""  # not null: the schema does not allow null there
    validate(merged.record, INVOICE)


def test_a_list_every_window_left_null_is_empty_where_the_schema_wants_a_list() -> None:
    # Windows are asked with every field nullable; the real schema's signatories are a list.
    a, b = contract(), contract()
    a["signatories"] = b["signatories"] = None
    merged = merge_windows(windows_of(a, b), CONTRACT)
    assert merged.record["signatories"] == []
    validate(merged.record, CONTRACT)
    nullable = {"type": "object", "properties": {"notes": {"anyOf": [{"type": "array"}, {"type": "null"}]},
                                                 "tags": {"$ref": "#/$defs/tags"}},
                "$defs": {"tags": {"type": ["array", "null"]}}}
    merged = merge_windows(windows_of({"notes": None, "tags": None}, {"notes": None, "tags": None}), nullable)
    assert merged.record == {"notes": None, "tags": None}  # null is allowed there: left as read


# --- lists --------------------------------------------------------------------------------------

A, B, C, D, E = (item(name, amount) for name, amount in
                 [("Freight", "10.00"), ("Storage", "20.00"), ("Customs", "30.00"), ("Forklift", "40.00"),
                  ("Packing", "50.00")])


def test_overlapping_line_items_lose_the_overlaps_duplicates_and_keep_a_legitimately_repeated_row() -> None:
    # C sits on the overlap pages; A is billed again on a later page.
    merged = merge_windows(windows_of(invoice(line_items=[A, B, C]), invoice(line_items=[C, D, A])), INVOICE)
    assert merged.record["line_items"] == [A, B, C, D, A]
    assert merged.flags == []


def test_identical_rows_within_one_window_are_kept() -> None:
    merged = merge_windows(windows_of(invoice(line_items=[A, A, B]), invoice(line_items=[B, C])), INVOICE)
    assert merged.record["line_items"] == [A, A, B, C]


def test_a_table_across_the_boundary_ends_as_one_list_in_page_order() -> None:
    rows = [item(f"Pallet freight (ref. {n})", f"{n}.00") for n in range(1, 10)]
    # window 1 reads rows 1-5 (rows 4 and 5 on its last pages, which window 2 also has)
    merged = merge_windows(windows_of(invoice(line_items=rows[:5]), invoice(line_items=rows[3:])), INVOICE)
    assert merged.record["line_items"] == rows


def test_only_part_of_the_previous_windows_last_rows_repeated() -> None:
    # the overlap pages hold only the last of window 1's rows: the match is k = 1
    merged = merge_windows(windows_of(invoice(line_items=[A, B, C]), invoice(line_items=[C, D])), INVOICE)
    assert merged.record["line_items"] == [A, B, C, D]


def test_no_overlap_rows_at_all_appends_the_next_list() -> None:
    merged = merge_windows(windows_of(invoice(line_items=[A, B]), invoice(line_items=[C, D])), INVOICE)
    assert merged.record["line_items"] == [A, B, C, D]


def test_windows_that_do_not_overlap_in_pages_drop_nothing() -> None:
    windows = [WindowRecord(1, 40, invoice(line_items=[A, B])), WindowRecord(41, 80, invoice(line_items=[B, C]))]
    assert merge_windows(windows, INVOICE).record["line_items"] == [A, B, B, C]


def test_a_row_split_across_the_boundary_is_one_row_kept_complete() -> None:
    # window 1 read the last row without its quantity and unit price (on the next line, next page)
    partial = {"description": "Warehouse storage", "quantity": None, "unit_price": None, "amount": "4217.50"}
    complete = item("Warehouse storage", "4217.50", quantity="241", unit_price="17.50")
    merged = merge_windows(windows_of(invoice(line_items=[A, partial]), invoice(line_items=[complete, B])), INVOICE)
    assert merged.record["line_items"] == [A, complete, B]
    # and the other way round: the earlier window has the complete reading
    merged = merge_windows(windows_of(invoice(line_items=[A, complete]), invoice(line_items=[partial, B])), INVOICE)
    assert merged.record["line_items"] == [A, complete, B]


def test_rows_that_disagree_on_a_field_are_different_rows() -> None:
    other = item("Freight", "11.00")
    merged = merge_windows(windows_of(invoice(line_items=[A]), invoice(line_items=[other])), INVOICE)
    assert merged.record["line_items"] == [A, other]


def test_an_empty_list_in_a_middle_window_does_not_break_the_chain() -> None:
    windows = windows_of(invoice(line_items=[A, B]), invoice(line_items=[]), invoice(line_items=[C]))
    assert merge_windows(windows, INVOICE).record["line_items"] == [A, B, C]


def test_three_windows() -> None:
    first = invoice(invoice_number="TG-1", seller=party("Garnier"), line_items=[A, B])
    second = invoice(line_items=[B, C, D])
    third = invoice(line_items=[D, E], subtotal="150.00", tax_total="30.00", total="180.00", payment_terms="Net 30")
    merged = merge_windows(windows_of(first, second, third), INVOICE)
    assert merged.windows == 3
    assert merged.record["line_items"] == [A, B, C, D, E]
    assert (merged.record["invoice_number"], merged.record["seller"]["name"]) == ("TG-1", "Garnier")
    assert merged.record["payment_terms"] == "Net 30"
    # subtotal, tax_total and total: "0" where a window had to print something for a required
    # amount, so the windows disagree and the first by page order wins; support will decide this
    assert merged.record["total"] == "0"
    assert "window_conflict: total: '0' (pages 1-40, 37-76) vs '180.00' (pages 73-112)" in merged.flags
    validate(merged.record, INVOICE)


def test_max_items_truncates_with_a_flag() -> None:
    rows = [item(f"Line {n}", f"{n}.00") for n in range(1, 241)]
    merged = merge_windows(windows_of(invoice(line_items=rows[:130]), invoice(line_items=rows[120:])), INVOICE)
    assert merged.record["line_items"] == rows[:200]
    assert merged.flags == ["max_items: line_items: merged 240 items, kept the first 200"]
    validate(merged.record, INVOICE)


def test_unique_items_drops_exact_repeats_with_a_flag() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"},
                                                         "uniqueItems": True}}}
    merged = merge_windows(windows_of({"tags": ["a", "b"]}, {"tags": ["c", "a"]}), schema)
    assert merged.record["tags"] == ["a", "b", "c"]
    assert merged.flags == ["unique_items: tags: dropped 1 repeated items"]


def test_signatories_and_parties_merge_as_lists() -> None:
    ann = {"name": "Ann Lee", "title": None, "party": "Acme", "signed_date": None}
    ann_full = {"name": "Ann Lee", "title": "CEO", "party": "Acme", "signed_date": "2024-04-19"}
    bob = {"name": "Bob Roe", "title": "CFO", "party": "Beta", "signed_date": "2024-04-20"}
    acme, beta = ({"name": n, "role": r, "address": None} for n, r in [("Acme", "Customer"), ("Beta", "Supplier")])
    first = contract(parties=[acme, beta], signatories=[ann])
    second = contract(parties=[acme, beta], signatories=[ann_full, bob])
    merged = merge_windows(windows_of(first, second), CONTRACT)
    assert merged.record["parties"] == [acme, beta]
    assert merged.record["signatories"] == [ann_full, bob]
    validate(merged.record, CONTRACT)


# --- schema walk --------------------------------------------------------------------------------

def test_definitions_refs_all_of_and_unions() -> None:
    schema = {
        "type": "object",
        "definitions": {"who": {"type": "object", "properties": {"name": {"type": ["string", "null"]},
                                                                 "city": {"type": ["string", "null"]}}}},
        "properties": {
            "owner": {"oneOf": [{"type": "null"}, {"$ref": "#/definitions/who"}]},
            "agent": {"allOf": [{"$ref": "#/definitions/who"}]},
            "either": {"anyOf": [{"type": "string"}, {"type": "object"}]},  # two shapes: one whole value
        },
    }
    first = {"owner": {"name": "Ann", "city": None}, "agent": {"name": None, "city": "Oslo"},
             "either": {"a": 1}}
    second = {"owner": None, "agent": {"name": "Bob", "city": None}, "either": "text"}
    merged = merge_windows(windows_of(first, second), schema)
    assert merged.record == {"owner": {"name": "Ann", "city": None}, "agent": {"name": "Bob", "city": "Oslo"},
                             "either": {"a": 1}}
    assert merged.flags == ["window_conflict: either: {\"a\": 1} (pages 1-40) vs 'text' (pages 37-76)"]


def test_an_enum_of_objects_is_one_whole_value() -> None:
    schema = {"type": "object", "properties": {"plan": {"enum": [{"tier": "gold", "seats": 5}, {"tier": "basic"}]}}}
    merged = merge_windows(windows_of({"plan": {"tier": "gold", "seats": 5}}, {"plan": {"tier": "basic"}}), schema)
    assert merged.record == {"plan": {"tier": "gold", "seats": 5}}
    assert len(merged.flags) == 1 and merged.flags[0].startswith("window_conflict: plan: ")


def test_resolve_follows_refs_and_nullable_unions() -> None:
    due = _resolve(INVOICE["properties"]["due_date"], INVOICE)
    assert due["type"] == "string" and due["format"] == "date"
    address = _resolve(_resolve(INVOICE["properties"]["seller"], INVOICE)["properties"]["address"], INVOICE)
    assert address["type"] == "object" and "city" in address["properties"]


def test_keys_the_schema_does_not_name_are_merged_by_their_values() -> None:
    merged = merge_windows(windows_of({"extra": {"a": None, "b": [1]}}, {"extra": {"a": "x", "b": [1, 2]}}),
                           {"type": "object"})
    assert merged.record == {"extra": {"a": "x", "b": [1, 2]}}


def test_the_inputs_are_not_modified() -> None:
    partial = {"description": "Warehouse storage", "quantity": None, "unit_price": None, "amount": "4217.50"}
    complete = item("Warehouse storage", "4217.50", quantity="241", unit_price="17.50")
    records = [invoice(line_items=[A, partial]), invoice(line_items=[complete, B], total="5")]
    before = copy.deepcopy(records)
    merged = merge_windows(windows_of(*records), INVOICE)
    merged.record["line_items"][0]["amount"] = "999"
    assert records == before


# --- property: split a list into overlapping windows, merge, get it back -----------------------

ITEMS = st.builds(item, st.sampled_from(["Freight", "Storage", "Customs", "Forklift", "Packing", "Insurance"]),
                  st.sampled_from(["10.00", "20.00", "30.50"]))


@st.composite
def split_lists(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """A list and overlapping chunks of it covering it in order: (start, end) per window."""
    rows = draw(st.lists(ITEMS, min_size=1, max_size=14))
    count = draw(st.integers(1, min(4, len(rows))))
    cuts = draw(st.sets(st.integers(1, len(rows) - 1), min_size=count - 1, max_size=count - 1)) if count > 1 else set()
    ends = sorted(cuts | {len(rows)})
    chunks, previous_end = [], 0
    for end in ends:
        start = draw(st.integers(0, previous_end))  # overlaps the rows so far by previous_end - start
        chunks.append((start, end))
        previous_end = end
    return rows, chunks


def _unambiguous(rows: list[Any], chunks: list[tuple[int, int]]) -> bool:
    """Whether every seam's true overlap is the longest prefix/suffix match, as the policy assumes."""
    for (_, previous_end), (start, end) in zip(chunks, chunks[1:]):
        true = previous_end - start
        for k in range(true + 1, min(previous_end, end - start) + 1):
            if rows[previous_end - k:previous_end] == rows[start:start + k]:
                return False
    return True


@settings(max_examples=300, deadline=None)
@given(split_lists())
def test_property_overlapping_windows_of_a_list_merge_back_to_the_list(case: tuple[list[Any], list[Any]]) -> None:
    rows, chunks = case
    assume(_unambiguous(rows, chunks))
    merged = merge_windows(windows_of(*(invoice(line_items=rows[s:e]) for s, e in chunks)), INVOICE)
    assert merged.record["line_items"] == rows
    assert merged.windows == len(chunks)


# --- the sample documents' truth, split into windows --------------------------------------------

def contract(**fields: Any) -> dict[str, Any]:
    """A valid contract record: defaults for what a window does not show, then `fields`."""
    two = [{"name": "Acme", "role": "Customer", "address": None}, {"name": "Beta", "role": "Supplier", "address": None}]
    record = {"title": "", "contract_type": "other", "parties": two, "effective_date": None, "expiry_date": None,
              "term_months": None, "auto_renewal": None, "renewal_notice_days": None, "governing_law": None,
              "payment_terms": None, "contract_value": None, "currency": None, "signatories": []}
    record.update(fields)
    validate(record, CONTRACT)
    return record


class Splitter:
    """Splits a truth record into `count` window records as a model would read a long document:
    each scalar on the pages of one window (round robin through the fields: the first ones in
    window 1), every third one printed again in the next window (in capitals where the schema
    lets it, to exercise normalisation), lists cut into consecutive chunks that overlap by one
    item. Where a window does not see a value it says null, else "" when the schema allows it,
    else the value itself (a header printed on every page), so each window stays valid."""

    def __init__(self, schema: dict[str, Any], count: int) -> None:
        self.schema, self.count, self.turn = schema, count, 0

    def split(self, value: Any, node: dict[str, Any]) -> list[Any]:
        resolved = _resolve(node, self.schema)
        if isinstance(value, dict):
            properties = resolved.get("properties") or {}
            parts = {key: self.split(sub, properties.get(key, {})) for key, sub in value.items()}
            return [{key: parts[key][i] for key in value} for i in range(self.count)]
        if isinstance(value, list):
            return self.chunks(value, resolved.get("minItems", 0))
        return self.scalar(value, node)  # unresolved: its null branch says whether null is valid

    def chunks(self, rows: list[Any], least: int) -> list[list[Any]]:
        size = -(-len(rows) // self.count)
        out = []
        for i in range(self.count):
            start, end = max(0, i * size - 1), min(len(rows), (i + 1) * size)
            start = max(0, min(start, end - least))  # windows need minItems: read further back
            end = max(end, min(len(rows), start + least))
            out.append(rows[start:end])
        return out

    def scalar(self, value: Any, node: dict[str, Any]) -> list[Any]:
        home, self.turn = self.turn % self.count, self.turn + 1
        unseen = next((v for v in (None, "") if self.valid(v, node)), value)
        out = [unseen] * self.count
        out[home] = value
        if self.turn % 3 == 0 and home + 1 < self.count:
            shouted = value.upper() if isinstance(value, str) else value
            same = shouted == value or shouted.casefold() == value.casefold()
            out[home + 1] = shouted if same and self.valid(shouted, node) else value
        return out

    def valid(self, value: Any, node: dict[str, Any]) -> bool:
        sub = {**node, "$defs": self.schema.get("$defs", {})}
        cls = jsonschema.validators.validator_for(self.schema)
        return cls(sub, format_checker=cls.FORMAT_CHECKER).is_valid(value)


@pytest.mark.parametrize("count", [2, 3, 4])
@pytest.mark.parametrize("path", TRUTHS, ids=[p.stem for p in TRUTHS])
def test_truth_records_split_into_windows_merge_back_to_the_truth(path: Path, count: int) -> None:
    truth = json.loads(path.read_text())
    schema = SCHEMAS[truth["schema"]]
    records = Splitter(schema, count).split(truth["record"], schema)
    for record in records:
        validate(record, schema)
    merged = merge_windows(windows_of(*records), schema)
    for name, value in truth["record"].items():
        assert merged.record[name] == value, name
    assert merged.record == truth["record"]
    assert merged.flags == []
    assert merged.windows == count
    validate(merged.record, schema)


@pytest.mark.parametrize("schema_name", ["invoice", "contract"])
def test_merging_valid_records_that_disagree_gives_a_valid_record(schema_name: str) -> None:
    """Windows as unrelated as can be: the truth records of different documents, pairwise."""
    schema = SCHEMAS[schema_name]
    truths = [json.loads(p.read_text()) for p in TRUTHS]
    records = [truth["record"] for truth in truths if truth["schema"] == schema_name]
    assert len(records) >= 2
    for first, second in zip(records, records[1:] + records[:1]):
        merged = merge_windows(windows_of(first, second, first), schema)
        validate(merged.record, schema)
        assert merged.flags and all(f.startswith(("window_conflict: ", "max_items: ")) for f in merged.flags)
