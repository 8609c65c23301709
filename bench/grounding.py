"""Grounding: fed the truth records as if they were the model's answers, how often does the evidence
finder (pipeline.evidence.find_evidence) put each value on the right page, in the box the generator
drew it in? Per variant, with what rendering, OCR and evidence finding cost.

    .venv/bin/python bench/grounding.py [--docs 12] [--variants digital,scan,photo] [--seed 0]

Generates --docs documents per variant (two invoices to one contract, layouts and languages cycling,
the same records in every variant for a seed), renders each as the pipeline does (render_document with
the options `docintel run` uses: --max-soft-tokens, pages turned upright and straightened, OCR on),
and runs find_evidence on the truth record with the pages' words (Page.words: the text layer's on
born-digital pages, OCR's on the others). Every truth leaf with a box counts ({"printed": false}
leaves do not): a hit when the finder's page is the truth's and its box has IoU >= 0.5 with the
truth's box mapped into the page as read (pipeline.samples.evidence.box_as_read with the page's
rotation, skew and image size). "any place" also counts a hit on another place the value is printed
(the truth's "also"). Values printed as a name of the value (form "named": a country for its code, a
governing law in the document's language) are in the counts and also shown on their own.

Target (issue "Records people can trust"): >= 98 % on born-digital pages, >= 90 % on the scanned,
rotated and photographed variants, per variant. Prints the table per variant, the totals for
born-digital against scanned/photographed, the cost (render ms/page, OCR pages/s and ms/page,
evidence ms/document) and the leaves that miss most often, with why: not found (the finder's
reason), wrong page, or low IoU."""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline import ocr  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.evidence import Evidence, find_evidence  # noqa: E402
from pipeline.render import Page, RenderedDocument, RenderOptions, render_document  # noqa: E402
from pipeline.runner import render_options  # noqa: E402
from pipeline.samples import CONTRACT_LAYOUTS, INVOICE_LAYOUTS, LANGUAGES, VARIANTS  # noqa: E402
from pipeline.samples.evidence import box_as_read  # noqa: E402
from pipeline.samples.files import Sample, contract_sample, invoice_sample  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402
from pipeline.words import Box, Word  # noqa: E402

IOU_HIT = 0.5
TARGETS = {"born-digital": 0.98, "scanned": 0.90}
"""Share of boxed leaves to hit: born-digital PDFs; scanned PDFs, photos and TIFFs."""

def group(variant: str) -> str:
    """"born-digital" or "scanned" (scanned PDFs, photos and TIFFs: pages without a text layer)."""
    return "born-digital" if variant == "digital" else "scanned"


# --- scoring ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeafScore:
    """How the finder did on one leaf the truth has a box for."""

    path: str
    named: bool  # printed as a name of the value (truth form "named")
    truth_page: int
    page: int | None  # the finder's page, None when not found
    iou: float  # with the truth's main place (0 on another page or not found)
    any_place: bool  # a hit on the main place or on one of the truth's "also" places
    quote: str | None
    truth_text: str
    reason: str | None  # the finder's reason when it found nothing
    upright: bool = True  # the truth's page was read upright (a scan's quarter turn undone)
    truth_px: tuple[int, int] = (0, 0)  # the truth box's width and height in the page image, pixels

    @property
    def hit(self) -> bool:
        return self.page == self.truth_page and self.iou >= IOU_HIT

    @property
    def why(self) -> str | None:
        """None for a hit, else "not upright" (render left the page turned: not the finder's miss),
        "not found", "wrong page" or "low IoU"."""
        if self.hit:
            return None
        if not self.upright:
            return "not upright"
        if self.page is None:
            return "not found"
        return "wrong page" if self.page != self.truth_page else "low IoU"


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


def score_document(truth: dict, pages: Sequence[Page], found: dict[str, Evidence]) -> list[LeafScore]:
    """Each boxed leaf of a truth file (Sample.truth()) against the finder's evidence, the truth's boxes
    mapped into the pages as the pipeline read them (their rotation, skew and image size)."""
    scores = []
    for path, place in (truth.get("evidence") or {}).items():
        if "box" not in place:  # {"printed": false}
            continue
        evidence = found.get(path)
        page = evidence.page if evidence is not None and evidence.match != "none" else None
        box = evidence.box if page is not None else None
        main_iou = _place_iou(place, truth, pages, page, box)
        any_place = main_iou >= IOU_HIT or any(_place_iou(other, truth, pages, page, box) >= IOU_HIT
                                               for other in place.get("also", []))
        scores.append(LeafScore(path, place.get("form") == "named", place["page"], page, main_iou, any_place,
                                evidence.quote if evidence is not None else None, place.get("text", ""),
                                evidence.reason if evidence is not None else "no evidence entry",
                                upright(truth, pages, place["page"]), _pixels(place, truth, pages)))
    return scores


def upright(truth: dict, pages: Sequence[Page], page: int) -> bool:
    """Whether render turned page `page` (from 1) upright: the quarter turn it applied undoes the one the
    scan lay in (truth["scan"]); pages that lay upright (born-digital, photos, TIFF) were not turned."""
    if page > len(pages):
        return False
    lay = truth["scan"][page - 1]["rotation"] if truth.get("scan") else 0
    return (lay + pages[page - 1].rotation) % 360 == 0


def _pixels(place: dict, truth: dict, pages: Sequence[Page]) -> tuple[int, int]:
    if place["page"] > len(pages):
        return (0, 0)
    read = pages[place["page"] - 1]
    x0, y0, x1, y1 = box_as_read(place, truth, read.rotation, read.skew, read.image.size)
    return round((x1 - x0) * read.image.width), round((y1 - y0) * read.image.height)


def _place_iou(place: dict, truth: dict, pages: Sequence[Page], page: int | None, box: Box | None) -> float:
    if page is None or box is None or page != place["page"] or page > len(pages):
        return 0.0
    read = pages[page - 1]
    return iou(box, box_as_read(place, truth, read.rotation, read.skew, read.image.size))


# --- one document -----------------------------------------------------------------------------------

@dataclass
class DocumentRun:
    """One generated document through render, words and find_evidence."""

    variant: str
    kind: str
    layout: str
    language: str
    pages: int = 0
    image_pages: int = 0  # pages without a text layer (OCR read them)
    ocr_reads: int = 0  # OCR passes: a page read again turned half counts twice
    not_upright: int = 0  # pages render left turned (see upright)
    render_s: float = 0.0
    ocr_s: float = 0.0
    evidence_s: float = 0.0
    failure: str | None = None
    scores: list[LeafScore] = field(default_factory=list)


def generate(kind: str, index: int, variant: str, seed: int) -> Sample:
    """The index-th document of `kind` for `seed`: the same record, layout and language in every variant."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    if kind == "invoice":
        layouts = sorted(INVOICE_LAYOUTS)
        return invoice_sample(rng, layouts[(index + seed) % len(layouts)], LANGUAGES[(index + seed) % 4], variant)
    layouts = sorted(CONTRACT_LAYOUTS)
    return contract_sample(rng, layouts[(index + seed) % len(layouts)], LANGUAGES[(3 * index + seed + 1) % 4], variant)


class OcrClock:
    """Times pipeline.ocr.read where render calls it, so that OCR is counted apart from rendering."""

    def __init__(self) -> None:
        self.seconds, self.pages = 0.0, 0
        self._read = ocr.read

    def __enter__(self) -> OcrClock:
        ocr.read = self._timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        ocr.read = self._read  # type: ignore[assignment]

    def _timed(self, image: Image.Image, *args: object, **kwargs: object) -> ocr.Reading:
        start = time.perf_counter()
        try:
            return self._read(image, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            self.seconds += time.perf_counter() - start
            self.pages += 1


def run_document(sample: Sample, schema: dict, options: RenderOptions) -> DocumentRun:
    """Render the sample as the pipeline does (`options`: OCR on), find the truth record's evidence in its
    pages' words and score it."""
    run = DocumentRun(sample.variant, str(sample.schema), sample.layout, sample.language)
    with OcrClock() as clock:
        start = time.perf_counter()
        rendered = render_document(sample.data, options)
        elapsed = time.perf_counter() - start
    run.render_s, run.ocr_s, run.ocr_reads = elapsed - clock.seconds, clock.seconds, clock.pages
    if not isinstance(rendered, RenderedDocument):
        run.failure = f"{rendered.error_type}: {rendered.message}"
        return run
    run.pages = len(rendered.pages)
    run.image_pages = sum(not page.text.strip() for page in rendered.pages)
    if options.ocr and run.ocr_reads < run.image_pages:
        # render no longer calls pipeline.ocr.read through the module: OCR's time would hide in render's
        print(f"warning: OCR timed on {run.image_pages} of the pages without a text layer", file=sys.stderr)
    start = time.perf_counter()
    found = find_evidence(sample.record or {}, schema, [page.words for page in rendered.pages])
    run.evidence_s = time.perf_counter() - start
    truth = sample.truth()
    run.scores = score_document(truth, rendered.pages, found)
    run.not_upright = sum(not upright(truth, rendered.pages, page) for page in range(1, run.pages + 1))
    return run


# --- report -----------------------------------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.1f}" if whole else "   n/a"


def summary_row(label: str, runs: list[DocumentRun], target: float | None) -> str:
    scores = [s for run in runs for s in run.scores]
    n = len(scores)
    found = sum(s.page is not None for s in scores)
    page = sum(s.page == s.truth_page for s in scores)
    hit = sum(s.hit for s in scores)
    anywhere = sum(s.any_place for s in scores)
    ious = [s.iou for s in scores if s.page == s.truth_page]
    named = [s for s in scores if s.named]
    named_cell = f"{sum(s.hit for s in named)}/{len(named)}" if named else "-"
    met = "" if target is None else ("yes" if n and hit / n >= target else "NO")
    failed = sum(run.failure is not None for run in runs)
    not_upright = sum(r.not_upright for r in runs)
    return (f"{label:14} {len(runs):4} {sum(r.pages for r in runs):5} {not_upright:3} {n:6} {_pct(found, n)} "
            f"{_pct(page, n)} "
            f"{_pct(hit, n)} {_pct(anywhere, n)} {statistics.median(ious) if ious else 0:7.3f} {named_cell:>7} "
            f"{'' if target is None else f'{100 * target:.0f}':>4} {met:>4}" + (f"  ({failed} failed to render)"
                                                                               if failed else ""))


HEADER = (f"{'variant':14} {'docs':>4} {'pages':>5} {'!up':>3} {'leaves':>6} {'found':>6} {'page':>6} {'IoU.5':>6} "
          f"{'any':>6} {'medIoU':>7} {'named':>7} {'tgt':>4} {'met':>4}")
LEGEND = ("!up: pages render left turned (a scan's quarter turn not undone: not the finder's miss);\n"
          "found: the finder found the value (any page); page: on the truth's page; IoU.5: right page and IoU >= 0.5\n"
          "with the truth's main box (the target's measure); any: right page and IoU >= 0.5 with the main box or any\n"
          "other place it is printed; medIoU: median IoU of the leaves found on the right page; named: hits / leaves\n"
          "printed as a name of the value; tgt: the target, % of leaves at IoU.5 (%).")


def cost_rows(by_variant: dict[str, list[DocumentRun]]) -> list[str]:
    rows = [f"{'variant':14} {'render ms/page':>14} {'OCR pages':>9} {'reads':>5} {'OCR ms/page':>11} "
            f"{'OCR pages/s':>11} {'evidence ms/doc':>15}"]

    def row(label: str, runs: list[DocumentRun]) -> str:
        pages = sum(r.pages for r in runs) or 1
        ocr_pages = sum(r.image_pages for r in runs)
        ocr_s = sum(r.ocr_s for r in runs)
        ocr_cells = (f"{1000 * ocr_s / ocr_pages:11.0f} {ocr_pages / ocr_s:11.2f}" if ocr_pages and ocr_s
                     else f"{'n/a':>11} {'n/a':>11}")
        evidence_ms = 1000 * statistics.mean(r.evidence_s for r in runs) if runs else 0.0
        reads = sum(r.ocr_reads for r in runs)
        return (f"{label:14} {1000 * sum(r.render_s for r in runs) / pages:14.0f} {ocr_pages:9} {reads:5} {ocr_cells} "
                f"{evidence_ms:15.1f}")

    for variant, runs in by_variant.items():
        rows.append(row(variant, runs))
    for name in TARGETS:
        runs = [r for v, rs in by_variant.items() if group(v) == name for r in rs]
        if runs:
            rows.append(row(name, runs))
    return rows


def field_of(path: str) -> str:
    """A leaf path with its list indices left out: line_items[3].amount -> line_items[].amount."""
    return re.sub(r"\[\d+\]", "[]", path)


def miss_rows(runs: Iterable[DocumentRun], top: int) -> list[str]:
    """The (kind, field, variant, why) that miss most often, with an example of each; leaves of pages render
    left turned are only counted (they are the orientation's misses: see the documents list)."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    examples: dict[tuple[str, str, str, str], str] = {}
    totals: Counter[tuple[str, str, str]] = Counter()
    by_why: Counter[str] = Counter()
    for run in runs:
        for s in run.scores:
            totals[(run.kind, field_of(s.path), run.variant)] += 1
            if s.why is None:
                continue
            key = (run.kind, field_of(s.path), run.variant, s.why)
            if s.why == "not upright":
                by_why[s.why] += 1
                continue
            counts[key] += 1
            if key not in examples:
                examples[key] = _example(run, s)
    rows = [f"{'misses':>6} {'of':>4}  {'kind':8} {'field':32} {'variant':12} {'why':11} example"]
    for key, count in counts.most_common(top):
        kind, path, variant, why = key
        rows.append(f"{count:6} {totals[(kind, path, variant)]:4}  {kind:8} {path:32} {variant:12} {why:11} "
                    f"{examples[key]}")
    for (_, _, _, why), count in counts.items():
        by_why[why] += count
    rows.append("all misses by why: " + ", ".join(f"{why} {count}" for why, count in by_why.most_common()))
    return rows


def _example(run: DocumentRun, s: LeafScore) -> str:
    where = f"{run.layout}/{run.language}"
    if s.page is None:
        return f"{where}: truth {s.truth_text!r} p{s.truth_page}; {s.reason}"
    size = f" (truth box {s.truth_px[0]}x{s.truth_px[1]} px)" if s.page == s.truth_page else ""
    return (f"{where}: truth {s.truth_text!r} p{s.truth_page}, found {s.quote!r} p{s.page} IoU {s.iou:.2f}{size}"
            + (" (an 'also' place)" if s.any_place and not s.hit else ""))


def worst_rows(runs: Iterable[DocumentRun], top: int) -> list[str]:
    """The documents with the lowest share of hits, under their variant's target."""
    below = []
    for i, run in enumerate(runs):
        n = len(run.scores)
        hits = sum(s.hit for s in run.scores)
        if run.failure or (n and hits / n < TARGETS[group(run.variant)]):
            below.append((hits / n if n else 0.0, i, run))
    rows = [f"{'hits':>9}  {'variant':12} {'kind':8} {'layout/language':22} {'pages':>5} {'!up':>3}  misses by why"]
    for share, _, run in sorted(below)[:top]:
        whys = Counter(s.why for s in run.scores if s.why)
        hits = sum(s.hit for s in run.scores)
        rows.append(f"{hits:4}/{len(run.scores):<4}  {run.variant:12} {run.kind:8} {run.layout + '/' + run.language:22} "
                    f"{run.pages:5} {run.not_upright:3}  " + (run.failure or ", ".join(f"{w} {c}" for w, c in
                                                                                     whys.most_common())))
    if len(below) > top:
        rows.append(f"... and {len(below) - top} more")
    return rows or ["none"]


# --- main -------------------------------------------------------------------------------------------

def documents(docs: int) -> list[tuple[str, int]]:
    """(kind, index) of `docs` documents: two invoices to one contract."""
    out, counts = [], Counter()
    for i in range(docs):
        kind = "contract" if i % 3 == 2 else "invoice"
        out.append((kind, counts[kind]))
        counts[kind] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=12, help="documents per variant (two invoices to one contract)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, of: " + ", ".join(VARIANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-soft-tokens", type=int, default=280, help="the render budget (pipeline default 280)")
    parser.add_argument("--misses", type=int, default=25, help="rows of the misses list")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    if any(group(v) == "scanned" for v in variants) and (problem := ocr.engine_problem()):
        print(f"warning: {problem}: scanned pages get no words", file=sys.stderr)
    schemas = {name: load_schema(name).schema for name in ("invoice", "contract")}
    options = render_options(Settings(max_soft_tokens=args.max_soft_tokens))
    print(f"grounding: {args.docs} documents per variant, seed {args.seed}, {args.max_soft_tokens} soft tokens, "
          f"upright {'on' if options.upright else 'off'}, OCR {'on' if options.ocr else 'off'}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start (timings are one process's)")
    by_variant: dict[str, list[DocumentRun]] = {}
    started = time.perf_counter()
    for variant in variants:
        runs = []
        for kind, index in documents(args.docs):
            sample = generate(kind, index, variant, args.seed)
            runs.append(run_document(sample, schemas[kind], options))
        by_variant[variant] = runs
        print(f"  {variant}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

    print()
    print(HEADER)
    for variant, runs in by_variant.items():
        print(summary_row(variant, runs, TARGETS[group(variant)]))
    print("totals")
    for name, target in TARGETS.items():
        runs = [r for v, rs in by_variant.items() if group(v) == name for r in rs]
        if runs:
            print(summary_row(name, runs, target))
            for kind in ("invoice", "contract"):
                print(summary_row(f"  {kind}", [r for r in runs if r.kind == kind], None))
    print(LEGEND)
    print()
    print("cost (one process; render without OCR, OCR alone, find_evidence)")
    for row in cost_rows(by_variant):
        print(row)
    print()
    print("documents under their target")
    for row in worst_rows((r for rs in by_variant.values() for r in rs), args.misses):
        print(row)
    print()
    print("most frequent misses")
    for row in miss_rows((r for rs in by_variant.values() for r in rs), args.misses):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
