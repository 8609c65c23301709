"""Where each value of a truth record is printed: its page and box, as a reader would cite it.

The renderers record every text line they draw (drawn.py). For each leaf of the record (paths
like `seller.address.city`, `line_items[3].amount`, `signatories[1].signed_date`; indices from 0)
this module finds the value in its printed form (a date as "8 December 2024", an amount as
"4,870.05", a country as "Deutschland") among those lines and returns

    {path: {"page": 1, "box": [x0, y0, x1, y1], "text": "4,870.05", "form": "formatted",
            "also": [{"page": 2, "box": [...]}, ...]}}

with the page from 1 and the box in 0-1 fractions of the page's width and height, origin top
left: the box of the value's characters alone (not its label), as PyMuPDF reports the glyphs
(ascender to descender), the union of its lines where it wraps. `text` is the value as printed
(a value broken over lines joined with spaces); `form` says how it relates to the record's value:
"verbatim" (the same characters), "formatted" (a date, amount, quantity, IBAN or number of months
in the document's locale) or "named" (a code or English name printed as a name in the document's
language: countries, the governing law). `also` lists up to ten further occurrences in page order
where a value is printed more than once (the invoice number in the payment request, the seller's
name in the footers); the main occurrence is the one a reader would cite:

- table cells and signature blocks are marked by the layouts themselves (drawn.Run.marks);
- totals: the amount after its label (the subtotal of a one-line invoice is also its line's amount);
- a party's address, tax number and role: the first occurrence after that party's name (a number of
  months or days: after the effective date, the term);
- anything else: its first occurrence in drawing order (page 1 first, headers before footers).

Leaves whose value is null are not printed and have no entry. `NOT_PRINTED` lists the leaves that
are never printed as such (a contract's type, whether it renews automatically: the clauses say it
in words), recorded as {"printed": false}.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pymupdf

from ..confidence import leaf_values
from .contract_text import Words
from .draw import width
from .drawn import Drawing, Run
from .invoice_parts import Sheet
from .locales import COUNTRY_NAMES, JURISDICTIONS, LANGUAGES, format_amount, iban_groups
from .scans import Photo, Point, ScannedPage, quarter, tilt

NOT_PRINTED = {"invoice": frozenset(), "contract": frozenset({"contract_type", "auto_renewal"})}
"""Leaves (by path) that no layout prints as a value: {"printed": false} in the evidence."""

MAX_ALSO = 10
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Target:
    """How to find one leaf: the text searched for and which occurrence is the main one."""

    path: str
    printed: str  # the text searched for, as printed
    value: str = ""  # the part of `printed` that is the value, if not all of it ("12" of "twelve (12) months")
    after: str = ""  # a path: the first occurrence after that value's main one (a party's address after its name)
    label: str = ""  # the first occurrence after this label (case-insensitive): an amount after "Total EUR"
    named: bool = False  # printed as a name of the value (a country for its code), not the value itself
    follows: str = ""  # a regular expression the text must be followed by: the unit after a number


# A number of months or days, in any of the languages (German clauses also decline them: "12 Monaten").
_MONTHS = r"\)?[ \n](?:months?|Monat|mois|mes)"
_DAYS = r"\)?[ \n](?:days?|Tag|jours?|días?)"


# --- what each schema prints --------------------------------------------------------------------

def invoice_targets(sheet: Sheet) -> list[Target]:
    """The leaves of an invoice record outside its table, as `sheet` prints them."""
    r, language = sheet.record, sheet.language
    targets = [Target("invoice_number", r["invoice_number"]),
               Target("issue_date", sheet.date(r["issue_date"])),
               Target("due_date", sheet.date(r["due_date"])),
               Target("currency", r["currency"])]
    for role, company in (("seller", sheet.seller), ("buyer", sheet.buyer)):
        party = r[role]
        targets += [Target(f"{role}.name", party["name"]),
                    Target(f"{role}.tax_id", party["tax_id"] or "", after=f"{role}.name")]
        for key in ("street", "city", "postal_code"):
            targets.append(Target(f"{role}.address.{key}", party["address"][key], after=f"{role}.name"))
        targets.append(Target(f"{role}.address.country", COUNTRY_NAMES[language][company.country],
                              after=f"{role}.name", named=True))
    (subtotal_label, _), _, _ = sheet.totals()
    for path, label in (("subtotal", subtotal_label), ("tax_total", sheet.tax_line()),
                        ("total", sheet.total_label())):
        targets.append(Target(path, sheet.amount(r[path]), label=label))
    targets += [Target("payment_terms", r["payment_terms"] or ""),
                Target("iban", iban_groups(r["iban"]) if r["iban"] else ""),
                Target("purchase_order", r["purchase_order"] or "")]
    return [t for t in targets if t.printed]


def contract_targets(words: Words) -> list[Target]:
    """The leaves of a contract record outside its signature blocks, as `words` phrases them."""
    r = words.record
    targets = [Target("title", r["title"]),
               Target("effective_date", words.date(r["effective_date"])),
               Target("expiry_date", words.date(r["expiry_date"]))]
    if r["payment_terms"]:  # before the numbers of months and days, which may not be taken from it
        targets.append(Target("payment_terms", r["payment_terms"]))
    targets.append(Target("term_months", str(r["term_months"]), after="effective_date", follows=_MONTHS))
    for i, party in enumerate(r["parties"]):
        targets += [Target(f"parties[{i}].name", party["name"]),
                    Target(f"parties[{i}].role", party["role"], after=f"parties[{i}].name"),
                    Target(f"parties[{i}].address", party["address"], after=f"parties[{i}].name")]
    if r["renewal_notice_days"] is not None:
        targets.append(Target("renewal_notice_days", str(r["renewal_notice_days"]), after="term_months",
                              follows=_DAYS))
    law = r["governing_law"]
    name = JURISDICTIONS[law][LANGUAGES.index(words.language)]
    verbatim = law in name  # "England and Wales" in "the laws of England and Wales"
    targets.append(Target("governing_law", words.law, law if verbatim else name, named=not verbatim))
    if r["contract_value"]:
        money = words.money()
        targets += [Target("contract_value", money, format_amount(r["contract_value"], words.home.country)),
                    Target("currency", money, r["currency"])]
    return targets


# --- finding them -------------------------------------------------------------------------------

def locate(drawing: Drawing, pdf: bytes, targets: Sequence[Target], record: dict,
           not_printed: frozenset[str] = frozenset()) -> dict[str, dict]:
    """The evidence of every leaf of `record` that `drawing` (the lines drawn for `pdf`) shows, in
    record order: marked lines for the paths the layouts marked, `targets` for the others."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        sizes = [(page.rect.width, page.rect.height) for page in doc]
    pages = _Pages(drawing.runs, len(sizes))
    found: dict[str, tuple[int, int, int]] = {}  # path -> (page, start, end) of its main occurrence
    evidence: dict[str, dict] = {}
    for path, spans in _marked(drawing.runs).items():
        evidence[path] = _entry(spans, sizes, value_at(record, path))
    repeats: dict[str, list[tuple[int, int, int]]] = {}
    for target in targets:
        matches = list(pages.find(target))
        main = _main(target, matches, found, pages)
        if main is None:
            continue
        found[target.path] = main
        evidence[target.path] = _entry(pages.spans(*main), sizes, value_at(record, target.path), target.named)
        if not target.after:  # another occurrence after a party's name may be the other party's
            repeats[target.path] = [m for m in matches if m != main]
    mains = set(found.values())
    for path, others in repeats.items():
        # Not where another value of the same text is printed: a zero-tax invoice's subtotal is not its total.
        others = [m for m in others if m not in mains][:MAX_ALSO]
        if others:
            evidence[path]["also"] = [_place(pages.spans(*m), sizes) for m in others]
    for path in not_printed:
        evidence[path] = {"printed": False}
    return {path: evidence[path] for path in leaves(record) if path in evidence}


def leaves(record: dict) -> list[str]:
    """The paths of the record's non-null leaves, in record order: "seller.address.city", "line_items[0].amount"."""
    return [path for path, value in leaf_values(record).items() if value is not None and value != [] and value != {}]


def _marked(runs: Sequence[Run]) -> dict[str, list[tuple[Run, int, int]]]:
    """The spans the layouts marked, by path: the lines of a path on the first page it is marked on."""
    spans: dict[str, list[tuple[Run, int, int]]] = {}
    for run in runs:
        for path, start, end in run.marks:
            first = spans.setdefault(path, [])
            if not first or first[0][0].page == run.page:
                first.append((run, start, end))
    return spans


def _main(target: Target, matches: list[tuple[int, int, int]], found: dict[str, tuple[int, int, int]],
          pages: _Pages) -> tuple[int, int, int] | None:
    """The occurrence a reader would cite: the first after the anchor (a path's main occurrence or the first
    occurrence of a label), else the first; not inside another value's (the 30 of "within 30 days", the
    payment terms, is not the renewal notice), unless there is nothing else."""
    taken = found.values()
    free = [m for m in matches if not any(m[0] == t[0] and m[1] < t[2] and t[1] < m[2] for t in taken)]
    matches = free or matches
    if not matches:
        return None
    anchors: list[tuple[int, int, int]] = []
    if target.after and target.after in found:
        anchors = [found[target.after]]
    elif target.label:
        anchors = list(pages.find(Target("", target.label), re.IGNORECASE))[:1]
    for page, _, anchor_end in anchors:
        after = [m for m in matches if (m[0], m[1]) >= (page, anchor_end)]
        if after:
            return after[0]
    return matches[0]


class _Pages:
    """The unmarked lines of each page as one string: lines that continue one another (the next line of a
    paragraph, address block or table cell) joined by a newline, others by a NUL no value spans."""

    def __init__(self, runs: Sequence[Run], count: int) -> None:
        self.texts: list[str] = []
        self.starts: list[list[tuple[int, Run]]] = []
        by_page: list[list[Run]] = [[] for _ in range(count)]
        for run in runs:
            if not run.marks:
                by_page[run.page].append(run)
        for page_runs in by_page:
            parts, starts, offset, previous = [], [], 0, None
            for run in page_runs:
                if previous is not None:
                    parts.append("\n" if _continues(previous, run) else "\0")
                    offset += 1
                starts.append((offset, run))
                parts.append(run.text)
                offset += len(run.text)
                previous = run
            self.texts.append("".join(parts))
            self.starts.append(starts)

    def find(self, target: Target, flags: int = 0) -> Iterator[tuple[int, int, int]]:
        """(page, start, end) of every occurrence of the target's value, in page order."""
        pattern = re.compile(_pattern(target.printed, target.value) + (f"(?={target.follows})" if target.follows
                                                                       else ""), flags)
        for page, text in enumerate(self.texts):
            for match in pattern.finditer(text):
                yield page, match.start("v"), match.end("v")

    def spans(self, page: int, start: int, end: int) -> list[tuple[Run, int, int]]:
        """The parts of the lines that characters start:end of the page's string cover."""
        out = []
        for offset, run in self.starts[page]:
            lo, hi = max(start, offset), min(end, offset + len(run.text))
            if lo < hi:
                out.append((run, lo - offset, hi - offset))
        return out


def _continues(previous: Run, run: Run) -> bool:
    """Whether `run` is the line after `previous` (the next line of the same block)."""
    return 0 < run.baseline - previous.baseline <= 1.7 * max(run.size, previous.size)


def _pattern(printed: str, value: str = "") -> str:
    """A regular expression for `printed` whose group "v" is `value` (default: all of it); a space may be a
    line break, ", " a line break with or without the comma. It does not match inside a longer word, a
    hyphenated one or a number ("987.35" in "1,987.35", "MWST" in "MWST-Nr.")."""
    value = value or printed
    start = printed.index(value)
    parts = (printed[:start], value, printed[start + len(value):])
    body = _loose(parts[0]) + f"(?P<v>{_loose(parts[1])})" + _loose(parts[2])
    word, number = r"(?<!\w)(?<!\w-)", r"(?<!\d[.,'’ ])"
    left = (word if printed[0].isalnum() else "") + (number if printed[0].isdigit() else "")
    right = (r"(?!-?\w)" if printed[-1].isalnum() else "") + (r"(?![.,'’]\d)" if printed[-1].isdigit() else "")
    return left + body + right


def _loose(text: str) -> str:
    return "".join(r"(?:, |,?\n)" if part == ", " else r"[ \n]" if part == " " else re.escape(part)
                   for part in re.split(r"(, | )", text) if part)


def _entry(spans: list[tuple[Run, int, int]], sizes: list[tuple[float, float]], value: object,
           named: bool = False) -> dict:
    """{"page", "box", "text", "form"} of the marked or matched spans of a value (all on one page)."""
    text = " ".join(run.text[start:end].strip() for run, start, end in spans)
    same = _words(text) == _words(str(value))
    return {**_place(spans, sizes), "text": text,
            "form": "verbatim" if same else "named" if named else "formatted"}


def _words(text: str) -> list[str]:
    """A text's words without the commas a line break may drop."""
    return text.replace(",", " ").split()


def _place(spans: list[tuple[Run, int, int]], sizes: list[tuple[float, float]]) -> dict:
    """{"page", "box"}: the page from 1 and the union of the spans' boxes in fractions of the page; with
    "lines", each line's box, where the value runs over several lines."""
    page = spans[0][0].page
    w, h = sizes[page]
    boxes = [_box(run, start, end) for run, start, end in spans]
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    place: dict = {"page": page + 1, "box": _fractions(union, w, h)}
    if len(boxes) > 1:
        place["lines"] = [_fractions(b, w, h) for b in boxes]
    return place


def _fractions(box: Box, w: float, h: float) -> list[float]:
    return [_clamp(box[0] / w), _clamp(box[1] / h), _clamp(box[2] / w), _clamp(box[3] / h)]


def value_at(record: dict, path: str) -> object:
    """The value at a leaf path of `record`: value_at(r, "line_items[2].amount")."""
    value: object = record
    for key, index in re.findall(r"(\w+)|\[(\d+)\]", path):
        value = value[key] if key else value[int(index)]  # type: ignore[index]
    return value


def _box(run: Run, start: int, end: int) -> Box:
    """The box of run.text[start:end] as PyMuPDF reports its glyphs (font ascender to descender; base-14
    fonts have no kerning, so the advances add up), without spaces at either end."""
    while start < end and run.text[start] == " ":
        start += 1
    while end > start and run.text[end - 1] == " ":
        end -= 1
    ascender, descender = _metrics(run.font)
    x0 = run.x + width(run.text[:start], run.font, run.size)
    x1 = x0 + width(run.text[start:end], run.font, run.size)
    return x0, run.baseline - ascender * run.size, x1, run.baseline - descender * run.size


@functools.cache
def _metrics(font: str) -> tuple[float, float]:
    face = pymupdf.Font(font)
    return face.ascender, face.descender


def _clamp(fraction: float) -> float:
    return round(min(1.0, max(0.0, fraction)), 4)


# --- other frames ---------------------------------------------------------------------------------

def in_photo(found: dict[str, dict], photo: Photo) -> dict[str, dict]:
    """The evidence of the page in the frame of its photo (as shown, EXIF orientation applied): each box
    mapped through the camera's view, as the box around its four corners, which "quad" lists (upper left,
    upper right, lower right, lower left: x, y, ...). A photo shows the first page only: a value printed
    on later pages alone is {"printed": false} there."""
    out: dict[str, dict] = {}
    for path, entry in found.items():
        if "box" not in entry:
            out[path] = entry
        elif entry["page"] != 1:
            out[path] = {"printed": False}
        else:
            moved = {**entry, **_photographed(entry, photo)}
            also = [_photographed(place, photo) for place in entry.get("also", []) if place["page"] == 1]
            moved.pop("also", None)
            out[path] = {**moved, "also": also} if also else moved
    return out


def _photographed(place: dict, photo: Photo) -> dict:
    quad = photo.place(_corners(place["box"]))
    moved = {"page": 1, "box": _around(quad), "quad": [_clamp(v) for point in quad for v in point]}
    if "lines" in place:
        moved["lines"] = [_around(photo.place(_corners(line))) for line in place["lines"]]
    return moved


def box_as_read(place: dict, truth: dict, rotation: int = 0, skew: float = 0.0,
                size: tuple[float, float] = (1.0, 1.0)) -> list[float]:
    """Where an evidence box (an entry of truth["evidence"], or one of its "also" places) lies in the page
    image the pipeline reads, as fractions of that image: the page as delivered (a scan as the scanner
    turned and tilted it, see truth["scan"]; a photo as shown) once the pipeline turned it `rotation`
    degrees and straightened it `skew` degrees, both clockwise (render.Page.rotation and .skew).
    `size` is that image's width and height (only its aspect matters). A scan the pipeline turned
    exactly back gets the box of the upright page; a residual skew turns the box with the page."""
    points = _corners(place["box"]) if "quad" not in place else list(zip(place["quad"][::2], place["quad"][1::2]))
    delivered = (size[1], size[0]) if rotation % 180 else tuple(size)
    if truth.get("scan"):
        lay = truth["scan"][place["page"] - 1]
        upright = (delivered[1], delivered[0]) if lay["rotation"] % 180 else delivered
        points = ScannedPage(lay["rotation"], lay["skew"]).place(points, upright)
    return _around(tilt(quarter(points, rotation), size, skew))


def _corners(box: Sequence[float]) -> list[Point]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _around(points: Sequence[Point]) -> list[float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return [_clamp(min(xs)), _clamp(min(ys)), _clamp(max(xs)), _clamp(max(ys))]
