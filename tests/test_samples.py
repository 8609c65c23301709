"""The synthetic documents: truth is valid and consistent, files open (or fail) as intended, output is reproducible."""

from __future__ import annotations

import calendar
import io
import json
import random
import struct
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pymupdf
import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from pipeline import samples

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_docs"
CENT = Decimal("0.01")
# ISO 13616 lengths for the countries the generator uses.
IBAN_LENGTHS = {"AT": 20, "BE": 16, "CH": 21, "DE": 22, "ES": 24, "FR": 27, "GB": 22, "IE": 22, "IT": 27,
                "NL": 18, "SE": 24}


def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((ROOT / "schemas" / f"{schema}.json").read_text()))


def truth_files() -> list[Path]:
    return sorted((SAMPLES / "truth").glob("*.json"))


def truth_of(relative: str) -> dict:
    return json.loads((SAMPLES / "truth" / (relative.replace("/", "__") + ".json")).read_text())["record"]


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


# --- records ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", truth_files(), ids=lambda p: p.name)
def test_committed_truth_is_valid_and_consistent(path: Path) -> None:
    truth = json.loads(path.read_text(encoding="utf-8"))
    validator(truth["schema"]).validate(truth["record"])
    CHECKS[truth["schema"]](truth["record"])


@pytest.mark.parametrize("schema", ["invoice", "contract"])
def test_generated_records_are_valid_consistent_and_printable(schema: str) -> None:
    make = {"invoice": samples.invoice_record, "contract": samples.contract_record}[schema]
    check = validator(schema)
    for seed in range(300):
        record = make(random.Random(seed))
        check.validate(record)
        CHECKS[schema](record)
        # Base-14 PDF fonts draw Latin-1 only; anything else would not be "as printed".
        json.dumps(record, ensure_ascii=False).encode("latin-1")


def test_records_cover_the_variety_the_pipeline_must_handle() -> None:
    invoices = [samples.invoice_record(random.Random(seed)) for seed in range(300)]
    assert {r["currency"] for r in invoices} >= {"EUR", "USD", "GBP", "CHF"}
    assert len({r["seller"]["address"]["country"] for r in invoices}) >= 8
    assert any(r["iban"] is None for r in invoices) and any(r["iban"] for r in invoices)
    assert any(r["tax_total"] == "0.00" for r in invoices) and any(r["tax_total"] != "0.00" for r in invoices)
    assert any(item["quantity"] is None for r in invoices for item in r["line_items"])
    contracts = [samples.contract_record(random.Random(seed)) for seed in range(100)]
    assert {r["contract_type"] for r in contracts} >= {"master_services", "non_disclosure", "supply", "license"}
    assert {r["auto_renewal"] for r in contracts} == {True, False}


def test_iban_check_digits() -> None:
    assert samples.iban("DE", "370400440532013000") == "DE89370400440532013000"  # the ECBS example
    assert samples.iban("GB", "NWBK60161331926819") == "GB29NWBK60161331926819"


def test_formats_follow_the_seller_country() -> None:
    assert samples.format_amount("1234567.5", "DE") == "1.234.567,50"
    assert samples.format_amount("1234.5", "US") == "1,234.50"
    assert samples.format_amount("1234.5", "CH") == "1'234.50"
    assert samples.format_amount("1234.5", "FR") == "1 234,50"
    assert samples.format_date(date(2025, 3, 5), "DE") == "05.03.2025"
    assert samples.format_date(date(2025, 3, 5), "US") == "March 5, 2025"


# --- the committed good documents -------------------------------------------------------------

def pdf_text(path: Path) -> list[str]:
    with pymupdf.open(path) as doc:
        assert not doc.needs_pass and not doc.is_repaired
        return [page.get_text() for page in doc]


@pytest.mark.parametrize("name", ["invoice/invoice_digital.pdf", "invoice/invoice_multipage.pdf"])
def test_born_digital_invoices_have_a_text_layer(name: str) -> None:
    record = truth_of(name)
    text = "\n".join(pdf_text(SAMPLES / name))
    assert record["invoice_number"] in text
    assert samples.format_amount(record["total"], record["seller"]["address"]["country"]) in text
    for item in record["line_items"]:
        assert item["description"] in text


def test_multipage_invoice_continues_its_table_on_page_two() -> None:
    record = truth_of("invoice/invoice_multipage.pdf")
    pages = pdf_text(SAMPLES / "invoice/invoice_multipage.pdf")
    assert len(pages) == 2 and len(record["line_items"]) >= 40
    assert record["line_items"][0]["description"] in pages[0]
    assert record["line_items"][-1]["description"] in pages[1]
    assert "Description" in pages[1]  # the table header is repeated


def test_born_digital_contract_has_parties_first_and_signatures_last() -> None:
    record = truth_of("contract/contract_msa.pdf")
    pages = pdf_text(SAMPLES / "contract/contract_msa.pdf")
    assert 4 <= len(pages) <= 6
    assert record["title"] in pages[0]
    assert all(party["name"] in pages[0] for party in record["parties"])
    assert record["governing_law"] in "".join(pages[-2:])
    assert all(signatory["name"] in pages[-1] for signatory in record["signatories"])


@pytest.mark.parametrize("name, pages", [("invoice/invoice_scanned.pdf", 1), ("contract/contract_nda_scanned.pdf", 3)])
def test_scanned_pdfs_are_images_without_text(name: str, pages: int) -> None:
    with pymupdf.open(SAMPLES / name) as doc:
        assert doc.page_count == pages
        for page in doc:
            assert page.get_text().strip() == ""
            assert len(page.get_images()) == 1


def test_photo_is_a_phone_sized_jpeg() -> None:
    with Image.open(SAMPLES / "invoice/invoice_photo.jpg") as image:
        image.load()
        assert image.format == "JPEG" and image.mode == "RGB"
        assert max(image.size) == 1500


def test_tiff_has_one_frame_per_page() -> None:
    with Image.open(SAMPLES / "invoice/invoice_scan.tiff") as image:
        assert image.format == "TIFF" and image.n_frames == 2
        for frame in range(image.n_frames):
            image.seek(frame)
            image.load()
            assert image.mode == "1"


def test_good_documents_all_have_truth() -> None:
    documents = {f"{p.parent.name}/{p.name}" for sub in ("invoice", "contract") for p in (SAMPLES / sub).iterdir()}
    assert {p.name.replace("__", "/")[: -len(".json")] for p in truth_files()} == documents


# --- the committed bad files ------------------------------------------------------------------

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
        assert truth_of("invoice/invoice_digital.pdf")["invoice_number"] in doc[0].get_text()


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
    assert len(pdf_text(path)) == 60 and path.stat().st_size < 100_000


def test_starter_set_stays_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()) < 3_000_000


# --- reproducibility --------------------------------------------------------------------------

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


def test_renderers_are_deterministic() -> None:
    invoice = samples.invoice_record(random.Random(7))
    contract = samples.contract_record(random.Random(7))
    pdf = samples.render_invoice_pdf(invoice)
    assert pdf == samples.render_invoice_pdf(invoice)
    assert samples.render_contract_pdf(contract) == samples.render_contract_pdf(contract)
    assert samples.scan_pdf(pdf, random.Random(1)) == samples.scan_pdf(pdf, random.Random(1))
    assert samples.photo_jpeg(pdf, random.Random(1)) == samples.photo_jpeg(pdf, random.Random(1))
    assert samples.multipage_tiff(pdf) == samples.multipage_tiff(pdf)


def test_write_batch_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    first = samples.write_batch(tmp_path / "a", 10, seed=5, scanned_share=0.3)
    second = samples.write_batch(tmp_path / "b", 10, seed=5, scanned_share=0.3)
    other = samples.write_batch(tmp_path / "c", 10, seed=6, scanned_share=0.3)
    assert len(first) == 10 and sum("scanned" in p.name for p in first) == 3
    assert [p.name for p in second] == [p.name for p in first]
    assert files_under(tmp_path / "a") == files_under(tmp_path / "b")
    assert files_under(tmp_path / "a") != files_under(tmp_path / "c")
    check = validator("invoice")
    for path in first + other:
        truth = json.loads((path.parent.parent / "truth" / f"invoice__{path.name}.json").read_text())
        check.validate(truth["record"])
        with pymupdf.open(path) as doc:
            text = doc[0].get_text()
        if "digital" in path.name:
            assert truth["record"]["invoice_number"] in text
        else:
            assert text.strip() == ""


def test_write_batch_writes_contracts(tmp_path: Path) -> None:
    paths = samples.write_batch(tmp_path, 2, seed=1, schema="contract", scanned_share=0.5)
    assert sorted("scanned" in p.name for p in paths) == [False, True]
    for path in paths:
        truth = json.loads((tmp_path / "truth" / f"contract__{path.name}.json").read_text())
        validator("contract").validate(truth["record"])
        assert_consistent_contract(truth["record"])
