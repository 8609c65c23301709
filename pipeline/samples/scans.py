"""Turn a born-digital PDF into what a scanner or a phone delivers: image-only PDFs, JPEG photos, TIFFs.

Randomness comes from the caller's seeded `random.Random` only (Pillow's own noise is not
seedable), so the same PDF and seed give the same bytes.
"""

from __future__ import annotations

import io
import math
import random
import statistics
from dataclasses import dataclass

import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter


@dataclass(frozen=True)
class ScanOptions:
    """How a scanner, and whoever fed it, degrades the pages. Ranges are (low, high), drawn per page."""

    dpi: int = 150
    rotation: int = 0  # degrees clockwise the sheet lay on the glass: 0, 90, 180 or 270
    skew: tuple[float, float] = (0.0, 1.5)  # absolute skew in degrees, either direction
    blur: tuple[float, float] = (0.4, 0.8)  # Gaussian radius in pixels
    noise: tuple[float, float] = (3.0, 6.0)  # sensor noise, standard deviation in grey levels
    quality: tuple[int, int] = (55, 70)  # JPEG quality


SCAN_VARIANTS: dict[str, ScanOptions] = {
    "scan": ScanOptions(),
    "scan_rot90": ScanOptions(rotation=90),
    "scan_rot180": ScanOptions(rotation=180),
    "scan_rot270": ScanOptions(rotation=270),
    "scan_skew": ScanOptions(skew=(2.5, 5.0)),
    "scan_blur": ScanOptions(blur=(1.4, 2.0)),
    "scan_jpeg": ScanOptions(quality=(6, 12)),
    "scan_noisy": ScanOptions(noise=(14.0, 22.0)),
    "scan_100dpi": ScanOptions(dpi=100),
    "scan_75dpi": ScanOptions(dpi=75),
}
"""The scanned variants write_batch mixes, by the name truth files record."""


def page_image(page: pymupdf.Page, dpi: float, gray: bool) -> Image.Image:
    """A page rasterised at `dpi`, greyscale or RGB."""
    zoom = dpi / 72
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY if gray else pymupdf.csRGB,
                          alpha=False)
    return Image.frombytes("L" if gray else "RGB", (pix.width, pix.height), pix.samples)


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Roughly normal noise around 128 from seeded bytes."""
    normal = statistics.NormalDist(128, sigma)
    lut = [min(255, max(0, round(normal.inv_cdf((i + 0.5) / 256)))) for i in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(lut)


def _jpeg(image: Image.Image, quality: int, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **params)
    return buffer.getvalue()


Point = tuple[float, float]
"""A place in an image as fractions (0-1) of its width and height, origin top left."""


@dataclass(frozen=True)
class ScannedPage:
    """How one sheet lay on the glass: the truth an orientation check is measured against. Both
    angles are clockwise, so turning the image back by their negatives makes the page upright."""

    rotation: int  # the quarter turn, as ScanOptions.rotation
    skew: float  # degrees the sheet was tilted, before the quarter turn (in the upright page's frame)

    def place(self, points: list[Point], size: tuple[float, float]) -> list[Point]:
        """Where `points` of the upright page (`size`: its width and height) lie in the scanned image."""
        return quarter(tilt(points, size, self.skew), self.rotation)


def tilt(points: list[Point], size: tuple[float, float], degrees: float) -> list[Point]:
    """Where `points` of an image of `size` (pixels, or any unit: only the aspect matters) lie once the
    image is turned `degrees` clockwise about its centre, keeping its size (Pillow's rotate(-degrees))."""
    w, h = size
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    out = []
    for fx, fy in points:
        dx, dy = (fx - 0.5) * w, (fy - 0.5) * h  # y points down: clockwise takes +x towards +y
        out.append((0.5 + (dx * cos - dy * sin) / w, 0.5 + (dx * sin + dy * cos) / h))
    return out


def quarter(points: list[Point], rotation: int) -> list[Point]:
    """Where `points` lie once the image is turned `rotation` (0, 90, 180, 270) degrees clockwise, its
    width and height trading places at 90 and 270."""
    turn = {0: lambda x, y: (x, y), 90: lambda x, y: (1 - y, x), 180: lambda x, y: (1 - x, 1 - y),
            270: lambda x, y: (y, 1 - x)}[rotation % 360]
    return [turn(x, y) for x, y in points]


def _scanned(image: Image.Image, rng: random.Random, options: ScanOptions) -> tuple[Image.Image, ScannedPage]:
    """What a sheet-fed scanner adds: skew, grey paper and toner, soft focus, sensor noise, and the
    quarter turns of a sheet fed sideways or upside down; and how the sheet lay."""
    angle = rng.uniform(*options.skew) * rng.choice((-1, 1))
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)  # counter-clockwise
    ink, paper = rng.randint(15, 40), rng.randint(226, 244)
    image = image.point(lambda v: ink + (paper - ink) * v // 255)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(*options.blur)))
    image = ImageChops.add(image, _noise(rng, image.size, rng.uniform(*options.noise)), scale=1.0, offset=-128)
    image = image.rotate(-options.rotation, expand=True) if options.rotation else image
    return image, ScannedPage(options.rotation, -angle)


def scan_pdf(pdf: bytes, rng: random.Random, options: ScanOptions = ScanOptions()) -> bytes:
    """Rasterise every page as a scanner would (grey, skewed, noisy, JPEG) into an image-only PDF.

    A page scanned with rotation 90 or 270 comes out landscape, its text running up or down the page.
    """
    return scan_pdf_with_truth(pdf, rng, options)[0]


def scan_pdf_with_truth(pdf: bytes, rng: random.Random,
                        options: ScanOptions = ScanOptions()) -> tuple[bytes, list[ScannedPage]]:
    """:func:`scan_pdf` (the same bytes for the same seed) and how each page lay on the glass."""
    out = pymupdf.open()
    truth = []
    with pymupdf.open(stream=pdf, filetype="pdf") as src:
        for page in src:
            image, lay = _scanned(page_image(page, options.dpi, gray=True), rng, options)
            truth.append(lay)
            width, height = page.rect.width, page.rect.height
            if options.rotation in (90, 270):
                width, height = height, width
            target = out.new_page(width=width, height=height)
            target.insert_image(target.rect, stream=_jpeg(image, rng.randint(*options.quality)))
    # Scanner-like metadata with a fixed date, so the same input gives the same bytes.
    stamp = "D:20250101120000Z"
    out.set_metadata({"title": "", "author": "", "subject": "", "keywords": "", "creator": "Canon iR-ADV C5535",
                      "producer": "Canon iR-ADV C5535 PDF", "creationDate": stamp, "modDate": stamp})
    return out.tobytes(garbage=4, deflate=True, no_new_id=True), truth


EXIF_ORIENTATION = 0x0112


def photo_jpeg(pdf: bytes, rng: random.Random, sideways: bool = False) -> bytes:
    """The first page as a phone photo: sheet on a desk, tilted, unevenly lit, ~1500 px, JPEG quality 80.

    `sideways`: the pixels are stored turned 90 degrees with EXIF orientation 6, as a phone held
    in landscape saves them; viewers (and the pipeline) must apply the EXIF rotation.
    """
    return photo_jpeg_with_truth(pdf, rng, sideways)[0]


@dataclass(frozen=True)
class Photo:
    """Where the photographed page lies in the photo: what maps the page's evidence boxes into it."""

    frame: tuple[int, int]  # the photo's width and height as shown (EXIF orientation applied)
    sheet: tuple[int, int]  # the page's size in pixels on the desk
    offset: tuple[int, int]  # the page's upper left corner on the desk
    quad: tuple[float, ...]  # the desk region the camera saw, as Pillow's QUAD transform takes it

    def place(self, points: list[Point]) -> list[Point]:
        """Where `points` of the page lie in the photo (as shown)."""
        return [self._in_frame(self.offset[0] + x * self.sheet[0], self.offset[1] + y * self.sheet[1])
                for x, y in points]

    def _in_frame(self, sx: float, sy: float) -> Point:
        """The frame fractions (u, v) that the QUAD transform's bilinear map takes to desk pixel (sx, sy)."""
        nw, sw, se, ne = (self.quad[i:i + 2] for i in range(0, 8, 2))
        bx, by = ne[0] - nw[0], ne[1] - nw[1]  # along the frame's width
        cx, cy = sw[0] - nw[0], sw[1] - nw[1]  # along its height
        tx, ty = se[0] - sw[0] - ne[0] + nw[0], se[1] - sw[1] - ne[1] + nw[1]  # the twist of a tilted view
        u = v = 0.5
        for _ in range(20):  # Newton's method: a bilinear map is close to linear over a photo
            ex, ey = nw[0] + u * bx + v * cx + u * v * tx - sx, nw[1] + u * by + v * cy + u * v * ty - sy
            a, b, c, d = bx + v * tx, cx + u * tx, by + v * ty, cy + u * ty
            det = a * d - b * c
            du, dv = (ex * d - ey * b) / det, (ey * a - ex * c) / det
            u, v = u - du, v - dv
            if abs(du) + abs(dv) < 1e-10:
                break
        return u, v


def photo_jpeg_with_truth(pdf: bytes, rng: random.Random, sideways: bool = False) -> tuple[bytes, Photo]:
    """:func:`photo_jpeg` (the same bytes for the same seed) and where the page lies in the photo."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        page = doc[0]
        landscape = page.rect.width > page.rect.height
        frame = (1500, 1125) if landscape else (1125, 1500)
        sheet = page_image(page, 72 * 0.82 * max(frame) / max(page.rect.width, page.rect.height), gray=False)
    sheet = ImageChops.multiply(sheet, Image.new("RGB", sheet.size, (252, 248, 238)))  # paper is never white
    scene, offset = _desk(rng, (int(frame[0] * 1.15), int(frame[1] * 1.15)), sheet)
    quad = _camera_quad(rng, scene.size, frame)
    photo = scene.transform(frame, Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC)
    photo = ImageChops.multiply(photo, _lighting(rng, frame))
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
    photo = ImageChops.add(photo, _noise(rng, frame, 4).convert("RGB"), scale=1.0, offset=-128)
    truth = Photo(frame, sheet.size, offset, quad)
    if not sideways:
        return _jpeg(photo, 80), truth
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # "rotate 90 degrees clockwise to display"
    return _jpeg(photo.rotate(90, expand=True), 80, exif=exif.tobytes()), truth


def _desk(rng: random.Random, size: tuple[int, int], sheet: Image.Image) -> tuple[Image.Image, tuple[int, int]]:
    """The sheet centred on a mottled desk surface, with a soft shadow under it; and where the sheet lies."""
    colour = rng.choice(((136, 100, 70), (112, 114, 120), (70, 72, 80), (180, 160, 130)))
    mottle = Image.frombytes("L", (6, 8), rng.randbytes(48)).point(lambda v: 200 + v * 55 // 255)
    mottle = mottle.resize(size, Image.Resampling.BICUBIC).convert("RGB")
    desk = ImageChops.multiply(Image.new("RGB", size, colour), mottle)
    left, top = (size[0] - sheet.width) // 2, (size[1] - sheet.height) // 2
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).rectangle((left + 10, top + 14, left + sheet.width + 10, top + sheet.height + 14), fill=150)
    desk = Image.composite(Image.new("RGB", size, (20, 20, 20)), desk, shadow.filter(ImageFilter.BoxBlur(14)))
    desk.paste(sheet, (left, top))
    return desk, (left, top)


def _camera_quad(rng: random.Random, scene: tuple[int, int], frame: tuple[int, int]) -> tuple[float, ...]:
    """Corners (upper left, lower left, lower right, upper right) of the scene region the camera sees:
    the frame-sized centre, rotated a few degrees and with each corner jittered, i.e. a tilted view."""
    angle = math.radians(rng.uniform(-3, 3))
    cx, cy = scene[0] / 2, scene[1] / 2
    jitter = 0.03 * min(frame)
    quad: list[float] = []
    for sx, sy in ((-1, -1), (-1, 1), (1, 1), (1, -1)):
        dx = sx * frame[0] / 2 + rng.uniform(-jitter, jitter)
        dy = sy * frame[1] / 2 + rng.uniform(-jitter, jitter)
        quad += [cx + dx * math.cos(angle) - dy * math.sin(angle), cy + dx * math.sin(angle) + dy * math.cos(angle)]
    return tuple(quad)


def _lighting(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth brightness field: a 3x3 grid of levels blown up, so one side is darker than the other."""
    levels = bytes(rng.randint(175, 255) for _ in range(9))
    return Image.frombytes("L", (3, 3), levels).resize(size, Image.Resampling.BILINEAR).convert("RGB")


def multipage_tiff(pdf: bytes, dpi: int = 150) -> bytes:
    """All pages as a bilevel multi-frame TIFF with CCITT group 4 compression, as office scanners file them."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        frames = [page_image(page, dpi, gray=True).point(lambda v: 255 if v > 170 else 0, mode="1") for page in doc]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(dpi, dpi))
    return buffer.getvalue()
