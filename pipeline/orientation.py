"""Make scanned pages upright: detect a page image's quarter turn (0/90/180/270) and skew, and undo them.

A sheet fed sideways or upside down, or a little crooked, reaches the model as a turned image; the
model reads turned text worse and grounds boxes in the wrong frame. Pages with a text layer are
born-digital and drawn upright, so :mod:`pipeline.render` calls this only for image-only pages.

The method is projection profiles of the page's ink (numpy and Pillow, no OCR engine), chosen by
measurement (``bench/orientation.py``, 572 pages of the generator's scans, photos and TIFFs): every
page upright, skew within 0.35 degrees on the rotated and skewed scans, ~35 ms of CPU per page
added to rendering (detection ~25, the skew turn ~13), where Tesseract's orientation detection
turned 83 % upright (92 % of the rotated scans; it needs the page drawn at 1120 tokens to answer
at all) in ~20 times the CPU. The up/down cue assumes Latin script, as the generator's four
languages are.

- Ink: pixels clearly darker than their local paper, less solid areas (logos, filled bars, the
  desk around a photographed sheet) and straight rules (table borders), which have no up or down.
- Skew: text lines make the row profile sharpest (Postl's criterion, the sum of squared
  differences of neighbouring rows) when they lie horizontal; search coarse, then fine.
- 0/180 versus 90/270: the same criterion for the page as it lies and turned a quarter: text
  lines make one direction's profile far sharper than the other's.
- 0 versus 180: Latin text leans up. Capitals, digits and ascenders (b d f h k l t) reach above
  the x-height far more often than descenders (g j p q y) reach below the baseline, so a line's
  ink rises gradually into its dense core from above and ends sharply at the baseline below.
  Each line votes, in vertical strips so that the lines of two columns do not blur together.

Each step abstains rather than guesses where the evidence is thin: a blank page, no text lines, or
a close up/down vote on a page that lies upright or upside down leave the page as it is, and
:attr:`Correction.method` says so.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

log = logging.getLogger(__name__)

# Detection works on the page scaled to this many pixels (about 280 image tokens, ~85 dpi for A4):
# the sizes below (strokes, rules, line heights) are tuned for it, whatever the model's budget.
DETECT_PIXELS = 645_000
MAX_ENLARGE = 4.0  # a smaller page is enlarged at most this much: past it nothing is legible
MAX_SKEW = 8.0  # degrees searched either way; sheet feeders and phones stay within a few
COARSE_STEP, FINE_STEP = 0.5, 0.05  # degrees
MIN_SKEW = 0.25  # degrees: a smaller skew is left as it is
RULES_SPAN = 2.0  # degrees either way of the text's skew searched again with the rules
MIN_INK_PIXELS = 400  # below this a page is (nearly) blank: nothing to measure
MAX_POINTS = 60_000  # ink pixels sampled for the skew search: more adds time, not accuracy
MIN_INK_CONTRAST = 30  # grey levels below the local paper that make a pixel ink, at least ...
NOISE_FACTOR = 4  # ... and this many times the paper's typical deviation (its 75th percentile)
MIN_QUARTER_MARGIN = 1.15  # how much sharper one direction's profile must be to tell 0/180 from 90/270
SKEW_STRIPS = 2  # vertical strips the skew is measured in
STRIPS = 4  # vertical strips the up/down vote is taken in
LINE_HEIGHTS = (4, 60)  # rows a text line may span at DETECT_PIXELS
CORE_SHARE = 0.6  # rows with this share of a line's densest row are its core (the x-height band)
VOTE_OFFSETS = (-0.1, 0.1)  # degrees beside the skew where a close vote is taken again
MIN_LINES = 3  # text lines an up/down vote needs
MIN_FLIP_VOTE = 0.15  # the vote (-2..2) an upright or upside-down page needs to be turned


@dataclass(frozen=True)
class Correction:
    """What makes a page upright: turn it ``rotation`` degrees clockwise (a quarter turn, exact),
    then ``skew`` degrees clockwise. ``method`` says what decided: "profile"; "profile: up
    uncertain" (a sideways page turned by a close vote); what could not be decided and so was
    left at 0 ("profile: up undecided", "profile: no text lines", "blank"); or "failed: <error>"."""

    rotation: int = 0
    skew: float = 0.0
    method: str = "none"


def detect(image: Image.Image) -> Correction:
    """The correction that makes ``image`` (a page scan or photo, text in Latin script) upright."""
    grey = _detection_size(image)
    ink = _ink(grey)
    mask = ink & ~_rules(ink)
    ys, xs = _points(mask)
    if ys.size < MIN_INK_PIXELS:
        return Correction(method="blank")
    # The page as it lies (0/180) and turned a quarter counter-clockwise (90/270), each at its best skew.
    as_is = _best_skew(ys, xs)
    turned = _best_skew((mask.shape[1] - 1) - xs, ys)  # where numpy.rot90 puts each point
    if as_is[1] < turned[1] * MIN_QUARTER_MARGIN and turned[1] < as_is[1] * MIN_QUARTER_MARGIN:
        # No direction has text lines (a picture, a form of boxes): nothing to turn or straighten by.
        return Correction(method="profile: no text lines")
    sideways = turned[1] > as_is[1]
    # Rules (a table's, a signature line) were left out to tell the page's direction, but lying
    # along the text lines they help to measure the skew: measure it again with them.
    ys, xs = _points(np.rot90(ink) if sideways else ink)
    angle = _best_skew(ys, xs, around=turned[0] if sideways else as_is[0], span=RULES_SPAN)[0]
    vote = _up_vote(np.rot90(mask) if sideways else mask, angle)
    method = "profile"
    if vote is None or abs(vote) < MIN_FLIP_VOTE:
        # Most sheets lie upright: a close call leaves such a page as it lies. A sideways page is
        # wrong as it lies, so there the vote's sign decides however close it is.
        if not sideways:
            return Correction(skew=_rounded(angle), method="profile: up undecided")
        vote, method = vote or 0.0, "profile: up uncertain"
    rotation = (270 if sideways else 0) + (180 if vote < 0 else 0)
    # A half turn keeps a line's slope, so the skew measured before it holds after it.
    return Correction(rotation=rotation % 360, skew=_rounded(angle), method=method)


def apply(image: Image.Image, correction: Correction) -> Image.Image:
    """``image`` turned upright: the quarter turn exactly (a transpose, no resampling), then the
    skew with white fill. The skew turn keeps the image's size: a scan is cropped to the
    scanner's frame, so what the turn moves out of the frame is the white the scanner filled
    in, and a larger image would cost more image tokens than the page's budget."""
    if correction.rotation:
        image = image.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                                 270: Image.Transpose.ROTATE_90}[correction.rotation])
    if correction.skew:
        white = 255 if len(image.getbands()) == 1 else (255,) * len(image.getbands())
        # Bilinear: half bicubic's time, for a little softness at the edges of strokes.
        image = image.rotate(-correction.skew, resample=Image.Resampling.BILINEAR, fillcolor=white)
    return image


def upright(image: Image.Image, measure_on: Image.Image | None = None) -> tuple[Image.Image, Correction]:
    """Detect (on ``measure_on``, the same page drawn at another size, when given) and apply to
    ``image`` in one step. Never raises (except MemoryError): a failure leaves the page as it is,
    logged and named in the correction's method."""
    try:
        correction = detect(image if measure_on is None else measure_on)
        return apply(image, correction), correction
    except MemoryError:
        raise  # the render worker's memory limit: the renderer reports it for the document
    except Exception as exc:  # a page the method cannot handle must not fail its document
        log.warning("page orientation detection failed, page left as it is: %s: %s", type(exc).__name__, exc)
        return image, Correction(method=f"failed: {type(exc).__name__}: {exc}")


def _detection_size(image: Image.Image) -> Image.Image:
    """The page in grey at about DETECT_PIXELS (angles do not change with the scale); a small image
    is enlarged at most MAX_ENLARGE times, past which there is nothing legible to enlarge."""
    grey = image.convert("L")
    scale = min(MAX_ENLARGE, math.sqrt(DETECT_PIXELS / max(1, grey.width * grey.height)))
    if 0.9 < scale < 1.1:
        return grey
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return grey.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0 if scale < 1 else None)


def _points(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the set pixels, a strided sample of at most MAX_POINTS."""
    ys, xs = np.nonzero(mask)
    stride = max(1, ys.size // MAX_POINTS)
    return ys[::stride].astype(np.float32), xs[::stride].astype(np.float32)


def _ink(grey: Image.Image) -> np.ndarray:
    """Where the ink is: pixels clearly darker than their local paper, less solid areas."""
    # Local paper brightness: the brightest pixel nearby, on an 8x smaller copy. Photos are lit
    # unevenly and lie on a desk, so one global threshold would call whole regions ink.
    small = grey.reduce(8) if min(grey.size) >= 64 else grey
    paper = small.filter(ImageFilter.MaxFilter(5)).resize(grey.size, Image.Resampling.BILINEAR)
    darker = np.asarray(paper, dtype=np.int16) - np.asarray(grey, dtype=np.int16)
    # Blurred strokes keep ~60 grey levels of contrast, noisy paper strays by tens: a share of
    # the paper's brightness would lose the one or keep the other, the paper's own spread not.
    noise = float(np.percentile(darker[::4, ::4], 75))
    ink = darker > max(MIN_INK_CONTRAST, NOISE_FACTOR * noise)
    return ink & ~_solid(ink)


def _solid(ink: np.ndarray) -> np.ndarray:
    """Ink in 4x4 blocks that are (nearly) all ink, and the blocks around them: strokes of text
    are thinner than that at DETECT_PIXELS."""
    blocks = Image.fromarray(ink.view(np.uint8) * 255).reduce(4)
    solid = Image.fromarray((np.asarray(blocks) >= 230).view(np.uint8) * 255).filter(ImageFilter.MaxFilter(3))
    return np.asarray(solid.resize((ink.shape[1], ink.shape[0]), Image.Resampling.NEAREST)) > 0


def _rules(ink: np.ndarray) -> np.ndarray:
    """Ink in horizontal or vertical runs of three blocks or more (a block is 1/45 of the shorter
    side, ~15 pixels) that are each three-quarters ink: rules, borders, a photographed sheet's
    edge, far longer than any stroke of a letter. Three-quarters, because a rule tilted by a few
    degrees steps sideways within a block."""
    block = max(8, min(ink.shape) // 45)
    image = Image.fromarray(ink.view(np.uint8) * 255)
    found = np.zeros_like(ink)
    for factor, along_rows in (((block, 1), True), ((1, block), False)):
        full = np.asarray(image.reduce(factor)) >= 192
        runs = _runs_of_three(full) if along_rows else _runs_of_three(full.T).T
        found |= np.asarray(Image.fromarray(runs.view(np.uint8) * 255).resize(
            (ink.shape[1], ink.shape[0]), Image.Resampling.NEAREST)) > 0
    return found


def _runs_of_three(full: np.ndarray) -> np.ndarray:
    """Cells of ``full`` in a run of three or more along their row, and one cell either side (a
    rule's ends fill their blocks only partly)."""
    starts = full[:, :-2] & full[:, 1:-1] & full[:, 2:]
    runs = np.zeros_like(full)
    for shift in range(3):
        runs[:, shift:shift + starts.shape[1]] |= starts
    widened = runs.copy()
    widened[:, 1:] |= runs[:, :-1]
    widened[:, :-1] |= runs[:, 1:]
    return widened


def _best_skew(ys: np.ndarray, xs: np.ndarray, around: float = 0.0, span: float = MAX_SKEW) -> tuple[float, float]:
    """The clockwise turn (degrees, within ``span`` of ``around``) that makes the row profiles
    sharpest, and that sharpness: Postl's criterion, the squared row-to-row changes per squared
    ink. Profiles per vertical strip, so that the lines of two columns, rarely at the same
    height, do not blur each other."""
    reach = float(xs.max()) * math.sin(math.radians(abs(around) + span + COARSE_STEP)) + 1.0
    height = int(ys.max() + 2 * reach) + 2  # rows the turned points can reach, all angles alike
    strip = np.minimum((xs * (SKEW_STRIPS / (float(xs.max()) + 1))).astype(np.int64), SKEW_STRIPS - 1)
    offset = strip * height  # each strip's profile in its own stretch of one bincount
    squared_ink = float(ys.size) ** 2

    def sharpness(angle: float) -> float:
        theta = math.radians(angle)
        rows = (ys * math.cos(theta) + xs * math.sin(theta) + (reach + 0.5)).astype(np.int64)
        profiles = np.bincount(offset + rows, minlength=SKEW_STRIPS * height).reshape(SKEW_STRIPS, height)
        return float(np.sum(np.diff(profiles, axis=1) ** 2)) / squared_ink

    def search(angles: np.ndarray) -> tuple[float, float]:
        scores = [sharpness(float(a)) for a in angles]
        best = int(np.argmax(scores))
        return float(angles[best]), scores[best]

    coarse, _ = search(np.arange(around - span, around + span + COARSE_STEP / 2, COARSE_STEP))
    return search(np.arange(coarse - COARSE_STEP, coarse + COARSE_STEP + FINE_STEP / 2, FINE_STEP))


def _rounded(skew: float) -> float:
    """The skew to correct: none below MIN_SKEW, where resampling would soften every letter to move
    a line's end by a pixel or three."""
    return round(skew, 2) + 0.0 if abs(skew) >= MIN_SKEW else 0.0  # + 0.0: no -0.0


def _up_vote(mask: np.ndarray, angle: float) -> float | None:
    """How clearly the text lines of ``mask`` (horizontal once turned ``angle`` degrees
    clockwise) stand upright, from -2 (on their heads) to 2; None with fewer than MIN_LINES lines.

    Two cues per line, each weighted by the line's ink and averaged: the ink above its core
    against the ink below it, and the steepness of its rises against its falls (cubed row-to-row
    changes: a line rises in steps through capitals and ascenders and drops at the baseline)."""
    vote = _line_vote(mask, angle)
    if vote is None or abs(vote) >= 2 * MIN_FLIP_VOTE:
        return vote
    # Close: on a pixel grid the vote jitters with the angle, so take it at neighbouring angles too.
    votes = [vote, *(v for v in (_line_vote(mask, angle + offset) for offset in VOTE_OFFSETS) if v is not None)]
    return sum(votes) / len(votes)


def _line_vote(mask: np.ndarray, angle: float) -> float | None:
    """:func:`_up_vote` at one angle."""
    straight = Image.fromarray(mask.view(np.uint8) * 255).rotate(-angle, resample=Image.Resampling.NEAREST)
    ink = np.asarray(straight) > 0
    ink &= ~_rules(ink)  # rules at the page's own skew survived the first pass
    width = ink.shape[1]
    profiles = [ink[:, strip * width // STRIPS:(strip + 1) * width // STRIPS].sum(axis=1)
                for strip in range(STRIPS)]
    lines = [profile[top:bottom] for profile in profiles for top, bottom in _lines(profile)]
    if len(lines) < MIN_LINES:
        return None
    # All lines end to end, each one's cues summed with reduceat over its stretch.
    rows = np.concatenate(lines).astype(np.float64)
    lengths = np.array([len(line) for line in lines])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    line_of = np.repeat(np.arange(len(lines)), lengths)
    position = np.arange(rows.size) - starts[line_of]
    core = rows >= CORE_SHARE * np.maximum.reduceat(rows, starts)[line_of]
    first = np.minimum.reduceat(np.where(core, position, rows.size), starts)[line_of]
    last = np.maximum.reduceat(np.where(core, position, -1), starts)[line_of]
    up = np.add.reduceat(np.where(position < first, rows, 0.0), starts)  # rows grow downwards
    down = np.add.reduceat(np.where(position > last, rows, 0.0), starts)
    tails = np.divide(up - down, up + down, out=np.zeros_like(up), where=up + down > 0)
    before = np.concatenate(([0.0], rows[:-1]))
    before[starts] = 0.0  # each line rises from nothing ...
    change = rows - before
    end = rows[starts + lengths - 1]  # ... and falls to nothing after its last row
    steps = (-np.add.reduceat(change ** 3, starts) + end ** 3) / (np.add.reduceat(np.abs(change) ** 3, starts) + end ** 3)
    weight = np.add.reduceat(rows, starts)
    return float(np.sum(weight * (tails + steps)) / np.sum(weight))


def _lines(profile: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) row ranges of the text lines in a strip's row profile: runs of inked rows, tall
    enough to hold letters and not so tall that they are a picture."""
    inked = profile[profile > 0]
    if inked.size == 0:
        return []
    dense = profile > max(1.0, 0.04 * np.percentile(inked, 90))
    edges = np.diff(np.concatenate(([0], dense.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    low, high = LINE_HEIGHTS
    keep = (ends - starts >= low) & (ends - starts <= high)
    return list(zip(starts[keep].tolist(), ends[keep].tolist()))
