"""Render a document's pages to images sized for the model's image-token budget, keeping the PDF
text layer. PDFs go through PyMuPDF (or PDFium, the permissively licensed and, on our pages,
faster alternative), PNG/JPEG/TIFF (multi-frame included) through Pillow.

Pages without a text layer (scans, photos) are turned upright and straightened
(:mod:`pipeline.orientation`) unless ``RenderOptions.upright`` is off, each page recording what
was done, and their words are read by OCR (:mod:`pipeline.ocr`, ``RenderOptions.ocr``); a PDF
page's words come from its text layer. Evidence is found in those words (:mod:`pipeline.evidence`).

Failures are values: :func:`render_document` returns a :class:`RenderFailure` with a reason,
never raises. PyMuPDF is not thread-safe, so the runner calls this in worker processes."""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pymupdf
from PIL import Image, ImageOps, ImageSequence

from . import ocr, orientation
from .evidence import page_words
from .storage import FileTooLarge, S3Options, StorageError, read_bytes
from .words import Word

# Gemma 4 image processor: 16 px patches pooled 3x3, so one soft token covers 48x48 pixels.
PIXELS_PER_SOFT_TOKEN = (16 * 3) ** 2

PDF_HEADER = b"%PDF-"
PDF_HEADER_SEARCH = 1024  # readers accept the header anywhere in the first 1024 bytes, as Acrobat does
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class RenderOptions:
    """What a render worker needs from :class:`~pipeline.config.Settings` (small, picklable)."""

    max_soft_tokens: int = 280
    renderer: str = "pymupdf"  # or "pdfium"
    dpi: int | None = None
    max_side_px: int = 2048
    max_pages: int = 500
    max_file_bytes: int = 200 * 2**20
    max_image_pixels: int = 100_000_000
    fallback: bool = True  # try the other PDF engine when the configured one fails (False: compare engines)
    upright: bool = True  # turn and straighten pages without a text layer (see pipeline.orientation)
    ocr: bool = False  # read the words of pages without a text layer (pipeline.ocr); Settings turns it on
    ocr_text_layer: bool = False  # and give them to the model as the page's text layer

    @property
    def target_pixels(self) -> int:
        return self.max_soft_tokens * PIXELS_PER_SOFT_TOKEN


@dataclass
class Page:
    image: Image.Image
    text: str = ""
    renderer: str = ""  # what drew it: "pymupdf", "pdfium" (the fallback may mix them) or "pillow"
    # What made the page upright: turned ``rotation`` degrees clockwise (0/90/180/270), then
    # ``skew`` degrees clockwise; ``orientation`` says what decided (see orientation.Correction:
    # "profile", or why nothing was applied), "" when not checked (a text layer, or upright off).
    rotation: int = 0
    skew: float = 0.0
    orientation: str = ""
    # The page's words with their boxes (0-1 of the page image): the text layer's, or OCR's on
    # a page without one; what evidence is found in (pipeline.evidence).
    words: list[Word] = field(default_factory=list)


@dataclass
class RenderedDocument:
    sha256: str
    size_bytes: int
    kind: str  # "pdf" or "image"
    pages: list[Page]
    seconds: float

    @property
    def has_text_layer(self) -> bool:
        return any(p.text.strip() for p in self.pages)


@dataclass
class RenderFailure:
    error_type: str
    message: str
    sha256: str | None = None
    size_bytes: int | None = None
    seconds: float = 0.0
    stage: str = field(default="render", init=False)


class _Reject(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass
class Skipped:
    """A document whose row is already committed (see dataset.done_documents)."""

    sha256: str


def render_source(uri: str, options: RenderOptions, s3: S3Options = S3Options(), skip: frozenset[str] = frozenset(),
                  on_page: Callable[[], None] | None = None) -> RenderedDocument | RenderFailure | Skipped:
    """Read (local path, file:// or s3:// URI), identify (SHA-256) and render one document,
    unless its identity is in ``skip``; ``on_page`` is called as each page is done. Never raises."""
    start = time.perf_counter()
    try:
        data = read_bytes(uri, s3, max_bytes=options.max_file_bytes)
    except FileTooLarge as exc:
        return RenderFailure("file_too_large", str(exc))
    except StorageError as exc:
        return RenderFailure("unreadable", str(exc))
    sha = hashlib.sha256(data).hexdigest()
    if sha in skip:
        return Skipped(sha)
    return render_document(data, options, start, sha, on_page)


def render_document(data: bytes, options: RenderOptions, start: float | None = None, sha: str | None = None,
                    on_page: Callable[[], None] | None = None) -> RenderedDocument | RenderFailure:
    """Render a document held in memory; ``on_page`` is called as each page is done (the render
    pool's sign of progress). Never raises: bad input becomes a RenderFailure."""
    on_page = on_page or (lambda: None)
    start = time.perf_counter() if start is None else start
    sha = sha or hashlib.sha256(data).hexdigest()
    try:
        if not data:
            raise _Reject("empty_file", "the file is empty (0 bytes)")
        if len(data) > options.max_file_bytes:
            raise _Reject("file_too_large", f"{len(data)} bytes, over the cap of {options.max_file_bytes}")
        if data.startswith(IMAGE_MAGIC):
            kind, pages = "image", _render_image(data, options, on_page)
        elif (header := data.find(PDF_HEADER, 0, PDF_HEADER_SEARCH + len(PDF_HEADER) - 1)) >= 0:
            # Bytes before the header (a mail gateway's MIME lines, a scanner's preamble) were
            # added after the file was written, so its offsets count from the header: cut them.
            kind, pages = "pdf", _render_pdf(data[header:] if header else data, options, on_page)
        else:
            raise _Reject("unsupported_format", f"not a PDF, PNG, JPEG or TIFF (starts with {data[:8]!r})")
    except _Reject as exc:
        return RenderFailure(exc.error_type, str(exc), sha, len(data), time.perf_counter() - start)
    except MemoryError as exc:  # the worker's address-space limit (render_memory_mb) was hit
        return RenderFailure("render_out_of_memory", f"rendering needed more memory than the worker may use "
                             f"(render_memory_mb): {exc or 'MemoryError'}", sha, len(data), time.perf_counter() - start)
    except Exception as exc:  # a renderer bug on hostile input must not stop the batch
        return RenderFailure("render_failed", f"{type(exc).__name__}: {exc}", sha, len(data),
                             time.perf_counter() - start)
    return RenderedDocument(sha, len(data), kind, pages, time.perf_counter() - start)


def fit_scale(width: float, height: float, options: RenderOptions, units_per_inch: float | None = None) -> float:
    """Scale factor that makes a width x height page fill the image-token budget (or match the
    fixed DPI when one is set and units_per_inch is known), never past max_side_px."""
    if options.dpi and units_per_inch:
        scale = options.dpi / units_per_inch
    else:
        scale = math.sqrt(options.target_pixels / (width * height))
    return min(scale, options.max_side_px / max(width, height))


def _check_page_count(count: int, options: RenderOptions) -> None:
    if count > options.max_pages:
        raise _Reject("too_many_pages", f"{count} pages, over the cap of {options.max_pages}")


def _check_complete(data: bytes) -> None:
    """Refuse a PDF cut off before its end, which both engines silently rebuild from what is left,
    dropping pages or content (MuPDF renders the lost pages blank).

    A PDF is complete when ``%%EOF`` sits in its last 1024 bytes, or, failing that, when it ends
    right after a ``startxref`` whose offset points at a cross-reference section: then only the
    marker is missing (writers and scanners that forget it) and both engines read the file
    without repair, so refusing it would refuse a readable file. A cut anywhere else leaves no
    such pointer at the very end (a cut inside the number leaves one that points elsewhere)."""
    tail = data[-1024:]
    if b"%%EOF" in tail:
        return
    pointer = re.search(rb"startxref\s+(\d+)\s*\Z", tail)
    if pointer and re.match(rb"xref\b|\d+\s+\d+\s+obj\b", data[int(pointer.group(1)):][:32]):
        return
    raise _Reject("truncated_file", "the PDF ends without %%EOF or a cross-reference pointer: the file is incomplete")


class _PdfEngine:
    """One PDF engine's view of a document: ``page_count`` and ``render(index)``. Opening raises
    _Reject (encrypted, or cannot open); rendering a page raises whatever the engine raises."""

    name: str
    page_count: int

    def render(self, index: int, options: RenderOptions) -> Page:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _MuPdf(_PdfEngine):
    name = "pymupdf"

    def __init__(self, data: bytes) -> None:
        try:
            self.doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:
            _raise_memory_error(exc)
            raise _Reject("corrupt_file", f"PyMuPDF cannot open the PDF: {exc}") from None
        if self.doc.needs_pass:
            self.doc.close()
            raise _Reject("encrypted", "the PDF is password-protected")
        try:  # MuPDF walks the page tree only now (cycles and bad /Count surface here)
            self.page_count = self.doc.page_count
        except Exception as exc:
            self.doc.close()
            _raise_memory_error(exc)
            raise _Reject("corrupt_file", f"PyMuPDF cannot read the page tree: {exc}") from None

    def render(self, index: int, options: RenderOptions) -> Page:
        try:
            page = self.doc[index]
            scale = fit_scale(page.rect.width, page.rect.height, options, units_per_inch=72)
            matrix = pymupdf.Matrix(scale, scale)
            textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT)  # once, for the text and its words
            text = page.get_text("text", textpage=textpage)
            image = None if text.strip() else _enlarged_scan(self.doc, page, matrix)
            if image is None:
                pix = page.get_pixmap(matrix=matrix, alpha=False, colorspace=pymupdf.csRGB)
                image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            return Page(image=image, text=text, renderer=self.name, words=page_words(page, textpage))
        except Exception as exc:
            _raise_memory_error(exc)
            raise

    def close(self) -> None:
        self.doc.close()


def _enlarged_scan(doc: pymupdf.Document, page: pymupdf.Page, matrix: pymupdf.Matrix) -> Image.Image | None:
    """A scanned page drawn larger than its scan, enlarged by Pillow (Lanczos) from the scan's
    own pixels; None for any other page, which MuPDF draws.

    MuPDF enlarges an image without interpolation unless the PDF asks for it, so a 75-dpi scan
    drawn at the OCR's ~110 dpi comes out blocky, with uneven pixel steps. Measured with
    ``bench/grounding.py --variants scan_75dpi``: evidence found in the true box 74.7 % of the
    time with MuPDF's enlargement, 81.5 % with this one, and the page the orientation stage left
    upside down was then read upright. Downscaling stays MuPDF's (it averages, and decodes a large
    JPEG at a reduced size, which costs less than decoding it whole).

    A scan here is a page that holds exactly one image and nothing else: no text (the caller
    checks), no vector drawing, no annotation, no soft mask, the image placed upright over the
    whole page, and the page not rotated."""
    target = (page.rect * matrix).irect
    if page.rotation or page.first_annot is not None:
        return None
    images = page.get_image_info(xrefs=True)
    if len(images) != 1:
        return None
    info = images[0]
    a, b, c, d, _, _ = info["transform"]
    covers = pymupdf.Rect(info["bbox"]).contains(page.rect + (2, 2, -2, -2))
    if (not covers or b or c or a <= 0 or d <= 0 or info["has-mask"] or not info["xref"]
            or info["width"] * info["height"] >= target.width * target.height or page.get_drawings()):
        return None
    try:
        pix = pymupdf.Pixmap(doc, info["xref"])
        if pix.alpha:
            pix = pymupdf.Pixmap(pix, 0)
        if pix.colorspace is None or pix.colorspace.n not in (1, 3):
            pix = pymupdf.Pixmap(pymupdf.csRGB, pix)  # CMYK, indexed and the like as RGB
        scan = Image.frombytes("L" if pix.n == 1 else "RGB", (pix.width, pix.height), pix.samples)
    except Exception as exc:  # an image only MuPDF's own drawing decodes: let it draw the page
        _raise_memory_error(exc)
        return None
    return scan.convert("RGB").resize((target.width, target.height), Image.Resampling.LANCZOS)


def _raise_memory_error(exc: Exception) -> None:
    # MuPDF reports a failed allocation (e.g. under the worker's address-space limit) as
    # "malloc (N bytes) failed" (also calloc, realloc): out of memory, not a bad file.
    if "alloc (" in str(exc):
        raise MemoryError(f"MuPDF: {exc}") from None


class _Pdfium(_PdfEngine):
    name = "pdfium"

    def __init__(self, data: bytes) -> None:
        import pypdfium2  # the permissive (Apache-2.0/BSD) alternative to PyMuPDF

        try:
            self.pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise _Reject("encrypted", "the PDF is password-protected") from None
            raise _Reject("corrupt_file", f"PDFium cannot open the PDF: {exc}") from None
        self.page_count = len(self.pdf)

    def render(self, index: int, options: RenderOptions) -> Page:
        page = self.pdf[index]
        width, height = page.get_size()
        image = page.render(scale=fit_scale(width, height, options, units_per_inch=72)).to_pil()
        return Page(image=image.convert("RGB"), text=page.get_textpage().get_text_range(), renderer=self.name)

    def close(self) -> None:
        self.pdf.close()


_PDF_ENGINES: dict[str, type[_PdfEngine]] = {"pymupdf": _MuPdf, "pdfium": _Pdfium}


class _Engines:
    """The PDF engines in the order to try them (the configured one first, then, with
    ``fallback``, the other), each opened at most once, on first use, and closed with the stack."""

    def __init__(self, data: bytes, options: RenderOptions, stack: contextlib.ExitStack) -> None:
        others = [name for name in _PDF_ENGINES if name != options.renderer] if options.fallback else []
        self.order = [options.renderer] + others
        self._data, self._stack = data, stack
        self._opened: dict[str, _PdfEngine | None] = {}
        self.refusals: dict[str, str] = {}

    def get(self, name: str) -> _PdfEngine | None:
        """The engine, open, with at least one page; None (reason in ``refusals``) when it
        cannot open the file or finds no pages. An encrypted file raises at once."""
        if name not in self._opened:
            self._opened[name] = self._open(name)
        return self._opened[name]

    def _open(self, name: str) -> _PdfEngine | None:
        try:
            engine = _PDF_ENGINES[name](self._data)
        except _Reject as exc:
            if exc.error_type == "encrypted":
                raise
            self.refusals[name] = str(exc)
            return None
        self._stack.callback(engine.close)
        if engine.page_count == 0:
            self.refusals[name] = f"{name} finds no pages"
            return None
        return engine


def _render_pdf(data: bytes, options: RenderOptions, on_page: Callable[[], None]) -> list[Page]:
    """Render with the configured engine, falling back to the other one for the whole document
    when the first cannot open it or finds no pages, and page by page when it fails on a page."""
    with contextlib.ExitStack() as stack:
        engines = _Engines(data, options, stack)
        main = next(filter(None, map(engines.get, engines.order)), None)
        if main is None:
            raise _Reject("corrupt_file", "; ".join(engines.refusals.values()))
        _check_complete(data)
        _check_page_count(main.page_count, options)
        backups = [name for name in engines.order if name != main.name]
        pages = []
        for index in range(main.page_count):
            page = _render_page(main, backups, engines, index, options)
            pages.append(_read_scan(page, options, lambda larger, name=page.renderer, index=index:
                                    _engine(engines, name).render(index, larger).image))
            on_page()
        return pages


def _engine(engines: _Engines, name: str) -> _PdfEngine:
    engine = engines.get(name)
    assert engine is not None, name  # it has just drawn the page
    return engine


def _render_page(main: _PdfEngine, backups: list[str], engines: _Engines, index: int,
                 options: RenderOptions) -> Page:
    try:
        return main.render(index, options)
    except MemoryError:
        raise  # the other engine needs as much: out of memory, not a bad page
    except Exception as exc:
        failed = f"page {index + 1} of {main.page_count}: {main.name}: {type(exc).__name__}: {exc}"
    for name in backups:
        backup = engines.get(name)
        if backup is None:
            failed += f"; {engines.refusals[name]}"
        elif backup.page_count != main.page_count:
            failed += f"; {name} sees {backup.page_count} pages"
        else:
            try:
                return backup.render(index, options)
            except MemoryError:
                raise
            except Exception as exc:
                failed += f"; {name}: {type(exc).__name__}: {exc}"
    raise _Reject("render_failed", failed)


def _render_image(data: bytes, options: RenderOptions, on_page: Callable[[], None]) -> list[Page]:
    try:
        with warnings.catch_warnings():
            # The pixel cap below is ours (options.max_image_pixels), checked from the header
            # before anything is decoded; Pillow's own error still fires past twice its limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _Reject("image_too_large", str(exc)) from None
    except Exception as exc:
        raise _Reject("corrupt_file", f"Pillow cannot open the image: {exc}") from None
    with source:
        try:
            frames = getattr(source, "n_frames", 1)  # a TIFF reads every frame's header here
            if frames == 0:
                raise _Reject("corrupt_file", "the image has no frames")
            _check_page_count(frames, options)
            pages = []
            for frame in ImageSequence.Iterator(source):
                _check_pixels(frame.size, options)  # each frame: a later one may be the bomb
                page = Page(image=_fit_image(frame, options), renderer="pillow")
                pages.append(_read_scan(page, options, lambda larger, frame=frame: _fit_image(frame, larger)))
                on_page()
            return pages
        except (_Reject, MemoryError):
            raise
        # Truncated or broken image data surfaces on decode, as OSError mostly, but also as
        # SyntaxError (a broken PNG chunk), TypeError (a TIFF frame without dimensions), ...
        except Exception as exc:
            raise _Reject("corrupt_file", f"Pillow cannot decode the image: {exc}") from None


def _check_pixels(size: tuple[int, int], options: RenderOptions) -> None:
    width, height = size
    if width * height > options.max_image_pixels:
        raise _Reject("image_too_large", f"{width}x{height} pixels, over the cap of {options.max_image_pixels}")


def _fit_image(frame: Image.Image, options: RenderOptions) -> Image.Image:
    # Phone photos carry their rotation in EXIF; apply it before the model sees the page.
    image = ImageOps.exif_transpose(frame).convert("RGB")
    scale = min(1.0, fit_scale(image.width, image.height, options))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image


def _read_scan(page: Page, options: RenderOptions, redraw: Callable[[RenderOptions], Image.Image]) -> Page:
    """A page without a text layer (a scan or a photo) turned upright and straightened, and its
    words read by OCR; born-digital pages are drawn upright and have their words. A detection or
    OCR failure leaves the page as it is.

    A page drawn for a small image-token budget (70 or 140 tokens) is too coarse to read the
    shape of its lines, or its words: both are read on the page drawn again (``redraw``) at the
    size they are tuned for (OCR's is the larger), and the turn found is applied to the page as
    drawn. Word boxes are fractions of the page, so they hold for both sizes. The OCR checks the
    up/down call (:func:`pipeline.ocr.read_upright`): a page it reads far better turned half is
    turned half, and its correction says so."""
    if page.text.strip() or not (options.upright or options.ocr):
        return page
    wanted = ocr.OCR_PIXELS if options.ocr else orientation.DETECT_PIXELS
    original = large = page.image
    if page.image.width * page.image.height < 0.8 * wanted:
        larger = replace(options, dpi=None, max_soft_tokens=wanted // PIXELS_PER_SOFT_TOKEN)
        try:
            large = redraw(larger)
        except MemoryError:
            raise
        except Exception:  # read the page as drawn then: coarser, but no reason to fail it
            pass
    if options.upright:
        page.image, correction = orientation.upright(page.image, large)
        page.rotation, page.skew, page.orientation = correction.rotation, correction.skew, correction.method
        large = page.image if large is original else orientation.apply(large, correction)
    if options.ocr:
        reading, turned = ocr.read_upright(large) if options.upright else (ocr.read(large), False)
        page.words = reading.words
        if turned:  # the up/down call was wrong: the page reads far better turned half
            page.image = page.image.transpose(Image.Transpose.ROTATE_180)
            page.rotation = (page.rotation + 180) % 360
            page.orientation = f"{page.orientation}, turned half by OCR"
        if options.ocr_text_layer:
            page.text = ocr.ocr_text(page.words)
    return page