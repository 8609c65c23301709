"""Words on a page with their boxes: what evidence is found in. Born-digital pages get them
from the PDF text layer, scans and photos from OCR; both in the same coordinates."""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 as fractions (0-1) of the page image's width and height, origin top left."""


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
