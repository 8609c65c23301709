"""Contract layouts: four ways to print a contract record as a born-digital, multi-page PDF.

Every layout puts the parties and the effective date on page 1 and keeps the governing-law clause
together with the signatures on the last page. `min_pages` makes a contract run to at least that
many pages: below SCHEDULES_FROM_PAGES by an implementation plan (work packages) before the
governing-law clause, from there on (60-300 page contracts) by a definitions clause and schedules
(contract_schedules).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pymupdf

from . import draw, drawn, evidence
from .contract_schedules import SCHEDULES_FROM_PAGES, Face, definitions_clause, schedules_clause, write_schedules
from .contract_text import CONTRACT_KINDS, Words
from .draw import GREY, INK, RULE, Flow, tint
from .locales import labelled
from .reference import COUNTRIES, company

_SIGNATURE_ROW = 150  # height of one row of two signature blocks


@dataclass(frozen=True)
class _Type:
    """The typography of a layout's body text."""

    font: str = "tiro"
    bold: str = "tibo"
    size: float = 11
    heading: str = "heading"  # phrase key of clause headings
    indent: float = 28  # sub-clause labels hang in this indent; 0: unnumbered paragraphs


def render_contract_pdf(record: dict, layout: str = "classic", language: str = "en", min_pages: int = 0) -> bytes:
    """Draw a contract record as a multi-page born-digital PDF in one of CONTRACT_LAYOUTS.

    The record must come from `contract_record` with the same `language` (parties are looked up by
    name). With `min_pages`, an implementation plan makes the document at least that long; from
    SCHEDULES_FROM_PAGES on, definitions and schedules (service levels, escalation, price list,
    implementation plan) do. A 300-page contract renders in a few seconds, about 1.7 kB a page.
    """
    words = Words(record, language)
    doc = pymupdf.open()
    CONTRACT_LAYOUTS[layout](doc, words, min_pages)
    return draw.pdf_bytes(doc, record["title"], record["parties"][0]["name"],
                          date.fromisoformat(record["effective_date"]))


def render_contract_with_evidence(record: dict, layout: str = "classic", language: str = "en",
                                  min_pages: int = 0) -> tuple[bytes, dict]:
    """`render_contract_pdf` (the same bytes) and where each value of the record is printed (see evidence)."""
    with drawn.recording() as drawing:
        pdf = render_contract_pdf(record, layout, language, min_pages)
    found = evidence.locate(drawing, pdf, evidence.contract_targets(Words(record, language)), record,
                            evidence.NOT_PRINTED["contract"])
    return pdf, found


def _paper(words: Words) -> str:
    return COUNTRIES[words.home.country].paper


def _clauses(words: Words, long: bool = False) -> list[tuple[str, list[str]]]:
    """Heading and paragraphs of every clause before the governing-law clause, in document order;
    a `long` contract opens with the full definitions clause and ends with the list of schedules."""
    keys = [k for k in CONTRACT_KINDS[words.record["contract_type"]].clauses if k != "law"]
    if not long:
        return [words.text.clauses[k](words) for k in keys if k in words.text.clauses]
    kept = [k for k in keys if k in words.text.clauses and not k.startswith("definitions")]
    return [definitions_clause(words), *(words.text.clauses[k](words) for k in kept), schedules_clause(words)]


def _clause(flow: Flow, t: _Type, words: Words, number: int, heading: str, paragraphs: list[str]) -> None:
    flow.y += t.size * 0.5
    flow.need(t.size * 1.32 * 4)  # keep a heading with the first lines of its clause
    flow.text(words.phrase(t.heading, n=number, heading=heading), t.bold, t.size + 0.5, gap=4)
    for k, paragraph in enumerate(paragraphs, 1):
        label = words.phrase("sub", n=number, k=k) if t.indent else ""
        flow.text(paragraph, t.font, t.size, indent=t.indent, label=label)


def _body(flow: Flow, t: _Type, words: Words, min_pages: int) -> int:
    """Every clause but the last, then the plan while the document is shorter than `min_pages` (from
    SCHEDULES_FROM_PAGES on: the schedules); returns the number the governing-law clause gets."""
    long = min_pages >= SCHEDULES_FROM_PAGES
    clauses = _clauses(words, long)
    for number, (heading, paragraphs) in enumerate(clauses, 1):
        _clause(flow, t, words, number, heading, paragraphs)
    number = len(clauses) + 1
    if long:
        write_schedules(flow, words, Face(t.font, t.bold, t.size), min_pages)
        return number
    if flow.doc.page_count < min_pages:
        _plan(flow, t, words, number, min_pages)
        number += 1
    return number


def _plan(flow: Flow, t: _Type, words: Words, number: int, min_pages: int) -> None:
    """The implementation plan: work packages of three template sentences each, until `min_pages`."""
    plan, rng = words.text.plan, words.rng()
    _clause(flow, t, words, number, plan.heading, [plan.intro])
    k = 1
    while flow.doc.page_count < min_pages:
        flow.text(words.work_package(rng, k), t.font, t.size, indent=t.indent,
                  label=words.phrase("sub", n=number, k=k + 1) if t.indent else "")
        k += 1


def _law_height(flow: Flow, t: _Type, words: Words) -> float:
    heading, paragraphs = words.text.clauses["law"](words)
    return (t.size * 2.2 + sum(flow.height(p, t.font, t.size, t.indent) for p in paragraphs)
            + flow.height(heading, t.bold, t.size + 0.5, 0, 4))


def _final(words: Words, min_pages: int) -> str:
    """The heading over the governing-law clause: "Final Provisions" after schedules, else none."""
    return words.text.schedules.final if min_pages >= SCHEDULES_FROM_PAGES else ""


def _final_height(flow: Flow, t: _Type, final: str) -> float:
    return flow.height(final, t.bold, t.size + 2, 0, 6) if final else 0


def _closing(flow: Flow, t: _Type, words: Words, number: int, final: str = "") -> None:
    """The governing-law clause (under `final`, if given), the witness line and the signatures, all on the
    last page."""
    signatories = words.record["signatories"]
    witness = words.phrase("witness")
    flow.need(_final_height(flow, t, final) + _law_height(flow, t, words) + flow.height(witness, t.font, t.size, 0, 14)
              + 10 + _SIGNATURE_ROW * math.ceil(len(signatories) / 2))
    if final:
        flow.text(final, t.bold, t.size + 2, gap=6)
    _clause(flow, t, words, number, *words.text.clauses["law"](words))
    flow.y += 10
    flow.text(witness, t.font, t.size, gap=14)
    _signatures(flow, words, signatories, words.phrase("sign_for"), t)


def _signatures(flow: Flow, words: Words, signatories: list[dict], caption: str, t: _Type) -> None:
    """Two signature blocks per row, each with a pen stroke, name, title and date."""
    column = flow.width / 2
    for i, signatory in enumerate(signatories):
        x, y = flow.x + column * (i % 2), flow.y + _SIGNATURE_ROW * (i // 2)
        path = f"signatories[{words.record['signatories'].index(signatory)}]"
        draw.text(flow.page, x, y + 10, caption, "helv", 8.5, GREY)
        for j, line in enumerate(draw.wrap(signatory["party"], t.bold, 10.5, column - 24)):
            draw.text(flow.page, x, y + 24 + 13 * j, line, t.bold, 10.5, marks={f"{path}.party": line})
        _signature_stroke(flow.page, x + 8, y + 72, random.Random(signatory["name"] + signatory["party"]))
        draw.rule(flow.page, x, x + column - 30, y + 82, INK, 0.6)
        rows = [("name", words.phrase("sign_name"), signatory["name"]),
                ("title", words.phrase("sign_title"), signatory["title"]),
                ("signed_date", words.phrase("sign_date"), words.date(signatory["signed_date"]))]
        rows = [(key, labelled(label, value, words.language), value) for key, label, value in rows if value]
        for j, (key, row, value) in enumerate(rows):
            draw.text(flow.page, x, y + 96 + 13 * j, row, t.font, 10, marks={f"{path}.{key}": value})
    flow.y += _SIGNATURE_ROW * math.ceil(len(signatories) / 2)


def _signature_stroke(page: draw.Surface, x: float, y: float, rng: random.Random) -> None:
    shape = page.new_shape()
    point = pymupdf.Point(x, y)
    for _ in range(rng.randint(4, 7)):
        end = point + (rng.uniform(10, 30), rng.uniform(-8, 8))
        shape.draw_bezier(point, point + (rng.uniform(-6, 22), rng.uniform(-30, 4)),
                          end + (rng.uniform(-22, 6), rng.uniform(-4, 26)), end)
        point = end
    shape.finish(color=(0.1, 0.15, 0.45), width=1.1, closePath=False)
    shape.commit()


def _footers(doc: pymupdf.Document, words: Words, margin: float, centred: bool = False) -> None:
    """Title, reference and "Confidential" left (or nothing when centred), page numbers right (or centred)."""
    footer = words.phrase("footer", title=words.record["title"], reference=words.reference)
    for number, page in enumerate(doc, 1):
        bottom, right = page.rect.height - 34, page.rect.width - margin
        label = words.phrase("page", n=number, count=doc.page_count)
        if centred:
            draw.text(page, page.rect.width / 2, bottom, label, size=7.5, colour=GREY, align="center")
            continue
        draw.rule(page, margin, right, bottom - 12)
        draw.text(page, margin, bottom, footer, size=7.5, colour=GREY)
        draw.text(page, right, bottom, label, size=7.5, colour=GREY, align="right")


def _preamble(flow: Flow, t: _Type, words: Words) -> None:
    for label, paragraph in words.text.preamble(words):
        flow.text(paragraph, t.font, t.size, indent=28 if label else 0, label=label, gap=8)


# --- 1. classic: centred title, numbered clauses in a serif face ----------------------------

def _classic(doc: pymupdf.Document, words: Words, min_pages: int) -> None:
    t = _Type()
    flow = Flow(doc, _paper(words))
    flow.text(words.record["title"], "tibo", 18, align="center", gap=4)
    flow.text(words.phrase("reference", reference=words.reference), "helv", 8.5, align="center", gap=18)
    _preamble(flow, t, words)
    _closing(flow, t, words, _body(flow, t, words, min_pages), _final(words, min_pages))
    flow.close()
    _footers(doc, words, flow.margin)


# --- 2. two_column: article style, sans serif in two columns --------------------------------

def _two_column(doc: pymupdf.Document, words: Words, min_pages: int) -> None:
    t = _Type("helv", "hebo", 8.5, "article", 20)
    flow = Flow(doc, _paper(words), margin=50, bottom=64)
    colour = company(words.record["parties"][0]["name"]).colour
    draw.box(flow.page, 0, 0, flow.page.rect.width, 10, fill=colour)
    flow.y = 44
    flow.text(words.record["title"], "hebo", 18, gap=2)
    flow.text(words.phrase("reference", reference=words.reference), "helv", 8, gap=12, colour=GREY)
    top = flow.y
    flow.y += 10
    for label, paragraph in words.text.preamble(words):
        flow.text(paragraph, "helv", 9, indent=24 if label else 0, label=label, gap=5)
    draw.box(flow.page, flow.margin - 8, top, flow.page.rect.width - flow.margin + 8, flow.y + 4, stroke=RULE)
    flow.y += 16
    flow.set_columns(2)
    number = _body(flow, t, words, min_pages)
    flow.set_columns(1)
    _closing(flow, t, words, number, _final(words, min_pages))
    flow.close()
    for page in list(doc)[1:]:
        draw.text(page, 50, 34, f"{words.record['title']} | {words.reference}", "helv", 7.5, GREY)
        draw.rule(page, 50, page.rect.width - 50, 40, colour, 1)
    _footers(doc, words, flow.margin, centred=True)


# --- 3. cover_sheet: a form-like first page with parties and key terms, clauses after -------

def _cover_sheet(doc: pymupdf.Document, words: Words, min_pages: int) -> None:
    t = _Type("helv", "hebo", 9.5)
    flow = Flow(doc, _paper(words), margin=60)
    page, left, right = flow.page, flow.margin, flow.page.rect.width - flow.margin
    record = words.record
    draw.text(page, right, 60, labelled(words.phrase("cover_reference"), words.reference, words.language), "helv", 8.5,
              GREY, "right")
    y = 130
    for line in draw.wrap(record["title"], "hebo", 22, right - left):
        draw.text(page, page.rect.width / 2, y, line, "hebo", 22, align="center")
        y += 28
    y = _form_table(page, left, right, y + 30, words.phrase("cover_parties"),
                    [(words.phrase("cover_party"), words.phrase("cover_role"), words.phrase("cover_address"))]
                    + [(p["name"], p["role"], p["address"]) for p in record["parties"]], (0.36, 0.18, 0.46),
                    header=True)
    _form_table(page, left, right, y + 30, words.phrase("cover_terms"), _key_terms(words), (0.36, 0.64))
    notes = draw.wrap(words.phrase("cover_note"), "heit", 9.5, right - left)
    for i, line in enumerate(notes):
        draw.text(page, left, page.rect.height - 120 + 13 * i, line, "heit", 9.5, GREY)
    flow.new_page()
    _closing(flow, t, words, _body(flow, t, words, min_pages), _final(words, min_pages))
    flow.close()
    _footers(doc, words, flow.margin)


def _key_terms(words: Words) -> list[tuple[str, ...]]:
    r, p = words.record, words.phrase
    renewal = (p("renewal_yes", days=words.text.days(r["renewal_notice_days"])) if r["auto_renewal"]
               else p("renewal_no"))
    return [(p("cover_effective"), words.date(r["effective_date"])),
            (p("cover_term"), words.text.months(r["term_months"])),
            (p("cover_expiry"), words.date(r["expiry_date"])),
            (p("cover_value"), words.money() if r["contract_value"] else p("not_stated")),
            (p("cover_payment"), r["payment_terms"] or p("not_stated")),
            (p("cover_renewal"), renewal)]


def _form_table(page: draw.Surface, left: float, right: float, y: float, title: str, rows: list[tuple[str, ...]],
                spans: tuple[float, ...], header: bool = False) -> float:
    """A titled, fully bordered table whose first column (and shaded `header` row) is bold; returns the y below."""
    draw.text(page, left, y, title.upper(), "hebo", 10)
    y += 8
    edges = [left]
    for span in spans:
        edges.append(edges[-1] + span * (right - left))
    for n, row in enumerate(rows):
        fonts = ["hebo" if i == 0 or (header and n == 0) else "helv" for i in range(len(row))]
        sizes = [_cell_size(value, fonts[i], edges[i + 1] - edges[i] - 10) for i, value in enumerate(row)]
        cells = [draw.wrap(value, fonts[i], sizes[i], edges[i + 1] - edges[i] - 10) for i, value in enumerate(row)]
        height = max(len(lines) for lines in cells) * 12 + 10
        draw.box(page, left, y, right, y + height, fill=tint(GREY, 0.85) if header and n == 0 else None, stroke=GREY)
        for i, lines in enumerate(cells):
            if i:
                page.draw_line((edges[i], y), (edges[i], y + height), color=GREY, width=0.6)
            for j, line in enumerate(lines):
                draw.text(page, edges[i] + 5, y + 15 + 12 * j, line, fonts[i], sizes[i])
        y += height
    return y


def _cell_size(value: str, font: str, limit: float, size: float = 9) -> float:
    """The font size of a form cell: 9 points, less where one word is wider than the cell ("Informationsempfänger"),
    so that it does not run into the next cell."""
    widest = max((draw.width(word, font, size) for word in value.split()), default=0)
    return size if widest <= limit else max(6.0, math.floor(size * limit / widest * 10) / 10)


# --- 4. letter: a letter agreement on the first party's letterhead, countersigned -----------

def _letter(doc: pymupdf.Document, words: Words, min_pages: int) -> None:
    t = _Type("tiro", "tibo", 10.5, "heading", 0)
    record = words.record
    sender, addressee = (company(p["name"]) for p in record["parties"])
    flow = Flow(doc, _paper(words), margin=72)
    page, right = flow.page, flow.page.rect.width - 72
    draw.text(page, 72, 60, sender.name, "hebo", 13, sender.colour)
    draw.text(page, 72, 74, record["parties"][0]["address"], "helv", 7.5, GREY)
    draw.rule(page, 72, right, 84, sender.colour, 1)
    draw.text(page, right, 112, f"{sender.city}, {words.date(record['effective_date'])}", t.font, t.size, INK, "right")
    y = 130
    for line in [addressee.name, *record["parties"][1]["address"].split(", ")]:
        draw.text(page, 72, y, line, t.font, t.size)
        y += 13.5
    flow.y = y + 20
    flow.text(words.phrase("letter_subject", title=record["title"]), "tibo", 11.5, gap=12)
    first, second = record["parties"]
    for key in ("letter_opening", "letter_intro", "letter_terms"):
        flow.text(words.phrase(key, first=first["name"], first_role=first["role"], second=second["name"],
                               second_role=second["role"], date=words.date(record["effective_date"])),
                  t.font, t.size, gap=8)
    number = _body(flow, t, words, min_pages)
    _letter_closing(flow, t, words, number, _final(words, min_pages))
    flow.close()
    _footers(doc, words, flow.margin, centred=True)


def _letter_closing(flow: Flow, t: _Type, words: Words, number: int, final: str = "") -> None:
    """The governing-law paragraph (under `final`, if given), the request to countersign, the sender's and
    the addressee's signatures."""
    first = words.record["parties"][0]["name"]
    ours = [s for s in words.record["signatories"] if s["party"] == first]
    theirs = [s for s in words.record["signatories"] if s["party"] != first]
    closing, yours = words.phrase("letter_closing"), words.phrase("letter_yours")
    flow.need(_final_height(flow, t, final) + _law_height(flow, t, words) + flow.height(closing, t.font, t.size, 0, 8)
              + flow.height(yours, t.font, t.size, 0, 4) + 24
              + _SIGNATURE_ROW * (math.ceil(len(ours) / 2) + math.ceil(len(theirs) / 2)))
    if final:
        flow.text(final, t.bold, t.size + 2, gap=6)
    _clause(flow, t, words, number, *words.text.clauses["law"](words))
    flow.y += 6
    flow.text(closing, t.font, t.size, gap=8)
    flow.text(yours, t.font, t.size, gap=4)
    _signatures(flow, words, ours, words.phrase("sign_for"), t)
    flow.y += 10
    _signatures(flow, words, theirs, words.phrase("letter_accept"), t)


CONTRACT_LAYOUTS: dict[str, Callable[[pymupdf.Document, Words, int], None]] = {
    "classic": _classic,
    "two_column": _two_column,
    "cover_sheet": _cover_sheet,
    "letter": _letter,
}
"""Contract layouts by name, as truth files record them."""
