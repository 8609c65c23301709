"""What was drawn where: every text line of a document being rendered, with its page, place and font.

`draw.text` reports each line it draws to the `Drawing` that `recording()` made current, so the
evidence locator (evidence.py) can say where each value of the truth record was printed without
the layouts knowing about it. Layouts mark the lines whose meaning the text alone does not say (a
table cell's line item, a signature block's signatory): `marks` maps a record path to the value as
printed in that line.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """One line of text as drawn: `x` is its left edge (after alignment), `baseline` its baseline."""

    page: int  # 0-based
    x: float
    baseline: float
    text: str
    font: str
    size: float
    marks: tuple[tuple[str, int, int], ...] = ()  # (record path, start, end) of values in `text`


class Drawing:
    """The runs of one document, in drawing order."""

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def add(self, page: int, x: float, baseline: float, text: str, font: str, size: float,
            marks: Mapping[str, str] | None = None) -> None:
        spans: list[tuple[str, int, int]] = []
        for path, value in (marks or {}).items():
            start = text.find(value)
            if value and start >= 0:
                spans.append((path, start, start + len(value)))
        self.runs.append(Run(page, x, baseline, text, font, size, tuple(spans)))


_CURRENT: contextvars.ContextVar[Drawing | None] = contextvars.ContextVar("drawing", default=None)


@contextlib.contextmanager
def recording() -> Iterator[Drawing]:
    """Collect what `draw.text` draws until the block ends."""
    drawing = Drawing()
    token = _CURRENT.set(drawing)
    try:
        yield drawing
    finally:
        _CURRENT.reset(token)


def current() -> Drawing | None:
    """The drawing being recorded, if any."""
    return _CURRENT.get()
