"""The synthetic documents: truth is valid and consistent, every layout and language renders what the
truth says, scans and photos degrade as intended, files open (or fail) as intended, output is reproducible."""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import random
import re
import struct
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pymupdf
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from PIL import Image, ImageChops, ImageOps, ImageStat

from pipeline import samples
from pipeline.render import RenderedDocument, RenderFailure, RenderOptions, render_source
from pipeline.samples.contract_text import Words, text_of
from pipeline.samples.contracts import render_contract_with_evidence
from pipeline.samples.evidence import NOT_PRINTED, box_as_read, leaves
from pipeline.samples.invoices import render_invoice_with_evidence
from pipeline.samples.scans import ScannedPage
from pipeline.samples.hostile import write_hostile_folder
from pipeline.samples.locales import LABELS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_docs"
CENT = Decimal("0.01")
# ISO 13616 lengths for the countries the generator uses.
IBAN_LENGTHS = {"AT": 20, "BE": 16, "CH": 21, "DE": 22, "ES": 24, "FR": 27, "GB": 22, "IE": 22, "IT": 27,
                "NL": 18, "SE": 24}
TRUTH_KEYS = ["document_id", "schema", "layout", "language", "variant", "record", "evidence_frame", "evidence"]


def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((ROOT / "schemas" / f"{schema}.json").read_text()),
                                format_checker=FormatChecker())


def truth_files() -> list[Path]:
    return sorted((SAMPLES / "truth").glob("*.json"))


def truth_of(relative: str, root: Path = SAMPLES) -> dict:
    return json.loads((root / "truth" / (relative.replace("/", "__") + ".json")).read_text(encoding="utf-8"))


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def assert_valid_iban(iban: str) -> None:
    assert len(iban) == IBAN_LENGTHS[iban[:2]], iban
    rearranged = iban[4:] + iban[:4]
    assert int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1, iban


def assert_consistent_invoice(record: dict) -> None:
    subtotal = Decimal(0)
    for item in record["line_items"]:
        amount = Decimal(item["amount"])
        if item["quantity"] is not None and item["unit_price"] is not None:
            expected = (Decimal(item["quantity"]) * Decimal(item["unit_price"])).quantize(CENT, ROUND_HALF_UP)
            assert amount == expected, item
        subtotal += amount
    assert Decimal(record["subtotal"]) == subtotal
    assert Decimal(record["total"]) == Decimal(record["subtotal"]) + Decimal(record["tax_total"])
    assert Decimal(record["tax_total"]) >= 0
    assert date.fromisoformat(record["due_date"]) > date.fromisoformat(record["issue_date"])
    if record["iban"]:
        assert_valid_iban(record["iban"])
    assert record["seller"]["name"] != record["buyer"]["name"]


def assert_consistent_contract(record: dict) -> None:
    effective = date.fromisoformat(record["effective_date"])
    expiry = date.fromisoformat(record["expiry_date"])
    assert expiry > effective
    assert expiry == add_months(effective, record["term_months"]) - timedelta(days=1)
    assert (record["renewal_notice_days"] is not None) == record["auto_renewal"]
    assert (record["contract_value"] is None) == (record["currency"] is None)
    party_names = [party["name"] for party in record["parties"]]
    assert len(set(party_names)) == len(party_names)
    assert {s["party"] for s in record["signatories"]} == set(party_names)


CHECKS = {"invoice": assert_consistent_invoice, "contract": assert_consistent_contract}
MAKERS = {"invoice": samples.invoice_record, "contract": samples.contract_record}


def assert_truth(truth: dict, data: bytes) -> None:
    """A truth file is complete, names known values, matches the document's bytes and holds a good record
    (none for a document of neither schema) with evidence for each printed value."""
    scanned = truth["variant"] in samples.SCAN_VARIANTS
    assert list(truth) == TRUTH_KEYS + (["scan"] if scanned else [])
    assert truth["document_id"] == hashlib.sha256(data).hexdigest()
    layouts = {"invoice": samples.INVOICE_LAYOUTS, "contract": samples.CONTRACT_LAYOUTS, None: samples.OTHER_LAYOUTS}
    assert truth["layout"] in layouts[truth["schema"]] and truth["language"] in samples.LANGUAGES
    assert truth["variant"] in samples.VARIANTS
    assert truth["evidence_frame"] == ("photo" if truth["variant"].startswith("photo") else "page")
    pages = page_count(data)
    if scanned:
        options = samples.SCAN_VARIANTS[truth["variant"]]
        assert len(truth["scan"]) == pages
        for lay in truth["scan"]:
            assert lay["rotation"] == options.rotation and options.skew[0] <= abs(lay["skew"]) <= options.skew[1]
    if truth["schema"] is None:
        assert truth["record"] is None and truth["evidence"] is None
        return
    validator(truth["schema"]).validate(truth["record"])
    CHECKS[truth["schema"]](truth["record"])
    assert_complete_evidence(truth["schema"], truth["record"], truth["evidence"], pages)


def page_count(data: bytes) -> int:
    if data.startswith(b"%PDF"):
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return doc.page_count
    with Image.open(io.BytesIO(data)) as image:
        return getattr(image, "n_frames", 1)


def assert_complete_evidence(schema: str, record: dict, found: dict, pages: int) -> None:
    """Every non-null leaf of the record has evidence, in record order: a page and boxes within it, or, for
    the leaves no layout prints, {"printed": false}."""
    assert list(found) == list(leaves(record))
    for path, entry in found.items():
        if path in NOT_PRINTED[schema]:
            assert entry == {"printed": False}
            continue
        assert entry["form"] in ("verbatim", "formatted", "named") and entry["text"].strip(), (path, entry)
        for place in [entry, *entry.get("also", [])]:
            assert 1 <= place["page"] <= pages, (path, place)
            for x0, y0, x1, y1 in [place["box"], *place.get("lines", [])]:
                assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, (path, place)


def pages_of(data: bytes) -> list[str]:
    """Each page's text layer with whitespace runs as single spaces (wrapped lines join up)."""
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert not doc.needs_pass and not doc.is_repaired
        return [" ".join(page.get_text().split()) for page in doc]


def pdf_text(path: Path) -> list[str]:
    return pages_of(path.read_bytes())


# --- records -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", truth_files(), ids=lambda p: p.name)
def test_committed_truth_is_complete_and_matches_its_document(path: Path) -> None:
    truth = json.loads(path.read_text(encoding="utf-8"))
    document = SAMPLES / path.name[: -len(".json")].replace("__", "/")
    assert_truth(truth, document.read_bytes())


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("schema", ["invoice", "contract"])
def test_generated_records_are_valid_consistent_and_printable(schema: str, language: str) -> None:
    check = validator(schema)
    for seed in range(100):
        record = MAKERS[schema](random.Random(seed), language=language)
        check.validate(record)
        CHECKS[schema](record)
        # Base-14 PDF fonts draw Latin-1 only; anything else would not be "as printed".
        json.dumps(record, ensure_ascii=False).encode("latin-1")


def test_records_cover_the_variety_the_pipeline_must_handle() -> None:
    invoices = [samples.invoice_record(random.Random(seed), language=language)
                for seed in range(100) for language in samples.LANGUAGES]
    assert {r["currency"] for r in invoices} >= {"EUR", "USD", "GBP", "CHF", "MXN"}
    assert len({r["seller"]["address"]["country"] for r in invoices}) >= 10
    assert any(r["iban"] is None for r in invoices) and any(r["iban"] for r in invoices)
    assert any(r["tax_total"] == "0.00" for r in invoices) and any(r["tax_total"] != "0.00" for r in invoices)
    assert any(item["quantity"] is None for r in invoices for item in r["line_items"])
    contracts = [samples.contract_record(random.Random(seed), language=language)
                 for seed in range(50) for language in samples.LANGUAGES]
    assert {r["contract_type"] for r in contracts} >= {"master_services", "non_disclosure", "supply", "license"}
    assert {r["auto_renewal"] for r in contracts} == {True, False}
    assert len({r["governing_law"] for r in contracts}) >= 8


def test_records_are_written_in_their_language() -> None:
    german = samples.invoice_record(random.Random(1), language="de")
    assert german["seller"]["address"]["country"] in {"DE", "AT", "CH"}
    assert "Tage" in german["payment_terms"]
    spanish = samples.contract_record(random.Random(1), contract_type="supply", language="es")
    assert spanish["title"].startswith("Contrato") and spanish["parties"][0]["role"] in {"Proveedor", "Comprador"}
    assert spanish["governing_law"] in {"Spain", "Mexico", "Germany", "England and Wales", "France", "Switzerland",
                                        "Netherlands", "Ireland", "Austria", "Italy", "Sweden", "Belgium",
                                        "Washington", "New York"}


def test_iban_check_digits() -> None:
    assert samples.iban("DE", "370400440532013000") == "DE89370400440532013000"  # the ECBS example
    assert samples.iban("GB", "NWBK60161331926819") == "GB29NWBK60161331926819"


def test_formats_follow_the_country_and_language() -> None:
    assert samples.format_amount("1234567.5", "DE") == "1.234.567,50"
    assert samples.format_amount("1234.5", "US") == "1,234.50"
    assert samples.format_amount("1234.5", "CH") == "1'234.50"
    assert samples.format_amount("1234.5", "FR") == "1 234,50"
    assert samples.format_date(date(2025, 3, 5), "DE", "de") == "05.03.2025"
    assert samples.format_date(date(2025, 3, 5), "US") == "March 5, 2025"
    assert samples.format_date(date(2025, 3, 5), "GB") == "5 March 2025"
    assert samples.law_phrase("Germany", "de") == "dem Recht der Bundesrepublik Deutschland"
    assert samples.law_phrase("New York", "en") == "the laws of the State of New York"


# --- every layout in every language ------------------------------------------------------------

@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("layout", sorted(samples.INVOICE_LAYOUTS))
def test_invoice_layouts_print_the_record_in_its_language(layout: str, language: str) -> None:
    record = samples.invoice_record(random.Random(f"{layout}/{language}"), n_lines=5, language=language)
    validator("invoice").validate(record)
    assert_consistent_invoice(record)
    pages = pages_of(samples.render_invoice_pdf(record, layout, language))
    text = " ".join(pages)
    assert len(pages) == 1
    assert LABELS[language]["invoice"].lower() in text.lower()
    assert record["invoice_number"] in text
    assert samples.format_amount(record["total"], record["seller"]["address"]["country"]) in text
    assert record["seller"]["name"] in text and record["buyer"]["name"] in text
    assert record["payment_terms"] in text
    for item in record["line_items"]:
        assert item["description"] in text


@pytest.mark.parametrize("layout", sorted(samples.INVOICE_LAYOUTS))
def test_invoice_tables_continue_over_a_page_break(layout: str) -> None:
    language = "fr"
    record = samples.invoice_record(random.Random(layout), n_lines=45, language=language)
    pages = pages_of(samples.render_invoice_pdf(record, layout, language))
    assert len(pages) >= 2
    assert record["line_items"][0]["description"] in pages[0]
    assert record["line_items"][-1]["description"] in " ".join(pages[1:])
    assert LABELS[language]["continued_title"].format(number=record["invoice_number"]) in pages[1]
    assert samples.format_amount(record["total"], record["seller"]["address"]["country"]) in " ".join(pages)


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("layout", sorted(samples.CONTRACT_LAYOUTS))
def test_contract_layouts_put_parties_first_and_law_and_signatures_last(layout: str, language: str) -> None:
    record = samples.contract_record(random.Random(f"{layout}/{language}"), language=language)
    validator("contract").validate(record)
    assert_consistent_contract(record)
    pages = pages_of(samples.render_contract_pdf(record, layout, language))
    words = Words(record, language)
    assert len(pages) >= 2
    assert record["title"] in pages[0] and words.date(record["effective_date"]) in pages[0]
    assert all(party["name"] in pages[0] and party["role"] in pages[0] for party in record["parties"])
    assert samples.law_phrase(record["governing_law"], language) in pages[-1]
    assert all(signatory["name"] in pages[-1] for signatory in record["signatories"])


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("layout", sorted(samples.CONTRACT_LAYOUTS))
def test_long_contracts_keep_the_governing_law_for_the_last_page(layout: str, language: str) -> None:
    record = samples.contract_record(random.Random(f"long/{layout}/{language}"), contract_type="master_services",
                                     language=language)
    pages = pages_of(samples.render_contract_pdf(record, layout, language, min_pages=10))
    law = samples.law_phrase(record["governing_law"], language)
    assert len(pages) >= 10
    assert all(party["name"] in pages[0] for party in record["parties"])
    assert law in pages[-1] and not any(law in page for page in pages[:-1])


# --- long documents and documents of neither schema -------------------------------------------

SCHEDULE_NAMES = ["service_levels", "escalation", "price_list", "plan"]


def assert_long_contract(record: dict, language: str, pages: list[str]) -> None:
    """Parties first, then definitions, the record's terms in their clauses, every schedule from a page of
    its own, the price list running over pages, governing law and signatures on the last page only."""
    words, text = Words(record, language), text_of(language).schedules
    assert record["title"] in pages[0] and words.date(record["effective_date"]) in pages[0]
    assert all(party["name"] in pages[0] and party["role"] in pages[0] for party in record["parties"])
    assert text.definitions_heading in " ".join(pages[:2])
    starts = {key: next(i for i, page in enumerate(pages) if page.startswith(text.names[key])
                        or page.startswith(text.schedule.format(n=n, name=text.names[key])))
              for n, key in enumerate(SCHEDULE_NAMES, 1)}
    clauses = " ".join(pages[:starts["service_levels"]])
    assert words.date(record["expiry_date"]) in clauses and record["payment_terms"] in clauses
    assert words.money() in clauses
    price_header = text.price_columns[1]
    assert sum(price_header in page for page in pages[starts["price_list"]:starts["plan"]]) >= 2
    law = samples.law_phrase(record["governing_law"], language)
    assert law in pages[-1] and not any(law in page for page in pages[:-1])
    assert text.final in pages[-1]
    assert all(signatory["name"] in pages[-1] for signatory in record["signatories"])


@pytest.mark.parametrize("layout,language,contract_type,length", [
    ("classic", "en", "master_services", 60), ("two_column", "de", "supply", 60),
    ("cover_sheet", "fr", "license", 60), ("letter", "es", "consulting", 60), ("classic", "de", "license", 300)])
def test_long_contracts_have_schedules_between_parties_and_signatures(layout: str, language: str,
                                                                     contract_type: str, length: int) -> None:
    record = samples.contract_record(random.Random(f"long/{layout}"), contract_type, language)
    pdf = samples.render_contract_pdf(record, layout, language, min_pages=length)
    pages = pages_of(pdf)
    assert length <= len(pages) <= length + 1
    assert len(pdf) < 2_500 * len(pages)  # text only, base-14 fonts: about 1.8 kB a page
    assert_long_contract(record, language, [page.removeprefix(f"{record['title']} | {Words(record, language).reference} ")
                                            for page in pages])


def test_committed_long_contract_is_over_sixty_pages_and_small() -> None:
    truth = truth_of("contract/contract_long_msa.pdf")
    path = SAMPLES / "contract/contract_long_msa.pdf"
    pages = pdf_text(path)
    assert len(pages) >= 60 and path.stat().st_size < 400_000
    assert truth["variant"] == "digital" and truth["layout"] == "classic"
    assert_long_contract(truth["record"], truth["language"], pages)


@pytest.mark.parametrize("layout", sorted(samples.INVOICE_LAYOUTS))
def test_long_invoices_continue_their_table_over_three_pages(layout: str) -> None:
    language = samples.LANGUAGES[sorted(samples.INVOICE_LAYOUTS).index(layout) % 4]
    record = samples.invoice_record(random.Random(f"long/{layout}"), samples.LONG_INVOICE_LINES[0], language)
    pages = pages_of(samples.render_invoice_pdf(record, layout, language))
    text = " ".join(pages)
    assert len(pages) >= 3
    continued = LABELS[language]["continued_title"].format(number=record["invoice_number"])
    assert all(continued in page for page in pages[1:])
    assert all(item["description"] in text for item in record["line_items"])
    assert record["line_items"][-1]["description"] in " ".join(pages[2:])
    country = record["seller"]["address"]["country"]
    assert all(samples.format_amount(record[key], country) in text for key in ("subtotal", "tax_total", "total"))


@pytest.mark.parametrize("language", samples.LANGUAGES)
@pytest.mark.parametrize("layout", sorted(samples.OTHER_LAYOUTS))
def test_documents_of_neither_schema_have_no_invoice_or_contract_terms(layout: str, language: str) -> None:
    pages = pages_of(samples.render_other_pdf(random.Random(f"{layout}/{language}"), layout, language))
    text = pages[0].lower()
    assert len(pages) == 1 and len(text) > 200
    labels = LABELS[language]
    assert labels["invoice"].lower() not in text and labels["unit_price"].lower() not in text
    assert labels["total"].lower() not in text and "%" not in text
    assert text_of(language).phrases["witness"].lower() not in text


def test_write_mixed_puts_every_kind_in_one_folder(tmp_path: Path) -> None:
    paths = samples.write_mixed(tmp_path, 12, seed=3, other_share=0.25, long_share=0.1, scanned_share=0.25,
                                long_pages=(60, 61))
    assert [p.parent for p in paths] == [tmp_path / "mixed"] * 12
    assert not any("invoice" in p.name or "contract" in p.name for p in paths)  # the content must tell
    truths = [truth_of(f"mixed/{path.name}", tmp_path) for path in paths]
    for path, truth in zip(paths, truths):
        assert_truth(truth, path.read_bytes())
        assert path.name.endswith(f"_{truth['variant']}{path.suffix}")
    schemas = [truth["schema"] for truth in truths]
    assert schemas.count(None) == 3 and schemas.count("contract") == 4 and schemas.count("invoice") == 5
    assert {truth["layout"] for truth in truths if truth["schema"] is None} <= set(samples.OTHER_LAYOUTS)
    assert sum(truth["variant"] != "digital" for truth in truths) == 3
    page_counts = [pymupdf.open(path).page_count for path in paths if path.suffix != ".jpg"]
    assert sum(60 <= n <= 62 for n in page_counts) == 1  # the long contract
    assert samples.write_mixed(tmp_path / "again", 12, seed=3, other_share=0.25, long_share=0.1, scanned_share=0.25,
                               long_pages=(60, 61))[0].read_bytes() == paths[0].read_bytes()


def test_contract_batches_include_long_contracts_scanned_small(tmp_path: Path) -> None:
    paths = samples.write_batch(tmp_path, 3, seed=2, schema="contract", scanned_share=0.34, long_share=1.0,
                                long_pages=(60, 60))
    truths = [truth_of(f"contract/{path.name}", tmp_path) for path in paths]
    long = [(path, truth) for path, truth in zip(paths, truths) if truth["record"]["contract_type"] != "non_disclosure"]
    assert len(long) >= 2
    for path, truth in long:
        with pymupdf.open(path) as doc:
            assert doc.page_count in (60, 61)
        if truth["variant"] != "digital":
            assert truth["variant"] in ("scan_100dpi", "scan_75dpi", "tiff")
            assert path.stat().st_size < 150_000 * 61
    assert any(truth["variant"] != "digital" for _, truth in long)


def test_mixed_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples.main(["mixed", str(tmp_path), "--count", "4", "--seed", "1", "--other-share", "0.5"])
    assert "wrote 4 documents" in capsys.readouterr().out
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "truth").glob("mixed__*.json")]
    assert len(truths) == 4 and sum(t["schema"] is None for t in truths) == 2


# --- scans, photos, TIFFs ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def portrait_invoice() -> bytes:
    record = samples.invoice_record(random.Random(3), language="de")
    return samples.render_invoice_pdf(record, "letterhead", "de")


def thumbnail(image: Image.Image) -> Image.Image:
    return image.convert("L").resize((60, 85) if image.height > image.width else (85, 60), Image.Resampling.BOX)


def turned_by(scan: Image.Image, clean: Image.Image) -> int:
    """The clockwise quarter turn that makes the clean page look most like the scan."""
    def distance(turn: int) -> float:
        turned = thumbnail(clean.rotate(-turn, expand=True))
        if turned.size != thumbnail(scan).size:
            return float("inf")
        return ImageStat.Stat(ImageChops.difference(turned, ImageOps.autocontrast(thumbnail(scan)))).mean[0]
    return min((0, 90, 180, 270), key=distance)


@pytest.mark.parametrize("variant", sorted(samples.SCAN_VARIANTS))
def test_scanned_variants_are_image_only_and_turned_as_named(portrait_invoice: bytes, variant: str) -> None:
    options = samples.SCAN_VARIANTS[variant]
    scanned = samples.scan_pdf(portrait_invoice, random.Random(1), options)
    clean_doc = pymupdf.open(stream=portrait_invoice, filetype="pdf")
    clean = Image.open(io.BytesIO(clean_doc[0].get_pixmap(dpi=40).tobytes("png")))
    with pymupdf.open(stream=scanned, filetype="pdf") as doc:
        page = doc[0]
        assert page.get_text().strip() == "" and len(page.get_images()) == 1
        assert (page.rect.width > page.rect.height) == (options.rotation in (90, 270))
        image = Image.open(io.BytesIO(doc.extract_image(page.get_images()[0][0])["image"]))
        assert image.width == pytest.approx(page.rect.width / 72 * options.dpi, abs=3)  # low-dpi variants are small
    assert turned_by(image, clean) == options.rotation


def test_photo_is_a_phone_sized_jpeg_and_the_sideways_one_says_so(portrait_invoice: bytes) -> None:
    upright = Image.open(io.BytesIO(samples.photo_jpeg(portrait_invoice, random.Random(1))))
    assert upright.format == "JPEG" and upright.size == (1125, 1500)
    sideways = Image.open(io.BytesIO(samples.photo_jpeg(portrait_invoice, random.Random(1), sideways=True)))
    assert sideways.size == (1500, 1125) and sideways.getexif()[0x0112] == 6
    assert ImageOps.exif_transpose(sideways).size == (1125, 1500)


def test_tiff_has_one_bilevel_frame_per_page() -> None:
    record = samples.invoice_record(random.Random(2), n_lines=45)
    pdf = samples.render_invoice_pdf(record, "zebra")
    with Image.open(io.BytesIO(samples.multipage_tiff(pdf))) as image:
        assert image.format == "TIFF" and image.n_frames == len(pages_of(pdf)) >= 2
        image.seek(image.n_frames - 1)
        assert image.mode == "1"


# --- the committed good documents -------------------------------------------------------------

@pytest.mark.parametrize("name", ["invoice/invoice_digital.pdf", "invoice/invoice_multipage.pdf",
                                  "invoice/invoice_de.pdf", "invoice/invoice_fr.pdf", "invoice/invoice_es.pdf"])
def test_born_digital_invoices_have_a_text_layer(name: str) -> None:
    record = truth_of(name)["record"]
    text = " ".join(pdf_text(SAMPLES / name))
    assert record["invoice_number"] in text
    assert samples.format_amount(record["total"], record["seller"]["address"]["country"]) in text
    for item in record["line_items"]:
        assert item["description"] in text


def test_committed_set_covers_every_layout_and_language() -> None:
    truths = [json.loads(path.read_text(encoding="utf-8")) for path in truth_files()]
    assert {t["layout"] for t in truths if t["schema"] == "invoice"} == set(samples.INVOICE_LAYOUTS)
    assert {t["layout"] for t in truths if t["schema"] == "contract"} == set(samples.CONTRACT_LAYOUTS)
    assert {t["language"] for t in truths} == set(samples.LANGUAGES)


def test_multipage_invoice_continues_its_table_on_page_two() -> None:
    record = truth_of("invoice/invoice_multipage.pdf")["record"]
    pages = pdf_text(SAMPLES / "invoice/invoice_multipage.pdf")
    assert len(pages) == 2 and len(record["line_items"]) >= 40
    assert record["line_items"][0]["description"] in pages[0]
    assert record["line_items"][-1]["description"] in pages[1]
    assert "Description" in pages[1]  # the table header is repeated


def test_born_digital_contract_has_parties_first_and_signatures_last() -> None:
    record = truth_of("contract/contract_msa.pdf")["record"]
    pages = pdf_text(SAMPLES / "contract/contract_msa.pdf")
    assert 3 <= len(pages) <= 6
    assert record["title"] in pages[0]
    assert all(party["name"] in pages[0] for party in record["parties"])
    assert samples.law_phrase(record["governing_law"], "en") in pages[-1]
    assert all(signatory["name"] in pages[-1] for signatory in record["signatories"])


def test_long_contract_has_parties_on_page_one_and_the_law_on_the_last() -> None:
    truth = truth_of("contract/contract_long_de.pdf")
    record, pages = truth["record"], pdf_text(SAMPLES / "contract/contract_long_de.pdf")
    law = samples.law_phrase(record["governing_law"], truth["language"])
    assert len(pages) >= 10
    assert all(party["name"] in pages[0] for party in record["parties"])
    assert law in pages[-1] and not any(law in page for page in pages[:-1])


@pytest.mark.parametrize("name", ["invoice/invoice_scanned.pdf", "invoice/invoice_scan_rot90.pdf",
                                  "contract/contract_nda_scanned.pdf"])
def test_scanned_pdfs_are_images_without_text(name: str) -> None:
    turned = samples.SCAN_VARIANTS[truth_of(name)["variant"]].rotation in (90, 270)
    with pymupdf.open(SAMPLES / name) as doc:
        assert doc.page_count >= 1
        for page in doc:
            assert page.get_text().strip() == ""
            assert len(page.get_images()) == 1
            assert (page.rect.width > page.rect.height) == turned


def test_committed_photo_and_tiff() -> None:
    with Image.open(SAMPLES / "invoice/invoice_photo.jpg") as image:
        assert image.format == "JPEG" and image.mode == "RGB" and max(image.size) == 1500
    with Image.open(SAMPLES / "invoice/invoice_scan.tiff") as image:
        assert image.format == "TIFF" and image.n_frames == 2


def test_good_documents_all_have_truth() -> None:
    documents = {f"{p.parent.name}/{p.name}" for sub in ("invoice", "contract") for p in (SAMPLES / sub).iterdir()}
    assert {p.name.replace("__", "/")[: -len(".json")] for p in truth_files()} == documents


# --- evidence: where each value is printed --------------------------------------------------------

BORN_DIGITAL = ["invoice/invoice_digital.pdf", "invoice/invoice_multipage.pdf", "invoice/invoice_de.pdf",
                "invoice/invoice_fr.pdf", "invoice/invoice_es.pdf", "contract/contract_msa.pdf",
                "contract/contract_long_de.pdf", "contract/contract_long_msa.pdf", "contract/contract_letter_fr.pdf",
                "contract/contract_es.pdf"]


def trimmed(page: pymupdf.Page, box: list[float]) -> pymupdf.Rect:
    """A 0-1 box in points, trimmed by half a point at the sides and a quarter of a line at top and bottom:
    the glyph boxes of the next character and of the lines above and below touch the box."""
    x0, y0, x1, y1 = box[0] * page.rect.width, box[1] * page.rect.height, box[2] * page.rect.width, \
        box[3] * page.rect.height
    inset = 0.25 * min(y1 - y0, 12)
    return pymupdf.Rect(x0 + 0.5, y0 + inset, x1 - 0.5, y1 - inset)


def words_in(page: pymupdf.Page, box: list[float]) -> list[str]:
    """The words PyMuPDF extracts inside a 0-1 box (their characters in it)."""
    return [w[4] for w in page.get_text("words", clip=trimmed(page, box))]


def whole_words_at(page: pymupdf.Page, words: list[tuple], box: list[float]) -> list[str]:
    """The whole words (of the page's `words`) a 0-1 box touches, without the punctuation at their ends
    ("(12)," -> "12")."""
    r = trimmed(page, box)
    return [bare(w[4]) for w in words if w[0] < r.x1 and r.x0 < w[2] and w[1] < r.y1 and r.y0 < w[3]]


def bare(word: str) -> str:
    return re.sub(r"^\W+|\W+$", "", word)


def assert_boxes_hold_the_text(pdf: bytes, found: dict) -> None:
    """Each box (each line's box, where a value runs over lines) of each occurrence holds the value as printed,
    and whole words of it: not part of a longer one ("MWST" of "MWST-Nr.")."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        words: dict[int, list[tuple]] = {}
        for path, entry in found.items():
            for place in [entry, *entry.get("also", [])] if "box" in entry else []:
                page, boxes = doc[place["page"] - 1], place.get("lines", [place["box"]])
                assert [w for box in boxes for w in words_in(page, box)] == entry["text"].split(), (path, place)
                on_page = words.setdefault(place["page"], page.get_text("words"))
                assert [w for box in boxes for w in whole_words_at(page, on_page, box)] == \
                    [bare(w) for w in entry["text"].split()], (path, place)


@pytest.mark.parametrize("name", BORN_DIGITAL)
def test_committed_evidence_boxes_hold_the_printed_values(name: str) -> None:
    truth = truth_of(name)
    assert truth["evidence_frame"] == "page"
    assert_boxes_hold_the_text((SAMPLES / name).read_bytes(), truth["evidence"])


@pytest.mark.parametrize("language", samples.LANGUAGES)
def test_every_layout_says_where_each_value_is_printed(language: str) -> None:
    """Every leaf of every layout in every language is found, tables over a page break included."""
    for layout in samples.INVOICE_LAYOUTS:
        for n_lines in (None, 45):
            record = samples.invoice_record(random.Random(f"evidence/{layout}/{n_lines}"), n_lines, language)
            pdf, found = render_invoice_with_evidence(record, layout, language)
            assert_complete_evidence("invoice", record, found, page_count(pdf))
            assert_boxes_hold_the_text(pdf, found)
    for layout in samples.CONTRACT_LAYOUTS:
        record = samples.contract_record(random.Random(f"evidence/{layout}"), None, language)
        pdf, found = render_contract_with_evidence(record, layout, language)
        assert_complete_evidence("contract", record, found, page_count(pdf))
        assert_boxes_hold_the_text(pdf, found)


def test_evidence_of_a_long_contract_is_on_its_first_and_last_pages() -> None:
    record = samples.contract_record(random.Random(4), "master_services", "de")
    pdf, found = render_contract_with_evidence(record, "two_column", "de", min_pages=60)
    pages = page_count(pdf)
    assert pages >= 60
    assert {found[f"parties[{i}].{key}"]["page"] for i in (0, 1) for key in ("name", "role", "address")} == {1}
    assert found["effective_date"]["page"] == 1
    assert found["governing_law"]["page"] == pages
    assert {found[path]["page"] for path in found if path.startswith("signatories")} == {pages}
    assert len(found["title"]["also"]) == 10  # the running headers: the first ten are listed


def test_the_main_occurrence_is_the_one_a_reader_cites() -> None:
    """A one-line invoice without tax prints one amount as line amount, subtotal and total: each box is its own."""
    record = next(r for r in (samples.invoice_record(random.Random(seed), 1) for seed in range(500))
                  if r["tax_total"] == "0.00")
    pdf, found = render_invoice_with_evidence(record, "letterhead")
    boxes = [found[path]["box"] for path in ("line_items[0].amount", "subtotal", "total")]
    assert len({tuple(box) for box in boxes}) == 3
    assert boxes[0][1] < boxes[1][1] < boxes[2][1]  # table, then subtotal, then total below it
    assert "also" not in found["total"] and "also" not in found["subtotal"]
    assert found["invoice_number"]["also"]  # also in the request to pay
    assert found["seller.address.country"]["form"] == "named" and found["issue_date"]["form"] == "formatted"
    # The cover sheet's payment terms ("within 30 days of ...") come before its renewal notice ("thirty (30) days"):
    contract = samples.contract_sample(random.Random(1), "cover_sheet", "en")
    assert "30 days" in contract.record["payment_terms"] and contract.record["renewal_notice_days"] == 30
    assert contract.evidence["renewal_notice_days"]["box"][1] > contract.evidence["payment_terms"]["box"][3]


def grid(box: list[float], columns: int = 48, rows: int = 12) -> list[tuple[float, float, float, float]]:
    """Points across a box: (x, y) in the page and (u, v) within the box."""
    x0, y0, x1, y1 = box
    return [(x0 + u * (x1 - x0), y0 + v * (y1 - y0), u, v)
            for v in (i / (rows - 1) for i in range(rows)) for u in (i / (columns - 1) for i in range(columns))]


def grey(image: Image.Image) -> tuple[bytes, int, int]:
    image = image.convert("L")
    return image.tobytes(), image.width, image.height


def pixel(image: tuple[bytes, int, int], x: float, y: float) -> int:
    data, width, height = image
    return data[min(height - 1, max(0, int(y * height))) * width + min(width - 1, max(0, int(x * width)))]


def correlation(a: list[int], b: list[int]) -> float:
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b))
    spread = (sum((x - mean_a) ** 2 for x in a) * sum((y - mean_b) ** 2 for y in b)) ** 0.5
    return cov / spread if spread else 0.0


def page_image(pdf: bytes, index: int = 0) -> Image.Image:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return Image.open(io.BytesIO(doc[index].get_pixmap(dpi=150).tobytes("png")))


Place = Callable[[str, list[tuple[float, float, float, float]]], list[tuple[float, float]]]


def assert_aligned(clean: Image.Image, delivered: Image.Image, found: dict, place: Place) -> None:
    """Where `place` maps each box's points (path, [(x, y, u, v)]), the delivered image shows what the clean
    page shows there: the grey levels correlate (a box off by a line would not), for every printed value."""
    clean_grey, delivered_grey = grey(clean), grey(delivered)
    for path, entry in found.items():
        if "box" not in entry:
            continue
        points = grid(entry["box"])
        ours = [pixel(clean_grey, x, y) for x, y, _, _ in points]
        theirs = [pixel(delivered_grey, x, y) for x, y in place(path, points)]
        assert correlation(ours, theirs) > 0.35, path


def in_quad(quad: list[float], u: float, v: float) -> tuple[float, float]:
    """The point at (u, v) of a box whose corners a photo shows at `quad` (upper left, upper right, lower right,
    lower left)."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = zip(quad[::2], quad[1::2])
    top, bottom = (ax + u * (bx - ax), ay + u * (by - ay)), (dx + u * (cx - dx), dy + u * (cy - dy))
    return top[0] + v * (bottom[0] - top[0]), top[1] + v * (bottom[1] - top[1])


@pytest.mark.parametrize("variant", ["photo", "photo_exif"])
def test_photo_evidence_is_where_the_camera_saw_the_values(variant: str) -> None:
    clean = samples.invoice_sample(random.Random(6), "zebra", "en")
    photo = samples.invoice_sample(random.Random(6), "zebra", "en", variant)
    assert photo.record == clean.record and photo.evidence_frame == "photo"
    found = photo.truth()["evidence"]
    assert list(found) == list(clean.evidence)
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(photo.data)))
    assert_aligned(page_image(clean.data), shown, clean.evidence,
                   lambda path, points: [in_quad(found[path]["quad"], u, v) for _, _, u, v in points])


def test_committed_photo_evidence_lands_on_ink() -> None:
    """Each box of the committed photo holds ink: its darkest pixels are far darker than the paper around them
    (or, for white print on a coloured band, than the print)."""
    truth = truth_of("invoice/invoice_photo.jpg")
    image = grey(ImageOps.exif_transpose(Image.open(SAMPLES / "invoice/invoice_photo.jpg")))
    for path, entry in truth["evidence"].items():
        x0, y0, x1, y1 = entry["box"]
        pad = y1 - y0
        inside = sorted(pixel(image, x, y) for x, y, _, _ in grid(entry["box"]))
        around = sorted(pixel(image, x, y) for x, y, _, _ in grid([x0 - pad, y0 - pad, x1 + pad, y1 + pad]))
        assert inside[len(inside) // 20] < around[len(around) * 9 // 10] - 50, path


@pytest.mark.parametrize("variant", ["scan_rot90", "scan_rot180", "scan_rot270", "scan_skew", "tiff"])
def test_scan_evidence_follows_the_page_as_it_lay_on_the_glass(variant: str) -> None:
    """The truth's boxes and "scan" lay say where each value is in the scanned image as delivered, and
    box_as_read maps a box into the page the pipeline reads: with a correction that undoes the lay, the
    upright page's box."""
    clean = samples.invoice_sample(random.Random(9), "sidebar", "fr")
    scan = samples.invoice_sample(random.Random(9), "sidebar", "fr", variant)
    truth = scan.truth()
    assert truth["evidence"] == clean.evidence  # scans keep the upright page's frame
    upright = page_image(clean.data)
    delivered = page_image(scan.data) if variant != "tiff" else Image.open(io.BytesIO(scan.data))
    lay = ScannedPage(**truth.get("scan", [{"rotation": 0, "skew": 0.0}])[0])
    assert_aligned(upright, delivered, clean.evidence,
                   lambda path, points: lay.place([(x, y) for x, y, _, _ in points], upright.size))
    for entry in truth["evidence"].values():
        as_delivered = box_as_read(entry, truth, size=delivered.size)
        assert as_delivered == pytest.approx(around(lay.place(corners(entry["box"]), upright.size)), abs=1e-4)
        straightened = box_as_read(entry, truth, (-lay.rotation) % 360, -lay.skew, size=upright.size)
        assert straightened == pytest.approx(entry["box"], abs=2e-4)


def corners(box: list[float]) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def around(points: list[tuple[float, float]]) -> list[float]:
    return [min(x for x, _ in points), min(y for _, y in points), max(x for x, _ in points), max(y for _, y in points)]


def test_born_digital_evidence_is_read_as_it_is() -> None:
    truth = truth_of("invoice/invoice_digital.pdf")
    for entry in truth["evidence"].values():
        assert box_as_read(entry, truth) == entry["box"]


# --- the committed bad files ------------------------------------------------------------------

def test_bad_files_are_exactly_the_seven() -> None:
    assert sorted(p.name for p in (SAMPLES / "bad").iterdir()) == [
        "bomb.png", "corrupt.pdf", "empty.pdf", "encrypted.pdf", "notes.txt", "too_many_pages.pdf", "truncated.pdf"]


def test_empty_and_corrupt_pdfs_do_not_open() -> None:
    assert (SAMPLES / "bad/empty.pdf").stat().st_size == 0
    with pytest.raises(pymupdf.EmptyFileError):
        pymupdf.open(SAMPLES / "bad/empty.pdf")
    assert (SAMPLES / "bad/corrupt.pdf").read_bytes().startswith(b"%PDF-1.7")
    with pytest.raises(pymupdf.FileDataError):
        pymupdf.open(SAMPLES / "bad/corrupt.pdf")


def test_truncated_pdf_has_no_intact_xref() -> None:
    data = (SAMPLES / "bad/truncated.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"startxref" not in data
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except pymupdf.FileDataError:
        return
    assert doc.is_repaired  # MuPDF rebuilt what it could from the objects it found


def test_encrypted_pdf_needs_its_password() -> None:
    with pymupdf.open(SAMPLES / "bad/encrypted.pdf") as doc:
        assert doc.needs_pass
        assert doc.authenticate("wrong") == 0
        assert doc.authenticate(samples.ENCRYPTED_PASSWORD) != 0
        assert doc.metadata["encryption"] == "Standard V5 R6 256-bit AES"
        assert truth_of("invoice/invoice_digital.pdf")["record"]["invoice_number"] in doc[0].get_text()


def test_text_file_is_not_a_document() -> None:
    data = (SAMPLES / "bad/notes.txt").read_bytes()
    assert not data.startswith(b"%PDF")
    data.decode("utf-8")


def test_png_bomb_declares_over_100_megapixels() -> None:
    data = (SAMPLES / "bad/bomb.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width * height > 100_000_000 and len(data) < 200_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))


def test_too_many_pages_is_valid_but_over_the_cap() -> None:
    path = SAMPLES / "bad/too_many_pages.pdf"
    assert len(pdf_text(path)) == 501 and path.stat().st_size < 20_000
    for renderer in ("pymupdf", "pdfium"):
        failure = render_source(str(path), RenderOptions(max_pages=500, renderer=renderer))
        assert isinstance(failure, RenderFailure) and failure.error_type == "too_many_pages", failure


def test_the_hostile_folder_has_one_page_over_the_default_cap(tmp_path: Path) -> None:
    write_hostile_folder(tmp_path)
    with pymupdf.open(tmp_path / "refused/too_many_pages.pdf") as doc:
        assert doc.page_count == 501


def test_starter_set_stays_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()) < 3_000_000


# --- reproducibility and batches ----------------------------------------------------------------

def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def decrypted_pages(data: bytes) -> list[str]:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.authenticate(samples.ENCRYPTED_PASSWORD)
        return [page.get_text() for page in doc]


def test_write_starter_set_reproduces_the_committed_files(tmp_path: Path) -> None:
    samples.write_starter_set(tmp_path)
    fresh, committed = files_under(tmp_path), files_under(SAMPLES)
    assert sorted(fresh) == sorted(committed)
    # MuPDF salts AES-256 with OS entropy: the encrypted file can only match in content.
    assert decrypted_pages(fresh.pop("bad/encrypted.pdf")) == decrypted_pages(committed.pop("bad/encrypted.pdf"))
    assert [name for name in fresh if fresh[name] != committed[name]] == []


def test_renderers_are_deterministic(portrait_invoice: bytes) -> None:
    invoice = samples.invoice_record(random.Random(7), language="es")
    contract = samples.contract_record(random.Random(7), language="fr")
    assert samples.render_invoice_pdf(invoice, "sidebar", "es") == samples.render_invoice_pdf(invoice, "sidebar", "es")
    assert (samples.render_contract_pdf(contract, "letter", "fr", 10)
            == samples.render_contract_pdf(contract, "letter", "fr", 10))
    pdf, options = portrait_invoice, samples.SCAN_VARIANTS["scan_skew"]
    assert samples.scan_pdf(pdf, random.Random(1), options) == samples.scan_pdf(pdf, random.Random(1), options)
    assert samples.photo_jpeg(pdf, random.Random(1)) == samples.photo_jpeg(pdf, random.Random(1))
    assert samples.multipage_tiff(pdf) == samples.multipage_tiff(pdf)


def test_write_batch_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    first = samples.write_batch(tmp_path / "a", 12, seed=5, scanned_share=0.5)
    second = samples.write_batch(tmp_path / "b", 12, seed=5, scanned_share=0.5)
    samples.write_batch(tmp_path / "c", 12, seed=6, scanned_share=0.5)
    assert [p.name for p in second] == [p.name for p in first]
    assert files_under(tmp_path / "a") == files_under(tmp_path / "b")
    assert files_under(tmp_path / "a") != files_under(tmp_path / "c")
    truths = [truth_of(f"invoice/{path.name}", path.parents[1]) for path in first]
    assert sum(t["variant"] != "digital" for t in truths) == 6
    for path, truth in zip(first, truths):
        assert_truth(truth, path.read_bytes())
        assert path.name.endswith(f"_{truth['variant']}{path.suffix}")
        if truth["variant"] == "digital":
            text = " ".join(pages_of(path.read_bytes()))
            assert truth["record"]["invoice_number"] in text
        elif path.suffix == ".pdf":
            assert "".join(pages_of(path.read_bytes())) == ""


@pytest.mark.parametrize("schema", ["invoice", "contract"])
def test_a_generated_batch_renders_through_the_pipeline(tmp_path: Path, schema: str) -> None:
    """The issue's pipeline check up to the model: every generated document renders, none is an error row."""
    paths = samples.write_batch(tmp_path, 24, seed=11, schema=schema)
    for path in paths:
        rendered = render_source(str(path), RenderOptions(max_pages=500))
        assert isinstance(rendered, RenderedDocument), (path.name, rendered)
        truth = truth_of(f"{schema}/{path.name}", tmp_path)
        assert rendered.sha256 == truth["document_id"]
        assert rendered.has_text_layer == (truth["variant"] == "digital")
