"""Synthetic invoices and contracts with ground truth, for the demo, the tests and the benchmarks.

Records come first: `invoice_record` and `contract_record` return dicts that are valid under
schemas/invoice.json and schemas/contract.json and internally consistent, with the printed strings
in one of LANGUAGES. The renderers draw a record as a born-digital PDF in one of INVOICE_LAYOUTS
or CONTRACT_LAYOUTS (contracts of 60-300 pages with `min_pages`, invoices over 3+ pages with
`n_lines`, see LONG_CONTRACT_PAGES and LONG_INVOICE_LINES); `render_other_pdf` draws a document
of neither schema (OTHER_LAYOUTS: business letters, delivery notes). `scan_pdf` (with one of
SCAN_VARIANTS), `photo_jpeg` and `multipage_tiff` turn a PDF into what an office scanner or a phone
would deliver. `write_starter_set` writes the committed sample_docs/ set, `write_batch` a
reproducible benchmark batch of one schema, `write_mixed` a folder of every kind for
`--schema auto`; each document gets a truth file (see `files`) that says where each value is
printed (`render_invoice_with_evidence`, `render_contract_with_evidence`: see `evidence`).

Modules: reference (companies, catalogue), locales (labels, number and date formats), records,
contract_text and contract_<language> (what contracts say), draw and drawn (what was drawn where),
invoice_parts and invoices, contracts and contract_schedules (the schedules of long contracts),
other_documents, evidence (where each value is printed), scans, bad_files, files, hostile (a
folder of hostile files).

Output is a pure function of the record and the seed: the same inputs give the same bytes with
the same PyMuPDF, Pillow and zlib builds. The one exception is the AES-256 `bad/encrypted.pdf`,
whose salts and IVs MuPDF draws from the OS (see `bad_files.write_encrypted`).

Regenerate the starter set with `python -m pipeline.samples starter sample_docs`.
"""

from .bad_files import ENCRYPTED_PASSWORD
from .contracts import CONTRACT_LAYOUTS, render_contract_pdf, render_contract_with_evidence
from .evidence import NOT_PRINTED, box_as_read
from .files import (LONG_CONTRACT_PAGES, LONG_INVOICE_LINES, VARIANTS, contract_sample, invoice_sample, main,
                    other_sample, write_batch, write_mixed, write_starter_set)
from .invoices import INVOICE_LAYOUTS, render_invoice_pdf, render_invoice_with_evidence
from .locales import format_amount, format_date, law_phrase
from .other_documents import OTHER_LAYOUTS, render_other_pdf
from .records import contract_record, iban, invoice_record
from .reference import LANGUAGES
from .scans import SCAN_VARIANTS, ScanOptions, multipage_tiff, photo_jpeg, scan_pdf

__all__ = ["CONTRACT_LAYOUTS", "ENCRYPTED_PASSWORD", "INVOICE_LAYOUTS", "LANGUAGES", "LONG_CONTRACT_PAGES",
           "LONG_INVOICE_LINES", "NOT_PRINTED", "OTHER_LAYOUTS", "SCAN_VARIANTS", "VARIANTS", "ScanOptions",
           "box_as_read", "contract_record", "contract_sample", "format_amount", "format_date", "iban",
           "invoice_record", "invoice_sample", "law_phrase", "main", "multipage_tiff", "other_sample", "photo_jpeg",
           "render_contract_pdf", "render_contract_with_evidence", "render_invoice_pdf",
           "render_invoice_with_evidence", "render_other_pdf", "scan_pdf", "write_batch", "write_mixed",
           "write_starter_set"]
