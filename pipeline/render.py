"""Render a document's pages to images sized for the model's image-token budget, keeping the PDF
text layer. PDFs go through PyMuPDF (or PDFium, the permissively licensed and, on our pages,
faster alternative), PNG/JPEG/TIFF (multi-frame included) through Pillow.

Failures are values: :func:`render_document` returns a :class:`RenderFailure` with a reason,
never raises. PyMuPDF is not thread-safe, so the runner calls this in worker processes."""

from __future__ import annotations

import hashlib
import io
import math
import time
import warnings
from dataclasses import dataclass, field

import pymupdf
from PIL import Image, ImageOps, ImageSequence

from .storage import FileTooLarge, S3Options, StorageError, read_bytes

# Gemma 4 image processor: 16 px patches pooled 3x3, so one soft token covers 48x48 pixels.
PIXELS_PER_SOFT_TOKEN = (16 * 3) ** 2

PDF_MAGIC = b"%PDF"
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class RenderOptions:
    """What a render worker needs from :class:`~pipeline.config.Settings` (small, picklable)."""

    max_soft_tokens: int = 280
    renderer: str = "pymupdf"  # or "pdfium"
    dpi: int | None = None
    max_side_px: int = 2048
    max_pages: int = 50
    max_file_bytes: int = 200 * 2**20
    max_image_pixels: int = 100_000_000

    @property
    def target_pixels(self) -> int:
        return self.max_soft_tokens * PIXELS_PER_SOFT_TOKEN


@dataclass
class Page:
    image: Image.Image
    text: str = ""


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


def render_source(uri: str, options: RenderOptions, s3: S3Options = S3Options(),
                  skip: frozenset[str] = frozenset()) -> RenderedDocument | RenderFailure | Skipped:
    """Read (local path, file:// or s3:// URI), identify (SHA-256) and render one document,
    unless its identity is in ``skip``. Never raises."""
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
    return render_document(data, options, start, sha)


def render_document(data: bytes, options: RenderOptions, start: float | None = None,
                    sha: str | None = None) -> RenderedDocument | RenderFailure:
    """Render a document held in memory. Never raises: bad input becomes a RenderFailure."""
    start = time.perf_counter() if start is None else start
    sha = sha or hashlib.sha256(data).hexdigest()
    try:
        if not data:
            raise _Reject("empty_file", "the file is empty (0 bytes)")
        if len(data) > options.max_file_bytes:
            raise _Reject("file_too_large", f"{len(data)} bytes, over the cap of {options.max_file_bytes}")
        if data.startswith(PDF_MAGIC):
            kind, pages = "pdf", _render_pdf(data, options)
        elif data.startswith(IMAGE_MAGIC):
            kind, pages = "image", _render_image(data, options)
        else:
            raise _Reject("unsupported_format", f"not a PDF, PNG, JPEG or TIFF (starts with {data[:8]!r})")
    except _Reject as exc:
        return RenderFailure(exc.error_type, str(exc), sha, len(data), time.perf_counter() - start)
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
    if count == 0:
        raise _Reject("corrupt_file", "the document has no pages")
    if count > options.max_pages:
        raise _Reject("too_many_pages", f"{count} pages, over the cap of {options.max_pages}")


def _render_pdf(data: bytes, options: RenderOptions) -> list[Page]:
    return _PDF_RENDERERS[options.renderer](data, options)


def _check_complete(data: bytes) -> None:
    # Both engines silently rebuild a cut-off file from what is left, dropping pages or
    # content: a file without its end-of-file marker (required in the last 1024 bytes) is refused.
    if b"%%EOF" not in data[-1024:]:
        raise _Reject("truncated_file", "the PDF ends without %%EOF: the file is incomplete")


def _pymupdf_pages(data: bytes, options: RenderOptions) -> list[Page]:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise _Reject("corrupt_file", f"PyMuPDF cannot open the PDF: {exc}") from None
    with doc:
        _check_complete(data)
        if doc.needs_pass:
            raise _Reject("encrypted", "the PDF is password-protected")
        _check_page_count(doc.page_count, options)
        pages = []
        for page in doc:
            scale = fit_scale(page.rect.width, page.rect.height, options, units_per_inch=72)
            pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False, colorspace=pymupdf.csRGB)
            image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            pages.append(Page(image=image, text=page.get_text("text")))
        return pages


def _pdfium_pages(data: bytes, options: RenderOptions) -> list[Page]:
    import pypdfium2  # the permissive (Apache-2.0/BSD) alternative to PyMuPDF

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _Reject("encrypted", "the PDF is password-protected") from None
        raise _Reject("corrupt_file", f"PDFium cannot open the PDF: {exc}") from None
    try:
        _check_complete(data)
        _check_page_count(len(pdf), options)
        pages = []
        for page in pdf:
            width, height = page.get_size()
            image = page.render(scale=fit_scale(width, height, options, units_per_inch=72)).to_pil()
            pages.append(Page(image=image.convert("RGB"), text=page.get_textpage().get_text_range()))
        return pages
    finally:
        pdf.close()


_PDF_RENDERERS = {"pymupdf": _pymupdf_pages, "pdfium": _pdfium_pages}


def _render_image(data: bytes, options: RenderOptions) -> list[Page]:
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
        width, height = source.size
        if width * height > options.max_image_pixels:
            raise _Reject("image_too_large",
                          f"{width}x{height} pixels, over the cap of {options.max_image_pixels}")
        _check_page_count(getattr(source, "n_frames", 1), options)
        try:
            return [Page(image=_fit_image(frame, options)) for frame in ImageSequence.Iterator(source)]
        except OSError as exc:  # truncated or broken image data surfaces on decode
            raise _Reject("corrupt_file", f"Pillow cannot decode the image: {exc}") from None


def _fit_image(frame: Image.Image, options: RenderOptions) -> Image.Image:
    # Phone photos carry their rotation in EXIF; apply it before the model sees the page.
    image = ImageOps.exif_transpose(frame).convert("RGB")
    scale = min(1.0, fit_scale(image.width, image.height, options))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image
