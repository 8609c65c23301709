"""Invoice layouts: seven visibly different ways to print the same record as a born-digital PDF.

Each layout draws the same facts (seller, buyer, references, line items, totals, payment and bank
details) in a different arrangement; long line-item tables continue on further pages everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pymupdf

from . import draw, drawn, evidence
from .draw import GREY, INK, RULE, WHITE, tint
from .invoice_parts import Column, Sheet, TableStyle, draw_table

_M = 48  # page margin
_PAPER = {"receipt": (260, 700)}  # points; other layouts print on the seller country's paper

_FULL_COLUMNS = (Column("pos", 0, 0.06), Column("description", 0.06, 0.56), Column("quantity", 0.56, 0.65, "right"),
                 Column("unit", 0.65, 0.73), Column("unit_price", 0.73, 0.86, "right"),
                 Column("amount", 0.86, 1, "right"))
_SHORT_COLUMNS = (Column("description", 0, 0.5), Column("quantity_unit", 0.5, 0.63, "right"),
                  Column("unit_price", 0.63, 0.81, "right"), Column("amount", 0.81, 1, "right"))


def render_invoice_pdf(record: dict, layout: str = "letterhead", language: str = "en") -> bytes:
    """Draw an invoice record as a born-digital PDF with a text layer, in one of INVOICE_LAYOUTS.

    The record must come from `invoice_record` with the same `language`: addresses, bank and tax
    rate are looked up by company name.
    """
    sheet = Sheet(record, language, _PAPER.get(layout))
    INVOICE_LAYOUTS[layout](sheet)
    return sheet.pdf()


def render_invoice_with_evidence(record: dict, layout: str = "letterhead", language: str = "en") -> tuple[bytes, dict]:
    """`render_invoice_pdf` (the same bytes) and where each value of the record is printed (see evidence)."""
    sheet = Sheet(record, language, _PAPER.get(layout))
    with drawn.recording() as drawing:
        INVOICE_LAYOUTS[layout](sheet)
    pdf = sheet.pdf()
    return pdf, evidence.locate(drawing, pdf, evidence.invoice_targets(sheet), record)


def _stack(page: draw.Surface, x: float, y: float, lines: list[str], size: float = 9, step: float = 12,
           font: str = "helv", colour: draw.Colour = INK, align: str = "left") -> float:
    """Lines one below the other from baseline y; returns the baseline after the last."""
    for line in lines:
        draw.text(page, x, y, line, font, size, colour, align)
        y += step
    return y


def _pairs(page: draw.Surface, x_label: float, x_value: float, y: float, rows: list[tuple[str, str]],
           size: float = 9, step: float = 14) -> float:
    """Label/value rows: labels grey from x_label, values right-aligned at x_value."""
    for label, value in rows:
        draw.text(page, x_label, y, label, "helv", size - 0.5, GREY)
        draw.text(page, x_value, y, value, "helv", size, INK, "right")
        y += step
    return y


def _paragraphs(page: draw.Surface, x: float, y: float, limit: float, texts: list[str], size: float = 8.5,
                font: str = "helv", colour: draw.Colour = INK) -> float:
    for paragraph in texts:
        y = _stack(page, x, y, draw.wrap(paragraph, font, size, limit), size, size * 1.3, font, colour)
        y += 3
    return y


def _fits(page: draw.Canvas, y: float, height: float, bottom: float) -> bool:
    return y + height <= page.rect.height - bottom


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.replace("&", "").split()[:2]).upper()


# --- 1. letterhead: logo, company block, bordered table --------------------------------------

def _letterhead(sheet: Sheet) -> None:
    page = sheet.new_page()
    seller, width = sheet.seller, page.rect.width
    draw.box(page, _M, 38, _M + 40, 78, fill=seller.colour)
    draw.text(page, _M + 20, 63, _initials(seller.name), "hebo", 15, WHITE, "center")
    draw.text(page, _M + 50, 55, seller.name, "hebo", 14)
    draw.text(page, _M + 50, 69, " | ".join(sheet.seller_lines()), "helv", 7.5, GREY)
    draw.text(page, width - _M, 56, sheet.label("invoice").upper(), "hebo", 22, seller.colour, "right")
    draw.text(page, width - _M, 70, f"{seller.phone} | accounts@{seller.web}", "helv", 7.5, GREY, "right")
    draw.text(page, width - _M, 80, f"www.{seller.web}", "helv", 7.5, GREY, "right")
    draw.rule(page, _M, width - _M, 92, seller.colour, 1.5)
    draw.text(page, _M, 122, sheet.label("bill_to").upper(), "hebo", 7.5, GREY)
    buyer = sheet.buyer_lines()
    draw.text(page, _M, 137, buyer[0], "hebo", 10)
    y = _stack(page, _M, 149, buyer[1:])
    y = max(y, _pairs(page, width - _M - 210, width - _M, 122, sheet.details()))
    style = TableStyle(_FULL_COLUMNS, header_fill=tint(seller.colour), header_rules=(GREY, GREY), row_rule=GREY,
                       grid=GREY)

    def next_page() -> tuple[draw.Canvas, float]:
        page = sheet.new_page()
        draw.text(page, _M, 50, seller.name, "hebo", 11)
        draw.text(page, page.rect.width - _M, 50, sheet.label("continued_title", number=sheet.number), "helv", 9,
                  GREY, "right")
        draw.rule(page, _M, page.rect.width - _M, 60, seller.colour, 1)
        return page, 84

    page, y = draw_table(sheet, page, y + 14, _M, width - _M, style, 78, next_page)
    if not _fits(page, y, 200, 64):
        page, y = next_page()
    _letterhead_totals(sheet, page, y + 14)
    _letterhead_footers(sheet)


def _letterhead_totals(sheet: Sheet, page: draw.Canvas, y: float) -> None:
    right = page.rect.width - _M
    subtotal, tax, total = sheet.totals()
    for i, (label, value) in enumerate((subtotal, tax)):
        draw.text(page, right - 200, y + 12 + 15 * i, label)
        draw.text(page, right - 4, y + 12 + 15 * i, value, align="right")
    draw.box(page, right - 206, y + 36, right, y + 56, fill=tint(sheet.seller.colour))
    draw.text(page, right - 200, y + 50, total[0], "hebo", 10.5)
    draw.text(page, right - 4, y + 50, total[1], "hebo", 10.5, align="right")
    _paragraphs(page, _M, y + 12, 250, sheet.notes())
    draw.rule(page, _M, right, y + 92)
    draw.text(page, _M, y + 108, sheet.label("bank_details"), "hebo", 9)
    _stack(page, _M + 110, y + 108, sheet.bank_lines())
    draw.text(page, _M, y + 156, sheet.label("thanks"), "heit", 8.5, GREY)


def _letterhead_footers(sheet: Sheet) -> None:
    seller = sheet.seller
    lines = [f"{seller.name} | {', '.join(sheet.seller_lines())}",
             " | ".join(part for part in (seller.register, sheet.seller_tax_id(), f"www.{seller.web}") if part)]
    for page in sheet.finished_pages():
        bottom = page.rect.height
        draw.rule(page, _M, page.rect.width - _M, bottom - 50)
        _stack(page, _M, bottom - 38, lines, 7, 10, colour=GREY)
    sheet.page_numbers(lambda page, label: draw.text(page, page.rect.width - _M, page.rect.height - 38, label,
                                                     size=7, colour=GREY, align="right"))


# --- 2. minimal: no logo, no borders, totals stacked at the right ---------------------------

def _minimal(sheet: Sheet) -> None:
    page = sheet.new_page()
    seller, width = sheet.seller, page.rect.width
    right = width - _M
    draw.text(page, _M, 58, seller.name, "hebo", 11)
    _stack(page, _M, 72, [*sheet.seller_lines(), seller.phone, f"accounts@{seller.web}"], 8, 10.5, colour=GREY)
    draw.text(page, right, 74, sheet.label("invoice"), "helv", 30, INK, "right")
    draw.text(page, right, 92, sheet.number, "hebo", 10, GREY, "right")
    draw.text(page, _M, 170, sheet.label("bill_to").upper(), "helv", 7, GREY)
    buyer = sheet.buyer_lines()
    draw.text(page, _M, 184, buyer[0], "hebo", 9.5)
    y = _stack(page, _M, 196, buyer[1:], 9)
    details = sheet.details()[1:]
    middle = _M + 215
    for i, (label, value) in enumerate(details):
        x = middle + 130 * (i % 2)
        draw.text(page, x, 170 + 34 * (i // 2), label.upper(), "helv", 7, GREY)
        draw.text(page, x, 184 + 34 * (i // 2), value, "helv", 9.5)
    y = max(y, 184 + 34 * ((len(details) - 1) // 2)) + 30
    style = TableStyle(_SHORT_COLUMNS, size=9, header_ink=GREY, bold="helv", header_rules=(None, INK),
                       row_rule=None, padding=6, upper=True)

    def next_page() -> tuple[draw.Canvas, float]:
        page = sheet.new_page()
        draw.text(page, _M, 52, seller.name, "helv", 8, GREY)
        draw.text(page, right, 52, sheet.label("continued_title", number=sheet.number), "helv", 8, GREY, "right")
        return page, 80

    page, y = draw_table(sheet, page, y, _M, right, style, 60, next_page)
    if not _fits(page, y, 190, 40):
        page, y = next_page()
    draw.rule(page, _M, right, y + 4, RULE, 0.5)
    subtotal, tax, total = sheet.totals()
    _pairs(page, right - 200, right - 4, y + 24, [subtotal, tax], 9, 15)
    draw.rule(page, right - 200, right, y + 58, INK, 0.8)
    draw.text(page, right - 200, y + 76, total[0], "hebo", 12)
    draw.text(page, right - 4, y + 76, total[1], "hebo", 12, align="right")
    notes_end = _paragraphs(page, _M, y + 110, 300, sheet.notes(), 8, colour=GREY)
    _stack(page, _M, notes_end + 8, ["   ".join(sheet.bank_lines()), sheet.seller_tax_id()], 7.5, 10, colour=GREY)
    sheet.page_numbers(lambda page, label: draw.text(page, page.rect.width / 2, page.rect.height - 30, label,
                                                     size=7, colour=GREY, align="center"))


# --- 3. totals_top: coloured band, the summary box above the table --------------------------

def _totals_top(sheet: Sheet) -> None:
    page = sheet.new_page()
    seller, width = sheet.seller, page.rect.width
    right = width - _M
    draw.box(page, 0, 0, width, 88, fill=seller.colour)
    draw.text(page, _M, 42, seller.name, "hebo", 16, WHITE)
    draw.text(page, _M, 58, ", ".join(sheet.seller_lines()), "helv", 8, WHITE)
    draw.text(page, _M, 70, f"{seller.phone} | www.{seller.web}", "helv", 8, WHITE)
    draw.text(page, right, 46, sheet.label("invoice").upper(), "hebo", 20, WHITE, "right")
    draw.text(page, right, 64, sheet.number, "helv", 10, WHITE, "right")
    draw.text(page, _M, 122, sheet.label("bill_to"), "hebo", 8, seller.colour)
    buyer = sheet.buyer_lines()
    draw.text(page, _M, 137, buyer[0], "hebo", 10)
    _stack(page, _M, 150, buyer[1:])
    _summary_box(sheet, page, right - 230, 110, right)
    y = _meta_strip(sheet, page, 236)
    style = TableStyle(_FULL_COLUMNS, header_rules=(None, seller.colour), row_rule=RULE)

    def next_page() -> tuple[draw.Canvas, float]:
        page = sheet.new_page()
        draw.box(page, 0, 0, page.rect.width, 40, fill=seller.colour)
        draw.text(page, _M, 26, seller.name, "hebo", 11, WHITE)
        draw.text(page, right, 26, sheet.label("continued_title", number=sheet.number), "helv", 9, WHITE, "right")
        return page, 64

    page, y = draw_table(sheet, page, y + 18, _M, right, style, 60, next_page)
    if not _fits(page, y, 120, 50):
        page, y = next_page()
    end = _paragraphs(page, _M, y + 24, 300, sheet.notes())
    draw.text(page, _M, end + 12, sheet.label("bank_details"), "hebo", 8.5)
    _stack(page, _M, end + 25, sheet.bank_lines(), 8.5, 11)
    footer = " | ".join(part for part in (seller.name, seller.register, sheet.seller_tax_id()) if part)
    for page in sheet.finished_pages():
        draw.text(page, _M, page.rect.height - 30, footer, size=7, colour=GREY)
    sheet.page_numbers(lambda page, label: draw.text(page, right, page.rect.height - 30, label, size=7, colour=GREY,
                                                     align="right"))


def _summary_box(sheet: Sheet, page: draw.Canvas, x0: float, y0: float, x1: float) -> None:
    """The framed summary with the totals and the due date, top right of the first page."""
    colour = sheet.seller.colour
    draw.box(page, x0, y0, x1, y0 + 104, stroke=colour, line_width=1)
    draw.box(page, x0, y0, x1, y0 + 20, fill=tint(colour, 0.85))
    draw.text(page, x0 + 8, y0 + 14, sheet.label("summary"), "hebo", 9)
    subtotal, tax, total = sheet.totals()
    _pairs(page, x0 + 8, x1 - 8, y0 + 36, [subtotal, tax], 9, 15)
    draw.rule(page, x0 + 8, x1 - 8, y0 + 60, colour, 0.8)
    draw.text(page, x0 + 8, y0 + 76, total[0], "hebo", 11)
    draw.text(page, x1 - 8, y0 + 76, total[1], "hebo", 11, align="right")
    draw.text(page, x0 + 8, y0 + 94, sheet.label("due_date"), "helv", 8.5, GREY)
    draw.text(page, x1 - 8, y0 + 94, sheet.date(sheet.record["due_date"]), "hebo", 9, align="right")


def _meta_strip(sheet: Sheet, page: draw.Canvas, y: float) -> float:
    """Invoice references side by side between two rules; returns the y below."""
    right = page.rect.width - _M
    rows = [row for row in sheet.details() if row[0] != sheet.label("invoice_no")]
    step = (right - _M) / len(rows)
    draw.rule(page, _M, right, y)
    for i, (label, value) in enumerate(rows):
        draw.text(page, _M + i * step, y + 14, label, "helv", 7.5, GREY)
        draw.text(page, _M + i * step, y + 27, value, "hebo", 9)
    draw.rule(page, _M, right, y + 36)
    return y + 36


# --- 4. sidebar: seller, bank and terms in a tinted column on the left ----------------------

_SIDE = 170  # sidebar width


def _sidebar(sheet: Sheet) -> None:
    seller = sheet.seller
    page = _sidebar_page(sheet)
    draw.box(page, 24, 36, 64, 76, fill=seller.colour)
    draw.text(page, 44, 61, _initials(seller.name), "hebo", 14, WHITE, "center")
    y = _stack(page, 24, 100, draw.wrap(seller.name, "hebo", 10, _SIDE - 40), 10, 12.5, "hebo")
    y = _stack(page, 24, y + 4, [*sheet.seller_lines(), seller.phone, f"www.{seller.web}", sheet.seller_tax_id()],
               7.5, 10.5)
    draw.text(page, 24, y + 14, sheet.label("bank_details"), "hebo", 8)
    y = _stack(page, 24, y + 27, [part for line in sheet.bank_lines() for part in _fit(line, 7.5, _SIDE - 34)],
               7.5, 10.5)
    draw.text(page, 24, y + 14, sheet.label("payment_terms"), "hebo", 8)
    _stack(page, 24, y + 27, draw.wrap(sheet.record["payment_terms"], "helv", 7.5, 130), 7.5, 10.5)
    x0, right = _SIDE + 30, page.rect.width - 40
    draw.text(page, x0, 70, sheet.label("invoice").upper(), "hebo", 24, seller.colour)
    draw.text(page, x0, 88, sheet.number, "hebo", 10)
    draw.text(page, x0, 124, sheet.label("bill_to"), "hebo", 8, GREY)
    buyer = sheet.buyer_lines()
    draw.text(page, x0, 138, buyer[0], "hebo", 9.5)
    y = _stack(page, x0, 150, draw.wrap(", ".join(buyer[1:3]), "helv", 8.5, 190) + buyer[3:], 8.5, 11)
    y = max(y, _pairs(page, right - 165, right, 124, sheet.details()[1:], 8.5, 13))
    style = TableStyle(_SHORT_COLUMNS, size=8, header_ink=seller.colour, header_rules=(None, seller.colour))

    def next_page() -> tuple[draw.Canvas, float]:
        page = _sidebar_page(sheet)
        draw.text(page, 24, 60, _initials(seller.name), "hebo", 14, seller.colour)
        draw.text(page, x0, 60, sheet.label("continued_title", number=sheet.number), "hebo", 10)
        return page, 80

    page, y = draw_table(sheet, page, y + 16, x0, right, style, 50, next_page)
    if not _fits(page, y, 150, 40):
        page, y = next_page()
    subtotal, tax, total = sheet.totals()
    _pairs(page, right - 170, right - 4, y + 18, [subtotal, tax], 8.5, 14)
    draw.rule(page, right - 170, right, y + 40, seller.colour, 1)
    draw.text(page, right - 170, y + 56, total[0], "hebo", 11, seller.colour)
    draw.text(page, right - 4, y + 56, total[1], "hebo", 11, align="right")
    _paragraphs(page, x0, y + 90, right - x0, sheet.notes()[1:] + [sheet.label("thanks")], 8)
    sheet.page_numbers(lambda page, label: draw.text(page, right, page.rect.height - 28, label, size=7, colour=GREY,
                                                     align="right"))


def _fit(line: str, size: float, limit: float) -> list[str]:
    """A "Label: value" line, split after the label when it is wider than `limit`."""
    label, _, value = line.partition(": ")
    if draw.width(line, "helv", size) <= limit or not value:
        return [line]
    return [f"{label}:", value]


def _sidebar_page(sheet: Sheet) -> draw.Canvas:
    page = sheet.new_page()
    draw.box(page, 0, 0, _SIDE, page.rect.height, fill=tint(sheet.seller.colour, 0.9))
    return page


# --- 5. receipt: narrow till-roll page in a monospaced font ---------------------------------

_R = 18  # receipt margin
_MONO, _MONO_BOLD = "cour", "cobo"


def _receipt(sheet: Sheet) -> None:
    page = sheet.new_page()
    seller, width = sheet.seller, page.rect.width
    right, mid, inner = width - _R, width / 2, width - 2 * _R
    y = _stack(page, mid, 34, draw.wrap(seller.name, _MONO_BOLD, 9, inner), 9, 11, _MONO_BOLD, align="center")
    y = _stack(page, mid, y + 2, [*sheet.seller_lines(), seller.phone, sheet.seller_tax_id()], 7, 9, _MONO,
               align="center")
    y = _receipt_rule(page, y, "=")
    draw.text(page, mid, y + 12, sheet.label("invoice").upper(), _MONO_BOLD, 10, align="center")
    y += 26
    for label, value in sheet.details():
        draw.text(page, _R, y, sheet.colon(label, "").rstrip(), _MONO, 7)
        draw.text(page, right, y, value, _MONO, 7, align="right")
        y += 9
    draw.text(page, _R, y + 6, sheet.colon(sheet.label("bill_to"), "").rstrip(), _MONO_BOLD, 7)
    y = _stack(page, _R, y + 16, [part for line in sheet.buyer_lines() for part in draw.wrap(line, _MONO, 7, inner)],
               7, 9, _MONO)
    y = _receipt_rule(page, y - 4, "-")
    page, y = _receipt_items(sheet, page, y + 4)
    if not _fits(page, y, 190, 36):
        page, y = _receipt_page(sheet)
    y = _receipt_rule(page, y - 4, "-")
    subtotal, tax, total = sheet.totals()
    for label, value in (subtotal, tax):
        draw.text(page, _R, y + 8, label, _MONO, 7.5)
        draw.text(page, right, y + 8, value, _MONO, 7.5, align="right")
        y += 10
    y = _receipt_rule(page, y, "=")
    draw.text(page, _R, y + 10, total[0].upper(), _MONO_BOLD, 9)
    draw.text(page, right, y + 10, total[1], _MONO_BOLD, 9, align="right")
    y = _receipt_rule(page, y + 14, "=")
    y = _paragraphs(page, _R, y + 10, inner, sheet.notes(), 6.5, _MONO)
    y = _stack(page, _R, y + 4, [part for line in sheet.bank_lines() for part in draw.wrap(line, _MONO, 6.5, inner)],
               6.5, 8.5, _MONO)
    draw.text(page, mid, y + 10, sheet.label("thanks"), _MONO, 7, align="center")
    # A till roll is cut where the print ends: keep only the top of the last page.
    page.set_mediabox(pymupdf.Rect(0, page.rect.height - (y + 40), page.rect.width, page.rect.height))
    sheet.page_numbers(lambda page, label: draw.text(page, page.rect.width / 2, page.rect.height - 16, label,
                                                     _MONO, 6.5, GREY, "center"))


def _receipt_rule(page: draw.Canvas, y: float, char: str) -> float:
    """A row of '=' or '-' across the receipt, as till printers draw rules; returns the y below."""
    count = int((page.rect.width - 2 * _R) / draw.width(char, _MONO, 7))
    draw.text(page, _R, y + 6, char * count, _MONO, 7, GREY)
    return y + 10


def _receipt_page(sheet: Sheet) -> tuple[draw.Canvas, float]:
    page = sheet.new_page()
    draw.text(page, _R, 26, sheet.seller.name, _MONO_BOLD, 7)
    draw.text(page, _R, 36, sheet.label("continued_title", number=sheet.number), _MONO, 7)
    return page, _receipt_rule(page, 40, "-") + 4


def _receipt_items(sheet: Sheet, page: draw.Canvas, y: float) -> tuple[draw.Canvas, float]:
    """Each line item as its description, then "qty unit x price" and the amount."""
    right, inner = page.rect.width - _R, page.rect.width - 2 * _R
    for number, item in enumerate(sheet.record["line_items"], 1):
        cells = sheet.cells(number, item)
        lines = draw.wrap(cells["description"], _MONO, 7, inner)
        if not _fits(page, y, 9 * len(lines) + 14, 36):
            draw.text(page, right, y + 6, sheet.label("continued"), _MONO, 6.5, GREY, "right")
            page, y = _receipt_page(sheet)
        item = f"line_items[{number - 1}]"
        for i, line in enumerate(lines):
            y += 9 if i else 6
            draw.text(page, _R, y, line, _MONO, 7, marks={f"{item}.description": line})
        y += 9
        if cells["quantity"]:
            draw.text(page, _R + 12, y, f"{cells['quantity_unit']} x {cells['unit_price']}", _MONO, 7,
                      marks={f"{item}.quantity": cells["quantity"], f"{item}.unit_price": cells["unit_price"]})
        draw.text(page, right, y, cells["amount"], _MONO, 7, align="right", marks={f"{item}.amount": cells["amount"]})
        y += 5
    return page, y


# --- 6. zebra: dark header row, shaded rows, total in a coloured band -----------------------

def _zebra(sheet: Sheet) -> None:
    page = sheet.new_page()
    seller, width = sheet.seller, page.rect.width
    right, mid = width - _M, width / 2
    draw.text(page, _M, 80, sheet.label("invoice").upper(), "hebo", 30, seller.colour)
    draw.text(page, right, 50, seller.name, "hebo", 10, align="right")
    _stack(page, right, 63, [*sheet.seller_lines(), seller.phone, f"www.{seller.web}"], 8, 10, colour=GREY,
           align="right")
    light = tint(seller.colour, 0.93)
    page.draw_rect(pymupdf.Rect(_M, 128, mid - 8, 236), color=None, fill=light, radius=0.06)
    page.draw_rect(pymupdf.Rect(mid + 8, 128, right, 236), color=None, fill=light, radius=0.06)
    draw.text(page, _M + 12, 146, sheet.label("bill_to").upper(), "hebo", 7.5, seller.colour)
    buyer = sheet.buyer_lines()
    draw.text(page, _M + 12, 161, buyer[0], "hebo", 9.5)
    _stack(page, _M + 12, 173, buyer[1:], 8.5, 11)
    _pairs(page, mid + 20, right - 12, 146, sheet.details(), 8.5, 14)
    style = TableStyle(_FULL_COLUMNS, header_fill=seller.colour, header_ink=WHITE, row_rule=None,
                       zebra=(0.94, 0.94, 0.95), padding=6)

    def next_page() -> tuple[draw.Canvas, float]:
        page = sheet.new_page()
        draw.text(page, _M, 52, sheet.label("continued_title", number=sheet.number), "hebo", 11, seller.colour)
        draw.text(page, right, 52, seller.name, "helv", 8, GREY, "right")
        return page, 70

    page, y = draw_table(sheet, page, 258, _M, right, style, 56, next_page)
    if not _fits(page, y, 170, 56):
        page, y = next_page()
    subtotal, tax, total = sheet.totals()
    _pairs(page, right - 196, right - 8, y + 20, [subtotal, tax], 9, 15)
    draw.box(page, right - 206, y + 42, right, y + 64, fill=seller.colour)
    draw.text(page, right - 196, y + 57, total[0], "hebo", 10.5, WHITE)
    draw.text(page, right - 8, y + 57, total[1], "hebo", 10.5, WHITE, "right")
    draw.box(page, _M, y + 84, right, y + 160, stroke=RULE)
    _paragraphs(page, _M + 10, y + 100, 260, sheet.notes(), 8)
    draw.text(page, mid + 40, y + 100, sheet.label("bank_details"), "hebo", 8.5)
    _stack(page, mid + 40, y + 113, sheet.bank_lines(), 8.5, 11)
    footer = " | ".join(part for part in (seller.name, seller.register, sheet.seller_tax_id()) if part)
    for page in sheet.finished_pages():
        draw.text(page, page.rect.width / 2, page.rect.height - 34, footer, size=7, colour=GREY, align="center")
    sheet.page_numbers(lambda page, label: draw.text(page, page.rect.width / 2, page.rect.height - 24, label,
                                                     size=7, colour=GREY, align="center"))


# --- 7. footer_seller: a business letter; the seller only in the footer ---------------------

_FOOTER_COLUMNS = (Column("pos", 0, 0.07), Column("quantity", 0.07, 0.16, "right"), Column("unit", 0.16, 0.25),
                   Column("description", 0.25, 0.7), Column("unit_price", 0.7, 0.85, "right"),
                   Column("amount", 0.85, 1, "right"))
_LETTER_FOOT = 100  # height of the footer block


def _footer_seller(sheet: Sheet) -> None:
    page = sheet.new_page()
    width = page.rect.width
    right, x = width - _M - 8, _M + 20
    draw.box(page, right - 44, 44, right, 88, fill=sheet.seller.colour)  # the logo; the name is in the footer
    draw.text(page, right - 22, 72, _initials(sheet.seller.name), "hebo", 16, WHITE, "center")
    _stack(page, x, 140, sheet.buyer_lines(), 9.5, 12.5)
    info = sheet.details()
    _pairs(page, right - 190, right, 140, info, 8.5, 13)
    draw.text(page, x, 268, f"{sheet.label('invoice')} {sheet.number}", "hebo", 12)
    y = _paragraphs(page, x, 298, right - x, [sheet.label("letter_opening"), sheet.label("letter_body")], 9.5)
    style = TableStyle(_FOOTER_COLUMNS, size=8.5, header_rules=(INK, INK), row_rule=None, padding=4)

    def next_page() -> tuple[draw.Canvas, float]:
        page = sheet.new_page()
        draw.text(page, x, 60, sheet.label("continued_title", number=sheet.number), "helv", 9, GREY)
        return page, 74

    page, y = draw_table(sheet, page, y + 6, x, right, style, _LETTER_FOOT + 30, next_page)
    if not _fits(page, y, 180, _LETTER_FOOT + 10):
        page, y = next_page()
    draw.rule(page, x, right, y + 2, INK, 0.6)
    subtotal, tax, total = sheet.totals()
    _pairs(page, right - 200, right - 4, y + 18, [subtotal, tax], 9, 14)
    draw.text(page, right - 200, y + 50, total[0], "hebo", 10)
    draw.text(page, right - 4, y + 50, total[1], "hebo", 10, align="right")
    for offset in (54, 56.5):
        draw.rule(page, right - 110, right, y + offset, INK, 0.6)
    y = _paragraphs(page, x, y + 80, right - x - 40, sheet.notes(), 9)
    _stack(page, x, y + 10, [sheet.label("letter_closing"), "", sheet.seller.name], 9.5, 12)
    _letter_footers(sheet)


def _letter_footers(sheet: Sheet) -> None:
    """Four columns of seller details at the bottom of every page, DIN 5008 style."""
    seller = sheet.seller
    columns = [[seller.name, *sheet.seller_lines()],
               [f"{sheet.label('phone')}: {seller.phone}", f"{sheet.label('web')}: www.{seller.web}",
                f"accounts@{seller.web}"],
               sheet.bank_lines(),
               [seller.register, sheet.seller_tax_id()]]
    for page in sheet.finished_pages():
        top, full = page.rect.height - _LETTER_FOOT + 20, page.rect.width - 2 * _M
        draw.rule(page, _M, page.rect.width - _M, top - 10)
        x = _M
        for lines, share in zip(columns, (0.22, 0.25, 0.3, 0.23)):
            wrapped = [part for line in lines if line for part in draw.wrap(line, "helv", 6.8, share * full - 6)]
            _stack(page, x, top, wrapped, 6.8, 9, colour=GREY)
            x += share * full
    sheet.page_numbers(lambda page, label: draw.text(page, page.rect.width - _M - 8,
                                                     page.rect.height - _LETTER_FOOT, label, size=7.5,
                                                     colour=GREY, align="right"))


INVOICE_LAYOUTS: dict[str, Callable[[Sheet], None]] = {
    "letterhead": _letterhead,
    "minimal": _minimal,
    "totals_top": _totals_top,
    "sidebar": _sidebar,
    "receipt": _receipt,
    "zebra": _zebra,
    "footer_seller": _footer_seller,
}
"""Invoice layouts by name, as truth files record them."""
