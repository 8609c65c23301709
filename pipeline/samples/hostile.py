"""A hostile folder: what a nightly batch can hold besides good documents.

:func:`write_hostile_folder` writes, from the starter documents and a seed (same seed, same bytes,
except the AES-256 salts of encrypted.pdf):

- readable by one engine only, or needing the fallback: bytes before ``%PDF-`` (MIME lines, binary
  junk), page tree with ``/Count 0``, ``/Count -1`` or a cycle, damaged or shifted xref table, xref
  entry pointing into the wrong object (PDFium cannot load that page, MuPDF can), a scan whose
  ``%%EOF`` marker is missing, a page with a huge ``/UserUnit`` (MuPDF refuses the pixmap);
- refused with a reason: truncated (cut in half, cut before the trailer), encrypted, random
  bytes behind a header, zero bytes, plain text, HTML and a ZIP named ``.pdf``, a PNG named
  ``.jpg`` (read: the content decides, not the name), PNG/JPEG/TIFF headers declaring huge
  dimensions, a PNG decompression bomb, over the page cap;
- limits: nested form XObjects drawing each other (exponential work: a stall), a page tree and a
  content stream nested thousands deep;
- for the engine: a 1 x 5000 px strip image, a PDF whose text layer exceeds any context;
- byte-flipped copies of good PDFs and images (seeded), which may render or fail but must end as
  exactly one row each.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
from PIL import Image

from .bad_files import _bomb_png


def pdf_from_objects(objects: list[bytes], header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF of the given object bodies (object i+1 is objects[i], object 1 the catalog), with a
    correct xref table and trailer."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(dictionary: bytes, content: bytes) -> bytes:
    return b"<<%s/Length %d>>\nstream\n%s\nendstream" % (dictionary, len(content), content)


def nested_forms_pdf(depth: int = 8, fanout: int = 10) -> bytes:
    """One page drawing a form XObject that draws the next ``fanout`` times, ``depth`` deep:
    fanout**depth fills from a 3 kB file. 10**5 takes both engines seconds; the default,
    10**8, hours: a real stall for the time limit."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</XObject<</X 5 0 R>>>>"
               b"/Contents 4 0 R>>", _stream(b"", b"/X Do")]
    draw_next = b" ".join([b"q 0.99 0 0 0.99 1 1 cm /X Do Q"] * fanout)
    for level in range(depth - 1):
        objects.append(_stream(b"/Type/XObject/Subtype/Form/BBox[0 0 612 792]/Resources<</XObject<</X %d 0 R>>>>"
                               % (len(objects) + 2), draw_next))
    objects.append(_stream(b"/Type/XObject/Subtype/Form/BBox[0 0 612 792]", b"0 0 1 rg 10 10 500 700 re f"))
    return pdf_from_objects(objects)
