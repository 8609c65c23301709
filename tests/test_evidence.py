"""The evidence finder: every leaf of a record found among a document's words (page, quote, box) or a
reason why not. Typed renderings in every language the generator writes, on real born-digital PDFs
of every layout; the occurrence nearest its siblings; OCR-like errors; the share of truth leaves
found on generated documents (and, where the generator records true boxes, found in them)."""

from __future__ import annotations

import functools
import json
import random
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest

from pipeline.confidence import leaf_values
from pipeline.evidence import Evidence, date_forms, find_evidence, page_words
from pipeline.samples.contract_text import Words
from pipeline.samples.contracts import CONTRACT_LAYOUTS
from pipeline.samples.files import Sample, contract_sample, invoice_sample
from pipeline.samples.invoice_parts import Sheet
from pipeline.samples.invoices import INVOICE_LAYOUTS
from pipeline.samples.locales import COUNTRY_NAMES, format_number, iban_groups
from pipeline.samples.reference import LANGUAGES
from pipeline.words import Box, Word

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = {name: json.loads((ROOT / "schemas" / f"{name}.json").read_text()) for name in ("invoice", "contract")}
UNPRINTED = ("null value", "not a printed value")


@functools.cache
def sample(kind: str, layout: str, language: str, seed: int = 0, **options: int) -> Sample:
    make = invoice_sample if kind == "invoice" else contract_sample
    return make(random.Random(seed), layout, language, **options)


def words_of(pdf: bytes) -> list[list[Word]]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [page_words(page) for page in doc]


def leaves(record: dict) -> list[tuple[str, object]]:
    """(path, value) of every leaf of a record, as find_evidence names them (an empty list has none)."""
    return [(path, value) for path, value in leaf_values(record).items() if value != [] and value != {}]


def line(texts: str, y: float, x: float = 0.1, gap: float = 0.01, char: float = 0.008,
         height: float = 0.012) -> list[Word]:
    """Words of one printed line from x: boxes as wide as their characters, `gap` apart."""
    words = []
    for text in texts.split():
        words.append(Word(text, (x, y, x + char * len(text), y + height)))
        x += char * len(text) + gap
    return words


def cell(text: str, x: float, y: float) -> list[Word]:
    return line(text, y, x)


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


# --- real documents: every layout and language ------------------------------------------------

def invoice_printed(sheet: Sheet, path: str, value: object) -> str:
    """How the generator prints an invoice leaf (the quote find_evidence must return)."""
    field = path.rsplit(".", 1)[-1].split("[")[0]
    if field in ("issue_date", "due_date"):
        return sheet.date(str(value))
    if field in ("unit_price", "amount", "subtotal", "tax_total", "total"):
        return sheet.amount(str(value))
    if field == "quantity":
        return format_number(Decimal(str(value)), sheet.seller.country)
    if field == "country":
        return COUNTRY_NAMES[sheet.language][str(value)]
    if field == "iban":
        return iban_groups(str(value))
    return str(value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", sorted(INVOICE_LAYOUTS))
def test_every_leaf_of_a_born_digital_invoice_is_found_as_printed(layout: str, language: str) -> None:
    s = sample("invoice", layout, language)
    pages = words_of(s.data)
    found = find_evidence(s.record, SCHEMAS["invoice"], pages)
    assert list(found) == [path for path, _ in leaves(s.record)]
    sheet = Sheet(s.record, language)
    for path, value in leaves(s.record):
        evidence = found[path]
        if value is None:
            assert evidence == Evidence(None, None, None, "none", 0.0, "null value", sought=False)
            continue
        assert evidence.match == "exact" and evidence.score == 1.0, (path, evidence)
        assert evidence.quote == invoice_printed(sheet, path, value), (path, evidence)
        assert 1 <= evidence.page <= len(pages)
        x0, y0, x1, y1 = evidence.box
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    items = [found[f"line_items[{i}].amount"] for i in range(len(s.record["line_items"]))]
    assert [(e.page, e.box[1]) for e in items] == sorted((e.page, e.box[1]) for e in items)  # in table order


def contract_printed(words: Words, path: str, value: object) -> str:
    field = path.rsplit(".", 1)[-1]
    if field in ("effective_date", "expiry_date", "signed_date"):
        return words.date(str(value))
    if field == "contract_value":
        return words.money().replace(words.record["currency"], "").strip()
    return str(value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", sorted(CONTRACT_LAYOUTS))
def test_every_leaf_of_a_born_digital_contract_is_found_as_printed(layout: str, language: str) -> None:
    s = sample("contract", layout, language, 1, min_pages=12)
    pages = words_of(s.data)
    found = find_evidence(s.record, SCHEMAS["contract"], pages)
    assert list(found) == [path for path, _ in leaves(s.record)]
    words = Words(s.record, language)
    for path, value in leaves(s.record):
        evidence = found[path]
        if value is None or path in ("contract_type", "auto_renewal"):
            assert evidence.match == "none" and evidence.reason in UNPRINTED, (path, evidence)
            continue
        assert evidence.match == "exact", (path, evidence)
        if path == "governing_law":  # named as the document's language names it: "droit allemand"
            assert evidence.quote in words.law, (evidence.quote, words.law)
        else:
            # an address printed as lines drops its commas ("Rue du Rhône 42" / "1204 Genève" / "Suisse")
            printed = contract_printed(words, path, value)
            assert evidence.quote.replace(",", "") == printed.replace(",", ""), (path, evidence)
    assert len(pages) >= 12
    for i in range(len(s.record["parties"])):
        assert found[f"parties[{i}].name"].page == 1  # introduced on page 1
    assert found["governing_law"].page == len(pages)  # with the signatures on the last page
    assert {e.page for path, e in found.items() if path.startswith("signatories") and e.page} == {len(pages)}


def test_a_200_page_contract_is_matched_on_its_first_and_last_pages() -> None:
    # How long it takes is a figure, not a behaviour: bench/grounding.py prints evidence ms per document.
    s = sample("contract", "classic", "en", 14, contract_type="master_services", min_pages=200)
    pages = words_of(s.data)
    assert len(pages) == 200 and sum(map(len, pages)) > 60_000
    found = find_evidence(s.record, SCHEMAS["contract"], pages)
    assert all(e.match == "exact" or e.reason in UNPRINTED for e in found.values())
    assert found["parties[0].name"].page == 1 and found["signatories[0].name"].page == 200


def test_a_multipage_invoice_finds_each_line_on_its_page() -> None:
    s = sample("invoice", "letterhead", "de", 3, n_lines=100)
    pages = words_of(s.data)
    found = find_evidence(s.record, SCHEMAS["invoice"], pages)
    assert len(pages) >= 3
    item_pages = [found[f"line_items[{i}].description"].page for i in range(100)]
    assert item_pages == sorted(item_pages) and item_pages[0] == 1 and item_pages[-1] >= 3
    for i in range(100):  # every field of a line on its description's page and line
        description = found[f"line_items[{i}].description"]
        for key in ("quantity", "unit_price", "amount"):
            evidence = found[f"line_items[{i}].{key}"]
            if evidence.match != "none":
                assert evidence.page == description.page and abs(evidence.box[1] - description.box[1]) < 0.01
    assert found["total"].page == len(pages)


def test_share_of_truth_leaves_found_on_born_digital_documents() -> None:
    """Every layout and language, two documents each: the share of printed leaves found (and, where the
    generator records where it printed them, found there: right page, IoU >= 0.5)."""
    found_counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for kind, layouts in (("invoice", INVOICE_LAYOUTS), ("contract", CONTRACT_LAYOUTS)):
        for layout in sorted(layouts):
            for language in LANGUAGES:
                for seed in (0, 1):
                    s = sample(kind, layout, language, seed)
                    found = find_evidence(s.record, SCHEMAS[kind], words_of(s.data))
                    truth = getattr(s, "evidence", None) or {}
                    counts = found_counts[(kind, layout, language)]
                    for path, evidence in found.items():
                        if evidence.reason in UNPRINTED:
                            continue
                        counts[0] += evidence.match != "none"
                        counts[1] += 1
                        place = truth.get(path, {})
                        if "box" in place:
                            counts[3] += 1
                            counts[2] += (evidence.page == place["page"] and evidence.box is not None
                                          and iou(evidence.box, tuple(place["box"])) >= 0.5)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (kind, layout, language), counts in sorted(found_counts.items()):
        boxes = f", in the true box {counts[2]}/{counts[3]}" if counts[3] else ""
        print(f"{kind:8} {layout:13} {language}: found {counts[0]}/{counts[1]}{boxes}")
        totals[kind] = [a + b for a, b in zip(totals[kind], counts)]
    for kind, (hit, total, placed, boxed) in totals.items():
        print(f"{kind}: found {hit / total:.4f}" + (f", in the true box {placed / boxed:.4f}" if boxed else ""))
        assert hit / total >= 0.98
        if boxed:
            assert placed / boxed >= 0.98


# --- how values are printed --------------------------------------------------------------------

def test_date_forms_cover_the_languages_and_conventions() -> None:
    forms = set(date_forms(date(2024, 12, 8)))
    for printed in ("2024-12-08", "08.12.2024", "8.12.2024", "12/08/2024", "08/12/2024", "08-12-2024",
                    "8 December 2024", "December 8, 2024", "8th December 2024", "8. Dezember 2024",
                    "8 décembre 2024", "8 déc. 2024", "8 de diciembre de 2024", "8 dic. 2024", "Dec 8, 2024"):
        assert printed in forms, printed
    assert "1er mars 2025" in date_forms(date(2025, 3, 1))


@pytest.mark.parametrize(("printed", "quote"), [
    ("Rechnungsdatum: 8. Dezember 2024", "8. Dezember 2024"),
    ("Fecha: 8 de diciembre de 2024.", "8 de diciembre de 2024"),
    ("Date de facture : 8 déc. 2024", "8 déc. 2024"),
    ("Invoice date December 8, 2024", "December 8, 2024"),
    ("Datum 08.12.2024", "08.12.2024"),
    ("Issued (2024-12-08)", "2024-12-08"),
])
def test_dates_are_found_as_printed(printed: str, quote: str) -> None:
    schema = {"type": "object", "properties": {"issued": {"type": "string", "format": "date"}}}
    found = find_evidence({"issued": "2024-12-08"}, schema, [line(printed, 0.2)])
    assert found["issued"].quote == quote and found["issued"].match == "exact"


@pytest.mark.parametrize(("printed", "quote"), [
    ("Total EUR 4,870.05", "4,870.05"), ("Gesamtbetrag 4.870,05 €", "4.870,05"),
    ("Net à payer 4 870,05 EUR", "4 870,05"), ("Importe 4870,05", "4870,05"), ("Total CHF 4'870.05", "4'870.05"),
    ("(4,870.05)", "4,870.05"),
])
def test_amounts_are_found_in_every_number_convention(printed: str, quote: str) -> None:
    amount = {"type": "string", "pattern": r"^-?[0-9]{1,13}(\.[0-9]{1,4})?$"}
    schema = {"type": "object", "properties": {"total": amount}}
    found = find_evidence({"total": "4870.05"}, schema, [line(printed, 0.5)])
    assert found["total"].quote == quote


def test_a_number_is_quoted_without_its_brackets_and_near_its_unit() -> None:
    page = line("The auditor may inspect on twelve (12) days notice.", 0.2) + \
        line("The Agreement runs for twenty-four (24) months, ending on 31 March 2027.", 0.3) + \
        line("Either Party may end it on twelve (12) months notice before the end of the term.", 0.4)
    schema = {"type": "object", "properties": {"expiry_date": {"type": "string", "format": "date"},
                                               "term_months": {"type": "integer"},
                                               "notice_months": {"type": ["integer", "null"]}}}
    found = find_evidence({"expiry_date": "2027-03-31", "term_months": 24, "notice_months": 12}, schema, [page])
    term = found["term_months"]
    assert term.quote == "24"
    word = next(w for w in page if w.text == "(24)")
    assert word.box[0] < term.box[0] and term.box[2] < word.box[2]  # the brackets' share of the box is left out
    assert found["notice_months"].box[1] == 0.4  # "(12) months", not "(12) days"


def test_codes_are_found_as_codes_names_or_symbols() -> None:
    address = SCHEMAS["invoice"]["$defs"]["party"]["properties"]["address"]
    schema = {"type": "object", "properties": {"address": address}}
    record = {"address": {"street": "Friedrichstraße 68", "city": "Berlin", "postal_code": "10117", "country": "DE"}}
    for country in ("Germany", "Deutschland", "Allemagne", "Alemania"):
        page = line(f"Friedrichstraße 68, 10117 Berlin, {country}", 0.1)
        assert find_evidence(record, schema, [page])["address.country"].quote == country
    spanish = line("Fecha DE factura", 0.1) + line("Calle Mayor 1, 10117 Berlin, DE", 0.3)
    assert find_evidence(record, schema, [spanish])["address.country"].box[1] == 0.3  # the address's code
    currency = {"type": "object", "properties": {"currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
    assert find_evidence({"currency": "EUR"}, currency, [line("Total 4.870,05 €", 0.1)])["currency"].quote == "€"
    assert find_evidence({"currency": "EUR"}, currency, [line("Currency EUR", 0.1)])["currency"].quote == "EUR"
    missing = find_evidence({"currency": "USD"}, currency, [line("Currency EUR", 0.1)])["currency"]
    assert missing.match == "none" and missing.reason == "code not printed as such, nor its symbol"


def test_identifiers_are_compared_without_spaces_and_punctuation() -> None:
    schema = SCHEMAS["invoice"]
    record = {"invoice_number": "RE-2024-00123", "iban": "DE33600501010004027581", "purchase_order": "PO 2024/118",
              "seller": {"name": "Nordlicht Software GmbH", "tax_id": "GB284551907", "address": None}}
    page = (line("Please pay invoice RE-2024-00123.", 0.1) + line("IBAN: DE33 6005 0101 0004 0275 81", 0.2)
            + line("Your order: PO 2024/118", 0.3) + line("Nordlicht Software GmbH VAT GB 284 5519 07", 0.4))
    found = find_evidence(record, schema, [page])
    assert found["invoice_number"].quote == "RE-2024-00123"
    assert found["iban"].quote == "DE33 6005 0101 0004 0275 81"
    assert found["purchase_order"].quote == "PO 2024/118"
    assert found["seller.tax_id"].quote == "GB 284 5519 07"
    assert found["seller.address"].reason == "null value"


def test_a_governing_law_is_found_where_the_law_is_named() -> None:
    schema = SCHEMAS["contract"]["properties"]
    page = (line("Nordlicht Software GmbH, Friedrichstraße 68, 10117 Berlin, Deutschland", 0.1)
            + line("Dieser Vertrag unterliegt dem Recht der Bundesrepublik Deutschland.", 0.8))
    found = find_evidence({"governing_law": "Germany"}, {"type": "object", "properties": schema}, [page])
    assert found["governing_law"].quote == "Bundesrepublik Deutschland" and found["governing_law"].box[1] == 0.8
    french = line("Le présent contrat est régi par le droit allemand.", 0.5)
    assert find_evidence({"governing_law": "Germany"}, {"type": "object", "properties": schema},
                         [french])["governing_law"].quote == "droit allemand"


# --- one occurrence of a value printed several times -------------------------------------------

def test_a_repeated_value_yields_the_occurrence_nearest_its_siblings() -> None:
    rows = [("1", "Widget A", "2", "10.00", "20.00", 0.30),
            ("2", "Widget B", "1", "20.00", "20.00", 0.33),
            ("3", "Widget C", "2", "5.00", "10.00", 0.36)]
    page = line("Invoice 2024-7", 0.05) + line("Nordlicht Software GmbH", 0.10) + line("Friedrichstraße 68", 0.12)
    page += line("10117 Berlin", 0.14) + line("Bill to: Bergmann AG, Marktplatz 3, 10117 Berlin", 0.2)
    for pos, description, quantity, price, amount, y in rows:
        page += cell(pos, 0.05, y) + cell(description, 0.1, y) + cell(quantity, 0.6, y) + cell(price, 0.7, y)
        page += cell(amount, 0.85, y)
    page += line("Nordlicht Software GmbH | Friedrichstraße 68 | 10117 Berlin | Page 1 of 1", 0.95)
    record = {
        "invoice_number": "2024-7",
        "seller": {"name": "Nordlicht Software GmbH", "tax_id": None,
                   "address": {"street": "Friedrichstraße 68", "city": "Berlin", "postal_code": "10117",
                               "country": None}},
        "line_items": [{"description": d, "quantity": q, "unit_price": p, "amount": a} for _, d, q, p, a, _ in rows],
    }
    found = find_evidence(record, SCHEMAS["invoice"], [page])
    for i, (_, _, _, _, _, y) in enumerate(rows):  # each line's fields on its own row, in their columns
        assert [found[f"line_items[{i}].{key}"].box[1] for key in ("quantity", "unit_price", "amount")] == [y] * 3
        assert found[f"line_items[{i}].quantity"].box[0] == 0.6  # the quantity, not the position number
    assert found["line_items[1].unit_price"].box[0] == 0.7 and found["line_items[1].amount"].box[0] == 0.85
    assert found["seller.name"].box[1] == 0.10  # its first occurrence: the letterhead, not the footer
    assert {found[f"seller.address.{key}"].box[1] for key in ("street", "city", "postal_code")} == {0.12, 0.14}


def test_identical_lines_take_their_rows_in_order() -> None:
    rows = [0.3, 0.4, 0.5]
    page = [w for y in rows for w in cell("Cloud hosting (May 2024)", 0.1, y) + cell("1,200.00", 0.8, y)]
    item = {"description": "Cloud hosting (May 2024)", "quantity": None, "unit_price": None, "amount": "1200.00"}
    found = find_evidence({"line_items": [item, item, item]}, SCHEMAS["invoice"], [page])
    assert [found[f"line_items[{i}].description"].box[1] for i in range(3)] == rows
    assert [found[f"line_items[{i}].amount"].box[1] for i in range(3)] == rows


def test_a_zero_tax_total_is_not_the_subtotal_row() -> None:
    page = line("Subtotal 1,000.00", 0.5) + line("VAT 0% 0.00", 0.52) + line("Total 1,000.00", 0.54)
    found = find_evidence({"subtotal": "1000.00", "tax_total": "0.00", "total": "1000.00"}, SCHEMAS["invoice"], [page])
    assert [found[key].box[1] for key in ("subtotal", "tax_total", "total")] == [0.5, 0.52, 0.54]
    assert found["tax_total"].quote == "0.00"


# --- OCR-like words ------------------------------------------------------------------------------

def test_ocr_errors_are_matched_fuzzily_by_the_stated_rule() -> None:
    record = {"invoice_number": "RE-2024-00123", "issue_date": "2024-12-08", "total": "4870.05",
              "iban": "DE33600501010004027581", "payment_terms": "Zahlbar innerhalb von 14 Tagen",
              "seller": {"name": "Nordlicht Software GmbH", "tax_id": None,
                         "address": {"street": "Friedrichstraße 68", "city": "Stuttgart", "postal_code": "70565",
                                     "country": "DE"}}}
    page = (line("Nordllcht Softvvare GmbH", 0.05) + line("Friedrichstrasse 68", 0.07)
            + line("7O565 Stuttqart", 0.09) + line("Deutschiand", 0.11)
            + line("Rechnung RE-2O24-0O123", 0.2) + line("Datum O8.12.2O24", 0.22)
            + line("Gesamtbetrag 4.87O,O5", 0.5) + line("IBAN DE33 6OO5 0101 0004 0275 8l", 0.6)
            + line("ZahlbarInnerhalb von 14 Taqen", 0.7))
    found = find_evidence(record, SCHEMAS["invoice"], [page])
    expected = {"seller.name": "Nordllcht Softvvare GmbH", "seller.address.street": "Friedrichstrasse 68",
                "seller.address.city": "Stuttqart", "seller.address.postal_code": "7O565",
                "seller.address.country": "Deutschiand", "invoice_number": "RE-2O24-0O123",
                "issue_date": "O8.12.2O24", "total": "4.87O,O5", "iban": "DE33 6OO5 0101 0004 0275 8l",
                "payment_terms": "ZahlbarInnerhalb von 14 Taqen"}
    for path, quote in expected.items():
        evidence = found[path]
        assert evidence.quote == quote, (path, evidence)
        if path != "seller.address.street":  # ß read as ss is the same word once case folded
            assert evidence.match == "fuzzy" and 0.5 < evidence.score < 1, (path, evidence)
    assert found["seller.address.street"].match == "exact"


def test_fuzzy_matching_refuses_what_is_not_the_value() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "signed": {"type": "string",
                                                                                       "format": "date"}}}
    page = line("Nordlicht Hardware GmbH", 0.1) + line("Date: 28 Apri1 2024", 0.2)
    found = find_evidence({"name": "Nordlicht Software GmbH", "signed": "2024-04-29"}, schema, [page])
    assert found["name"].match == "none"
    assert found["name"].reason == "not printed on any page (best fuzzy match 0.81 < 0.85)"
    assert found["signed"].match == "none"  # a misread month is forgiven, a different day never
    assert find_evidence({"name": "x", "signed": "2024-04-28"}, schema, [page])["signed"].quote == "28 Apri1 2024"


# --- leaves without evidence, and the schema walk ------------------------------------------------

def test_leaves_without_evidence_say_why() -> None:
    record = {"title": "Master Services Agreement", "contract_type": "master_services", "auto_renewal": True,
              "renewal_notice_days": None, "payment_terms": "Net 45 from invoice"}
    page = line("Master Services Agreement", 0.1)
    found = find_evidence(record, SCHEMAS["contract"], [page])
    assert found["title"].match == "exact"
    assert found["contract_type"].reason == found["auto_renewal"].reason == "not a printed value"
    assert found["renewal_notice_days"].reason == "null value"
    assert not any(found[p].sought for p in ("contract_type", "auto_renewal", "renewal_notice_days"))
    assert found["payment_terms"] == Evidence(None, None, None, "none", 0.0, "not printed on any page", sought=True)
    blank = find_evidence(record, SCHEMAS["contract"], [[], []])
    assert blank["title"].reason == "no words on any page (no text layer and no OCR)"
    assert blank["renewal_notice_days"].reason == "null value"
    assert not any(e.sought for e in blank.values())


def test_the_schema_walk_resolves_refs_unions_and_type_lists() -> None:
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "string", "x-arrow-type": "decimal128(17, 4)"},
                  "when": {"type": "string", "format": "date"}},
        "properties": {
            "paid": {"anyOf": [{"$ref": "#/$defs/when"}, {"type": "null"}]},
            "fees": {"type": "array", "items": {"type": "object", "properties": {
                "amount": {"$ref": "#/$defs/money"}, "tags": {"type": "array", "items": {"type": "string"}}}}},
            "count": {"type": ["integer", "null"]},
            "extra": {"type": "object", "additionalProperties": {"$ref": "#/$defs/money"}},
            "empty": {"type": "array", "items": {"type": "string"}},
        },
    }
    record = {"paid": "2025-03-01", "fees": [{"amount": "1250.5", "tags": ["setup", "Tier A"]}], "count": 3,
              "extra": {"travel": "80"}, "empty": []}
    page = line("Paid 1 March 2025: setup fee 1.250,50 (Tier A), travel 80,00, 3 visits", 0.2)
    found = find_evidence(record, schema, [page])
    assert list(found) == ["paid", "fees[0].amount", "fees[0].tags[0]", "fees[0].tags[1]", "count", "extra.travel"]
    assert [found[p].quote for p in found] == ["1 March 2025", "1.250,50", "setup", "Tier A", "3", "80,00"]


# --- the text layer's words ----------------------------------------------------------------------

def ink_box(page: pymupdf.Page) -> Box:
    """Where the page as rendered has dark pixels, in 0-1 fractions."""
    pix = page.get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)
    dark = [(i % pix.width, i // pix.width) for i, v in enumerate(pix.samples) if v < 128]
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return min(xs) / pix.width, min(ys) / pix.height, (max(xs) + 1) / pix.width, (max(ys) + 1) / pix.height


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_page_words_are_boxed_on_the_page_as_displayed(rotation: int) -> None:
    with pymupdf.open() as doc:
        page = doc.new_page(width=400, height=600)
        page.insert_text((50, 100), "Hello", fontsize=30)
        page.set_rotation(rotation)
        (word,) = page_words(page)
        assert word.text == "Hello" and iou(word.box, ink_box(page)) > 0.5


def test_page_words_of_a_cropped_page_are_fractions_of_what_it_shows() -> None:
    with pymupdf.open() as doc:
        page = doc.new_page(width=400, height=600)
        page.insert_text((50, 300), "Cropped", fontsize=30)
        page.set_cropbox(pymupdf.Rect(20, 100, 400, 600))
        (word,) = page_words(page)
        assert iou(word.box, ink_box(page)) > 0.5
    receipt = sample("invoice", "receipt", "fr", 2, n_lines=30)  # its last page is cut where the print ends
    for words in words_of(receipt.data):
        assert all(0 <= w.box[0] < w.box[2] <= 1 and 0 <= w.box[1] < w.box[3] <= 1 for w in words)


def test_a_value_wrapped_in_a_column_is_followed_across_the_other_columns_words() -> None:
    """OCR reads each line across both columns: the left column's wrapped value has the right column's words
    between its lines."""
    page = (line("Payment terms: payable within", 0.50) + line("Total EUR 4,870.05", 0.50, x=0.6)
            + line("thirty days of receipt.", 0.52) + line("Thank you for your business.", 0.52, x=0.6))
    schema = {"type": "object", "properties": {"payment_terms": {"type": "string"}}}
    found = find_evidence({"payment_terms": "payable within thirty days of receipt"}, schema, [page])["payment_terms"]
    assert found.match == "exact" and found.quote == "payable within thirty days of receipt"
    assert found.box[2] < 0.5  # the left column only


def test_values_inside_words_ocr_merged_are_found_as_parts_of_them() -> None:
    page = [Word("MadridSpain", (0.35, 0.1, 0.46, 0.11)), Word("NIFESB98765432", (0.1, 0.2, 0.24, 0.21)),
            Word("Madridejos", (0.1, 0.3, 0.2, 0.31))]
    record = {"buyer": {"name": "Iberia Solar S.L.", "tax_id": "ESB98765432",
                        "address": {"street": None, "city": "Madrid", "postal_code": None, "country": "ES"}}}
    found = find_evidence(record, SCHEMAS["invoice"], [page])
    assert (found["buyer.address.city"].quote, found["buyer.address.country"].quote) == ("Madrid", "Spain")
    assert found["buyer.address.city"].box == pytest.approx((0.35, 0.1, 0.41, 0.11))
    assert found["buyer.tax_id"].quote == "ESB98765432" and found["buyer.tax_id"].match == "fuzzy"
    only_a_longer_word = find_evidence(record, SCHEMAS["invoice"], [page[2:]])
    assert only_a_longer_word["buyer.address.city"].match == "none"  # "Madridejos" is another town


def test_a_shared_value_misread_once_goes_to_the_leaf_beside_it() -> None:
    """The seller's and the buyer's country are both Spain; OCR misread the seller's: each still gets its own."""
    page = (line("Calle Mayor 1", 0.10) + line("28001 Valencia", 0.12) + line("Spaim", 0.14)
            + line("Calle de Alcalá 145", 0.30) + line("28009 Madrid", 0.32) + line("Spain", 0.34))
    address = {"type": "object", "properties": {key: {"type": "string"} for key in ("street", "city", "postal_code")}
               | {"country": {"type": "string", "pattern": "^[A-Z]{2}$"}}}
    schema = {"type": "object", "properties": {"seller": address, "buyer": address}}
    record = {"seller": {"street": "Calle Mayor 1", "city": "Valencia", "postal_code": "28001", "country": "ES"},
              "buyer": {"street": "Calle de Alcalá 145", "city": "Madrid", "postal_code": "28009", "country": "ES"}}
    found = find_evidence(record, schema, [page])
    assert (found["seller.country"].quote, found["seller.country"].match) == ("Spaim", "fuzzy")
    assert (found["buyer.country"].quote, found["buyer.country"].match) == ("Spain", "exact")


def test_a_quantity_is_not_the_unit_price_that_reads_the_same_with_decimals() -> None:
    """43 pieces at 43.00: the quantity is the "43", not the "43.00" two columns on."""
    page = cell("Solar panel 430 W", 0.1, 0.3) + cell("43", 0.6, 0.3) + cell("pcs", 0.65, 0.3)
    page += cell("43.00", 0.75, 0.3) + cell("1,849.00", 0.85, 0.3)
    item = {"description": "Solar panel 430 W", "quantity": "43", "unit_price": "43.00", "amount": "1849.00"}
    found = find_evidence({"line_items": [item]}, SCHEMAS["invoice"], [page])
    assert [found[f"line_items[0].{key}"].box[0] for key in ("quantity", "unit_price", "amount")] == [0.6, 0.75, 0.85]
