"""OCR of pages without a text layer: the real engine reads a generated scanned invoice as the
pipeline renders it (upright, at the model's image size), finds the born-digital PDF's words with
boxes where those words are printed, reads the accented letters of German, French and Spanish, and
gives no words (without raising) for a blank page, an empty image or a missing engine."""

from __future__ import annotations

import logging
import random
import sys
import unicodedata

import pymupdf
import pytest
from PIL import Image

from pipeline import ocr
from pipeline.render import RenderedDocument, RenderOptions, render_document
from pipeline.samples import SCAN_VARIANTS
from pipeline.samples.invoices import render_invoice_pdf
from pipeline.samples.records import invoice_record
from pipeline.samples.scans import scan_pdf
from pipeline.words import Word


PUNCTUATION = ".,:;!?()[]\"'«»„“”‘’"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip(PUNCTUATION)


def scanned_invoice(language: str, seed: int, layout: str = "letterhead",
                    variant: str = "scan") -> tuple[Image.Image, list[Word], dict]:
    """Page 1 of a generated invoice scanned as ``variant`` and rendered as the pipeline renders it for
    OCR (upright, at 560 soft tokens: ocr.OCR_PIXELS), the born-digital page's words (the truth) in the
    same 0-1 coordinates, and the invoice's record."""
    rng = random.Random(seed)
    record = invoice_record(rng, None, language)
    pdf = render_invoice_pdf(record, layout, language)
    doc = render_document(scan_pdf(pdf, rng, SCAN_VARIANTS[variant]), RenderOptions(max_soft_tokens=560))
    assert isinstance(doc, RenderedDocument), doc
    assert not doc.has_text_layer
    with pymupdf.open(stream=pdf, filetype="pdf") as born_digital:
        page = born_digital[0]
        w, h = page.rect.width, page.rect.height
        truth = [Word(t[4], (t[0] / w, t[1] / h, t[2] / w, t[3] / h)) for t in page.get_text("words")]
    return doc.pages[0].image, truth, record


def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def matches(truth: list[Word], read: list[Word], slack: float = 0.01) -> tuple[int, int]:
    """(true words read with the same text, of those the ones whose read box's centre lies inside the
    true box grown by ``slack`` of the page). Words of the same text pair up nearest first, each at
    most once (a page has many a "1")."""
    pairs = []
    for t, word in enumerate(truth):
        for r, other in enumerate(read):
            if normalise(word.text) and normalise(word.text) == normalise(other.text):
                (ax, ay), (bx, by) = centre(word.box), centre(other.box)
                pairs.append(((ax - bx) ** 2 + (ay - by) ** 2, t, r))
    taken_true: set[int] = set()
    taken_read: set[int] = set()
    placed = 0
    for _, t, r in sorted(pairs):
        if t in taken_true or r in taken_read:
            continue
        taken_true.add(t)
        taken_read.add(r)
        x0, y0, x1, y1 = truth[t].box
        bx, by = centre(read[r].box)
        placed += x0 - slack <= bx <= x1 + slack and y0 - slack <= by <= y1 + slack
    return len(taken_true), placed


@pytest.fixture(scope="module")
def english_scan() -> tuple[Image.Image, list[Word], list[Word], dict]:
    image, truth, record = scanned_invoice("en", seed=3)
    return image, truth, ocr.ocr_words(image, ["en"]), record


def test_scanned_invoice_words_are_found_where_they_are_printed(english_scan) -> None:
    image, truth, read, _ = english_scan
    assert image.width * image.height == pytest.approx(ocr.OCR_PIXELS, rel=0.01)
    found, placed = matches(truth, read)
    assert found >= 0.9 * len(truth), (found, len(truth))
    assert placed >= 0.98 * found, (placed, found)
    for word in read:
        x0, y0, x1, y1 = word.box
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, word
        assert word.text == word.text.strip() and " " not in word.text


def test_a_page_larger_than_ocr_needs_is_read_scaled_down_with_the_same_boxes(english_scan) -> None:
    image = english_scan[0]
    quarter = image.crop((0, 0, image.width // 2, image.height // 2))
    large = quarter.resize((round(quarter.width * 2.2), round(quarter.height * 2.2)), Image.Resampling.BICUBIC)
    assert large.width * large.height > 1.1 * ocr.OCR_PIXELS
    small_words, large_words = ocr.ocr_words(quarter), ocr.ocr_words(large)
    assert len(small_words) >= 20
    found, placed = matches(small_words, large_words, slack=0.0)
    assert found >= 0.8 * len(small_words) and placed == found, (found, placed, len(small_words))


def test_words_come_in_reading_order_and_make_the_text_layer(english_scan) -> None:
    _, _, read, record = english_scan
    tops = [word.box[1] for word in read]
    assert all(later >= earlier - 0.02 for earlier, later in zip(tops, tops[1:]))  # lines top to bottom
    text = ocr.ocr_text(read)
    assert text.split() == [word.text for word in read]
    assert len(text.splitlines()) >= 10
    assert record["invoice_number"] in text


def test_an_upright_page_is_read_once_and_an_upside_down_one_again_turned_half(
        english_scan, monkeypatch: pytest.MonkeyPatch) -> None:
    image, truth, _, _ = english_scan
    reads = []
    real = ocr.read
    monkeypatch.setattr(ocr, "read", lambda page, *a: reads.append(page.size) or real(page, *a))
    reading, turned = ocr.read_upright(image)
    assert not turned and len(reads) == 1 and reading.confidence >= ocr.UPSIDE_DOWN_CONFIDENCE
    upside_down, turned = ocr.read_upright(image.transpose(Image.Transpose.ROTATE_180))
    assert turned and len(reads) == 3
    found, placed = matches(truth, upside_down.words)  # words and boxes of the page the right way up
    assert found >= 0.9 * len(truth) and placed >= 0.98 * found, (found, placed, len(truth))


def test_a_page_the_orientation_stage_leaves_upside_down_is_turned_by_the_ocr(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A test double for the orientation stage's wrong call (a close up/down vote on a coarse or
    # blurred scan), which the real detector does not make on demand for a page we can generate.
    from pipeline import orientation

    monkeypatch.setattr(orientation, "detect", lambda image: orientation.Correction(method="profile: up undecided"))
    rng = random.Random(3)
    record = invoice_record(rng, None, "en")
    pdf = render_invoice_pdf(record, "letterhead", "en")
    doc = render_document(scan_pdf(pdf, rng, SCAN_VARIANTS["scan_rot180"]), RenderOptions(max_soft_tokens=280, ocr=True))
    page = doc.pages[0]
    assert (page.rotation, page.orientation) == (180, "profile: up undecided, turned half by OCR")
    assert record["invoice_number"] in ocr.ocr_text(page.words)
    # the page image itself is turned: read on its own, it is the right way up
    assert ocr.read_upright(page.image)[1] is False


@pytest.mark.parametrize("language,seed,layout", [("de", 5, "letterhead"), ("fr", 2, "letterhead"), ("es", 4, "minimal")])
def test_accented_words_of_each_language(language: str, seed: int, layout: str) -> None:
    image, truth, _ = scanned_invoice(language, seed, layout)
    read = ocr.ocr_words(image, [language])
    accented = [w for w in truth if any(unicodedata.decomposition(c) for c in w.text if c.isalpha())]
    assert len(accented) >= 8, [w.text for w in truth]
    found, _ = matches(accented, read)
    # At 560 tokens a capital's dots are a few pixels: one "Österreich" of two still reads "Osterreich".
    assert found >= 0.85 * len(accented), (language, [w.text for w in accented], ocr.ocr_text(read))


def test_a_language_the_model_does_not_know_is_named_once_and_the_page_is_still_read(
        english_scan, caplog: pytest.LogCaptureFixture) -> None:
    image = english_scan[0]
    with caplog.at_level(logging.WARNING, logger="pipeline.ocr"):
        read = ocr.ocr_words(image.crop((0, 0, image.width // 2, image.height // 4)), ["en", "xx"])
        ocr.ocr_words(Image.new("L", (60, 60), 255), ["xx"])
    assert read
    warnings = [r.getMessage() for r in caplog.records if "'xx'" in r.getMessage()]
    assert len(warnings) == 1 and "not trained" in warnings[0]


@pytest.mark.parametrize("image", [Image.new("RGB", (2480, 3508), "white"), Image.new("L", (1, 1), 0),
                                   Image.new("1", (400, 600), 1), Image.new("L", (0, 0))],
                         ids=["blank_300dpi", "one_pixel", "bilevel_blank", "no_pixels"])
def test_a_page_without_words_gives_none(image: Image.Image) -> None:
    assert ocr.ocr_words(image) == []


def test_a_missing_engine_gives_no_words_and_says_how_to_install_it(
        english_scan, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # A test double for a fault the real parts cannot produce on demand: the package not installed.
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import rapidocr now raises ImportError
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(ocr, "_problem", None)
    with caplog.at_level(logging.WARNING, logger="pipeline.ocr"):
        assert ocr.ocr_words(english_scan[0]) == []
        assert ocr.ocr_words(english_scan[0]) == []
    assert "pip install rapidocr" in (ocr.engine_problem() or "")
    assert sum("OCR engine unavailable" in r.getMessage() for r in caplog.records) == 1


def test_ocr_text_breaks_lines_where_words_go_down_or_back() -> None:
    words = [Word("Invoice", (0.1, 0.10, 0.2, 0.12)), Word("INV-1", (0.25, 0.101, 0.3, 0.121)),
             Word("Total", (0.1, 0.20, 0.15, 0.22)), Word("12.00", (0.7, 0.20, 0.8, 0.22)),
             Word("Notes", (0.1, 0.205, 0.2, 0.225))]
    assert ocr.ocr_text(words) == "Invoice INV-1\nTotal 12.00\nNotes"
    assert ocr.ocr_text([]) == ""
