"""The committed starter set, reproducible benchmark batches and mixed folders, each good document with a truth file.

A truth file `truth/<subdir>__<file name>.json` holds `document_id` (SHA-256 of the document's
bytes, as the pipeline identifies documents), `schema`, `layout`, `language`, `variant`, `record`
(valid under schemas/<schema>.json), `evidence_frame` and `evidence`, and for scanned PDFs `scan`.
A document of neither schema (a business letter, a delivery note: see other_documents) has
`schema`, `record` and `evidence` null.

`evidence` says where each non-null leaf of the record is printed (see evidence.py): its path
("seller.address.city", "line_items[3].amount", indices from 0) maps to

    {"page": 1, "box": [x0, y0, x1, y1], "text": "8 December 2024", "form": "formatted",
     "lines": [[...], [...]], "also": [{"page": 2, "box": [...]}]}

with the page from 1; the box of the value's characters alone (not its label) as 0-1 fractions of
the image's width and height, origin top left; "lines" each line's box where the value wraps;
"also" other places it is printed, if any. Leaves no layout prints as a value (a contract's
`contract_type` and `auto_renewal`) are {"printed": false}. `evidence_frame` names the image the
boxes are fractions of:

- "page": the upright page as drawn. Born-digital PDFs and TIFF frames are that page. A scanned
  PDF's page lay on the glass tilted and perhaps turned: `scan` lists per page {"rotation": the
  quarter turn, "skew": degrees}, both clockwise. docintel turns and straightens scanned pages
  before reading them (render.Page.rotation and .skew): where it undoes the lay exactly, the boxes
  hold as they are; `evidence.box_as_read` maps a box into the page as it was read, given the
  rotation and skew applied.
- "photo": the photo as shown (EXIF orientation applied), seen through the camera's tilted view:
  "box" is the box around the value's four corners, "quad" those corners (upper left, upper right,
  lower right, lower left; x, y, ...). The pipeline does not undo perspective; it may straighten a
  photo by a few degrees (box_as_read again). A photo shows the first page only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from . import evidence
from .bad_files import bad_files, write_encrypted
from .contract_text import CONTRACT_KINDS
from .contracts import CONTRACT_LAYOUTS, render_contract_pdf, render_contract_with_evidence
from .invoices import INVOICE_LAYOUTS, render_invoice_pdf, render_invoice_with_evidence
from .other_documents import OTHER_LAYOUTS, render_other_pdf
from .records import contract_record, invoice_record
from .reference import LANGUAGES
from .scans import SCAN_VARIANTS, Photo, ScannedPage, multipage_tiff, photo_jpeg_with_truth, scan_pdf_with_truth

VARIANTS = ("digital", *SCAN_VARIANTS, "photo", "photo_exif", "tiff")
"""Every variant a truth file can name: born-digital, the scanned PDFs, phone photos, multi-frame TIFF."""

LONG_CONTRACT_PAGES = (60, 300)
"""Page range of the long contracts batches and mixed folders draw (parties on page 1, law on the last)."""

LONG_INVOICE_LINES = (90, 160)
"""Line items of a long invoice: its table runs over three to six pages in every layout."""

_LONG_SCAN_VARIANTS = ("scan_100dpi", "scan_75dpi", "tiff")  # a 300-page scan at 150 dpi would be 70 MB


@dataclass(frozen=True)
class Sample:
    """One generated document and what is true about it."""

    data: bytes
    extension: str  # "pdf", "jpg" or "tiff"
    schema: str | None  # None: neither an invoice nor a contract
    record: dict | None
    layout: str
    language: str
    variant: str
    evidence: dict | None = None  # where each value is printed, in the frame of `evidence_frame` (see evidence)
    scan: tuple[ScannedPage, ...] = ()  # scanned PDFs: how each page lay on the glass

    @property
    def evidence_frame(self) -> str:
        """"photo": evidence boxes are fractions of the photo as shown; "page": of the upright page."""
        return "photo" if self.variant in ("photo", "photo_exif") else "page"

    def truth(self) -> dict:
        """The truth file's content."""
        truth = {"document_id": hashlib.sha256(self.data).hexdigest(), "schema": self.schema, "layout": self.layout,
                 "language": self.language, "variant": self.variant, "record": self.record,
                 "evidence_frame": self.evidence_frame, "evidence": self.evidence}
        if self.scan:
            truth["scan"] = [{"rotation": page.rotation, "skew": round(page.skew, 3)} for page in self.scan]
        return truth


@dataclass(frozen=True)
class Delivery:
    """A document as a variant delivers it, and how its pages lie in what was delivered."""

    data: bytes
    extension: str
    scan: tuple[ScannedPage, ...] = ()  # scanned PDFs: each page's quarter turn and skew
    photo: Photo | None = None  # photos: where the page lies in the photo


def deliver(pdf: bytes, variant: str, rng: random.Random) -> Delivery:
    """The document as `variant` (a name in VARIANTS) delivers it."""
    if variant == "digital":
        return Delivery(pdf, "pdf")
    if variant in SCAN_VARIANTS:
        data, pages = scan_pdf_with_truth(pdf, rng, SCAN_VARIANTS[variant])
        return Delivery(data, "pdf", scan=tuple(pages))
    if variant in ("photo", "photo_exif"):
        data, photo = photo_jpeg_with_truth(pdf, rng, sideways=variant == "photo_exif")
        return Delivery(data, "jpg", photo=photo)
    if variant == "tiff":
        return Delivery(multipage_tiff(pdf), "tiff")
    raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")


def variant_set_document(variant: str, index: int, seed: int) -> tuple[bytes, Delivery]:
    """The `index`-th document of a benchmark's set for `variant`: invoices and contracts in turn,
    layouts and languages cycling, the same for a seed. Its born-digital PDF and its delivery."""
    rng = random.Random(f"{seed}/{variant}/{index}")
    language = LANGUAGES[index % len(LANGUAGES)]
    if index % 2 == 0:
        layout = sorted(INVOICE_LAYOUTS)[(index // 2) % len(INVOICE_LAYOUTS)]
        pdf = render_invoice_pdf(invoice_record(rng, None, language), layout, language)
    else:
        layout = sorted(CONTRACT_LAYOUTS)[(index // 2) % len(CONTRACT_LAYOUTS)]
        pdf = render_contract_pdf(contract_record(rng, None, language), layout, language)
    return pdf, deliver(pdf, variant, rng)


def degrade(pdf: bytes, variant: str, rng: random.Random) -> tuple[bytes, str]:
    """The document as `variant` (a name in VARIANTS) delivers it, and its file extension."""
    delivery = deliver(pdf, variant, rng)
    return delivery.data, delivery.extension


def _sample(rng: random.Random, pdf: bytes, found: dict | None, variant: str, schema: str | None,
            record: dict | None, layout: str, language: str) -> Sample:
    """The rendered document delivered as `variant`, with its evidence in the delivered frame."""
    delivery = deliver(pdf, variant, rng)
    if found is not None and delivery.photo is not None:
        found = evidence.in_photo(found, delivery.photo)
    return Sample(delivery.data, delivery.extension, schema, record, layout, language, variant, found, delivery.scan)


def invoice_sample(rng: random.Random, layout: str, language: str, variant: str = "digital",
                   n_lines: int | None = None) -> Sample:
    """An invoice record drawn from `rng`, rendered in `layout` and `language`, delivered as `variant`."""
    record = invoice_record(rng, n_lines, language)
    pdf, found = render_invoice_with_evidence(record, layout, language)
    return _sample(rng, pdf, found, variant, "invoice", record, layout, language)


def contract_sample(rng: random.Random, layout: str, language: str, variant: str = "digital",
                    contract_type: str | None = None, min_pages: int = 0) -> Sample:
    """A contract record drawn from `rng`, rendered in `layout` and `language` to at least `min_pages`
    (from 30 pages on with definitions and schedules: see contract_schedules)."""
    record = contract_record(rng, contract_type, language)
    pdf, found = render_contract_with_evidence(record, layout, language, min_pages)
    return _sample(rng, pdf, found, variant, "contract", record, layout, language)


def other_sample(rng: random.Random, layout: str, language: str, variant: str = "digital") -> Sample:
    """A document of neither schema (one of OTHER_LAYOUTS) drawn from `rng`: schema, record and evidence None."""
    return _sample(rng, render_other_pdf(rng, layout, language), None, variant, None, None, layout, language)


# --- benchmark batches -------------------------------------------------------------------------

def _pick_variant(rng: random.Random, pdf: bytes) -> str:
    """A scanned variant; a phone photo shows one page, so only one-page documents are photographed, and
    documents of 60 pages or more are scanned at 100 or 75 dpi or as a bilevel TIFF (a few MB, not 70)."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        pages = doc.page_count
    if pages >= LONG_CONTRACT_PAGES[0]:
        return rng.choice(_LONG_SCAN_VARIANTS)
    return rng.choice([*SCAN_VARIANTS, "tiff", *(("photo", "photo_exif") if pages == 1 else ())])


def _delivered(rng: random.Random, rendered: tuple[bytes, dict | None], scanned: bool, schema: str | None,
               record: dict | None, layout: str, language: str) -> Sample:
    pdf, found = rendered
    variant = _pick_variant(rng, pdf) if scanned else "digital"
    return _sample(rng, pdf, found, variant, schema, record, layout, language)


def _random_invoice(rng: random.Random, scanned: bool, long_share: float = 0.0) -> Sample:
    """Some tables run over a page break (25-60 lines); `long_share` of them over three or more pages."""
    language, layout = rng.choice(LANGUAGES), rng.choice(sorted(INVOICE_LAYOUTS))
    chance = rng.random()
    n_lines = (rng.randint(*LONG_INVOICE_LINES) if chance < long_share
               else rng.randint(25, 60) if chance < long_share + 0.12 else None)
    record = invoice_record(rng, n_lines, language)
    return _delivered(rng, render_invoice_with_evidence(record, layout, language), scanned, "invoice", record, layout,
                      language)


def _random_contract(rng: random.Random, scanned: bool, long_share: float = 0.0,
                     long_pages: tuple[int, int] = LONG_CONTRACT_PAGES) -> Sample:
    """Some run to 10+ pages (an implementation plan), `long_share` to `long_pages` (schedules); not NDAs."""
    language, layout = rng.choice(LANGUAGES), rng.choice(sorted(CONTRACT_LAYOUTS))
    record = contract_record(rng, None, language)
    chance = rng.random() if record["contract_type"] != "non_disclosure" else 1.0
    pages = rng.randint(*long_pages) if chance < long_share else rng.randint(10, 13) if chance < 0.15 else 0
    rendered = render_contract_with_evidence(record, layout, language, pages)
    return _delivered(rng, rendered, scanned, "contract", record, layout, language)


def _long_contract(rng: random.Random, scanned: bool, long_pages: tuple[int, int]) -> Sample:
    """A contract (not an NDA) of `long_pages` pages: definitions, clauses, schedules, law and signatures last."""
    language, layout = rng.choice(LANGUAGES), rng.choice(sorted(CONTRACT_LAYOUTS))
    kind = rng.choice(sorted(k for k in CONTRACT_KINDS if k != "non_disclosure"))
    record = contract_record(rng, kind, language)
    rendered = render_contract_with_evidence(record, layout, language, rng.randint(*long_pages))
    return _delivered(rng, rendered, scanned, "contract", record, layout, language)


def _random_other(rng: random.Random, scanned: bool) -> Sample:
    language, layout = rng.choice(LANGUAGES), rng.choice(sorted(OTHER_LAYOUTS))
    return _delivered(rng, (render_other_pdf(rng, layout, language), None), scanned, None, None, layout, language)


def write_batch(out: Path, count: int, seed: int = 0, schema: str = "invoice", scanned_share: float = 0.3,
                long_share: float = 0.02, long_pages: tuple[int, int] = LONG_CONTRACT_PAGES) -> list[Path]:
    """Write `count` documents of one schema under out/<schema>/ with truth in out/truth/; returns their paths.

    Layout and language are drawn per document; round(count * scanned_share) documents are scanned
    variants (image-only PDFs, photos, TIFFs), the rest born-digital PDFs. Of the contracts that
    are not NDAs, about `long_share` run to `long_pages` pages (60-300), up to 15 % in all to 10 or
    more; invoices ignore both. File names end in the variant. The same arguments give the same files.
    """
    if schema not in ("invoice", "contract"):
        raise ValueError(f"unknown schema {schema!r}; batches are of invoice or contract")
    scanned = set(random.Random(seed).sample(range(count), round(count * scanned_share)))
    (out / schema).mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rng = random.Random(f"{seed}/{i}")  # per document, so one document does not shift the others
        if schema == "invoice":
            sample = _random_invoice(rng, i in scanned)
        else:
            sample = _random_contract(rng, i in scanned, long_share, long_pages)
        path = f"{schema}/{schema}_{i:05d}_{sample.variant}.{sample.extension}"
        _write(out, path, sample)
        paths.append(out / path)
    return paths


def write_mixed(out: Path, count: int, seed: int = 0, contract_share: float = 0.35, other_share: float = 0.15,
                long_share: float = 0.05, scanned_share: float = 0.3, long_invoice_share: float = 0.1,
                long_pages: tuple[int, int] = LONG_CONTRACT_PAGES) -> list[Path]:
    """Write `count` documents of every kind into out/mixed/ with truth in out/truth/; returns their paths.

    An inbox as it arrives, for `--schema auto` and "unclassified": round(count * other_share)
    documents of neither schema (business letters, delivery notes; truth schema and record null),
    round(count * contract_share) contracts, of which round(count * long_share) run to `long_pages`
    pages, and invoices for the rest, `long_invoice_share` of them with line items over three or
    more pages. round(count * scanned_share) documents of any kind are scanned (long ones at 100 or
    75 dpi or as TIFF). Names say nothing of the schema: mixed/doc_00012_scan.pdf; truth files are
    truth/mixed__doc_00012_scan.pdf.json. The same arguments give the same files.
    """
    order = random.Random(seed).sample(range(count), count)
    others, contracts = round(count * other_share), round(count * contract_share)
    longs = min(round(count * long_share), contracts)
    kind = {i: "other" if n < others else "long" if n < others + longs else "contract" if n < others + contracts
            else "invoice" for n, i in enumerate(order)}
    scanned = set(random.Random(f"{seed}/scanned").sample(range(count), round(count * scanned_share)))
    (out / "mixed").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rng, scan = random.Random(f"mixed/{seed}/{i}"), i in scanned
        sample = {"other": lambda: _random_other(rng, scan),
                  "long": lambda: _long_contract(rng, scan, long_pages),
                  "contract": lambda: _random_contract(rng, scan),
                  "invoice": lambda: _random_invoice(rng, scan, long_invoice_share)}[kind[i]]()
        path = f"mixed/doc_{i:05d}_{sample.variant}.{sample.extension}"
        _write(out, path, sample)
        paths.append(out / path)
    return paths


def _write(root: Path, path: str, sample: Sample) -> None:
    (root / path).write_bytes(sample.data)
    (root / "truth").mkdir(parents=True, exist_ok=True)
    text = json.dumps(sample.truth(), indent=2, ensure_ascii=False) + "\n"
    (root / "truth" / truth_name(path)).write_text(text, encoding="utf-8")


def truth_name(path: str) -> str:
    """truth/<subdir>__<file name>.json, e.g. truth/invoice__invoice_digital.pdf.json."""
    return path.replace("/", "__") + ".json"


# --- the starter set ---------------------------------------------------------------------------

def _starter_samples() -> Iterator[tuple[str, str, Sample]]:
    """(path, purpose, sample) of the committed documents, from seeds chosen so each shows what its line says."""
    r = random.Random
    yield ("invoice/invoice_digital.pdf", "born-digital one-page invoice, letterhead with a bordered table",
           invoice_sample(r(2), "letterhead", "en"))
    yield ("invoice/invoice_scanned.pdf", "scanned invoice (minimal layout): image-only PDF, skewed and noisy",
           invoice_sample(r(18), "minimal", "en", "scan"))
    yield ("invoice/invoice_photo.jpg", "phone photo of a zebra-striped invoice: tilted, unevenly lit, on a desk",
           invoice_sample(r(6), "zebra", "en", "photo"))
    yield ("invoice/invoice_multipage.pdf", "born-digital invoice whose line-item table continues on page 2",
           invoice_sample(r(3), "letterhead", "en", n_lines=40))
    yield ("invoice/invoice_scan.tiff", "two-page invoice, totals box at the top, as a bilevel multi-frame TIFF",
           invoice_sample(r(36), "totals_top", "en", "tiff", n_lines=30))
    yield ("invoice/invoice_de.pdf", "German invoice as a business letter, seller details only in the footer",
           invoice_sample(r(4), "footer_seller", "de"))
    yield ("invoice/invoice_fr.pdf", "French invoice with the seller, bank and terms in a sidebar",
           invoice_sample(r(7), "sidebar", "fr"))
    yield ("invoice/invoice_es.pdf", "Spanish invoice printed as a narrow till receipt",
           invoice_sample(r(5), "receipt", "es"))
    yield ("invoice/invoice_scan_rot90.pdf", "German invoice fed sideways: a landscape image-only page, text turned "
           "90 degrees",
           invoice_sample(r(11), "zebra", "de", "scan_rot90"))
    yield ("contract/contract_msa.pdf", "born-digital master services agreement, classic numbered clauses",
           contract_sample(r(8), "classic", "en", contract_type="master_services"))
    yield ("contract/contract_nda_scanned.pdf", "scanned non-disclosure agreement with a form-like cover sheet",
           contract_sample(r(5), "cover_sheet", "en", "scan", contract_type="non_disclosure"))
    yield ("contract/contract_long_de.pdf", "German 12-page supply agreement: parties on page 1, governing law "
           "on the last page", contract_sample(r(9), "classic", "de", contract_type="supply", min_pages=12))
    yield ("contract/contract_long_msa.pdf", "English 120-page master services agreement: parties on page 1, "
           "definitions, schedules (service levels, price list, implementation plan), governing law and signatures "
           "on the last page", contract_sample(r(14), "classic", "en", contract_type="master_services", min_pages=120))
    yield ("contract/contract_letter_fr.pdf", "French consulting agreement as a countersigned letter",
           contract_sample(r(12), "letter", "fr", contract_type="consulting"))
    yield ("contract/contract_es.pdf", "Spanish software licence in two columns",
           contract_sample(r(13), "two_column", "es", contract_type="license"))


def write_starter_set(out: Path) -> None:
    """Write the committed sample set (documents, bad files, truth/, README.md) under `out`.

    Every file except bad/encrypted.pdf is byte-identical on every run; see `write_encrypted`.
    """
    rows = []
    samples = list(_starter_samples())
    for path, purpose, sample in samples:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        _write(out, path, sample)
        rows.append((path, purpose))
    clear = {path: sample.data for path, _, sample in samples}
    for path, purpose, data in bad_files(clear["invoice/invoice_digital.pdf"], clear["contract/contract_msa.pdf"]):
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        if path == "bad/encrypted.pdf":
            write_encrypted(out / path, data)
        else:
            (out / path).write_bytes(data)
        rows.append((path, purpose))
    (out / "README.md").write_text(_readme(rows), encoding="utf-8")


def _readme(rows: list[tuple[str, str]]) -> str:
    table = "\n".join(f"| `{path}` | {purpose} |" for path, purpose in rows)
    return f"""# Sample documents

Synthetic invoices and contracts with ground truth, written by `pipeline/samples/`. Everything
here is generated; do not edit by hand. Regenerate with:

    python -m pipeline.samples starter sample_docs

`tests/test_samples.py` checks that this reproduces the directory byte for byte (except
`bad/encrypted.pdf`, whose AES salts are random; an equivalent file is kept as it is).

| File | What it tests |
|---|---|
{table}

`truth/<subdir>__<file name>.json` describes every good document:

```json
{{"document_id": "<SHA-256 of the file's bytes>", "schema": "invoice", "layout": "letterhead",
 "language": "en", "variant": "digital", "record": {{...}}, "evidence_frame": "page",
 "evidence": {{"total": {{"page": 1, "box": [0.8341, 0.4708, 0.9126, 0.4879], "text": "22.695,13",
                        "form": "formatted"}},
              "invoice_number": {{"page": 1, "box": [...], "text": "2024009184", "form": "verbatim",
                                 "also": [{{"page": 1, "box": [...]}}]}}, ...}}}}
```

`record` is valid under `schemas/<schema>.json`, with normalised values (ISO dates, decimal
strings with a dot, ISO currency and country codes; `governing_law` by its English name) while
the document prints them in its language and locale. Join pipeline results to truth by
`document_id`, so renamed files still match.

`evidence` says where the generator printed each non-null leaf of `record` (paths like
`seller.address.city`, `line_items[3].amount`, `signatories[1].signed_date`; indices from 0):
`page` from 1, `box` = x0, y0, x1, y1 of the value's characters alone (not its label) as 0-1
fractions of the image's width and height, origin top left; `text` the value as printed; `form`
`verbatim` (as in the record), `formatted` (a date, amount, quantity or IBAN in the document's
locale) or `named` (a country code or governing law printed as a name in the document's
language); `lines` each line's box where the value wraps; `also` the other places it is printed
(up to ten). The main place is the one a reader cites: the table cell, the signature block, an
amount after its label in the totals, a party's address after its name, else the first in
reading order. A contract's `contract_type` and `auto_renewal` are never printed as such:
`{{"printed": false}}`. `evidence_frame` says which image the boxes are fractions of:

- `page`: the upright page as drawn, for born-digital PDFs and TIFFs, and for scanned PDFs, whose
  pages lay on the glass as `scan` records per page (`rotation`, the quarter turn, and `skew`, in
  degrees, both clockwise). docintel turns and straightens scanned pages before reading them;
  where it undoes the lay exactly the boxes hold as they are, and
  `pipeline.samples.evidence.box_as_read` maps a box into the page as read for the rotation and
  skew the pipeline applied.
- `photo`: the photo as shown (EXIF orientation applied), through the camera's tilted view: `box`
  around the value's four corners, `quad` those corners. The pipeline does not undo perspective.

- layouts: invoice {", ".join(INVOICE_LAYOUTS)}; contract {", ".join(CONTRACT_LAYOUTS)}; \
neither schema {", ".join(OTHER_LAYOUTS)}
- languages: {", ".join(LANGUAGES)}
- variants: {", ".join(VARIANTS)}

`python -m pipeline.samples batch OUT --count N [--schema contract] [--seed S]` writes N more,
mixing all of them; about 2 % of generated contracts run to 60-300 pages (`--long-share`).
`python -m pipeline.samples mixed OUT --count N [--seed S]` writes invoices (some with line items
over 3+ pages), contracts (some of 60-300 pages, some scanned) and documents of neither schema
(business letters, delivery notes; truth `"schema": null, "record": null`) into one folder,
`OUT/mixed/`, for `--schema auto`. The files under `bad/` must each end as one row in `errors`,
with a reason.
"""


def main(argv: list[str] | None = None) -> None:
    """Command line: `starter [DIR]` writes the starter set, `batch DIR --count N` a benchmark batch,
    `mixed DIR --count N` a folder of invoices, contracts and documents of neither schema."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.samples",
                                     description="Synthetic invoices and contracts with ground truth.")
    commands = parser.add_subparsers(dest="command", required=True)
    starter = commands.add_parser("starter", help="write the committed starter set")
    starter.add_argument("out", type=Path, nargs="?", default=Path("sample_docs"))
    batch = commands.add_parser("batch", help="write a reproducible benchmark batch")
    batch.add_argument("out", type=Path)
    batch.add_argument("--count", type=int, default=200)
    batch.add_argument("--seed", type=int, default=0)
    batch.add_argument("--schema", choices=["contract", "invoice"], default="invoice")
    batch.add_argument("--scanned-share", type=float, default=0.3)
    batch.add_argument("--long-share", type=float, default=0.02,
                       help="share of contracts (not NDAs) that run to 60-300 pages")
    mixed = commands.add_parser("mixed", help="write invoices, contracts and unclassifiable documents into OUT/mixed")
    mixed.add_argument("out", type=Path)
    mixed.add_argument("--count", type=int, default=100)
    mixed.add_argument("--seed", type=int, default=0)
    mixed.add_argument("--contract-share", type=float, default=0.35)
    mixed.add_argument("--other-share", type=float, default=0.15, help="documents of neither schema")
    mixed.add_argument("--long-share", type=float, default=0.05, help="documents that are 60-300 page contracts")
    mixed.add_argument("--scanned-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    if args.command == "starter":
        write_starter_set(args.out)
        return
    if args.command == "batch":
        paths = write_batch(args.out, args.count, args.seed, args.schema, args.scanned_share, args.long_share)
    else:
        paths = write_mixed(args.out, args.count, args.seed, args.contract_share, args.other_share, args.long_share,
                            args.scanned_share)
    print(f"wrote {len(paths)} documents under {args.out}")
