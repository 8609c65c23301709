"""Files that must fail: each becomes one error row with a reason, never a silent skip."""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pymupdf

from . import draw

ENCRYPTED_PASSWORD = "docintel"
"""User password of sample_docs/bad/encrypted.pdf."""


def _bomb_png(side: int = 20000) -> bytes:
    """A white 1-bit PNG that declares side x side pixels (400 MP) yet compresses to ~75 kB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter type 0, then all-white bits
    data = zlib.compress(row * side, 9)  # 50 MB for a moment
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def many_pages_pdf(pages: int = 501) -> bytes:
    """A valid PDF with more pages than the default page cap (500): a title page, then `pages` - 1 sheets
    that share one content stream, in object streams (about 6 kB for 501 pages)."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = draw.new_page(doc, "a4")
        if number == 1:
            draw.text(page, 72, 90, f"Delivery schedule, appendix B: {pages} sheets", "hebo", 13)
        else:
            draw.text(page, 72, 90, "Delivery schedule, appendix B (continuation sheet)", size=10)
    return draw.pdf_bytes(doc, "Delivery schedule", "Van der Berg Logistics B.V.", date(2025, 3, 3),
                          object_streams=True)


def _encrypted_pdf(pdf: bytes) -> bytes:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return doc.tobytes(garbage=4, deflate=True, encryption=pymupdf.PDF_ENCRYPT_AES_256,
                           user_pw=ENCRYPTED_PASSWORD, owner_pw=f"{ENCRYPTED_PASSWORD}-owner",
                           permissions=pymupdf.PDF_PERM_PRINT)


def write_encrypted(path: Path, pdf: bytes) -> None:
    """Write an AES-256 copy of `pdf`, keeping an existing file that already decrypts to the same pages.

    MuPDF salts AES-256 with OS entropy, so this is the one starter file whose bytes differ on every
    run; keeping an equivalent file keeps a regeneration free of spurious diffs.
    """
    if path.exists() and _decrypted_text(path.read_bytes()) == _decrypted_text(_encrypted_pdf(pdf)):
        return
    path.write_bytes(_encrypted_pdf(pdf))


def _decrypted_text(data: bytes) -> list[str] | None:
    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            if not doc.authenticate(ENCRYPTED_PASSWORD):
                return None
            return [page.get_text() for page in doc]
    except (pymupdf.FileDataError, RuntimeError):
        return None


_NOTES = """Accounts payable - meeting notes, 4 March 2025

- Nordlicht invoices now arrive as PDF attachments, Bergmann still sends paper.
- Scanner on floor 2 saves multi-page TIFFs; ask IT to switch it to PDF.
- Reminder: this is a plain-text file, not an invoice. The pipeline should reject it.
"""



def bad_files(invoice_pdf: bytes, contract_pdf: bytes) -> Iterator[tuple[str, str, bytes]]:
    """(path, purpose, bytes) of every bad file of the starter set; encrypted.pdf holds `invoice_pdf` in clear."""
    yield "bad/empty.pdf", "zero bytes", b""
    yield ("bad/corrupt.pdf", "random bytes behind a %PDF-1.7 header",
           b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(21).randbytes(8192))
    yield ("bad/truncated.pdf", "the contract PDF cut in half: no xref, no trailer",
           contract_pdf[: len(contract_pdf) // 2])
    yield "bad/encrypted.pdf", f"AES-256 encrypted invoice, user password '{ENCRYPTED_PASSWORD}'", invoice_pdf
    yield "bad/notes.txt", "plain text, not a document", _NOTES.encode()
    yield ("bad/bomb.png", "PNG declaring 20000 x 20000 pixels (400 MP) in 75 kB: a decompression bomb",
           _bomb_png())
    yield ("bad/too_many_pages.pdf", "valid 501-page PDF of near-empty pages, over the default page cap of 500",
           many_pages_pdf(501))
