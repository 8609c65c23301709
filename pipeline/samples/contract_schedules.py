"""Definitions and schedules: what makes a contract run to 60-300 pages.

From SCHEDULES_FROM_PAGES pages on, `render_contract_pdf` (contracts.py) opens the clauses with a
definitions clause, closes them with a clause that lists the schedules, and then prints the
schedules, each from a new page: service levels and an escalation procedure (tables), a price
list drawn from the provider's catalogue (a table as long as the page count needs) and an
implementation plan (work packages) that fills up to the page count asked for. The governing-law
clause and the signatures follow on the last page, under a "Final Provisions" heading.

Schedules print no fact of the record besides the parties' roles and the currency, so the truth
stays where a short contract prints it: parties and effective date on page 1, term and fees in
their clauses, governing law and signatures on the last page.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import draw
from .draw import GREY, RULE, Flow, tint
from .contract_text import Words
from .locales import format_amount, unit_name
from .reference import CATALOG, company

SCHEDULES_FROM_PAGES = 30
"""From this `min_pages` on a contract gets definitions and schedules; below, an implementation plan clause."""

_SERVICE_LEVELS = {
    "supply": ("delivery", "confirmation", "quality", "reporting", "satisfaction"),
    "services": ("availability", "p1_response", "p1_resolution", "p2_response", "p2_resolution", "p3_resolution",
                 "service_desk", "reporting", "satisfaction"),
}
_PRICE_SHARE = 0.4  # of the pages left after the clauses, the price list takes this share, the plan the rest
_MODEL_LETTERS = "ABCDEFGHKLMNPRSTVW"


@dataclass(frozen=True)
class Face:
    """The typography of the contract's body text, which the schedules follow."""

    font: str
    bold: str
    size: float


def definitions_clause(words: Words) -> tuple[str, list[str]]:
    """Heading and paragraphs of the definitions clause that opens a long contract."""
    text = words.text.schedules
    return text.definitions_heading, [p.format(**words.fill) for p in text.definitions + text.interpretation]


def schedule_keys(words: Words) -> list[str]:
    """The schedules of this contract, in order (no price list where the contract states no currency)."""
    return ["service_levels", "escalation", *(["price_list"] if words.record["currency"] else []), "plan"]


def schedules_clause(words: Words) -> tuple[str, list[str]]:
    """Heading and paragraphs of the clause that lists the schedules."""
    text = words.text.schedules
    names = ", ".join(text.schedule.format(n=n, name=text.names[key])
                      for n, key in enumerate(schedule_keys(words), 1))
    return text.schedules_heading, [text.schedules_intro.format(names=names),
                                    text.schedules_review.format(**words.fill)]


def write_schedules(flow: Flow, words: Words, face: Face, min_pages: int) -> None:
    """Every schedule from a new page, in one column; the last (the plan) runs until the document has
    `min_pages` pages, the price list before it takes a share of what is left after the clauses."""
    text = words.text.schedules
    flow.set_columns(1)
    start = flow.doc.page_count
    price_until = start + 2 + round((min_pages - start - 2) * _PRICE_SHARE)
    for n, key in enumerate(schedule_keys(words), 1):
        flow.new_page()
        flow.text(text.schedule.format(n=n, name=text.names[key]), face.bold, face.size + 3, gap=8)
        flow.text(text.intros[key].format(**words.fill), face.font, face.size, gap=10)
        if key == "service_levels":
            _service_levels(flow, words, face)
        elif key == "escalation":
            _escalation(flow, words, face)
        elif key == "price_list":
            columns = [c.format(currency=words.record["currency"]) for c in text.price_columns]
            _table(flow, face, columns, (0.14, 0.58, 0.12, 0.16), "llcr", _price_rows(words),
                   until=lambda: flow.doc.page_count > price_until)
        else:
            _work_packages(flow, words, face, min_pages)


def _service_levels(flow: Flow, words: Words, face: Face) -> None:
    levels = words.text.schedules.service_levels
    keys = _SERVICE_LEVELS["supply" if words.record["contract_type"] == "supply" else "services"]
    _table(flow, face, words.text.schedules.service_level_columns, (0.24, 0.3, 0.16, 0.3), "llll",
           [levels[key] for key in keys])


def _escalation(flow: Flow, words: Words, face: Face) -> None:
    text = words.text.schedules
    level, response = text.escalation_columns
    rows = [(str(n), *row) for n, row in enumerate(text.escalation, 1)]
    _table(flow, face, (level, words.provider.name, words.recipient.name, response), (0.1, 0.33, 0.33, 0.24), "clll",
           rows)


def _price_rows(words: Words) -> Iterator[tuple[str, str, str, str]]:
    """Item number, description, unit and unit price of the provider's catalogue items, each in a few
    models, round after round: as many rows as a price list of any length needs."""
    text, language = words.text.schedules, words.language
    provider = next(company(p["name"]) for p in words.record["parties"] if p["role"] == words.provider.name)
    items = [item for category in provider.categories for item in CATALOG[category]]
    rng = random.Random(f"prices/{words.reference}/{provider.name}")
    number = rng.randint(100, 899) * 1000
    while True:
        for item in items:
            description = _without_references(item.text(language))
            unit = unit_name(item.unit, language) if item.quantity != "lump" and item.unit else text.lump
            for _ in range(rng.randint(2, 5)):
                number += rng.randint(1, 40)
                model = text.model.format(code=f"{rng.choice(_MODEL_LETTERS)}{rng.randint(10, 99)}")
                price = Decimal(rng.randint(item.low // item.step, item.high // item.step) * item.step) / 100
                yield f"{number:06d}", f"{description}, {model}", unit, format_amount(price, words.home.country)


def _without_references(description: str) -> str:
    """A catalogue text without its invoice-specific part: "Pallet freight, domestic (ref. {sku})" -> "Pallet
    freight, domestic"."""
    return re.sub(r"\s*\([^()]*\{\w+\}[^()]*\)", "", description)


def _work_packages(flow: Flow, words: Words, face: Face, min_pages: int) -> None:
    """Numbered work packages until the document has `min_pages` pages (at least three)."""
    rng = random.Random(f"plan/{words.reference}")
    for k in itertools.count(1):
        if k > 3 and flow.doc.page_count >= min_pages:
            return
        flow.text(words.work_package(rng, k), face.font, face.size, indent=28, label=f"{k}.")


def _table(flow: Flow, face: Face, header: Sequence[str], shares: Sequence[float], aligns: str,
           rows: Iterator[Sequence[str]] | Sequence[Sequence[str]], until: Callable[[], bool] | None = None) -> None:
    """A ruled table across the column, its header repeated on every page it runs onto; rows wrap in their
    cells. With `until`, rows stop (after a whole row) once it holds."""
    size, pad = face.size - 1.5, 4.0
    step = size * 1.25
    edges = list(itertools.accumulate((share * flow.width for share in shares), initial=flow.x))

    def row_height(cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * step + 2 * pad

    def wrapped(row: Sequence[str], font: str) -> list[list[str]]:
        return [draw.wrap(value, font, size, edges[i + 1] - edges[i] - 2 * pad) or [""] for i, value in enumerate(row)]

    def draw_row(cells: list[list[str]], font: str, fill: draw.Colour | None) -> None:
        height = row_height(cells)
        if fill:
            draw.box(flow.page, edges[0], flow.y, edges[-1], flow.y + height, fill=fill)
        for i, lines in enumerate(cells):
            x = {"l": edges[i] + pad, "c": (edges[i] + edges[i + 1]) / 2, "r": edges[i + 1] - pad}[aligns[i]]
            align = {"l": "left", "c": "center", "r": "right"}[aligns[i]]
            for j, line in enumerate(lines):
                draw.text(flow.page, x, flow.y + pad + size * 0.85 + j * step, line, font, size, align=align)
        flow.y += height
        flow.page.hairline(edges[0], edges[-1], flow.y, GREY if fill else RULE, 0.6 if fill else 0.4)

    head = wrapped(header, face.bold)
    flow.need(row_height(head) + 3 * step + 2 * pad)  # not a header alone at the foot of a page
    draw_row(head, face.bold, tint(GREY, 0.85))
    for row in rows:
        if until and until():
            break
        cells = wrapped(row, face.font)
        page = flow.page
        flow.need(row_height(cells))
        if flow.page is not page:
            draw_row(head, face.bold, tint(GREY, 0.85))
        draw_row(cells, face.font, None)
    flow.y += 10
    flow.lowest = max(flow.lowest, flow.y)
