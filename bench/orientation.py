"""Upright pages: how often each orientation method turns the generator's scans upright, how close
it straightens them, and how long it takes per page.

    .venv/bin/python bench/orientation.py [--docs 24] [--max-soft-tokens 280] [--methods profile,tesseract]

Generates --docs documents per variant (invoices and contracts alternating, layouts and languages
cycling, every page counted): the rotated scans (scan_rot90/180/270), the skewed one, the other
scan variants and the photos and TIFF, which must all stay at rotation 0. Each page is rendered as
the pipeline renders it (image-token budget --max-soft-tokens, upright off) and handed to:

- profile: pipeline.orientation (numpy projection profiles: skew, quarter turn, up/down);
- tesseract: Tesseract's orientation and script detection (``tesseract --psm 0``, Debian packages
  tesseract-ocr and tesseract-ocr-osd) for the quarter turn, on the page rendered at
  --tesseract-tokens (it needs more pixels than the model's budget gives), with the profile's skew
  (OSD reports no skew); the time includes that extra render;
- deskew: the PyPI package ``deskew`` (Hough transform, scikit-image), skew only, when importable;
  it is handed each page after its true quarter turn.

Prints, per variant and method, the share of pages whose detected quarter turn is the true one
(upright %), the skew error against the generator's drawn skew (mean and max degrees, pages whose
turn was right and whose skew is known: the photos' camera tilt is not recorded), the pages where
it abstained (left the turn as it was, saying why), and ms per page; then the totals and the time
ratio between the methods."""

from __future__ import annotations

import argparse
import io
import os
import random
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
from pipeline.render import RenderOptions, render_document  # noqa: E402
from pipeline.samples import CONTRACT_LAYOUTS, INVOICE_LAYOUTS, LANGUAGES, SCAN_VARIANTS  # noqa: E402
from pipeline.samples.contracts import render_contract_pdf  # noqa: E402
from pipeline.samples.files import degrade  # noqa: E402
from pipeline.samples.invoices import render_invoice_pdf  # noqa: E402
from pipeline.samples.records import contract_record, invoice_record  # noqa: E402
from pipeline.samples.scans import scan_pdf_with_truth  # noqa: E402

VARIANTS = ("scan_rot90", "scan_rot180", "scan_rot270", "scan_skew", *(v for v in SCAN_VARIANTS if v not in (
    "scan_rot90", "scan_rot180", "scan_rot270", "scan_skew")), "photo", "photo_exif", "tiff")


@dataclass
class TruePage:
    """A page as the pipeline renders it (upright off) and the correction that makes it upright:
    ``rotation`` clockwise, ``skew`` clockwise degrees (None where the generator does not record
    it: a photo's camera tilt)."""

    variant: str
    data: bytes  # the whole document, for methods that render on their own
    index: int
    image: Image.Image
    rotation: int
    skew: float | None


@dataclass
class Tally:
    pages: int = 0
    upright: int = 0
    abstained: int = 0
    skew_errors: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, page: TruePage, found: orientation.Correction, seconds: float) -> None:
        self.pages += 1
        self.seconds += seconds
        self.upright += found.rotation == page.rotation
        self.abstained += left_as_it_lies(found)
        if found.rotation == page.rotation and page.skew is not None:
            self.skew_errors.append(abs(found.skew - page.skew))


def left_as_it_lies(found: orientation.Correction) -> bool:
    """Whether the method abstained: could not tell the turn and left it at 0, saying why."""
    return found.method in ("blank", "profile: no text lines", "profile: up undecided", "tesseract: no answer") \
        or found.method.startswith("failed")


def generate(variants: list[str], docs: int, seed: int, options: RenderOptions) -> list[TruePage]:
    """``docs`` documents per variant with the truth of every page, rendered as the pipeline would."""
    pages: list[TruePage] = []
    invoice_layouts, contract_layouts = sorted(INVOICE_LAYOUTS), sorted(CONTRACT_LAYOUTS)
    for variant in variants:
        for i in range(docs):
            rng = random.Random(f"{seed}/{variant}/{i}")
            language = LANGUAGES[i % len(LANGUAGES)]
            if i % 2 == 0:
                pdf = render_invoice_pdf(invoice_record(rng, None, language),
                                         invoice_layouts[(i // 2) % len(invoice_layouts)], language)
            else:
                pdf = render_contract_pdf(contract_record(rng, None, language),
                                          contract_layouts[(i // 2) % len(contract_layouts)], language)
            if variant in SCAN_VARIANTS:
                data, lays = scan_pdf_with_truth(pdf, rng, SCAN_VARIANTS[variant])
                truth = [((360 - lay.rotation) % 360, -lay.skew) for lay in lays]
            else:  # photos are upright once EXIF is applied; the TIFF is straight
                data, _ = degrade(pdf, variant, rng)
                truth = [(0, None if variant.startswith("photo") else 0.0)] * 100
            rendered = render_document(data, options)
            for index, page in enumerate(rendered.pages):
                pages.append(TruePage(variant, data, index, page.image, *truth[index]))
    return pages


def profile(page: TruePage) -> orientation.Correction:
    return orientation.detect(page.image)


def tesseract_method(tokens: int) -> Callable[[TruePage], orientation.Correction]:
    """Tesseract OSD on the page rendered at ``tokens`` soft tokens, with the profile's skew."""
    options = RenderOptions(max_soft_tokens=tokens, upright=False)

    def detect(page: TruePage) -> orientation.Correction:
        large = render_document(page.data, options).pages[page.index].image.convert("L")
        buffer = io.BytesIO()
        large.save(buffer, "PNG", compress_level=1)
        done = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0"], input=buffer.getvalue(),
                              capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        fields = dict(line.split(": ", 1) for line in done.stdout.decode().splitlines() if ": " in line)
        skew = profile(page).skew
        if done.returncode != 0 or "Rotate" not in fields:
            return orientation.Correction(skew=skew, method="tesseract: no answer")
        # "Rotate" is the clockwise turn that makes the page upright (checked on scan_rot90).
        return orientation.Correction(int(fields["Rotate"]), skew, "tesseract")
    return detect


def deskew_method(page: TruePage) -> orientation.Correction:
    """The ``deskew`` package's angle (counter-clockwise degrees to turn), on the page after its
    true quarter turn: it measures skew only."""
    import numpy as np
    from deskew import determine_skew

    upright = orientation.apply(page.image, orientation.Correction(rotation=page.rotation)).convert("L")
    angle = determine_skew(np.asarray(upright))
    return orientation.Correction(page.rotation, 0.0 if angle is None else -float(angle), "deskew")


SKEW_ONLY = {"deskew"}  # methods handed the true quarter turn: their upright column means nothing


def measure(pages: list[TruePage], methods: dict[str, Callable[[TruePage], orientation.Correction]]
            ) -> dict[str, dict[str, Tally]]:
    tallies: dict[str, dict[str, Tally]] = {name: {} for name in methods}
    for name, method in methods.items():
        for page in pages:
            start = time.perf_counter()
            found = method(page)
            tallies[name].setdefault(page.variant, Tally()).add(page, found, time.perf_counter() - start)
    return tallies


def report(tallies: dict[str, dict[str, Tally]]) -> None:
    print(f"{'variant':<13} {'method':<10} {'pages':>5} {'upright':>8} {'abstain':>7} "
          f"{'skew err mean':>13} {'max':>6} {'ms/page':>8}")
    totals: dict[str, Tally] = {}
    for variant in VARIANTS:
        for name, by_variant in tallies.items():
            tally = by_variant.get(variant)
            if tally is None:
                continue
            total = totals.setdefault(name, Tally())
            total.pages += tally.pages
            total.upright += tally.upright
            total.abstained += tally.abstained
            total.skew_errors += tally.skew_errors
            total.seconds += tally.seconds
            _row(variant, name, tally)
    for name, total in totals.items():
        _row("all", name, total)
    if len(totals) > 1:
        names = list(totals)
        base = totals[names[0]].seconds / totals[names[0]].pages
        for name in names[1:]:
            print(f"time per page {name} / {names[0]}: {totals[name].seconds / totals[name].pages / base:.1f}x")


def _row(variant: str, name: str, tally: Tally) -> None:
    errors = tally.skew_errors
    skew = f"{statistics.mean(errors):>13.2f} {max(errors):>6.2f}" if errors else f"{'n/a':>13} {'':>6}"
    upright = f"{'n/a':>8}" if name in SKEW_ONLY else f"{100 * tally.upright / tally.pages:>7.1f}%"
    print(f"{variant:<13} {name:<10} {tally.pages:>5} {upright} "
          f"{tally.abstained:>7} {skew} {1000 * tally.seconds / tally.pages:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=24, help="documents per variant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-soft-tokens", type=int, default=280)
    parser.add_argument("--tesseract-tokens", type=int, default=1120)
    parser.add_argument("--methods", default="profile,tesseract,deskew")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    wanted = args.methods.split(",")
    methods: dict[str, Callable[[TruePage], orientation.Correction]] = {}
    if "profile" in wanted:
        methods["profile"] = profile
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
    pages = generate(variants, args.docs, args.seed, options)
    print(f"{len(pages)} pages from {args.docs} documents per variant, rendered at {args.max_soft_tokens} soft tokens "
          f"({options.target_pixels:,} pixels), generated in {time.perf_counter() - start:.0f} s")
    report(measure(pages, methods))


if __name__ == "__main__":
    main()
