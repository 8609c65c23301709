"""Words on pages without a text layer (scans, phone photos, TIFF): OCR in the page image's own
coordinates, so that a scan's words are found as a born-digital page's are (see :mod:`pipeline.words`).

The engine is RapidOCR (PyPI ``rapidocr``, Apache-2.0) on ONNX Runtime with the PP-OCRv6 small
multilingual detection and recognition models that ship in its wheel: nothing is downloaded at run
time. It was chosen by measurement (``bench/ocr.py``, 30 generated pages: scans of every variant,
photos, TIFFs, in en/de/fr/es) against Tesseract 5.3 (Debian's packages, as a command, and in
process through ``tesserocr``): on pages rendered at 560 soft tokens RapidOCR finds 95 % of the
true words in reading order where Tesseract finds 83 % (mean over variants, leaving out the 75-dpi
scans, one of which the renderer left upside down at that size), character error rate 4 % against
12 % over all pages; at 280 tokens 92 % against 56 % of all words. It costs about 2 s of one core per page at 560 tokens, as much as the Tesseract command and
1.8 times Tesseract in process; Tesseract is twice as fast again when told the page's one language,
which the pipeline does not know before it reads the page. The older ``rapidocr-onnxruntime``
(PP-OCRv4) drops spaces and umlauts: 42 % at 280 tokens.

Each process loads the engine once, on first use, and keeps it (render workers are processes). It
runs on one thread: the render pool already runs one worker per core it is given.

Nothing here raises for a page it cannot read: a missing engine or a failure is logged and gives no
words (a MemoryError, the render worker's limit, is the renderer's to report)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .words import Box, Word

log = logging.getLogger(__name__)

DEFAULT_LANGUAGES = ("en", "de", "fr", "es")
"""The languages the nightly documents come in (ISO 639-1)."""

READ_LANGUAGES = frozenset(
    "af az bs ca cs cy da de en es et eu fi fr ga gl hr hu id is it ja ku la lb lt lv mi ms mt nl no oc pl pt "
    "qu rm ro sk sl sq sv sw tl tr uz vi zh".split())
"""Languages (ISO 639-1) the shipped PP-OCRv6 model is trained on: Latin script, Chinese and Japanese
(RapidOCR's list for the model). Words in other scripts (Cyrillic, Greek, Arabic) come out missing or wrong."""

OCR_PIXELS = 560 * 48 * 48
"""The page size OCR reads best at, measured: a page of 560 soft tokens (~1.3 MP, ~110 dpi for A4).
At 280 tokens (the model's default budget) it misses more words (photos 90 % against 95 %, and the
dots on capitals: "Osterreich"), for a fifth less time; at 1120 it reads no more than at 560 and
takes a third longer. :func:`ocr_words` scales a larger page down to this; a smaller one it reads
as it is (enlarging it first gains about a point: render the page larger instead)."""

UPSIDE_DOWN_CONFIDENCE = 0.85
"""A page read with a mean line confidence below this is read again turned half (:func:`read_upright`).
Measured on the generator's scans (560 tokens): pages the right way up read at 0.93-0.99 even
blurred or at 75 dpi, the same pages upside down at 0.61-0.73 (most of the text read as garbage)."""

INSTALL_HINT = "pip install rapidocr onnxruntime"

_lock = threading.Lock()
_engine: Any = None
_problem: str | None = None  # why the engine cannot run, once known
_warned: set[str] = set()


@dataclass(frozen=True)
class Reading:
    """What OCR read on a page: its words, and how sure the recogniser was of its lines."""

    words: list[Word]
    confidence: float = 0.0  # mean of the recogniser's line scores (0-1); 0 without lines
    weight: float = 0.0  # sum over lines of score x characters: how much was read, how well


def read(image: Image.Image, languages: Iterable[str] = DEFAULT_LANGUAGES) -> Reading:
    """The words on ``image`` (a page scan or photo, upright; best rendered at :data:`OCR_PIXELS` or
    more), each with its box in 0-1 fractions of the image, in reading order (lines top to bottom,
    each left to right). ``languages`` (ISO 639-1) are the languages the page may be in: the model
    reads all of :data:`READ_LANGUAGES` at once, so they only warn about a language it is not
    trained on. No words when the page has no text, the engine is missing (logged once per
    process) or fails on the page (logged)."""
    _check_languages(languages)
    engine = _load()
    if engine is None:
        return Reading([])
    page = _ocr_size(image)
    try:
        result = engine(page, return_word_box=True)
    except MemoryError:
        raise
    except Exception as exc:  # one unreadable page must not fail its document, let alone the batch
        log.warning("OCR failed on a %dx%d page, no words taken from it: %s: %s",
                    image.width, image.height, type(exc).__name__, exc)
        return Reading([])
    scores = [float(score) for score in getattr(result, "scores", None) or ()]
    texts = getattr(result, "txts", None) or ()
    return Reading(_words(result, page.size), sum(scores) / len(scores) if scores else 0.0,
                   sum(score * len(text) for score, text in zip(scores, texts)))


def ocr_words(image: Image.Image, languages: Iterable[str] = DEFAULT_LANGUAGES) -> list[Word]:
    """The words of :func:`read`."""
    return read(image, languages).words


def read_upright(image: Image.Image, languages: Iterable[str] = DEFAULT_LANGUAGES) -> tuple[Reading, bool]:
    """:func:`read` for a page the orientation stage has turned, checking its up and down: a
    reading less sure than :data:`UPSIDE_DOWN_CONFIDENCE` may be of a page that is upside down
    (a close up/down vote, a coarse or blurred scan), so the page is read again turned half, and
    the better reading (more characters read, more surely) is kept. True when that was the turned
    one: its words are in the turned page's coordinates, and the caller turns the page."""
    reading = read(image, languages)
    if reading.words and reading.confidence < UPSIDE_DOWN_CONFIDENCE:
        turned = read(image.transpose(Image.Transpose.ROTATE_180), languages)
        if turned.weight > reading.weight:
            return turned, True
    return reading, False


def ocr_text(words: list[Word]) -> str:
    """The words as plain text, one line per text line (words in reading order, as
    :func:`ocr_words` returns them): what a scan offers the model as its text layer. A new line
    starts where a word lies below the previous word's line or starts left of its end."""
    lines: list[list[str]] = []
    previous: Box | None = None
    for word in words:
        x0, y0, x1, y1 = word.box
        same_line = previous is not None and previous[1] <= (y0 + y1) / 2 <= previous[3] and x0 >= previous[0]
        if same_line:
            lines[-1].append(word.text)
        else:
            lines.append([word.text])
        previous = word.box
    return "\n".join(" ".join(line) for line in lines)


def engine_problem() -> str | None:
    """None when the OCR engine loads here, else why not (with the install step): for a check at
    start-up, so that a run says once, up front, that its scans will have no words."""
    _load()
    return _problem


def _load() -> Any:
    global _engine, _problem
    with _lock:
        if _engine is not None or _problem is not None:
            return _engine
        try:
            _engine = _new_engine()
        except MemoryError:
            raise
        except Exception as exc:  # ImportError above all; a broken install raises anything
            _problem = f"OCR engine unavailable ({type(exc).__name__}: {exc}); install it with: {INSTALL_HINT}"
            log.warning("%s. Pages without a text layer get no words.", _problem)
        return _engine


def _new_engine() -> Any:
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)  # its INFO lines name model files on every load
    return RapidOCR(params={
        "Global.log_level": "warning",
        "Global.use_cls": False,  # no 180-degree line classifier: pages are turned upright before OCR
        "Rec.rec_batch_num": 1,  # a batch pads every line to its widest: one at a time is faster (measured)
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def _ocr_size(image: Image.Image) -> Image.Image:
    """The page in a mode the engine takes (grey or RGB), no larger than OCR_PIXELS; boxes come back
    as fractions, so they hold for the page at any size."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    scale = (OCR_PIXELS / max(1, image.width * image.height)) ** 0.5
    if scale < 0.95:  # a page rendered for 560 tokens rounds to a few pixels over: not worth a resample
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image


def _check_languages(languages: Iterable[str]) -> None:
    for language in languages:
        if language not in READ_LANGUAGES and language not in _warned:
            _warned.add(language)
            log.warning("OCR: the model is not trained on language %r (it reads %s): its words may be missing "
                        "or misread", language, ", ".join(sorted(READ_LANGUAGES)))


def _words(result: Any, size: tuple[int, int]) -> list[Word]:
    """RapidOCR's lines (in its reading order) split into words with their boxes, as fractions."""
    if not getattr(result, "txts", None):
        return []
    width, height = size
    words = []
    for line_box, line in zip(result.boxes, result.word_results):
        for text, _score, quad in line:
            if text.strip():
                words.append(Word(text.strip(), _fraction_box(line_box if quad is None else quad, width, height)))
    return words


def _fraction_box(quad: Any, width: int, height: int) -> Box:
    xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]

    def clamp(value: float) -> float:
        return min(1.0, max(0.0, value))
    return clamp(min(xs) / width), clamp(min(ys) / height), clamp(max(xs) / width), clamp(max(ys) / height)
