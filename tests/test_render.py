import io
import re
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from pipeline.render import RenderedDocument, RenderFailure, RenderOptions, Skipped, render_document, render_source
from pipeline.samples.hostile import shift_xref_entry, write_hostile_folder

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"


def make_pdf(pages: int = 1, text: str = "Invoice INV-1 total 595.00") -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=612, height=792)  # US Letter
        page.insert_text((72, 72), f"{text} page {i + 1}", fontsize=12)
    return doc.tobytes()


def image_bytes(size: tuple[int, int], fmt: str, frames: int = 1) -> bytes:
    images = [Image.new("RGB", size, (255, 255 - 40 * i, 255)) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, fmt, save_all=frames > 1, append_images=images[1:])
    return buf.getvalue()


PDF_RENDERERS = pytest.mark.parametrize("renderer", ["pymupdf", "pdfium"])


@PDF_RENDERERS
@pytest.mark.parametrize("budget", [70, 280, 1120])
def test_pdf_pages_fill_the_image_token_budget(budget: int, renderer: str) -> None:
    options = RenderOptions(max_soft_tokens=budget, renderer=renderer)
    doc = render_document(make_pdf(2), options)
    assert isinstance(doc, RenderedDocument) and doc.kind == "pdf" and len(doc.pages) == 2
    width, height = doc.pages[0].image.size
    assert 0.95 * options.target_pixels <= width * height <= 1.05 * options.target_pixels
    assert abs(width / height - 612 / 792) < 0.01


@PDF_RENDERERS
def test_text_layer_is_kept_per_page(renderer: str) -> None:
    doc = render_document(make_pdf(2), RenderOptions(renderer=renderer))
    assert doc.has_text_layer
    assert "INV-1" in doc.pages[0].text and "page 2" in doc.pages[1].text


@PDF_RENDERERS
def test_fixed_dpi_and_longest_side_cap(renderer: str) -> None:
    doc = render_document(make_pdf(), RenderOptions(dpi=100, renderer=renderer))
    assert doc.pages[0].image.size == (850, 1100) and doc.pages[0].image.mode == "RGB"
    capped = render_document(make_pdf(), RenderOptions(dpi=300, max_side_px=1000, renderer=renderer))
    assert max(capped.pages[0].image.size) == 1000


def test_identity_is_the_sha256_of_the_bytes() -> None:
    import hashlib

    data = make_pdf()
    assert render_document(data, RenderOptions()).sha256 == hashlib.sha256(data).hexdigest()


def test_multi_frame_tiff_gives_one_page_per_frame_within_budget() -> None:
    options = RenderOptions(max_soft_tokens=280)
    doc = render_document(image_bytes((2550, 3300), "TIFF", frames=3), options)
    assert doc.kind == "image" and len(doc.pages) == 3 and not doc.has_text_layer
    width, height = doc.pages[0].image.size
    assert width * height <= 1.01 * options.target_pixels  # rounding to whole pixels


def test_small_images_are_not_upscaled() -> None:
    doc = render_document(image_bytes((300, 200), "PNG"), RenderOptions())
    assert doc.pages[0].image.size == (300, 200)


def test_phone_photo_exif_rotation_is_applied() -> None:
    image = Image.new("RGB", (400, 300), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    doc = render_document(buf.getvalue(), RenderOptions())
    assert doc.pages[0].image.size == (300, 400)


@pytest.mark.parametrize("data,options,error_type", [
    (b"", RenderOptions(), "empty_file"),
    (b"hello, this is a note", RenderOptions(), "unsupported_format"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", RenderOptions(), "corrupt_file"),
    (make_pdf(3)[:-300], RenderOptions(), "truncated_file"),
    (make_pdf(6), RenderOptions(max_pages=5), "too_many_pages"),
    (image_bytes((200, 200), "TIFF", frames=3), RenderOptions(max_pages=2), "too_many_pages"),
    (make_pdf(), RenderOptions(max_file_bytes=100), "file_too_large"),
    (image_bytes((3000, 3000), "PNG"), RenderOptions(max_image_pixels=1_000_000), "image_too_large"),
    (image_bytes((300, 300), "PNG")[:200], RenderOptions(), "corrupt_file"),
])
def test_bad_input_is_a_failure_with_a_reason(data: bytes, options: RenderOptions, error_type: str) -> None:
    failure = render_document(data, options)
    assert isinstance(failure, RenderFailure)
    assert failure.error_type == error_type and failure.message
    assert failure.sha256 is not None


@PDF_RENDERERS
def test_encrypted_pdf_is_reported_as_such(renderer: str) -> None:
    doc = pymupdf.open(stream=make_pdf(), filetype="pdf")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    failure = render_document(data, RenderOptions(renderer=renderer))
    assert isinstance(failure, RenderFailure) and failure.error_type == "encrypted"


def test_render_source_checks_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(make_pdf())
    failure = render_source(str(path), RenderOptions(max_file_bytes=10))
    assert isinstance(failure, RenderFailure) and failure.error_type == "file_too_large"
    missing = render_source(str(tmp_path / "gone.pdf"), RenderOptions())
    assert isinstance(missing, RenderFailure) and missing.error_type == "unreadable"


def test_documents_already_done_are_skipped_by_identity(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "a.pdf"
    path.write_bytes(make_pdf())
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert render_source(path.as_uri(), RenderOptions(), skip=frozenset({sha})) == Skipped(sha)
    assert isinstance(render_source(path.as_uri(), RenderOptions(), skip=frozenset({"other"})), RenderedDocument)


@pytest.mark.parametrize("renderer,data,options,error_type", [
    (r, b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", RenderOptions(), "corrupt_file") for r in ("pymupdf", "pdfium")
] + [
    # PDFium cannot open a cut-off file; MuPDF, its fallback, can, and the truncation rule refuses it.
    (r, make_pdf(3)[:-300], RenderOptions(), "truncated_file") for r in ("pymupdf", "pdfium")
] + [(r, make_pdf(6), RenderOptions(max_pages=5), "too_many_pages") for r in ("pymupdf", "pdfium")])
def test_both_pdf_renderers_refuse_bad_pdfs(renderer: str, data: bytes, options: RenderOptions, error_type: str) -> None:
    failure = render_document(data, RenderOptions(**{**vars(options), "renderer": renderer}))
    assert isinstance(failure, RenderFailure) and failure.error_type == error_type, failure


# Damaged PDFs, made by editing the bytes of make_pdf(3) (MuPDF writes it uncompressed, one object
# per line): pages 4, 8 and 11 under the page tree 2; the xref table after the last object.
def damaged(old: bytes, new: bytes, data: bytes | None = None) -> bytes:
    data = make_pdf(3) if data is None else data
    assert data.count(old) == 1, old
    return data.replace(old, new)


KIDS = b"/Kids[4 0 R 8 0 R 11 0 R]"


@PDF_RENDERERS
@pytest.mark.parametrize("name,data", [
    ("MIME lines before the header", b"Content-Type: application/pdf\r\n\r\n" + make_pdf(3)),
    ("binary junk before the header", bytes(range(256)) * 3 + make_pdf(3)),
    ("page tree /Count 0", damaged(b"/Count 3", b"/Count 0")),
    ("page tree /Count -1", damaged(b"/Count 3", b"/Count -1")),
    ("page tree without /Count", damaged(b"/Count 3", b"")),
    ("page tree with a cycle", damaged(KIDS, b"/Kids[4 0 R 2 0 R 8 0 R 11 0 R]")),
    ("garbage xref table", re.sub(rb"xref\n0 13\n.*trailer", b"xref\n0 13\ngarbage\ntrailer", make_pdf(3), flags=re.S)),
    ("every xref offset shifted", re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7), make_pdf(3))),
    ("startxref pointing past the end", re.sub(rb"startxref\n\d+", b"startxref\n999999", make_pdf(3))),
    ("no %%EOF marker", make_pdf(3).rstrip()[:-len(b"%%EOF")]),
])
def test_damaged_pdfs_that_an_engine_reads_render_fully(renderer: str, name: str, data: bytes) -> None:
    doc = render_document(data, RenderOptions(renderer=renderer))
    assert isinstance(doc, RenderedDocument), (name, doc)
    assert [p.text.split()[-1] for p in doc.pages] == ["1", "2", "3"]
    assert {p.renderer for p in doc.pages} <= {"pymupdf", "pdfium"}


def test_mupdf_finding_no_pages_falls_back_to_pdfium_for_the_whole_document() -> None:
    doc = render_document(damaged(b"/Count 3", b"/Count 0"), RenderOptions(renderer="pymupdf"))
    assert [p.renderer for p in doc.pages] == ["pdfium"] * 3


@pytest.mark.parametrize("renderer,data,expected", [
    # A cycle after the first page: MuPDF loads page 1, then fails with "cycle in page tree".
    ("pymupdf", damaged(KIDS, b"/Kids[4 0 R 2 0 R 8 0 R 11 0 R]"), ["pymupdf", "pdfium", "pdfium"]),
    # Page 2's xref entry points 5 bytes into its object: PDFium cannot load that page, MuPDF
    # rebuilds the table and reads it.
    ("pdfium", shift_xref_entry(make_pdf(3), 8, 5), ["pdfium", "pymupdf", "pdfium"]),
])
def test_a_page_the_configured_engine_fails_on_comes_from_the_other(renderer: str, data: bytes,
                                                                    expected: list[str]) -> None:
    doc = render_document(data, RenderOptions(renderer=renderer))
    assert isinstance(doc, RenderedDocument), doc
    assert [p.renderer for p in doc.pages] == expected
    assert [p.text.split()[-1] for p in doc.pages] == ["1", "2", "3"]


def test_a_page_no_engine_renders_fails_the_document_naming_both() -> None:
    # /Count claims 5 pages of 3: both engines count 5 and cannot load pages 4 and 5.
    failure = render_document(damaged(b"/Count 3", b"/Count 5"), RenderOptions())
    assert isinstance(failure, RenderFailure) and failure.error_type == "render_failed"
    assert "page 4 of 5" in failure.message and "pymupdf" in failure.message and "pdfium" in failure.message


def test_without_fallback_only_the_configured_engine_reads() -> None:
    no_pages = damaged(b"/Count 3", b"/Count 0")  # MuPDF finds no pages, PDFium three
    assert render_document(no_pages, RenderOptions(fallback=False)).error_type == "corrupt_file"
    assert len(render_document(no_pages, RenderOptions(renderer="pdfium", fallback=False)).pages) == 3


def test_a_scan_without_its_end_marker_renders() -> None:
    scan = (SAMPLES / "invoice" / "invoice_scanned.pdf").read_bytes()
    doc = render_document(scan.rstrip()[:-len(b"%%EOF")], RenderOptions())
    assert isinstance(doc, RenderedDocument) and len(doc.pages) == 1


@PDF_RENDERERS
@pytest.mark.parametrize("name,data", [
    ("cut in half", make_pdf(3)[: len(make_pdf(3)) // 2]),
    ("cut inside the startxref number", make_pdf(3).rstrip()[:-len(b"%%EOF") - 3]),
    ("cut before the trailer", make_pdf(3)[: make_pdf(3).index(b"trailer")]),
])
def test_cut_off_pdfs_are_truncated_whichever_engine_could_rebuild_them(renderer: str, name: str,
                                                                        data: bytes) -> None:
    failure = render_document(data, RenderOptions(renderer=renderer))
    assert isinstance(failure, RenderFailure) and failure.error_type == "truncated_file", (name, failure)


def test_a_header_past_the_first_1024_bytes_is_not_a_pdf() -> None:
    failure = render_document(b" " * 1024 + make_pdf(), RenderOptions())
    assert isinstance(failure, RenderFailure) and failure.error_type == "unsupported_format"


def test_a_file_neither_engine_opens_names_both_refusals() -> None:
    failure = render_document(b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", RenderOptions())
    assert failure.error_type == "corrupt_file"
    assert "pymupdf" in failure.message.lower() and "pdfium" in failure.message.lower()


def test_images_record_their_renderer() -> None:
    doc = render_document(image_bytes((300, 200), "PNG"), RenderOptions())
    assert [p.renderer for p in doc.pages] == ["pillow"]


def test_the_hostile_folder_renders_what_is_readable_and_refuses_the_rest(tmp_path: Path) -> None:
    files = {p.relative_to(tmp_path).as_posix(): p for p in write_hostile_folder(tmp_path)}
    outcomes = {name: render_document(path.read_bytes(), RenderOptions(max_soft_tokens=70))
                for name, path in files.items() if name.split("/")[0] in ("readable", "refused")}
    wrong = {name: r for name, r in outcomes.items()
             if isinstance(r, RenderedDocument) != name.startswith("readable/")}
    assert not wrong
    assert write_hostile_folder(tmp_path / "again") and all(  # reproducible from the seed
        (tmp_path / "again" / name).read_bytes() == path.read_bytes()
        for name, path in files.items() if name != "refused/encrypted.pdf")


def test_every_frame_is_held_to_the_pixel_cap() -> None:
    frames = [Image.new("RGB", (200, 200), "white"), Image.new("RGB", (3000, 3000), "white")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    failure = render_document(buf.getvalue(), RenderOptions(max_image_pixels=1_000_000))
    assert isinstance(failure, RenderFailure) and failure.error_type == "image_too_large"


def _scan_pdf(scan: Image.Image, rotate: int = 0, extra=None) -> bytes:
    """A one-page A4 PDF holding `scan` over the whole page, as a scanner writes it."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=_png(scan))
    if extra:
        extra(page)
    page.set_rotation(rotate)
    return doc.tobytes()


def _coarse_scan() -> Image.Image:
    """A 75-dpi A4 page: too coarse for the OCR's size, so it is drawn larger than it is."""
    scan = Image.new("L", (620, 877), 255)
    for y in range(60, 800, 24):
        scan.paste(0, (60, y, 60 + (y * 7) % 480, y + 9))
    return scan


def test_a_coarse_scan_is_enlarged_smoothly_from_its_own_pixels() -> None:
    # MuPDF enlarges without interpolation (blocky steps, which the OCR reads worse); the page is
    # enlarged by Pillow's Lanczos from the scan's pixels instead.
    scan = _coarse_scan()
    page = render_document(_scan_pdf(scan), RenderOptions(max_soft_tokens=560, upright=False)).pages[0]
    assert page.image.size == (955, 1352)  # what MuPDF would have drawn
    expected = scan.convert("RGB").resize(page.image.size, Image.Resampling.LANCZOS)
    assert page.image.tobytes() == expected.tobytes()
    grey = page.image.convert("L").histogram()
    assert sum(grey[1:255]) > 0.01 * page.image.width * page.image.height  # smooth edges: grey levels


@pytest.mark.parametrize("case", ["text", "drawing", "rotated", "two images", "finer than the page"])
def test_pages_other_than_a_coarse_scan_are_drawn_by_mupdf(case: str) -> None:
    scan = _coarse_scan() if case != "finer than the page" else _coarse_scan().resize((1240, 1754))
    extra = {"text": lambda p: p.insert_text((72, 72), "Invoice 42"),
             "drawing": lambda p: p.draw_rect(pymupdf.Rect(50, 50, 200, 100), color=(1, 0, 0)),
             "two images": lambda p: p.insert_image(pymupdf.Rect(0, 0, 100, 100), stream=_png(scan))}.get(case)
    data = _scan_pdf(scan, rotate=90 if case == "rotated" else 0, extra=extra)
    page = render_document(data, RenderOptions(max_soft_tokens=560, upright=False)).pages[0]
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        scale = (560 * 48 * 48 / (doc[0].rect.width * doc[0].rect.height)) ** 0.5
        pix = doc[0].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, colorspace=pymupdf.csRGB)
    assert page.image.size == (pix.width, pix.height)
    assert page.image.tobytes() == pix.samples


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
