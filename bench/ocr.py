"""OCR engines on the generator's scans: CPU time per page and how many of the page's true words
they read, per variant, engine and page size.

    .venv/bin/python bench/ocr.py [--docs 3] [--pages 1] [--engines tesseract,tesserocr,rapidocr]
                                  [--sizes 280,560] [--variants scan,scan_blur,...] [--languages true|all]

The defaults take about five minutes on two busy cores (30 pages, six engine and size pairs).

Generates --docs documents per variant (invoices and contracts alternating, layouts and languages
cycling; the first --pages pages of each), delivers them as the variant (scans, photo, TIFF) and
renders them as the pipeline does (``render_document``: upright and deskewed) at each size in
--sizes: soft tokens of the model's image budget (280: ~645K pixels, 560: ~1.3 MP, 1120: ~2.6 MP),
optionally enlarged before OCR (``280x2``: rendered at 280, then twice the width and height with
Lanczos). The truth of each page is the born-digital PDF's words (PyMuPDF ``get_text("words")``).

Engines (each skipped, saying why, when it cannot run):

- tesseract: the Tesseract command line (Debian ``tesseract-ocr`` and ``tesseract-ocr-eng/deu/fra/spa``),
  ``--psm 3`` TSV output, one process per page, as ``pipeline.ocr`` calls it;
- tesserocr: the same Tesseract in process through the PyPI wheel ``tesserocr`` (it bundles its
  own libtesseract and reads Debian's traineddata);
- rapidocr: ``pipeline.ocr.ocr_words``: RapidOCR 3 (PyPI ``rapidocr`` with ``onnxruntime``),
  PP-OCRv6 small detection and recognition models shipped in the wheel, one ONNX thread, no angle
  classifier (pages are upright already), one line per recognition batch, word boxes; pages larger
  than ``OCR_PIXELS`` (560 soft tokens) scaled down to it first;
- rapidocr-v4: the older ``rapidocr-onnxruntime`` 1.4 (PP-OCRv4 Chinese/English models in its wheel;
  it asks for ``opencv-python``, so install it with ``--no-deps`` beside ``opencv-python-headless``).

Languages: ``true`` hands Tesseract the document's language, ``all`` every language the samples use
(what the pipeline does when it does not know the language). RapidOCR's model has no language setting.

Prints per variant, engine and size: pages, CPU ms per page (the engine's own process and its
children, robust to other jobs on the machine; one thread each, as render workers run one per
core), word recall (share of the true words found, normalised, in reading order: the longest common
subsequence of both pages' words sorted into lines top to bottom, left to right), the character
error rate of the page text in that order, the words the engine read that the page does not
have (extra, per true word) and the characters of text it read per page (what the page would
offer the model as its text layer; roughly four characters a token) and the pages the renderer
left in the wrong quarter turn (``pipeline.orientation``'s error, which OCR inherits: an upside-down
page reads as nothing); then totals and the ratios between engines. Render time per size is
printed too: a larger render for OCR costs it on top."""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.render import RenderOptions, render_document  # noqa: E402
from pipeline.samples import LANGUAGES  # noqa: E402
from pipeline.samples.files import variant_set_document  # noqa: E402

VARIANTS = ("scan", "scan_rot90", "scan_skew", "scan_blur", "scan_jpeg", "scan_noisy", "scan_100dpi", "scan_75dpi",
            "photo", "tiff")
TESSERACT_LANGUAGES = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa"}
TSV_WORD_LEVEL = "5"

TextBox = tuple[str, tuple[float, float, float, float]]  # a word and its box in 0-1 page fractions


@dataclass
class TruePage:
    variant: str
    language: str
    data: bytes  # the delivered document
    index: int
    words: list[TextBox]  # the born-digital page's words
    rotation: int = 0  # the clockwise quarter turn that makes the delivered page upright


@dataclass
class Tally:
    pages: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    true_words: int = 0
    found: int = 0
    extra: int = 0
    chars: int = 0
    read_chars: int = 0  # the read words joined by spaces: what the page offers the model as text
    char_errors: int = 0
    turned_wrong: int = 0  # pages the renderer left in the wrong orientation
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("pages", "cpu", "wall", "true_words", "found", "extra", "chars", "read_chars", "char_errors",
                     "turned_wrong"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures


# --- the candidates ----------------------------------------------------------------------------

Engine = Callable[[Image.Image, str], list[TextBox]]  # (page image, Tesseract language string)


def _tsv_words(tsv: str, size: tuple[int, int], header: bool) -> list[TextBox]:
    width, height = size
    words = []
    for line in tsv.splitlines()[1 if header else 0:]:
        cols = line.split("\t")
        if len(cols) == 12 and cols[0] == TSV_WORD_LEVEL and cols[11].strip():
            left, top, w, h = map(int, cols[6:10])
            words.append((cols[11], (left / width, top / height, (left + w) / width, (top + h) / height)))
    return words


def tesseract_cli(image: Image.Image, languages: str) -> list[TextBox]:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "PNG", compress_level=1)
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3", "tsv"],
                          input=buffer.getvalue(), capture_output=True, check=True,
                          env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return _tsv_words(done.stdout.decode(), image.size, header=True)


TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")


def tessdata_dir() -> str:
    """Where Debian's traineddata lie (the tesserocr wheel's own default path is empty)."""
    for candidate in filter(None, (os.environ.get("TESSDATA_PREFIX"), *TESSDATA_DIRS)):
        if any(Path(candidate).glob("*.traineddata")):
            return candidate
    raise RuntimeError("no Tesseract traineddata (apt-get install tesseract-ocr-eng ...)")


def tesserocr_engine() -> Engine:
    import tesserocr

    apis: dict[str, tesserocr.PyTessBaseAPI] = {}

    def ocr(image: Image.Image, languages: str) -> list[TextBox]:
        if languages not in apis:
            apis[languages] = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=languages,
                                                      psm=tesserocr.PSM.AUTO)
        api = apis[languages]
        api.SetImage(image.convert("L"))
        return _tsv_words(api.GetTSVText(0), image.size, header=False)
    return ocr


def rapidocr_engine() -> Engine:
    """The pipeline's OCR (pipeline.ocr: RapidOCR, pages larger than OCR_PIXELS scaled down to it)."""
    from pipeline import ocr

    if ocr.engine_problem():
        raise RuntimeError(ocr.engine_problem())
    return lambda image, languages: [(word.text, word.box) for word in ocr.ocr_words(image)]


def rapidocr_v4_engine() -> Engine:
    from rapidocr_onnxruntime import RapidOCR

    threads = {f"{part}_{kind}_op_num_threads": 1 for part in ("det", "cls", "rec") for kind in ("intra", "inter")}
    engine = RapidOCR(use_cls=False, rec_batch_num=1, **threads)

    def ocr(image: Image.Image, languages: str) -> list[TextBox]:
        lines, _ = engine(np.asarray(image.convert("RGB")), return_word_box=True)
        width, height = image.size
        words = []
        for quad, text, *_ in lines or ():  # line boxes only: this version's word boxes are per character
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            box = (min(xs) / width, min(ys) / height, max(xs) / width, max(ys) / height)
            words += [(word, box) for word in text.split()]
        return words
    return ocr


def engines(wanted: list[str]) -> dict[str, Engine]:
    found: dict[str, Engine] = {}
    for name in wanted:
        try:
            if name == "tesseract":
                if not shutil.which("tesseract"):
                    raise RuntimeError("no tesseract command (apt-get install tesseract-ocr tesseract-ocr-eng ...)")
                found[name] = tesseract_cli
            elif name == "tesserocr":
                found[name] = tesserocr_engine()
            elif name == "rapidocr":
                found[name] = rapidocr_engine()
            elif name == "rapidocr-v4":
                found[name] = rapidocr_v4_engine()
            else:
                raise RuntimeError("unknown engine")
        except Exception as exc:
            print(f"{name}: skipped: {type(exc).__name__}: {exc}")
    return found


# --- pages and their truth ---------------------------------------------------------------------

def generate(variants: list[str], docs: int, pages: int, seed: int) -> list[TruePage]:
    out: list[TruePage] = []
    for variant in variants:
        for i in range(docs):
            pdf, delivery = variant_set_document(variant, i, seed)
            # scanned PDFs: how each sheet lay; photos are upright once EXIF is applied, the TIFF is straight
            turns = [(360 - lay.rotation) % 360 for lay in delivery.scan] or [0] * 1000
            language = LANGUAGES[i % len(LANGUAGES)]
            with pymupdf.open(stream=pdf, filetype="pdf") as doc:
                count = 1 if variant.startswith("photo") else min(pages, doc.page_count)  # a photo shows page 1
                for index in range(count):
                    out.append(TruePage(variant, language, delivery.data, index, true_words(doc[index]), turns[index]))
    return out


def true_words(page: pymupdf.Page) -> list[TextBox]:
    width, height = page.rect.width, page.rect.height
    return [(w[4], (w[0] / width, w[1] / height, w[2] / width, w[3] / height)) for w in page.get_text("words")]


def render_sizes(pages: list[TruePage], sizes: list[str]
                 ) -> tuple[dict[tuple[int, str], Image.Image], dict[str, float], set[tuple[int, str]]]:
    """Each page as the pipeline renders it at each size, the render CPU seconds per page per size,
    and the pages it turned the wrong way (pipeline.orientation's doing, not OCR's)."""
    images: dict[tuple[int, str], Image.Image] = {}
    turned_wrong: set[tuple[int, str]] = set()
    seconds: dict[str, float] = {}
    by_document: dict[int, list[int]] = {}
    for n, page in enumerate(pages):
        by_document.setdefault(id(page.data), []).append(n)
    for size in sizes:
        tokens, _, factor = size.partition("x")
        options = RenderOptions(max_soft_tokens=int(tokens), max_side_px=4096)
        start, rendered_pages = time.process_time(), 0
        for members in by_document.values():
            rendered = render_document(pages[members[0]].data, options)
            rendered_pages += len(rendered.pages)
            for n in members:
                image = rendered.pages[pages[n].index].image
                if rendered.pages[pages[n].index].rotation != pages[n].rotation:
                    turned_wrong.add((n, size))
                if factor:
                    image = image.resize((round(image.width * float(factor)), round(image.height * float(factor))),
                                         Image.Resampling.LANCZOS)
                images[n, size] = image
        seconds[size] = (time.process_time() - start) / rendered_pages
    return images, seconds, turned_wrong


# --- scoring -----------------------------------------------------------------------------------

PUNCTUATION = ".,:;!?()[]{}\"'`«»„“”‘’*|"


def normalise(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().strip(PUNCTUATION)


def reading_order(words: list[TextBox]) -> list[str]:
    """Normalised words sorted into lines (by the vertical centre, a line ends where the next word's
    centre lies beyond half a typical word height) top to bottom, each line left to right."""
    kept = [(normalise(text), box) for text, box in words if normalise(text)]
    if not kept:
        return []
    tolerance = 0.5 * float(np.median([box[3] - box[1] for _, box in kept]))
    kept.sort(key=lambda item: (item[1][1] + item[1][3]) / 2)
    lines: list[list[tuple[str, tuple[float, float, float, float]]]] = []
    centre = -1.0
    for item in kept:
        middle = (item[1][1] + item[1][3]) / 2
        if not lines or middle - centre > tolerance:
            lines.append([])
            centre = middle
        lines[-1].append(item)
    return [text for line in lines for text, _ in sorted(line, key=lambda item: item[1][0])]


def common_subsequence(a: list, b: list) -> int:
    """Length of the longest common subsequence, one numpy row at a time."""
    if not a or not b:
        return 0
    index = {token: n for n, token in enumerate(set(a) | set(b))}
    b_codes = np.array([index[token] for token in b])
    row = np.zeros(len(b) + 1, dtype=np.int32)
    for token in a:
        diagonal = row[:-1] + (b_codes == index[token])
        row[1:] = np.maximum(row[1:], diagonal)
        row = np.maximum.accumulate(row)
    return int(row[-1])


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions by a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    b_codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(b) + 1)
    row = steps.copy()
    for n, char in enumerate(a, 1):
        substitute = row[:-1] + (b_codes != ord(char))
        new = np.empty_like(row)
        new[0] = n
        new[1:] = np.minimum(row[1:] + 1, substitute)
        row = np.minimum.accumulate(new - steps) + steps
    return int(row[-1])


def score(truth: list[TextBox], read: list[TextBox]) -> Tally:
    expected, got = reading_order(truth), reading_order(read)
    found = common_subsequence(expected, got)
    text, ocr_text = " ".join(expected), " ".join(got)
    return Tally(true_words=len(expected), found=found, extra=len(got) - found, chars=len(text),
                 read_chars=len(" ".join(word for word, _ in read)), char_errors=edit_distance(text, ocr_text))


# --- the run -----------------------------------------------------------------------------------

def cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(pages: list[TruePage], images: dict[tuple[int, str], Image.Image], turned_wrong: set[tuple[int, str]],
            sizes: list[str], found: dict[str, Engine], languages: str) -> dict[tuple[str, str], dict[str, Tally]]:
    tallies: dict[tuple[str, str], dict[str, Tally]] = {}
    for n, page in enumerate(pages):  # engines take turns page by page: other load hits all alike
        langs = "+".join(TESSERACT_LANGUAGES.values()) if languages == "all" else TESSERACT_LANGUAGES[page.language]
        for size in sizes:
            for name, engine in found.items():
                cpu, wall = cpu_seconds(), time.perf_counter()
                try:
                    read = engine(images[n, size], langs)
                    failure = []
                except Exception as exc:
                    read, failure = [], [f"{page.variant} page {page.index + 1}: {type(exc).__name__}: {exc}"]
                tally = score(page.words, read)
                tally.pages, tally.cpu, tally.wall = 1, cpu_seconds() - cpu, time.perf_counter() - wall
                tally.failures, tally.turned_wrong = failure, (n, size) in turned_wrong
                tallies.setdefault((name, size), {}).setdefault(page.variant, Tally()).add(tally)
    return tallies


def report(tallies: dict[tuple[str, str], dict[str, Tally]], variants: list[str], render: dict[str, float]) -> None:
    print(f"{'variant':<12} {'engine':<11} {'size':>6} {'pages':>5} {'cpu ms/page':>11} {'wall ms':>8} "
          f"{'recall':>7} {'CER':>6} {'extra':>6} {'chars':>6} {'turned':>6}")
    totals: dict[tuple[str, str], Tally] = {}
    for variant in [*variants, "all"]:
        for key, by_variant in tallies.items():
            if variant == "all":
                tally = totals[key]
            elif variant in by_variant:
                tally = by_variant[variant]
                totals.setdefault(key, Tally()).add(tally)
            else:
                continue
            _row(variant, key, tally)
        print()
    for size, seconds in render.items():
        print(f"render at {size}: {1000 * seconds:.0f} cpu ms/page (upright included)")
    keys = list(totals)
    if len(keys) > 1:
        base = keys[0]
        for key in keys[1:]:
            a, b = totals[base], totals[key]
            print(f"{key[0]}@{key[1]} / {base[0]}@{base[1]}: cpu time {(b.cpu / b.pages) / (a.cpu / a.pages):.2f}x, "
                  f"recall {b.found / max(1, b.true_words) - a.found / max(1, a.true_words):+.3f}")
    for key, tally in totals.items():
        for failure in tally.failures[:5]:
            print(f"{key[0]}@{key[1]} failed: {failure}")


def _row(variant: str, key: tuple[str, str], tally: Tally) -> None:
    pages = max(1, tally.pages)
    print(f"{variant:<12} {key[0]:<11} {key[1]:>6} {tally.pages:>5} {1000 * tally.cpu / pages:>11.0f} "
          f"{1000 * tally.wall / pages:>8.0f} {tally.found / max(1, tally.true_words):>7.3f} "
          f"{tally.char_errors / max(1, tally.chars):>6.3f} {tally.extra / max(1, tally.true_words):>6.3f} "
          f"{tally.read_chars / pages:>6.0f} {tally.turned_wrong:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=3, help="documents per variant")
    parser.add_argument("--pages", type=int, default=1, help="first pages of each document")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default="tesseract,tesserocr,rapidocr")
    parser.add_argument("--sizes", default="280,560", help="soft tokens to render at, 'TxF' to enlarge F times")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--languages", choices=("true", "all"), default="all")
    args = parser.parse_args()
    # One thread per engine, as in a render worker (set before onnxruntime and Tesseract start).
    os.environ["OMP_THREAD_LIMIT"] = "1"
    start = time.perf_counter()
    found = engines(args.engines.split(","))
    variants = [v for v in args.variants.split(",") if v]
    pages = generate(variants, args.docs, args.pages, args.seed)
    sizes = args.sizes.split(",")
    images, render, turned_wrong = render_sizes(pages, sizes)
    print(f"{len(pages)} pages ({args.docs} documents per variant, at most {args.pages} pages each), "
          f"languages {args.languages}, prepared in {time.perf_counter() - start:.0f} s")
    report(measure(pages, images, turned_wrong, sizes, found, args.languages), variants, render)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
