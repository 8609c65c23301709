"""What every invoice layout needs: the record's facts as printed (`Sheet`) and a paginating table."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pymupdf

from . import draw
from .draw import GREY, INK, RULE, Colour
from .locales import (LABELS, address_lines, format_amount, format_date, format_number, iban_groups, labelled,
                      percent, tax_id_label, tax_label, unit_name)
from .records import tax_rate, unit_of
from .reference import COUNTRIES, EU, Company, company


@dataclass
class Sheet:
    """One invoice being drawn: its record, parties and language, and the PDF pages so far."""

    record: dict
    language: str
    paper: str | tuple[float, float] | None = None  # None: the seller country's paper
    doc: pymupdf.Document = field(default_factory=pymupdf.open)
    canvas: draw.Canvas | None = None  # the page being drawn, its text not yet committed
    seller: Company = field(init=False)
    buyer: Company = field(init=False)

    def __post_init__(self) -> None:
        self.seller = company(self.record["seller"]["name"])
        self.buyer = company(self.record["buyer"]["name"])
        self.paper = self.paper or COUNTRIES[self.seller.country].paper

    def new_page(self) -> draw.Canvas:
        """Finish the current page and start the next (PyMuPDF orphans earlier Page objects on insertion)."""
        self._commit()
        self.canvas = draw.Canvas(draw.new_page(self.doc, self.paper))
        return self.canvas

    def _commit(self) -> None:
        if self.canvas:
            self.canvas.commit()
            self.canvas = None

    def finished_pages(self) -> list[pymupdf.Page]:
        """Every page, its text committed: for footers, which are drawn once the page count is known."""
        self._commit()
        return list(self.doc)

    def label(self, key: str, **values: object) -> str:
        return LABELS[self.language][key].format(**values)

    def colon(self, label: str, value: str) -> str:
        return labelled(label, value, self.language)

    def amount(self, value: str) -> str:
        return format_amount(value, self.seller.country)

    def date(self, iso: str) -> str:
        return format_date(date.fromisoformat(iso), self.seller.country, self.language)

    @property
    def number(self) -> str:
        return self.record["invoice_number"]

    @property
    def customer_no(self) -> str:
        # From the record, so it is the same on every rendering of it.
        return f"C-{random.Random(self.number + self.record['buyer']['name']).randint(10000, 99999)}"

    @property
    def rate(self) -> Decimal:
        return tax_rate(self.seller, self.buyer)

    def tax_line(self) -> str:
        """The tax row's label: "VAT 20%", "MwSt. 19 %", "IVA 21 %"."""
        country = self.seller.country
        return f"{tax_label(self.language, country)} {percent(self.rate, country, self.language)}"

    def total_label(self) -> str:
        return f"{self.label('total')} {self.record['currency']}"

    def totals(self) -> list[tuple[str, str]]:
        """(label, printed amount) of subtotal, tax and total, in that order."""
        r = self.record
        return [(self.label("subtotal"), self.amount(r["subtotal"])), (self.tax_line(), self.amount(r["tax_total"])),
                (self.total_label(), self.amount(r["total"]))]

    def details(self) -> list[tuple[str, str]]:
        """(label, value) of the invoice's reference data, as a details block prints them."""
        r = self.record
        rows = [(self.label("invoice_no"), self.number), (self.label("invoice_date"), self.date(r["issue_date"])),
                (self.label("due_date"), self.date(r["due_date"])), (self.label("customer_no"), self.customer_no)]
        if r["purchase_order"]:
            rows.append((self.label("your_po"), r["purchase_order"]))
        return rows + [(self.label("currency"), r["currency"])]

    def notes(self) -> list[str]:
        """Payment terms, the request to pay, and why no tax is charged where none is."""
        r = self.record
        notes = [self.colon(self.label("payment_terms"), r["payment_terms"]),
                 self.label("pay_by", date=self.date(r["due_date"]), number=self.number)]
        if self.rate == 0:
            domestic_eu = self.seller.country in EU and self.buyer.country in EU
            notes.append(self.label("reverse_charge" if domestic_eu else "export"))
        return notes

    def bank_lines(self) -> list[str]:
        seller = self.seller
        bank = self.colon(self.label("bank"), seller.bank)
        if self.record["iban"]:
            return [bank, self.colon("IBAN", iban_groups(self.record["iban"])), self.colon("BIC", seller.bic)]
        return [bank, seller.account, self.colon("SWIFT", seller.bic)]

    def seller_lines(self) -> list[str]:
        return address_lines(self.seller, self.language)

    def buyer_lines(self) -> list[str]:
        """Buyer name, address and, where printed, tax number."""
        lines = [self.buyer.name, *address_lines(self.buyer, self.language)]
        if self.record["buyer"]["tax_id"]:
            lines.append(self.colon(tax_id_label(self.language, self.buyer.country), self.record["buyer"]["tax_id"]))
        return lines

    def seller_tax_id(self) -> str:
        return f"{tax_id_label(self.language, self.seller.country)} {self.seller.tax_id}" if self.seller.tax_id else ""

    def cells(self, number: int, item: dict) -> dict[str, str]:
        """One line item's printed cells by column key."""
        priced = item["quantity"] is not None
        unit = unit_name(unit_of(item["description"], self.seller, self.language), self.language) if priced else ""
        quantity = format_number(Decimal(item["quantity"]), self.seller.country) if priced else ""
        return {"pos": str(number), "description": item["description"], "quantity": quantity, "unit": unit,
                "quantity_unit": f"{quantity} {unit}".strip(),
                "unit_price": self.amount(item["unit_price"]) if priced else "", "amount": self.amount(item["amount"])}

    def page_numbers(self, place: Callable[[pymupdf.Page, str], None]) -> None:
        """Write "Page n of N" on every page with `place(page, text)`."""
        pages = self.finished_pages()
        for n, page in enumerate(pages, 1):
            place(page, self.label("page", n=n, count=len(pages)))

    def pdf(self) -> bytes:
        self._commit()
        return draw.pdf_bytes(self.doc, f"{self.label('invoice')} {self.number}", self.seller.name,
                              date.fromisoformat(self.record["issue_date"]))


@dataclass(frozen=True)
class Column:
    key: str  # a key of Sheet.cells, also the header's label key ("quantity_unit" prints "quantity")
    start: float  # left edge, as a fraction of the table width
    end: float
    align: str = "left"


@dataclass(frozen=True)
class TableStyle:
    columns: tuple[Column, ...]
    size: float = 8.5
    font: str = "helv"
    bold: str = "hebo"
    header_fill: Colour | None = None
    header_ink: Colour = INK
    header_rules: tuple[Colour | None, Colour | None] = (None, None)  # lines above and below the header
    row_rule: Colour | None = RULE
    grid: Colour | None = None  # vertical lines and a frame: a bordered table
    zebra: Colour | None = None  # fill of every second row
    padding: float = 5
    upper: bool = False  # header labels in capitals

    @property
    def line(self) -> float:
        return self.size * 1.25


NextPage = Callable[[], tuple[draw.Canvas, float]]


def draw_table(sheet: Sheet, page: draw.Canvas, y: float, x0: float, x1: float, style: TableStyle,
               bottom: float, next_page: NextPage) -> tuple[draw.Canvas, float]:
    """Draw the header and every line item from y down; continue on `next_page()` pages when a row
    would pass `bottom` points above the page's lower edge. Returns the last page and the y below the table."""
    y = _header(sheet, page, y, x0, x1, style)
    for number, item in enumerate(sheet.record["line_items"], 1):
        cells = sheet.cells(number, item)
        lines = _description_lines(cells["description"], style, (x1 - x0) * _span(style, "description"))
        height = len(lines) * style.line + 2 * style.padding
        if y + height > page.rect.height - bottom:
            draw.text(page, x1, y + 12, sheet.label("continued"), "heit", 7.5, GREY, "right")
            page, y = next_page()
            y = _header(sheet, page, y, x0, x1, style)
        if style.zebra and number % 2 == 0:
            draw.box(page, x0, y, x1, y + height, fill=style.zebra)
        _row(page, y, x0, x1, style, cells, lines, f"line_items[{number - 1}]")
        _rules(page, y, y + height, x0, x1, style, style.row_rule)
        y += height
    return page, y


def _span(style: TableStyle, key: str) -> float:
    column = next(c for c in style.columns if c.key == key)
    return column.end - column.start


def _description_lines(description: str, style: TableStyle, column_width: float) -> list[str]:
    return draw.wrap(description, style.font, style.size, column_width - 8)


def _header(sheet: Sheet, page: draw.Canvas, y: float, x0: float, x1: float, style: TableStyle) -> float:
    height = style.size + 2 * style.padding + 2
    if style.header_fill:
        draw.box(page, x0, y, x1, y + height, fill=style.header_fill)
    above, below = style.header_rules
    if above:
        draw.rule(page, x0, x1, y, above, 0.8)
    for column in style.columns:
        label = sheet.label("quantity" if column.key == "quantity_unit" else column.key)
        _cell(page, x0, x1, column, y + style.padding + 1 + style.size * 0.8, label.upper() if style.upper else label,
              style.bold, style.size - 0.5, style.header_ink)
    _rules(page, y, y + height, x0, x1, style, below or (style.grid if style.grid else None))
    return y + height


def _item_marks(item: str, key: str, cells: dict[str, str], line: str) -> dict[str, str]:
    """The record values (paths under `item`, e.g. "line_items[3]") that a line of column `key` prints."""
    field = {"quantity_unit": "quantity"}.get(key, key)
    if field not in ("description", "quantity", "unit_price", "amount"):
        return {}  # position and unit are not in the record
    return {f"{item}.{field}": line if field == "description" else cells[field]}


def _row(page: draw.Canvas, y: float, x0: float, x1: float, style: TableStyle, cells: dict[str, str],
         description: list[str], item: str) -> None:
    baseline = y + style.padding + style.size * 0.8
    for column in style.columns:
        values = description if column.key == "description" else [cells[column.key]]
        for i, value in enumerate(values):
            _cell(page, x0, x1, column, baseline + i * style.line, value, style.font, style.size,
                  GREY if column.key == "pos" else INK, _item_marks(item, column.key, cells, value))


def _cell(page: draw.Canvas, x0: float, x1: float, column: Column, baseline: float, value: str, font: str,
          size: float, colour: Colour, marks: dict[str, str] | None = None) -> None:
    left, right = x0 + (x1 - x0) * column.start, x0 + (x1 - x0) * column.end
    x = {"left": left + 4, "right": right - 4, "center": (left + right) / 2}[column.align]
    draw.text(page, x, baseline, value, font, size, colour, column.align, marks)


def _rules(page: draw.Canvas, top: float, bottom: float, x0: float, x1: float, style: TableStyle,
           under: Colour | None) -> None:
    """The line under a row and, for a bordered table, the vertical lines of its cells."""
    if under:
        draw.rule(page, x0, x1, bottom, under, 0.6 if style.grid else 0.5)
    if style.grid:
        edges = {x0, x1} | {x0 + (x1 - x0) * c.start for c in style.columns}
        for x in sorted(edges):
            page.draw_line((x, top), (x, bottom), color=style.grid, width=0.6)
