"""A hostile folder: what a nightly batch can hold besides good documents.

:func:`write_hostile_folder` writes, from the starter documents and a seed (same seed, same bytes,
except the AES-256 salts of the encrypted file), one folder per expectation:

- ``readable/``, each must render (some by the fallback engine): MIME lines or binary junk before
  ``%PDF-``; a page tree with ``/Count 0``, ``/Count -1`` or a cycle; a garbage xref table, every
  xref offset shifted, no xref or trailer at all, an xref entry pointing into its object; a scan
  without its ``%%EOF``; a page with a huge ``/UserUnit``; a PNG named ``.jpg``;
- ``refused/``, each must fail with its reason: cut in half, before the trailer, inside the
  startxref number (truncated_file); a ``/Count`` claiming pages that are not there
  (render_failed); AES-256 encrypted; random bytes behind a header (corrupt_file); zero bytes;
  plain text, HTML and a ZIP named ``.pdf``, a header past the first 1024 bytes
  (unsupported_format); PNG, JPEG and TIFF headers declaring huge sizes, a PNG decompression
  bomb (image_too_large); one page over the page cap, 501 by default (too_many_pages);
- ``limits/``: form XObjects drawing each other, 10**8 fills (a stall: render_timeout), a page
  tree 5,000 levels deep, arrays nested 100,000 deep in a page dictionary;
- ``engine/``, for the engine's per-request checks: a 1 x 5000 px strip image, a 40-page PDF
  whose text layer (random codes) exceeds a 32K context even at the text cap;
- ``mutated/``: three seeded mutations (:data:`MUTATIONS`) of each fuzzing seed, which may render
  or fail but, like every file here, must end as exactly one row.
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

from .bad_files import _bomb_png, many_pages_pdf


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


# Mutations of a real file, seeded: the fuzzers (tests/test_fuzz.py, bench/fuzz.py) and the
# byte-flipped files of the hostile folder draw from these.

def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the file anywhere."""
    return data[:rng.randrange(len(data))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """Overwrite 1 to 32 bytes with random ones."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 32)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def damage_xref(data: bytes, rng: random.Random) -> bytes:
    """Rewrite digits of the cross-reference table and startxref (PDFs; other files: the tail)."""
    start = max(data.rfind(b"xref"), len(data) - 2048, 0)
    tail = re.sub(rb"\d", lambda m: str(rng.randrange(10)).encode() if rng.random() < 0.3 else m[0], data[start:])
    return data[:start] + tail


def huge_dimensions(data: bytes, rng: random.Random) -> bytes:
    """Declare enormous (or zero) sizes, in otherwise valid headers: PNG IHDR (CRC fixed), JPEG
    SOF, TIFF width/length tags; in PDFs /MediaBox, /Width, /Height, /Count."""
    side = rng.choice([0, 1, 65_535, 100_000, 2**31 - 1, 2**32 - 1])
    if data.startswith(b"\x89PNG") and len(data) >= 33:
        ihdr = b"IHDR" + struct.pack(">II", side, rng.choice([1, side])) + data[24:29]
        return data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]
    if data.startswith(b"\xff\xd8"):
        sof = re.search(rb"\xff[\xc0-\xc2]..\x08", data, re.S)
        if sof:
            return data[:sof.end()] + struct.pack(">HH", side % 2**16, side % 2**16) + data[sof.end() + 4:]
        return data
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        order = "<" if data[:2] == b"II" else ">"
        for tag in (256, 257):  # ImageWidth, ImageLength (SHORT or LONG), rewritten as LONG
            at = max(data.find(struct.pack(order + "HHI", tag, kind, 1)) for kind in (3, 4))
            if at >= 0:
                data = data[:at] + struct.pack(order + "HHII", tag, 4, 1, side) + data[at + 12:]
        return data
    number = str(rng.choice([side, 10**9, -1, 1e38])).encode()
    return re.sub(rb"(/MediaBox\s*\[[^\]]*\]|/Width \d+|/Height \d+|/Count \d+)",
                  lambda m: (b"/MediaBox[0 0 " + number + b" " + number + b"]") if b"[" in m[0]
                  else m[0].split()[0] + b" " + number, data, count=rng.randint(1, 4))


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """Insert arrays or dictionaries nested thousands deep, as a new object and inside an
    existing one (PDFs), or anywhere (other files)."""
    depth = rng.choice([100, 1_000, 10_000, 100_000])
    nest = b"[" * depth + b"]" * depth if rng.random() < 0.5 else b"<</A " * depth + b">>" * depth
    objects = [m.end() for m in re.finditer(rb"\d+ 0 obj\s*", data)]
    at = rng.choice(objects) if objects else rng.randrange(len(data) + 1)
    return data[:at] + nest + b" " + data[at:]


def splice(data: bytes, rng: random.Random) -> bytes:
    """Copy a chunk of the file over another place in it (duplicated or torn structures)."""
    size = rng.randint(1, max(1, len(data) // 8))
    source, target = rng.randrange(len(data)), rng.randrange(len(data))
    return data[:target] + data[source:source + size] + data[target + size:]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    f.__name__: f for f in (truncate, flip_bytes, damage_xref, huge_dimensions, deep_nesting, splice)}


def mutate(data: bytes, names: list[str], rng: random.Random) -> bytes:
    """Apply the named mutations in turn (an empty file stays empty)."""
    for name in names:
        if data:
            data = MUTATIONS[name](data, rng)
    return data


def fuzz_seeds(samples: Path) -> dict[str, bytes]:
    """The real documents mutations start from: the small PDFs and images of sample_docs/."""
    names = ["invoice/invoice_digital.pdf", "invoice/invoice_multipage.pdf", "invoice/invoice_scanned.pdf",
             "contract/contract_es.pdf", "invoice/invoice_scan.tiff", "invoice/invoice_photo.jpg"]
    seeds = {name: (samples / name).read_bytes() for name in names}
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(buf, "PNG")
    seeds["white.png"] = buf.getvalue()
    return seeds


# The hostile folder.

def _edit(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


def _text_pdf(pages: list[str], fontsize: float = 11) -> bytes:
    """An uncompressed MuPDF-written PDF, one page per text (one object per line: easy to damage
    by hand; with 3 pages: page tree 2 with kids 4, 8 and 11, 13 xref entries)."""
    doc = pymupdf.open()
    for text in pages:
        doc.new_page(width=612, height=792).insert_text((36, 36), text, fontsize=fontsize)
    return doc.tobytes(no_new_id=True)  # no fresh random /ID: the same seed gives the same bytes


def _invoice_pages(count: int) -> list[str]:
    return [f"Invoice INV-{n}\nline 1: 1 pallet, 595.00 EUR\npage {n}" for n in range(1, count + 1)]


def _codes_pages(rng: random.Random, count: int, lines: int = 150) -> list[str]:
    """Pages of random reference codes: text that costs about a token per two characters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return ["\n".join(" ".join("".join(rng.choices(alphabet, k=8)) for _ in range(7)) for _ in range(lines))
            for _ in range(count)]


def shift_xref_entry(data: bytes, number: int, delta: int) -> bytes:
    """Point object ``number``'s xref entry ``delta`` bytes away from the object (a PDF with one
    classic xref table, as MuPDF writes it uncompressed)."""
    head, table = data.rsplit(b"\nxref\n", 1)
    lines = table.split(b"\n")
    lines[1 + number] = b"%010d" % (int(lines[1 + number][:10]) + delta) + lines[1 + number][10:]
    return head + b"\nxref\n" + b"\n".join(lines)


def _image(fmt: str, size: tuple[int, int], **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, fmt, **save)
    return buf.getvalue()


def _deep_page_tree(depth: int) -> bytes:
    """One page under ``depth`` nested /Pages nodes."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>"]
    for level in range(depth):
        objects.append(b"<</Type/Pages/Count 1/Kids[%d 0 R]%s>>" % (level + 3, b"/Parent %d 0 R" % (level + 1)
                                                                    if level else b""))
    objects.append(b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 612 792]>>" % (depth + 1))
    return pdf_from_objects(objects)


def _hostile_files(samples: Path, seed: int, max_pages: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    text3 = _text_pdf(_invoice_pages(3))
    kids = b"/Kids[4 0 R 8 0 R 11 0 R]"
    scan = (samples / "invoice" / "invoice_scanned.pdf").read_bytes()
    contract = (samples / "contract" / "contract_msa.pdf").read_bytes()
    # Read by one engine, or by both after repair or the fallback.
    yield "readable/mime_before_header.pdf", b"Content-Type: application/pdf\r\n\r\n" + text3
    yield "readable/junk_before_header.pdf", rng.randbytes(700) .replace(b"%PDF-", b"%PDF_") + text3
    yield "readable/count_zero.pdf", _edit(text3, b"/Count 3", b"/Count 0")
    yield "readable/count_negative.pdf", _edit(text3, b"/Count 3", b"/Count -1")
    yield "readable/page_tree_cycle.pdf", _edit(text3, kids, b"/Kids[4 0 R 2 0 R 8 0 R 11 0 R]")
    yield "readable/xref_garbage.pdf", re.sub(rb"xref\n0 13\n.*trailer", b"xref\n0 13\ngarbage\ntrailer", text3,
                                              flags=re.S)
    yield "readable/xref_shifted.pdf", re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7),
                                              text3)
    yield "readable/xref_entry_into_object.pdf", shift_xref_entry(text3, 8, 5)
    yield "readable/scan_without_eof.pdf", scan.rstrip()[:-len(b"%%EOF")]
    yield "readable/no_xref_no_trailer.pdf", text3[:text3.index(b"xref")] + b"%%EOF\n"
    yield "readable/huge_user_unit.pdf", _edit(text3, b"/Rotate 0/Resources 3 0 R", b"/UserUnit 75000/Rotate 0/Resources 3 0 R")
    yield "readable/png_named.jpg", _image("PNG", (800, 600))
    # Refused, each with its reason.
    yield "refused/cut_in_half.pdf", contract[:len(contract) // 2]
    yield "refused/cut_before_trailer.pdf", text3[:text3.index(b"trailer")]
    yield "refused/cut_in_startxref.pdf", text3.rstrip()[:-len(b"%%EOF") - 3]
    yield "refused/count_overstated.pdf", _edit(text3, b"/Count 3", b"/Count 5")
    yield "refused/encrypted.pdf", pymupdf.open(stream=text3).tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    yield "refused/random_after_header.pdf", b"%PDF-1.7\n" + rng.randbytes(4096)
    yield "refused/zero_bytes.pdf", b""
    yield "refused/notes.txt", b"Reminder: send the Nordlicht invoices to accounts payable.\n"
    yield "refused/html_named.pdf", b"<!DOCTYPE html><html><body>Your download will start shortly</body></html>"
    yield "refused/zip_named.pdf", b"PK\x03\x04" + rng.randbytes(2000)
    yield "refused/header_after_1024.pdf", b" " * 1100 + text3
    yield "refused/png_huge_header.png", huge_dimensions(_image("PNG", (64, 64)), random.Random(5))
    yield "refused/jpeg_huge_header.jpg", huge_dimensions(_image("JPEG", (64, 64)), random.Random(5))
    yield "refused/tiff_huge_header.tiff", huge_dimensions(_image("TIFF", (64, 64)), random.Random(5))
    yield "refused/bomb.png", _bomb_png()
    yield "refused/too_many_pages.pdf", many_pages_pdf(max_pages + 1)
    # Limits.
    yield "limits/nested_forms_stall.pdf", nested_forms_pdf()
    yield "limits/deep_page_tree.pdf", _deep_page_tree(5_000)
    yield "limits/deep_nested_arrays.pdf", _edit(text3, b"/Rotate 0/Resources 3 0 R",
                                                 b"/Rotate 0/X" + b"[" * 100_000 + b"]" * 100_000 + b"/Resources 3 0 R")
    # For the engine (part 3 of issue 10): inputs that cannot fit a prompt.
    yield "engine/strip_1x5000.png", _image("PNG", (1, 5000))
    yield "engine/long_text_layer.pdf", _text_pdf(_codes_pages(rng, 40), fontsize=4)
    # Mutated copies of good documents.
    for name, data in fuzz_seeds(samples).items():
        for copy in range(3):
            names = rng.sample(sorted(MUTATIONS), rng.randint(1, 2))
            stem, ext = Path(name).stem, Path(name).suffix
            yield f"mutated/{stem}_{copy}_{'-'.join(names)}{ext}", mutate(data, names, rng)


def write_hostile_folder(path: Path, seed: int = 0, samples: Path | None = None, max_pages: int = 500) -> list[Path]:
    """Write the hostile folder under ``path`` (see the module docstring), built from the
    starter documents in ``samples`` (default: the repository's sample_docs/); its too-many-pages
    file has one page more than ``max_pages`` (the page cap of the run it is for). Returns the files."""
    samples = samples or Path(__file__).resolve().parents[2] / "sample_docs"
    written = []
    for name, data in _hostile_files(samples, seed, max_pages):
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
