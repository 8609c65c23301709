"""Upright pages: how often each orientation method turns the generator's scans upright, how close
it straightens them, and how long it takes per page.

    .venv/bin/python bench/orientation.py [--docs 24] [--max-soft-tokens 280] [--methods profile,tesseract,deskew]

Generates --docs documents per variant (invoices and contracts alternating, layouts and languages
cycling, every page counted): the rotated scans (scan_rot90/180/270), the skewed one, the other
scan variants, the photos and the TIFF, which must all stay at rotation 0. Methods:

- profile: docintel's own (pipeline.orientation: projection profiles of the ink), as the render
  stage runs it: render_document with upright on, its Page.rotation and Page.skew. Its time is
  what upright adds to rendering (the same document rendered with upright off, then on: the
  better of two tries each, per page), the redraw of small pages included.
- tesseract: Tesseract's orientation and script detection (``tesseract --psm 0``; Debian packages
  tesseract-ocr and tesseract-ocr-osd) for the quarter turn only, on the document rendered at
  --tesseract-tokens (at the model's 280 it mostly answers "Too few characters"); its time is
  that render and the OSD runs.
- deskew: the PyPI package ``deskew`` (Hough transform on scikit-image), skew only, when
  importable; handed each page at the model's size after its true quarter turn.

Prints, per variant and method, the share of pages whose quarter turn is the true one (upright),
the pages where the method left the turn as it lay for want of evidence (abstain), the skew error
against the generator's drawn skew (mean and max degrees, over pages turned right whose skew is
known: the photos' camera tilt is not recorded), and ms per page, wall-clock and CPU (this
process and its children: steadier on a shared machine); then the totals and the time ratios.
"n/a" where a method does not measure that."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline import orientation  # noqa: E402
from pipeline.render import RenderedDocument, RenderOptions, render_document  # noqa: E402
from pipeline.samples import SCAN_VARIANTS  # noqa: E402
from pipeline.samples.files import variant_set_document  # noqa: E402

ROTATED = ("scan_rot90", "scan_rot180", "scan_rot270")
VARIANTS = (*ROTATED, "scan_skew", *(v for v in SCAN_VARIANTS if v not in (*ROTATED, "scan_skew")),
            "photo", "photo_exif", "tiff")


@dataclass
class TrueDocument:
    """A generated document, its pages as the pipeline renders them with upright off, and for each
    page the correction that makes it upright: ``rotation`` and ``skew`` clockwise (skew None where
    the generator does not record it: a photo's camera tilt)."""

    variant: str
    data: bytes
    images: list[Image.Image]
    rotations: list[int]
    skews: list[float | None]


@dataclass
class Clock:
    """Wall-clock and CPU seconds (this process and its children, e.g. tesseract), from start."""

    wall: float = 0.0
    cpu: float = 0.0

    @staticmethod
    def now() -> Clock:
        children = os.times()  # in clock ticks (10 ms): fine for tesseract's hundreds
        return Clock(time.perf_counter(), time.process_time() + children.children_user + children.children_system)

    def since(self, start: Clock) -> Clock:
        return Clock(self.wall - start.wall, self.cpu - start.cpu)


Method = Callable[[TrueDocument], tuple[list[orientation.Correction], Clock]]  # corrections, time taken


@dataclass
class Tally:
    pages: int = 0
    upright: int = 0
    abstained: int = 0
    skew_errors: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, doc: TrueDocument, found: list[orientation.Correction], took: Clock) -> None:
        self.pages += len(found)
        self.seconds += took.wall
        self.cpu_seconds += took.cpu
        for correction, rotation, skew in zip(found, doc.rotations, doc.skews):
            self.upright += correction.rotation == rotation
            self.abstained += left_as_it_lies(correction)
            if correction.rotation == rotation and skew is not None and not correction.method.startswith("tesseract"):
                self.skew_errors.append(abs(correction.skew - skew))

    def merge(self, other: Tally) -> None:
        self.pages += other.pages
        self.upright += other.upright
        self.abstained += other.abstained
        self.skew_errors += other.skew_errors
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds


def left_as_it_lies(found: orientation.Correction) -> bool:
    """Whether the method abstained: could not tell the turn and left it at 0, saying why."""
    return found.method in ("blank", "profile: no text lines", "profile: up undecided", "tesseract: no answer") \
        or found.method.startswith("failed")


def generate(variants: list[str], docs: int, seed: int, options: RenderOptions) -> list[TrueDocument]:
    """``docs`` documents per variant with the truth of every page, rendered with upright off."""
    documents = []
    for variant in variants:
        for i in range(docs):
            _, delivery = variant_set_document(variant, i, seed)
            if delivery.scan:
                rotations = [(360 - lay.rotation) % 360 for lay in delivery.scan]
                skews: list[float | None] = [-lay.skew for lay in delivery.scan]
            else:  # photos are upright once EXIF is applied, the TIFF is straight
                rotations, skews = [0] * 100, [None if variant.startswith("photo") else 0.0] * 100
            images = [page.image for page in _render(delivery.data, options).pages]
            documents.append(TrueDocument(variant, delivery.data, images, rotations[:len(images)], skews[:len(images)]))
    return documents


def _render(data: bytes, options: RenderOptions) -> RenderedDocument:
    doc = render_document(data, options)
    assert isinstance(doc, RenderedDocument), doc
    return doc


def profile_method(tokens: int) -> Method:
    """docintel's render stage with upright on; the time it adds over upright off."""
    on, off = RenderOptions(max_soft_tokens=tokens), RenderOptions(max_soft_tokens=tokens, upright=False)

    def best_of_two(data: bytes, options: RenderOptions) -> tuple[RenderedDocument, Clock]:
        tries = []
        for _ in range(2):
            start = Clock.now()
            doc = _render(data, options)
            tries.append(Clock.now().since(start))
        return doc, Clock(min(t.wall for t in tries), min(t.cpu for t in tries))

    def run(doc: TrueDocument) -> tuple[list[orientation.Correction], Clock]:
        rendered, took_on = best_of_two(doc.data, on)
        _, took_off = best_of_two(doc.data, off)
        found = [orientation.Correction(p.rotation, p.skew, p.orientation) for p in rendered.pages]
        return found, Clock(max(0.0, took_on.wall - took_off.wall), max(0.0, took_on.cpu - took_off.cpu))

    return run


def tesseract_method(tokens: int) -> Method:
    """Tesseract OSD, quarter turn only, on the document rendered at ``tokens`` soft tokens."""
    options = RenderOptions(max_soft_tokens=tokens, upright=False)

    def osd(image: Image.Image) -> orientation.Correction:
        buffer = io.BytesIO()
        image.convert("L").save(buffer, "PNG", compress_level=1)
        done = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0"], input=buffer.getvalue(),
                              capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        fields = dict(line.split(": ", 1) for line in done.stdout.decode().splitlines() if ": " in line)
        if done.returncode != 0 or "Rotate" not in fields:
            return orientation.Correction(method="tesseract: no answer")
        # "Rotate" is the clockwise turn that makes the page upright (270 for scan_rot90).
        return orientation.Correction(int(fields["Rotate"]), method="tesseract")

    def run(doc: TrueDocument) -> tuple[list[orientation.Correction], Clock]:
        start = Clock.now()
        found = [osd(page.image) for page in _render(doc.data, options).pages]
        return found, Clock.now().since(start)
    return run


def deskew_method(doc: TrueDocument) -> tuple[list[orientation.Correction], Clock]:
    """The ``deskew`` package's angle (counter-clockwise degrees to turn) on each page after its
    true quarter turn: it measures skew only."""
    import numpy as np
    from deskew import determine_skew

    found, took = [], Clock()
    for image, rotation in zip(doc.images, doc.rotations):
        upright = np.asarray(orientation.apply(image, orientation.Correction(rotation=rotation)).convert("L"))
        start = Clock.now()
        angle = determine_skew(upright)
        spent = Clock.now().since(start)
        took = Clock(took.wall + spent.wall, took.cpu + spent.cpu)
        found.append(orientation.Correction(rotation, 0.0 if angle is None else -float(angle), "deskew"))
    return found, took


SKEW_ONLY, TURN_ONLY = {"deskew"}, {"tesseract"}


def measure(documents: list[TrueDocument], methods: dict[str, Method]) -> dict[str, dict[str, Tally]]:
    tallies: dict[str, dict[str, Tally]] = {name: {} for name in methods}
    for name, method in methods.items():
        for doc in documents:
            found, took = method(doc)
            tallies[name].setdefault(doc.variant, Tally()).add(doc, found, took)
    return tallies


def report(tallies: dict[str, dict[str, Tally]]) -> None:
    print(f"{'variant':<13} {'method':<10} {'pages':>5} {'upright':>8} {'abstain':>7} "
          f"{'skew err mean':>13} {'max':>6} {'ms/page':>8} {'cpu ms':>7}")
    totals: dict[str, Tally] = {}
    rotated: dict[str, Tally] = {}
    for variant in VARIANTS:
        for name, by_variant in tallies.items():
            if variant in by_variant:
                _row(variant, name, by_variant[variant])
                totals.setdefault(name, Tally()).merge(by_variant[variant])
                if variant in ROTATED:
                    rotated.setdefault(name, Tally()).merge(by_variant[variant])
    for label, sums in (("rotated", rotated), ("all", totals)):
        for name, total in sums.items():
            _row(label, name, total)
    names = list(totals)
    for name in names[1:]:
        wall, cpu = (getattr(totals[name], f) / getattr(totals[names[0]], f) for f in ("seconds", "cpu_seconds"))
        print(f"time per page {name} / {names[0]}: {wall:.1f}x wall-clock, {cpu:.1f}x CPU")


def _row(variant: str, name: str, tally: Tally) -> None:
    errors = tally.skew_errors
    skew = f"{statistics.mean(errors):>13.2f} {max(errors):>6.2f}" if errors else f"{'n/a':>13} {'':>6}"
    upright = f"{'n/a':>8}" if name in SKEW_ONLY else f"{100 * tally.upright / tally.pages:>7.1f}%"
    print(f"{variant:<13} {name:<10} {tally.pages:>5} {upright} {tally.abstained:>7} {skew} "
          f"{1000 * tally.seconds / tally.pages:>8.1f} {1000 * tally.cpu_seconds / tally.pages:>7.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=24, help="documents per variant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-soft-tokens", type=int, default=280, help="the model's image-token budget")
    parser.add_argument("--tesseract-tokens", type=int, default=1120)
    parser.add_argument("--methods", default="profile,tesseract,deskew")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    wanted = args.methods.split(",")
    methods: dict[str, Method] = {}
    if "profile" in wanted:
        methods["profile"] = profile_method(args.max_soft_tokens)
    if "tesseract" in wanted:
        if shutil.which("tesseract"):
            methods["tesseract"] = tesseract_method(args.tesseract_tokens)
        else:
            print("tesseract: not installed (apt-get install tesseract-ocr tesseract-ocr-osd), skipped")
    if "deskew" in wanted:
        try:
            import deskew  # noqa: F401
            methods["deskew"] = deskew_method
        except ImportError:
            print("deskew: not importable (pip install deskew), skipped")

    start = time.perf_counter()
    options = RenderOptions(max_soft_tokens=args.max_soft_tokens, upright=False)
    variants = [v for v in VARIANTS if v in args.variants.split(",")]
    documents = generate(variants, args.docs, args.seed, options)
    print(f"{sum(len(d.images) for d in documents)} pages in {len(documents)} documents ({args.docs} per variant), "
          f"rendered at {args.max_soft_tokens} soft tokens ({options.target_pixels:,} pixels), generated in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    report(measure(documents, methods))


if __name__ == "__main__":
    main()
