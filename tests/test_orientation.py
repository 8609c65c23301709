"""Upright pages: the generator's rotated and skewed scans come out of render_document upright and
straight, with the correction recorded per page; born-digital pages are left alone; blank pages
and a failing detector leave the page as it is."""

from __future__ import annotations

import io
import logging
import random
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageChops

from pipeline import orientation
from pipeline.render import RenderedDocument, RenderOptions, render_document
from pipeline.samples import SCAN_VARIANTS
from pipeline.samples.contracts import render_contract_pdf
from pipeline.samples.files import degrade
from pipeline.samples.invoices import render_invoice_pdf
from pipeline.samples.records import contract_record, invoice_record
from pipeline.samples.scans import ScannedPage, scan_pdf_with_truth

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"


def scanned(variant: str, seed: int, schema: str = "invoice", layout: str = "letterhead",
            language: str = "en") -> tuple[bytes, list[ScannedPage]]:
    rng = random.Random(seed)
    if schema == "invoice":
        pdf = render_invoice_pdf(invoice_record(rng, None, language), layout, language)
    else:
        pdf = render_contract_pdf(contract_record(rng, "non_disclosure", language), layout, language)
    return scan_pdf_with_truth(pdf, rng, SCAN_VARIANTS[variant])


def rendered(data: bytes, **options: object) -> RenderedDocument:
    doc = render_document(data, RenderOptions(**options))
    assert isinstance(doc, RenderedDocument), doc
    return doc


def assert_upright(doc: RenderedDocument, truth: list[ScannedPage]) -> None:
    """Each page turned back by the truth's quarter turn, straightened within a degree of the drawn
    skew, portrait again, and, checked once more, needing no further turn."""
    assert len(doc.pages) == len(truth)
    for page, lay in zip(doc.pages, truth):
        assert page.orientation == "profile"
        assert page.rotation == (360 - lay.rotation) % 360
        assert abs(page.skew + lay.skew) <= 1.0, (page.skew, lay.skew)
        assert page.image.height > page.image.width
        again = orientation.detect(page.image)
        assert again.rotation == 0 and abs(again.skew) <= 1.0, again


@pytest.mark.parametrize("variant", ["scan_rot90", "scan_rot180", "scan_rot270", "scan_skew"])
@pytest.mark.parametrize("schema,layout,language,seed", [
    ("invoice", "zebra", "de", 1),
    ("contract", "two_column", "fr", 2),
])
def test_rotated_and_skewed_scans_come_out_upright(variant: str, schema: str, layout: str, language: str,
                                                   seed: int) -> None:
    data, truth = scanned(variant, seed, schema, layout, language)
    assert_upright(rendered(data), truth)


@pytest.mark.parametrize("budget", [70, 1120])
def test_any_image_token_budget_comes_out_upright_at_its_own_size(budget: int) -> None:
    # 70 tokens is too coarse to read the lines' shape: the turn is measured on a redrawn page.
    data, truth = scanned("scan_rot270", 5, "contract", "classic", "de")
    doc = rendered(data, max_soft_tokens=budget)
    assert [p.rotation for p in doc.pages] == [(360 - lay.rotation) % 360 for lay in truth]
    target = RenderOptions(max_soft_tokens=budget).target_pixels
    assert all(0.9 * target <= p.image.width * p.image.height <= 1.05 * target for p in doc.pages)


def test_the_committed_sideways_scan_is_turned_back() -> None:
    doc = rendered((SAMPLES / "invoice" / "invoice_scan_rot90.pdf").read_bytes())
    assert [(p.rotation, p.orientation) for p in doc.pages] == [(270, "profile")]
    assert doc.pages[0].image.height > doc.pages[0].image.width


def test_an_upright_scan_stays_upright_and_is_straightened() -> None:
    data, truth = scanned("scan", 3, "invoice", "minimal", "es")
    assert_upright(rendered(data), truth)


def test_upright_off_leaves_scans_as_they_lie() -> None:
    data, _ = scanned("scan_rot90", 1)
    turned, kept = rendered(data).pages[0], rendered(data, upright=False).pages[0]
    assert turned.rotation == 270
    assert (kept.rotation, kept.skew, kept.orientation) == (0, 0.0, "")
    assert kept.image.width > kept.image.height  # still landscape, as scanned


def test_born_digital_pages_are_left_alone() -> None:
    data = (SAMPLES / "invoice" / "invoice_digital.pdf").read_bytes()
    page, plain = rendered(data).pages[0], rendered(data, upright=False).pages[0]
    assert page.text.strip() and (page.rotation, page.skew, page.orientation) == (0, 0.0, "")
    assert ImageChops.difference(page.image, plain.image).getbbox() is None


@pytest.mark.parametrize("variant", ["photo", "photo_exif"])
def test_a_phone_photo_stays_upright(variant: str) -> None:
    rng = random.Random(6)
    pdf = render_invoice_pdf(invoice_record(rng, None, "en"), "zebra", "en")
    doc = rendered(degrade(pdf, variant, rng)[0])  # photo_exif: upright once its EXIF turn is applied
    assert doc.pages[0].rotation == 0 and doc.pages[0].orientation == "profile"


def blank_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page(width=595, height=842)
    return doc.tobytes()


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1100), (238, 238, 238)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [blank_pdf(), blank_png()], ids=["pdf", "png"])
def test_a_blank_page_is_left_as_it_is(data: bytes) -> None:
    page = rendered(data).pages[0]
    assert (page.rotation, page.skew, page.orientation) == (0, 0.0, "blank")
    assert page.image.getextrema() == rendered(data, upright=False).pages[0].image.getextrema()


def test_a_failing_detector_leaves_the_page_and_says_why(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    # A fault the real detector does not produce on demand.
    def broken(image: Image.Image) -> orientation.Correction:
        raise ValueError("no luck")

    monkeypatch.setattr(orientation, "detect", broken)
    data, _ = scanned("scan_rot180", 4)
    with caplog.at_level(logging.WARNING, logger="pipeline.orientation"):
        page = rendered(data).pages[0]
    assert (page.rotation, page.skew) == (0, 0.0)
    assert page.orientation == "failed: ValueError: no luck"
    assert "left as it is" in caplog.text


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_apply_turns_clockwise_and_keeps_the_size_of_a_skew_turn(rotation: int) -> None:
    image = Image.new("RGB", (40, 60), "white")
    image.putpixel((0, 0), (0, 0, 0))  # the upper left corner
    turned = orientation.apply(image, orientation.Correction(rotation=rotation))
    corner = {90: (59, 0), 180: (39, 59), 270: (0, 39)}[rotation]  # where a clockwise turn puts it
    assert turned.getpixel(corner) == (0, 0, 0)
    straightened = orientation.apply(image, orientation.Correction(skew=3.0))
    assert straightened.size == image.size and straightened.getpixel((39, 0)) == (255, 255, 255)
