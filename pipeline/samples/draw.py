"""Drawing primitives shared by the invoice and contract layouts: text, wrapping, flowing columns."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date

import pymupdf

from . import drawn
from .reference import Colour

INK: Colour = (0.13, 0.13, 0.15)
GREY: Colour = (0.42, 0.42, 0.45)
RULE: Colour = (0.82, 0.82, 0.84)
WHITE: Colour = (1.0, 1.0, 1.0)


def tint(colour: Colour, amount: float = 0.88) -> Colour:
    """`colour` mixed with white; amount 1 is white."""
    return tuple(amount + (1 - amount) * c for c in colour)  # type: ignore[return-value]


@functools.cache
def _advance(font: str, char: str) -> float:
    return pymupdf.get_text_length(char, fontname=font, fontsize=1)


def width(text: str, font: str, size: float) -> float:
    """Text width in points, as the sum of cached glyph advances (base-14 fonts have no kerning).

    pymupdf.get_text_length on whole strings is slow enough to dominate contract rendering, and in
    PyMuPDF 2.0 it mismeasures strings that mix ASCII with other Latin-1 letters ("Straße").
    """
    return size * sum(_advance(font, char) for char in text)


class Canvas:
    """A page whose text lines are committed together when it is done.

    PyMuPDF's Page.insert_text rescans the page's whole content stream on every call, and Page.rect
    is recomputed on every access; on a page of a hundred lines both dominate rendering time.
    Anything but text (rectangles, lines, shapes) goes straight to the page, so text is on top.
    Commit before adding the next page: PyMuPDF orphans Page objects when pages are inserted.
    """

    def __init__(self, page: pymupdf.Page) -> None:
        self.page = page
        self.rect = page.rect
        self._ink = page.new_shape()
        # Shape.insert_text looks the font up in the page's resources on every line (half its time);
        # the answer only changes when a font is added, which is what this call does.
        page.insert_font = functools.cache(page.insert_font)

    def insert_text(self, point: tuple[float, float], line: str, **style: object) -> None:
        self._ink.insert_text(point, line, **style)

    def hairline(self, x0: float, x1: float, y: float, colour: Colour, line_width: float) -> None:
        """A horizontal line committed with the text, under it: far cheaper than Page.draw_line, which
        rewrites the page's content stream, for the hundreds of rules of a long table."""
        self._ink.draw_line((x0, y), (x1, y))
        self._ink.finish(color=colour, width=line_width)

    def set_mediabox(self, rect: pymupdf.Rect) -> None:
        self.page.set_mediabox(rect)
        self.rect = self.page.rect

    def commit(self) -> None:
        self._ink.commit()

    def __getattr__(self, name: str) -> object:  # draw_rect, draw_line, new_shape, ...
        return getattr(self.page, name)


Surface = pymupdf.Page | Canvas


def text(page: Surface, x: float, y: float, line: str, font: str = "helv", size: float = 9,
         colour: Colour = INK, align: str = "left", marks: Mapping[str, str] | None = None) -> None:
    """Draw one line with its baseline at y; `align` says whether x is its left, right or centre.

    While a drawing is recorded (drawn.recording) the line is logged with its place; `marks` names the
    record values the line prints ({path: value as printed}) where its text alone would not say which.
    """
    x -= {"left": 0, "right": width(line, font, size), "center": width(line, font, size) / 2}[align]
    page.insert_text((x, y), line, fontname=font, fontsize=size, color=colour)
    drawing = drawn.current()
    if drawing is not None:
        drawing.add(page.number, x, y, line, font, size, marks)


def wrap(paragraph: str, font: str, size: float, limit: float) -> list[str]:
    """Break a paragraph into lines no wider than `limit` points (a longer single word gets a line of its own)."""
    lines: list[str] = []
    line, used, space = "", 0.0, width(" ", font, size)
    for word in paragraph.split():
        needed = width(word, font, size)
        if line and used + space + needed > limit:
            lines.append(line)
            line, used = word, needed
        else:
            line, used = (f"{line} {word}", used + space + needed) if line else (word, needed)
    return lines + [line] if line else lines


def box(page: Surface, x0: float, y0: float, x1: float, y1: float, fill: Colour | None = None,
        stroke: Colour | None = None, line_width: float = 0.6) -> None:
    """A rectangle, filled and/or outlined."""
    page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=stroke, fill=fill, width=line_width if stroke else 0)


def rule(page: Surface, x0: float, x1: float, y: float, colour: Colour = RULE, line_width: float = 0.5,
         dashes: str | None = None) -> None:
    """A horizontal line."""
    page.draw_line((x0, y), (x1, y), color=colour, width=line_width, dashes=dashes)


def new_page(doc: pymupdf.Document, paper: str | tuple[float, float]) -> pymupdf.Page:
    """A blank page of a named paper size or of (width, height) points."""
    width_pt, height_pt = pymupdf.paper_size(paper) if isinstance(paper, str) else paper
    return doc.new_page(width=width_pt, height=height_pt)


def pdf_bytes(doc: pymupdf.Document, title: str, author: str, day: date, object_streams: bool = False) -> bytes:
    """Serialise with fixed metadata and no fresh /ID, so equal inputs give equal bytes; `object_streams`
    compresses the objects that are not streams (page dictionaries) together, as PDF 1.5 allows."""
    stamp = f"D:{day.year:04d}{day.month:02d}{day.day:02d}090000Z"
    doc.set_metadata({"title": title, "author": author, "subject": "", "keywords": "",
                      "creator": "docintel sample generator", "producer": "docintel",
                      "creationDate": stamp, "modDate": stamp})
    return doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True, use_objstms=int(object_streams))


class Flow:
    """Stacks wrapped lines down the page, in one or more columns, starting a new page when full."""

    def __init__(self, doc: pymupdf.Document, paper: str, margin: float = 68, bottom: float = 78,
                 top: float | None = None, gutter: float = 20) -> None:
        self.doc, self.paper, self.margin, self.bottom, self.gutter = doc, paper, margin, bottom, gutter
        self.page = Canvas(new_page(doc, paper))
        self.columns, self.column = 1, 0
        self.column_top = self.y = top if top is not None else margin
        self.lowest = self.y  # lowest point used on this page, over all columns

    @property
    def width(self) -> float:
        full = self.page.rect.width - 2 * self.margin
        return (full - self.gutter * (self.columns - 1)) / self.columns

    @property
    def x(self) -> float:
        return self.margin + self.column * (self.width + self.gutter)

    @property
    def limit(self) -> float:
        return self.page.rect.height - self.bottom

    def set_columns(self, columns: int) -> None:
        """Continue in `columns` columns below everything drawn so far on this page."""
        self.lowest = max(self.lowest, self.y)
        self.columns, self.column = columns, 0
        self.column_top = self.y = self.lowest

    def close(self) -> None:
        """Put the pending text on the current page; call once the flow is done."""
        self.page.commit()

    def new_page(self) -> None:
        self.close()
        self.page = Canvas(new_page(self.doc, self.paper))
        self.column, self.column_top = 0, self.margin
        self.y = self.lowest = self.margin

    def need(self, height: float) -> None:
        """Move to the next column or page unless `height` more points fit in this column."""
        if self.y + height <= self.limit:
            return
        self.lowest = max(self.lowest, self.y)
        if self.column + 1 < self.columns:
            self.column += 1
            self.y = self.column_top
        else:
            self.new_page()

    def height(self, paragraph: str, font: str = "tiro", size: float = 11, indent: float = 0, gap: float = 6) -> float:
        """The height `text` would take for this paragraph in the current column."""
        return len(wrap(paragraph, font, size, self.width - indent)) * size * 1.32 + gap

    def text(self, paragraph: str, font: str = "tiro", size: float = 11, indent: float = 0, gap: float = 6,
             align: str = "left", label: str = "", colour: Colour = INK) -> None:
        """A paragraph; `label` (a clause number) hangs in the indent of its first line."""
        step = size * 1.32
        for i, line in enumerate(wrap(paragraph, font, size, self.width - indent)):
            self.need(step)
            x = self.x + (self.width / 2 if align == "center" else indent)
            if i == 0 and label:
                text(self.page, self.x, self.y + size, label, font, size, colour)
            text(self.page, x, self.y + size, line, font, size, colour, align)
            self.y += step
        self.y += gap
        self.lowest = max(self.lowest, self.y)
