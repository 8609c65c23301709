"""The review report: a static HTML folder that shows a person what to check, and where.

``write_review(out)`` reads the committed rows of the dataset at ``out`` (a folder or
``s3://bucket/prefix``), the latest row of every document or one run's rows, and writes::

    OUT/review/<run_id or "latest">/index.html
    OUT/review/<run_id or "latest">/pages/<document_id>-<page>.jpg

Documents that need review come first (then the lowest confidence first), each with its pages,
a box drawn over the page for every field's evidence, and its field table (value, confidence,
page, quote, match); failed documents are listed with their stage, type and message. ``j``/``k``
(or the right/left arrow keys) go to the next/previous document. No server is needed: open
index.html from the folder, or copy an S3 report down first (``aws s3 sync``); from S3 static
website hosting it works as it is (objects carry their content types).

Pages are shown as the pipeline read them: evidence boxes are fractions of the page image it
rendered, upright and deskewed for scans. The page is rendered again from ``source`` (larger,
for legibility: boxes are fractions, so the size does not move them) with the quarter turn and
skew the run recorded in ``corrections`` applied, rather than detected again: detection depends
on settings the row does not record (OCR on or off changes the image it measures on), the record
is what the pipeline did. A source whose bytes no longer hash to the document id is not drawn.

Document text is untrusted (a PDF can say anything): every document-derived string is escaped
with ``html.escape(quote=True)``, none goes into a script, a style or a URL, and a strict
Content-Security-Policy allows only the report's own inline style and script (by hash) and
images from the report's folder; so even a missed escape could not run a script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Iterable, Sequence
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pymupdf

from . import orientation
from .render import RenderedDocument, RenderOptions, render_document
from .storage import S3Options, StorageError, Store, is_s3, read_bytes

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 200
# Page images are drawn at this image-token budget (or the run's, if larger): ~1000x1300 px
# for A4, legible on screen. Boxes are fractions of the page, so the size does not move them.
REVIEW_SOFT_TOKENS = 560
JPEG_QUALITY = 80  # without Pillow's optimize pass: 2.9 ms a page instead of 7.5, files 7 % larger
# A longer document shows its first page and the pages its evidence is on, at most this many.
MAX_PAGES_SHOWN = 12

_RESULT_COLUMNS = ("document_id", "source", "run_id", "extracted_at", "page_count", "max_soft_tokens", "flags",
                   "needs_review", "review_reasons", "fields", "corrections", "classified_as", "windows")
_ERROR_COLUMNS = ("document_id", "source", "run_id", "failed_at", "stage", "error_type", "message",
                  "classified_as")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ATTENTION = re.compile(r"(?:low_confidence|no_evidence): (.+?)(?: \([0-9.]+\))?")


@dataclass
class ReviewDocument:
    """A result row to review, and what the report drew for it."""

    schema_name: str
    row: dict[str, Any]
    anchor: str = ""  # the section's id
    pages: list[tuple[int, str, int, int]] = field(default_factory=list)  # number, relpath, width, height
    omitted: list[int] = field(default_factory=list)  # pages of a long document left out
    problem: str = ""  # why no page images, if there are none
    min_confidence: float | None = None  # the lowest confidence of a field with a value

    @property
    def needs_review(self) -> bool:
        return bool(self.row.get("needs_review"))


def write_review(out: str, run_id: str | None = None, limit: int = DEFAULT_LIMIT, s3: S3Options = S3Options()) -> str:
    """Write the review report of the dataset at ``out`` and return its index's URI.

    ``run_id``: that committed run's rows (ValueError if it is not committed); None: the latest
    committed row of every document (ValueError if no run is committed). ``limit``: documents
    shown with their pages, those needing review first, then by lowest confidence (failed
    documents are listed up to the same number). Storage failures raise StorageError (or
    OSError from S3)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    store = Store(out, s3)
    manifests = committed_manifests(store, run_id)
    documents, failures = select_rows(store, manifests, limit)
    folder = f"review/{run_id or 'latest'}"
    written = set()
    for number, document in enumerate(documents, 1):
        document.anchor = f"d{number}"
        written |= draw_pages(store, folder, document, s3)
    title = f"docintel review: {run_id or 'latest committed rows'}"
    page = render_report(title, store.uri(""), documents, failures)
    _put(store, f"{folder}/index.html", page.encode(), "text/html; charset=utf-8")
    for stale in store.list(f"{folder}/pages/"):  # pages of an earlier report of the same name
        if stale not in written:
            store.delete(stale)
    return store.uri(f"{folder}/index.html")


# --- reading the dataset --------------------------------------------------------------------------

def committed_manifests(store: Store, run_id: str | None = None) -> list[dict[str, Any]]:
    """The manifests of the committed runs (of ``run_id`` only, when given)."""
    if run_id is not None:
        if not _RUN_ID.fullmatch(run_id):
            raise ValueError(f"not a run id: {run_id!r}")
        relpath = f"_manifests/{run_id}.json"
        if not store.exists(relpath):
            raise ValueError(f"run {run_id} is not committed in {store.uri('')} (no {relpath})")
        return [json.loads(store.read(relpath))]
    manifests = [json.loads(store.read(p)) for p in store.list("_manifests/") if p.endswith(".json")]
    if not manifests:
        raise ValueError(f"no committed run in {store.uri('')} (no _manifests/*.json): give the folder "
                         f"`docintel run --out` wrote")
    return manifests


@dataclass(frozen=True)
class _Entry:
    """One committed row, as much of it as choosing and ordering needs (the full rows of a
    year of nightly runs would not fit in memory; these do)."""

    schema_name: str
    table: str
    relpath: str
    index: int  # the row's position in its file
    source: str
    when: tuple[datetime, str]  # extracted_at or failed_at, then run id: the later wins
    needs_review: bool = False
    min_confidence: float | None = None

    def order(self) -> tuple[bool, float, str, str, int]:
        """Needing review first, then the lowest confidence of any value, then by name."""
        return (not self.needs_review, 1.0 if self.min_confidence is None else self.min_confidence,
                _name(self.source), self.relpath, self.index)


def select_rows(store: Store, manifests: Iterable[dict[str, Any]],
                limit: int) -> tuple[list[ReviewDocument], list[dict[str, Any]]]:
    """The latest committed row of every document (per schema: a document's later error row
    replaces its earlier result and the other way round): the first ``limit`` results in review
    order as ReviewDocuments, and the first ``limit`` error rows (by schema and name) as dicts.
    Error rows without a document id (unreadable files) are kept by source."""
    latest: dict[tuple[str, str], _Entry] = {}
    for manifest in manifests:
        for item in manifest.get("files", []):
            table = item.get("table") or item["path"].split("/", 1)[0]
            if table not in ("results", "errors"):
                continue
            schema_name = manifest.get("schema_name") or _partition(item["path"], "schema_name")
            for key, entry in _entries(store, item["path"], table, schema_name):
                if key not in latest or entry.when > latest[key].when:
                    latest[key] = entry
    results = sorted((e for e in latest.values() if e.table == "results"), key=_Entry.order)[:limit]
    errors = sorted((e for e in latest.values() if e.table == "errors"),
                    key=lambda e: (e.schema_name, _name(e.source), e.relpath, e.index))[:limit]
    rows = _full_rows(store, results + errors)
    documents = [ReviewDocument(e.schema_name, rows[e.relpath, e.index], min_confidence=e.min_confidence)
                 for e in results]
    return documents, [{**rows[e.relpath, e.index], "schema_name": e.schema_name} for e in errors]


def _entries(store: Store, relpath: str, table: str, schema_name: str) -> Iterable[tuple[tuple[str, str], _Entry]]:
    when_column = "extracted_at" if table == "results" else "failed_at"
    columns = ["document_id", "source", "run_id", when_column]
    if table == "results":
        columns += ["needs_review", "fields"]
    data = _read_table(store, relpath, columns)
    lowest = _min_confidence(data) if "fields" in data.column_names else {}
    column = {name: data.column(name).to_pylist() for name in columns if name in data.column_names and name != "fields"}
    for index in range(data.num_rows):
        value = {name: values[index] for name, values in column.items()}
        source = str(value.get("source") or "")
        when = (_utc(value.get(when_column)), str(value.get("run_id")))
        entry = _Entry(schema_name, table, relpath, index, source, when, bool(value.get("needs_review")),
                       lowest.get(index))
        yield (schema_name, value.get("document_id") or "source:" + source), entry


def _min_confidence(data: pa.Table) -> dict[int, float]:
    """Row -> the lowest confidence of a field with a value, computed in Arrow."""
    fields = data.column("fields").combine_chunks()
    flat = pc.list_flatten(fields)
    if not len(flat) or "confidence" not in {f.name for f in flat.type}:
        return {}
    parents = pc.list_parent_indices(fields)
    confidence = flat.field("confidence")
    keep = pc.and_(pc.is_valid(flat.field("value")), pc.is_finite(confidence))
    grouped = (pa.table({"row": parents, "confidence": confidence}).filter(pc.fill_null(keep, False))
               .group_by("row").aggregate([("confidence", "min")]))
    return dict(zip(grouped.column("row").to_pylist(), grouped.column("confidence_min").to_pylist()))


def _full_rows(store: Store, entries: Sequence[_Entry]) -> dict[tuple[str, int], dict[str, Any]]:
    """The chosen rows in full, each file read once."""
    by_file: dict[str, list[int]] = {}
    tables: dict[str, str] = {}
    for entry in entries:
        by_file.setdefault(entry.relpath, []).append(entry.index)
        tables[entry.relpath] = entry.table
    rows = {}
    for relpath, indices in by_file.items():
        columns = _RESULT_COLUMNS if tables[relpath] == "results" else _ERROR_COLUMNS
        taken = _read_table(store, relpath, columns).take(pa.array(indices, type=pa.int64())).to_pylist()
        rows.update({(relpath, index): row for index, row in zip(indices, taken)})
    return rows


def _read_table(store: Store, relpath: str, columns: Sequence[str]) -> pa.Table:
    parquet = pq.ParquetFile(store.path(relpath), filesystem=store.filesystem)
    present = [c for c in columns if c in parquet.schema_arrow.names]  # older files lack newer columns
    return parquet.read(columns=present)


def _partition(relpath: str, key: str) -> str:
    return next((unquote(part.split("=", 1)[1]) for part in relpath.split("/") if part.startswith(key + "=")), "")


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.min.replace(tzinfo=timezone.utc)


# --- page images ----------------------------------------------------------------------------------

def draw_pages(store: Store, folder: str, document: ReviewDocument, s3: S3Options) -> set[str]:
    """Render the document's pages as the pipeline read them and write them as JPEG files under
    ``folder``/pages; record them (or why there are none) on ``document``. Returns the relpaths
    written. Never raises for the document's own faults (a moved or changed source, a render
    failure): the report then shows the fields without pages and says why."""
    row = document.row
    document_id = str(row.get("document_id") or "")
    page_count = int(row.get("page_count") or 0)
    shown = shown_pages(page_count, row.get("fields") or [])
    document.omitted = [n for n in range(1, page_count + 1) if n not in shown]
    try:
        data = read_bytes(str(row["source"]), s3, max_bytes=RenderOptions().max_file_bytes)
    except StorageError as exc:
        document.problem = f"the source cannot be read now: {exc}"
        return set()
    if hashlib.sha256(data).hexdigest() != document_id:
        document.problem = "the file at the source has changed since the run (its SHA-256 is not the document id)"
        return set()
    rendered = _render_shown(data, shown, page_count, row.get("max_soft_tokens"))
    if isinstance(rendered, str):
        document.problem = rendered
        return set()
    corrections = {c["page"]: c for c in row.get("corrections") or []}
    stem = document_id if _SHA256.fullmatch(document_id) else hashlib.sha256(document_id.encode()).hexdigest()
    written = set()
    for number, image in rendered:
        correction = corrections.get(number)
        if correction:  # what the pipeline did to this page (skew stored as float32: round it back)
            image = orientation.apply(image, orientation.Correction(
                rotation=int(correction.get("rotation") or 0) % 360, skew=round(float(correction.get("skew") or 0), 4)))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
        relpath = f"{folder}/pages/{stem}-{number}.jpg"
        _put(store, relpath, buffer.getvalue(), "image/jpeg")
        written.add(relpath)
        document.pages.append((number, relpath.removeprefix(folder + "/"), image.width, image.height))
    return written


def shown_pages(page_count: int, fields: Sequence[dict[str, Any]]) -> list[int]:
    """Every page of a short document; of a longer one its first page and the pages its
    evidence is on, at most MAX_PAGES_SHOWN."""
    if page_count <= MAX_PAGES_SHOWN:
        return list(range(1, page_count + 1))
    evidence = {f["page"] for f in fields if f.get("box") and isinstance(f.get("page"), int)
                and 1 <= f["page"] <= page_count}
    return sorted({1} | evidence)[:MAX_PAGES_SHOWN]


def _render_shown(data: bytes, shown: list[int], page_count: int,
                  run_budget: int | None) -> list[tuple[int, Any]] | str:
    """(page number, image) of the ``shown`` pages, un-corrected, or why they cannot be drawn.
    A long PDF is cut to those pages first (the same page objects: the same images), so a
    200-page contract does not put 200 pages in memory; if it cannot be cut, all are drawn."""
    options = RenderOptions(max_soft_tokens=max(REVIEW_SOFT_TOKENS, run_budget or 0), upright=False, ocr=False)
    if len(shown) < page_count:
        cut = _only_pages(data, shown)
        if cut is not None:
            result = render_document(cut, options)
            if isinstance(result, RenderedDocument) and len(result.pages) == len(shown):
                return [(n, page.image) for n, page in zip(shown, result.pages)]
    result = render_document(data, options)
    if not isinstance(result, RenderedDocument):
        return f"the pages cannot be drawn: {result.error_type}: {result.message}"
    if len(result.pages) != page_count:
        return f"the source now renders {len(result.pages)} pages, the run read {page_count}"
    return [(n, result.pages[n - 1].image) for n in shown]


def _only_pages(data: bytes, numbers: Sequence[int]) -> bytes | None:
    """The PDF cut to the pages ``numbers`` (from 1), or None if it is not a PDF MuPDF can cut."""
    if data.find(b"%PDF-", 0, 1029) < 0:
        return None
    try:
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            pdf.select([n - 1 for n in numbers])
            return pdf.tobytes()
    except Exception as exc:  # a damaged PDF: render_document's fallbacks read it whole
        log.info("cannot cut the PDF to its evidence pages, drawing all of them: %s: %s", type(exc).__name__, exc)
        return None


def _put(store: Store, relpath: str, data: bytes, content_type: str) -> None:
    """Write a report file; on S3 with its content type, so a browser shows it from a website."""
    if is_s3(store.root):
        # The whole body is in hand, so the object appears complete when the stream closes.
        metadata = {"Content-Type": content_type}
        with store.filesystem.open_output_stream(store.path(relpath), metadata=metadata) as stream:
            stream.write(data)
    else:
        with store.write_atomic(relpath) as stream:
            stream.write(data)


# --- the page -------------------------------------------------------------------------------------

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa}
header{padding:8px 16px;background:#24292f;color:#fff}
header h1{font-size:16px;margin:0}
header p{margin:2px 0 0;color:#d0d7de;font-size:12px}
.layout{display:flex;align-items:flex-start}
nav{width:330px;flex:none;position:sticky;top:0;max-height:100vh;overflow:auto;background:#fff;
border-right:1px solid #d0d7de}
nav ol{list-style:none;margin:0;padding:0}
nav li a{display:block;padding:6px 10px;border-bottom:1px solid #eaeef2;color:inherit;text-decoration:none}
nav li a:hover{background:#f3f4f6}
nav li a.current{background:#ddf4ff;border-left:4px solid #0969da}
nav .name{font-weight:600;overflow-wrap:anywhere}
nav .why{display:block;color:#57606a;font-size:12px;overflow-wrap:anywhere}
nav h2{font-size:13px;margin:10px 10px 4px;color:#57606a}
main{flex:1;min-width:0;padding:12px 16px}
section.doc,section#failures{display:none}
section.doc:target,section.doc:has(:target),section#failures:target{display:block}
main:not(:has(:target)) section.doc:first-of-type{display:block}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:11px;font-weight:600;vertical-align:1px}
.review{background:#cf222e;color:#fff}
.ok{background:#1a7f37;color:#fff}
h2.title{font-size:18px;margin:0 0 4px;overflow-wrap:anywhere}
.meta{color:#57606a;font-size:12px;overflow-wrap:anywhere}
ul.reasons{margin:6px 0;padding-left:20px;color:#a40e26}
ul.reasons a{color:inherit}
.problem{padding:8px;background:#fff8c5;border:1px solid #d4a72c}
.pages{display:flex;flex-wrap:wrap;gap:16px;margin:10px 0}
figure{margin:0}
figcaption{font-size:12px;color:#57606a}
.sheet{position:relative;width:min(860px,100%);border:1px solid #8c959f;background:#fff}
.sheet img{display:block;width:100%;height:auto}
.box{position:absolute;display:block;margin:-2px;border:2px solid rgb(0,153,255);background:rgba(0,153,255,.12);
box-sizing:content-box}
.box.fuzzy{border-color:rgb(255,128,0);background:rgba(255,128,0,.12)}
.box.attention{border-style:dashed}
.box span{display:none;position:absolute;left:-2px;bottom:100%;padding:0 3px;font-size:10px;line-height:13px;
white-space:nowrap;color:#fff;background:rgb(0,153,255)}
#labels:checked ~ .layout .box span,.box:hover span,.box:target span{display:block}
.box:target{background:rgba(255,235,59,.45)}
.toggle{position:absolute;opacity:0;pointer-events:none}
header label{color:#d0d7de;cursor:pointer}
header label .state::after{content:"off"}
#labels:checked ~ header label .state::after{content:"on"}
.box.fuzzy span{background:rgb(255,128,0)}
.box:hover{background:rgba(255,235,59,.35)}
.box:hover span::after,.box:target span::after{content:" " attr(data-path)}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 24px}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;font-size:12px;white-space:nowrap}
td.path{white-space:nowrap;font-family:ui-monospace,monospace;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.attention{background:#fff1f0}
tr:target{outline:3px solid #0969da}
td.null{color:#8c959f}
kbd{border:1px solid #8c959f;border-radius:3px;padding:0 3px;font-size:11px;background:#fff;color:#1f2328}
"""

# The one script: keyboard navigation. It reads only the report's own ids, never document text.
_SCRIPT = """(function () {
  var docs = Array.prototype.slice.call(document.querySelectorAll("section.doc"));
  var links = document.querySelectorAll("nav a[href^='#']");
  function current() {
    for (var i = 0; i < docs.length; i++) {
      if (docs[i].matches(":target, :has(:target)")) { return i; }
    }
    return location.hash ? -1 : 0;
  }
  function mark() {
    var i = current();
    for (var j = 0; j < links.length; j++) {
      links[j].classList.toggle("current", i >= 0 && links[j].getAttribute("href") === "#" + docs[i].id);
    }
  }
  function go(step) {
    var i = Math.min(docs.length - 1, Math.max(0, current() + step));
    if (docs.length && i >= 0) { location.hash = docs[i].id; window.scrollTo(0, 0); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) { return; }
    if (event.key === "j" || event.key === "ArrowRight") { go(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "ArrowLeft") { go(-1); event.preventDefault(); }
    else if (event.key === "l") { var box = document.getElementById("labels"); box.checked = !box.checked; }
  });
  window.addEventListener("hashchange", mark);
  mark();
})();"""


def render_report(title: str, dataset: str, documents: Sequence[ReviewDocument],
                  failures: Sequence[dict[str, Any]]) -> str:
    """The report's index.html. Every document-derived string passes through ``_e``."""
    boxes_css: list[str] = []
    nav = [_nav_item(d) for d in documents]
    sections = [_document_section(d, len(documents), boxes_css) for d in documents]
    style = _STYLE + "\n".join(boxes_css)
    needing = sum(d.needs_review for d in documents)
    csp = ("default-src 'none'; img-src 'self'; " f"style-src '{_sha256(style)}'; script-src '{_sha256(_SCRIPT)}'; "
           "base-uri 'none'; form-action 'none'")
    failed_link = (f'<h2>Failed</h2><ol><li><a href="#failures"><span class="name">{len(failures)} failed '
                   f'document{"s" if len(failures) != 1 else ""}</span></a></li></ol>' if failures else "")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',  # our constants and hashes only
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{style}</style>",
        "</head><body>",
        '<input type="checkbox" id="labels" class="toggle" aria-label="field numbers on the pages">',
        f"<header><h1>{_e(title)}</h1><p>{_e(dataset)} · {len(documents)} documents, {needing} need review, "
        f"{len(failures)} failed · <kbd>j</kbd>/<kbd>k</kbd> or <kbd>→</kbd>/<kbd>←</kbd>: next/previous "
        f'document · <label for="labels"><kbd>l</kbd> field numbers on the pages <span class="state"></span></label>'
        f"</p></header>",
        '<div class="layout">',
        f'<nav aria-label="documents"><h2>Documents</h2><ol>{"".join(nav)}</ol>{failed_link}</nav>',
        "<main>",
        *sections,
        _failures_section(failures) if failures else "",
        "" if documents or failures else "<p>No committed documents.</p>",
        "</main></div>",
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ])


def _nav_item(document: ReviewDocument) -> str:
    row = document.row
    reasons = row.get("review_reasons") or []
    why = "; ".join(reasons) if reasons else "no review needed"
    badge = '<span class="badge review">review</span>' if document.needs_review else '<span class="badge ok">ok</span>'
    return (f'<li><a href="#{document.anchor}" title="{_e(why)}">{badge} '
            f'<span class="name">{_e(_name(row.get("source")))}</span>'
            f'<span class="why">{_e(document.schema_name)} · {_e(_short(why, 140))}</span></a></li>')


def _document_section(document: ReviewDocument, total: int, boxes_css: list[str]) -> str:
    row = document.row
    fields = row.get("fields") or []
    attention = _attention_paths(row.get("review_reasons") or [])
    number = int(document.anchor[1:])
    badge = ('<span class="badge review">needs review</span>' if document.needs_review
             else '<span class="badge ok">no review needed</span>')
    confidence = document.min_confidence
    meta = [f"{number} of {total}", f"schema {document.schema_name}", f"{row.get('page_count')} page(s)",
            f"lowest confidence {confidence:.2f}" if confidence is not None else "no confidence",
            f"run {row.get('run_id')}", f"document {row.get('document_id')}"]
    if row.get("classified_as"):
        meta.append(f"classified as {row['classified_as']}")
    if (row.get("windows") or 1) > 1:
        meta.append(f"read in {row['windows']} windows")
    parts = [f'<section class="doc" id="{document.anchor}" aria-label="document {number}">',
             f'<h2 class="title">{badge} {_e(_name(row.get("source")))}</h2>',
             f'<div class="meta">{_e(" · ".join(meta))}</div>',
             f'<div class="meta">{_e(row.get("source"))}</div>']
    if row.get("review_reasons"):
        rows_of = {item.get("path"): index for index, item in enumerate(fields, 1)}
        items = []
        for reason in row["review_reasons"]:  # a reason that names a field links to its row
            match = _ATTENTION.fullmatch(str(reason))
            index = rows_of.get(match[1]) if match else None
            items.append(f'<li><a href="#{document.anchor}-f{index}">{_e(reason)}</a></li>' if index
                         else f"<li>{_e(reason)}</li>")
        parts.append('<ul class="reasons">' + "".join(items) + "</ul>")
    flags = row.get("flags") or []
    parts.append(f'<div class="meta">flags: {_e("; ".join(flags)) if flags else "none"}</div>')
    if document.problem:
        parts.append(f'<p class="problem">No page images: {_e(document.problem)}</p>')
    parts.append('<div class="pages">')
    for page, src, width, height in document.pages:
        parts.append(f'<figure><div class="sheet"><img src="{_e(src)}" width="{width}" height="{height}" '
                     f'alt="page {page}" loading="lazy">')
        for index, item in enumerate(fields, 1):
            box = _box(item)
            if box is None or item.get("page") != page:
                continue
            box_id = f"{document.anchor}-b{index}"
            x0, y0, x1, y1 = box
            boxes_css.append(f"#{box_id}{{left:{x0 * 100:.3f}%;top:{y0 * 100:.3f}%;"
                             f"width:{(x1 - x0) * 100:.3f}%;height:{(y1 - y0) * 100:.3f}%}}")
            classes = ["box", "fuzzy" if item.get("match") == "fuzzy" else "exact"]
            if item.get("path") in attention:
                classes.append("attention")
            parts.append(f'<a class="{" ".join(classes)}" id="{box_id}" href="#{document.anchor}-f{index}" '
                         f'title="{_e(item.get("path"))}" data-page="{page}" '
                         f'data-box="{x0:.6f},{y0:.6f},{x1:.6f},{y1:.6f}">'
                         f'<span data-path="{_e(item.get("path"))}">{index}</span></a>')
        parts.append(f"</div><figcaption>page {page}</figcaption></figure>")
    parts.append("</div>")
    if document.omitted:
        parts.append(f'<p class="meta">Pages not shown (no evidence on them): {_e(_ranges(document.omitted))}</p>')
    parts.append(_field_table(document.anchor, fields, attention))
    parts.append("</section>")
    return "\n".join(parts)


def _field_table(anchor: str, fields: Sequence[dict[str, Any]], attention: set[str]) -> str:
    rows = ["<table><thead><tr><th>#</th><th>field</th><th>value</th><th>confidence</th><th>page</th>"
            "<th>quote (as printed)</th><th>match</th></tr></thead><tbody>"]
    for index, item in enumerate(fields, 1):
        value = item.get("value")
        confidence = item.get("confidence")
        match = item.get("match") or ""
        if item.get("reason"):
            match = f"{match}: {item['reason']}" if match else str(item["reason"])
        link = (f'<a href="#{anchor}-b{index}">{index}</a>' if _box(item) is not None else str(index))
        css = ' class="attention"' if item.get("path") in attention else ""
        rows.append(
            f'<tr id="{anchor}-f{index}"{css}><td class="num">{link}</td><td class="path">{_e(item.get("path"))}</td>'
            + (f"<td>{_e(value)}</td>" if value is not None else '<td class="null">null</td>')
            + f'<td class="num">{f"{confidence:.2f}" if _finite(confidence) else ""}</td>'
            + f'<td class="num">{_e(item.get("page") if item.get("page") is not None else "")}</td>'
            + f"<td>{_e(item.get('quote') or '')}</td><td>{_e(match)}</td></tr>")
    if not fields:
        rows.append('<tr><td colspan="7">No field evidence in this row (written before evidence was kept).</td></tr>')
    rows.append("</tbody></table>")
    return "".join(rows)


def _failures_section(failures: Sequence[dict[str, Any]]) -> str:
    rows = ['<section id="failures"><h2 class="title">Failed documents</h2><table><thead><tr><th>document</th>'
            "<th>schema</th><th>stage</th><th>error</th><th>message</th><th>run</th></tr></thead><tbody>"]
    for row in failures:
        rows.append(f'<tr><td><span class="name">{_e(_name(row.get("source")))}</span><div class="meta">'
                    f"{_e(row.get('source'))}</div></td><td>{_e(row.get('schema_name'))}</td>"
                    f"<td>{_e(row.get('stage'))}</td><td>{_e(row.get('error_type'))}</td>"
                    f"<td>{_e(_short(str(row.get('message') or ''), 2000))}</td><td>{_e(row.get('run_id'))}</td></tr>")
    rows.append("</tbody></table></section>")
    return "".join(rows)


def _box(item: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """A field's evidence box as four finite fractions of the page, ordered and clamped; None if it has none."""
    box = item.get("box")
    if not box or not isinstance(item.get("page"), int):
        return None
    values = [box.get(k) for k in ("x0", "y0", "x1", "y1")]
    if not all(_finite(v) for v in values):
        return None
    x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in values)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _attention_paths(reasons: Sequence[str]) -> set[str]:
    """The field paths the review reasons name (low confidence, no evidence)."""
    return {m[1] for r in reasons if (m := _ATTENTION.fullmatch(str(r)))}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _name(source: Any) -> str:
    """A source's file name, as its owner named it (URIs percent-encode it)."""
    text = str(source or "")
    return unquote(PurePosixPath(text.split("://", 1)[-1]).name) or text


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _ranges(numbers: Sequence[int]) -> str:
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
