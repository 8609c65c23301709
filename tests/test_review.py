"""The review report (pipeline/review.py) on a real dataset, looked at in a real browser.

The dataset is written by the real runner (render, OCR, evidence, confidence, sink, commit) on
generated documents: a born-digital invoice, a scanned one fed sideways (the pipeline turns it
upright), one whose extracted values are HTML and script, and a broken file (an error row). The
engine is the TruthEngine test double of test_long_documents.py, which answers with the truth
record, so evidence is found and the boxes mean something.

The browser is Debian's Chromium (``apt-get install chromium``), headless, driven over the
DevTools protocol with the ``websockets`` client Prefect brings: the report is loaded from
file://, its keyboard navigation pressed, its boxes measured against the evidence, a page
screenshotted and its pixels sampled, and no document text may run as script."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pyarrow.parquet as pq
import pymupdf
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from test_long_documents import TruthEngine  # noqa: E402

from pipeline.config import Settings  # noqa: E402
from pipeline.engines import GenerationRequest  # noqa: E402
from pipeline.render import RenderOptions, render_document, render_source  # noqa: E402
from pipeline.review import REVIEW_SOFT_TOKENS, _render_shown, write_review  # noqa: E402
from pipeline.runner import render_options, run_batch  # noqa: E402
from pipeline.samples.files import invoice_sample  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

HOSTILE_NAME = "<img src=x onerror=window.__pwned=true>.pdf"
HOSTILE_VALUES = {
    "seller.name": "<script>window.__pwned = true; alert(1)</script>",
    "buyer.name": '<img src=x onerror="window.__pwned=true">',
    "payment_terms": "\"'><svg onload=window.__pwned=true> &lt;b&gt;",
}
BROKEN_NAME = "<b onclick=x>broken.pdf"
BOX_BLUE = (0, 153, 255)  # .box border colour of exact evidence (review.py's stylesheet)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two committed runs: a digital and a sideways-scanned invoice and a broken file, then an
    invoice whose extracted values are markup and script."""
    root = tmp_path_factory.mktemp("review")
    first, second, out = root / "first", root / "second", root / "out"
    first.mkdir()
    second.mkdir()
    digital = invoice_sample(random.Random(2), "letterhead", "en")
    scan = invoice_sample(random.Random(5), "letterhead", "en", variant="scan_rot90")
    hostile = invoice_sample(random.Random(3), "minimal", "en")
    (first / "digital.pdf").write_bytes(digital.data)
    (first / "scan.pdf").write_bytes(scan.data)
    (first / BROKEN_NAME).write_bytes(b"%PDF-1.7\nnot a PDF after all\n%%EOF\n")
    (second / HOSTILE_NAME).write_bytes(hostile.data)
    hostile_record = json.loads(json.dumps(hostile.record))
    hostile_record["seller"]["name"] = HOSTILE_VALUES["seller.name"]
    hostile_record["buyer"]["name"] = HOSTILE_VALUES["buyer.name"]
    hostile_record["payment_terms"] = HOSTILE_VALUES["payment_terms"]

    def answer(request: GenerationRequest) -> dict[str, Any]:
        text = json.dumps([part.get("text", "") for part in request.messages[0]["content"]])
        if hostile.record["invoice_number"] in text:
            return hostile_record
        return digital.record if digital.record["invoice_number"] in text else scan.record  # the scan has no text

    settings = Settings(engine="vllm", model="truth", max_soft_tokens=280, window=8)
    runs = [run_batch([folder], load_schema("invoice"), out, settings, TruthEngine(answer))
            for folder in (first, second)]
    assert [r.results for r in runs] == [2, 1] and sum(runs[0].errors.values()) == 1
    return {"out": out, "settings": settings, "runs": [r.run_id for r in runs],
            "sources": {"digital": first / "digital.pdf", "scan": first / "scan.pdf",
                        "hostile": second / HOSTILE_NAME}}


@pytest.fixture(scope="module")
def report(dataset: dict[str, Any]) -> Path:
    started = time.perf_counter()
    index = Path(write_review(str(dataset["out"])))
    print(f"review report written in {time.perf_counter() - started:.1f} s")
    return index


def result_rows(out: Path) -> dict[str, dict[str, Any]]:
    """Result rows by source file name."""
    return {unquote(Path(r["source"]).name): r for r in pq.read_table(out / "results").to_pylist()}


def sections(index: Path | str) -> list[tuple[str, str]]:
    """(anchor, source name) of each document section of a report (its path or its text), in order."""
    page = index.read_text() if isinstance(index, Path) else index
    pattern = r'<section class="doc" id="(d\d+)".*?\n<h2 class="title">.*?</span> (.*?)</h2>'
    return re.findall(pattern, page, re.S)


def test_documents_needing_review_come_first(dataset, report: Path) -> None:
    assert report == dataset["out"] / "review" / "latest" / "index.html"
    rows = result_rows(dataset["out"])
    hostile = rows[HOSTILE_NAME]
    assert hostile["needs_review"]  # its values are printed nowhere: no evidence
    assert not rows["digital.pdf"]["needs_review"] and not rows["scan.pdf"]["needs_review"]
    order = [name for _, name in sections(report)]
    assert order[0] == "&lt;img src=x onerror=window.__pwned=true&gt;.pdf"
    assert sorted(order[1:]) == ["digital.pdf", "scan.pdf"]
    page = report.read_text()
    for reason in hostile["review_reasons"]:
        assert reason.split(":")[0] in page
    assert 'id="failures"' in page and "&lt;b onclick=x&gt;broken.pdf" in page
    # Each document's pages are files beside the report, one per page, named by document id.
    for anchor, name in sections(report):
        srcs = re.findall(rf'<section class="doc" id="{anchor}".*?</section>', page, re.S)[0]
        images = re.findall(r'<img src="(pages/[0-9a-f]{64}-\d+\.jpg)"', srcs)
        assert len(images) == 1 and (report.parent / images[0]).is_file()


def test_a_run_can_be_reviewed_alone(dataset) -> None:
    first, second = dataset["runs"]
    index = Path(write_review(str(dataset["out"]), run_id=second))
    assert index == dataset["out"] / "review" / second / "index.html"
    assert [name for _, name in sections(index)] == ["&lt;img src=x onerror=window.__pwned=true&gt;.pdf"]
    assert 'id="failures"' not in index.read_text()
    with pytest.raises(ValueError, match="not committed"):
        write_review(str(dataset["out"]), run_id="20990101T000000Z-000000")
    with pytest.raises(ValueError, match="not a run id"):
        write_review(str(dataset["out"]), run_id="../results")
    with pytest.raises(ValueError, match="no committed run"):
        write_review(str(dataset["out"] / "results"))


def test_document_text_is_escaped(report: Path) -> None:
    page = report.read_text()
    assert page.count("<script") == 1  # the report's own navigation script, and nothing else
    assert "<img src=x" not in page and "<svg" not in page and "onerror=\"" not in page
    assert "&lt;script&gt;window.__pwned = true; alert(1)&lt;/script&gt;" in page
    assert "&quot;&#x27;&gt;&lt;svg onload=window.__pwned=true&gt; &amp;lt;b&amp;gt;" in page
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)[1]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp and "script-src 'sha256-" in csp


def test_pages_are_drawn_as_the_pipeline_read_them(dataset, report: Path) -> None:
    """The scan was fed sideways: the report's page is the pipeline's upright page (compared
    with the pipeline's own render of it), and every evidence box holds ink."""
    rows = result_rows(dataset["out"])
    scan = rows["scan.pdf"]
    assert [c["rotation"] for c in scan["corrections"]] == [270]
    drawn = Image.open(report.parent / "pages" / f"{scan['document_id']}-1.jpg").convert("L")
    read = render_source(scan["source"], render_options(dataset["settings"])).pages[0].image.convert("L")
    assert drawn.width * drawn.height > 1.5 * read.width * read.height  # drawn larger, for legibility
    assert abs(drawn.width / drawn.height - read.width / read.height) < 0.01
    difference = np.abs(np.asarray(drawn.resize(read.size, Image.Resampling.BILINEAR), dtype=float)
                        - np.asarray(read, dtype=float))
    assert difference.mean() < 6, difference.mean()
    for name in ("digital.pdf", "scan.pdf"):
        page = np.asarray(Image.open(report.parent / "pages" / f"{rows[name]['document_id']}-1.jpg").convert("L"))
        height, width = page.shape
        boxes = [f for f in rows[name]["fields"] if f["box"]]
        assert len(boxes) >= 20
        for item in boxes:
            box = item["box"]
            crop = page[int(box["y0"] * height):int(np.ceil(box["y1"] * height)),
                        int(box["x0"] * width):int(np.ceil(box["x1"] * width))]
            # Printed text inside: ink (darker than light grey) covers ~2-4 % of these pages, 15 % or
            # more of each evidence box (the lightest: small grey footer text).
            assert (crop < 200).mean() > 0.08, (name, item["path"], item["quote"])


def test_a_long_pdf_is_cut_to_the_pages_shown() -> None:
    """The pages of a cut PDF are drawn exactly as in the whole one."""
    with pymupdf.open() as pdf:
        for number in range(1, 15):
            page = pdf.new_page(width=595 if number % 2 else 842, height=842 if number % 2 else 595)
            page.insert_text((72, 100), f"Page {number}", fontsize=30)
        data = pdf.tobytes()
    shown = [1, 6, 14]
    cut = _render_shown(data, shown, 14, 70)
    whole = render_document(data, RenderOptions(max_soft_tokens=REVIEW_SOFT_TOKENS, upright=False)).pages
    assert [n for n, _ in cut] == shown
    for number, image in cut:
        assert image.size == whole[number - 1].image.size
        assert np.array_equal(np.asarray(image), np.asarray(whole[number - 1].image))


def test_an_s3_report_lies_beside_the_dataset(dataset, s3_bucket) -> None:
    out, client = dataset["out"], s3_bucket.server.client
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        if path.is_file() and not relative.startswith("review/"):
            client.upload_file(str(path), s3_bucket.name, f"docs/{relative}")
    index = write_review(s3_bucket.uri("docs"), limit=2, s3=s3_bucket.options)
    assert index == s3_bucket.uri("docs/review/latest/index.html")
    head = client.head_object(Bucket=s3_bucket.name, Key="docs/review/latest/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    page = client.get_object(Bucket=s3_bucket.name, Key="docs/review/latest/index.html")["Body"].read().decode()
    images = re.findall(r'<img src="(pages/[^"]+)"', page)
    assert len(images) == 2  # limit=2: the two documents shown first, one page each
    assert [k for k in s3_bucket.keys() if k.startswith("docs/review/")] == sorted(
        ["docs/review/latest/index.html", *(f"docs/review/latest/{src}" for src in images)])
    for src in images:
        head = client.head_object(Bucket=s3_bucket.name, Key=f"docs/review/latest/{src}")
        assert head["ContentType"] == "image/jpeg"


def test_the_latest_row_of_each_document_in_review_order(tmp_path: Path) -> None:
    """A later run's row replaces an earlier one, result or error; needing review first, then
    the lowest confidence. Written with the real sink and commit; the sources are gone, which
    the report says instead of drawing pages."""
    from datetime import datetime, timedelta, timezone

    from pipeline.dataset import commit_run, start_run
    from pipeline.samples.records import invoice_record
    from pipeline.sink import ErrorRow, ParquetSink, ResultRow
    from pipeline.storage import Store

    store, schema = Store(tmp_path / "out"), load_schema("invoice")
    record = invoice_record(random.Random(1))
    now = datetime.now(timezone.utc)

    def result(name: str, confidence: float, review: bool, minutes: int) -> ResultRow:
        fields = [{"path": "invoice_number", "value": record["invoice_number"], "confidence": confidence, "page": 1,
                   "quote": record["invoice_number"], "box": {"x0": 0.1, "y0": 0.1, "x1": 0.3, "y1": 0.12},
                   "match": "exact", "reason": None},
                  {"path": "iban", "value": None, "confidence": 0.01, "page": None, "quote": None, "box": None,
                   "match": "none", "reason": "null value"}]  # a null's confidence orders nothing
        return ResultRow(document_id=name * 64, source=f"file:///gone/{name}.pdf", page_count=1, has_text_layer=True,
                         record=record, flags=[], attempts=1, prompt_tokens=1, output_tokens=1, render_seconds=0,
                         engine_seconds=0, extracted_at=now + timedelta(minutes=minutes), fields=fields,
                         needs_review=review, review_reasons=["retried: 2 attempts"] if review else [])

    def error(name: str, minutes: int) -> ErrorRow:
        return ErrorRow(document_id=name * 64, source=f"file:///gone/{name}.pdf", stage="engine",
                        error_type="engine_error", message="boom", attempts=1,
                        failed_at=now + timedelta(minutes=minutes))

    batches = [([result("a", 0.9, False, 0), result("b", 0.95, True, 0), result("d", 0.4, False, 0)],
                [error("c", 0)]),
               ([result("c", 0.95, False, 1)], [error("a", 1)])]
    for number, (results, errors) in enumerate(batches):
        run = start_run(store, f"job-{number}", schema_name="invoice", schema_version="1", model="m",
                        prompt_version="1", max_soft_tokens=280)
        sink = ParquetSink(store, schema, run)
        sink.write(results, errors)
        sink.close()
        commit_run(store, run, {}, sink.files)

    index = Path(write_review(str(tmp_path / "out")))
    assert [name for _, name in sections(index)] == ["b.pdf", "d.pdf", "c.pdf"]
    page = index.read_text()
    assert page.count("the source cannot be read now") == 3
    failures = re.search(r'<section id="failures">.*?</section>', page, re.S)[0]
    assert "a.pdf" in failures and "c.pdf" not in failures
    limited = Path(write_review(str(tmp_path / "out"), limit=1)).read_text()
    assert [name for _, name in sections(limited)] == ["b.pdf"]


# --- in the browser -------------------------------------------------------------------------------

class Chromium:
    """Headless Chromium driven over the DevTools protocol, one page, no network."""

    def __init__(self, profile: Path) -> None:
        from websockets.sync.client import connect

        self._log = open(profile.parent / "chromium.log", "wb")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"], stdout=subprocess.DEVNULL, stderr=self._log)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"Chromium did not start: {(profile.parent / 'chromium.log').read_text()[-2000:]}")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self._socket = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=20)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        [target] = [t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"][:1]
        self.session = self.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"]

    def call(self, method: str, session: bool = False, timeout: float = 30, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, session=True, **params)

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for seen in self.events:
                if seen.get("method") == event:
                    self.events.remove(seen)
                    return seen
            self.events.append(json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic()))))

    def press(self, key: str, code: str, key_code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.page("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=key_code,
                      **({"text": key} if len(key) == 1 and kind == "keyDown" else {}))

    def close(self) -> None:
        try:
            self._socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    profile.mkdir()
    chromium = Chromium(profile)
    chromium.page("Page.enable")
    chromium.page("Runtime.enable")
    chromium.page("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
    # Before any of the report's own code: record every CSP violation (a document's markup that
    # reached the DOM as markup would be one, and so would a wrong hash of the report's own).
    chromium.page("Page.addScriptToEvaluateOnNewDocument", source=(
        "window.__violations = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));"))
    yield chromium
    chromium.close()


def load(browser: Chromium, url: str) -> None:
    """Open ``url`` afresh (by way of about:blank: a change of fragment alone loads nothing)."""
    for address in ("about:blank", url):
        browser.events.clear()
        browser.page("Page.navigate", url=address)
        browser.wait_for("Page.loadEventFired")
    wait_for_images(browser)


def wait_for_images(browser: Chromium) -> None:
    """Until the shown document's page images are decoded (the hidden ones load lazily: never here)."""
    browser.evaluate("Promise.all(Array.from(document.images).filter(i => i.offsetParent !== null)"
                     ".map(i => i.decode().catch(() => null)))")


def shown_section(browser: Chromium) -> str:
    return browser.evaluate("Array.from(document.querySelectorAll('section.doc'))"
                            ".filter(s => s.offsetParent !== null).map(s => s.id).join(',')")


@needs_chromium
def test_no_document_text_runs_in_the_browser(browser: Chromium, report: Path) -> None:
    load(browser, report.as_uri())
    assert browser.evaluate("window.__pwned === undefined") is True
    assert browser.evaluate("window.__violations") == []
    assert not [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelectorAll('img[src=x], svg, [onerror], [onload], [onclick]').length") == 0
    text = browser.evaluate("document.body.innerText")
    for value in HOSTILE_VALUES.values():
        assert value in text
    assert HOSTILE_NAME in text and BROKEN_NAME not in text  # the broken file is listed on the failures view
    assert browser.evaluate("location.hash = 'failures'; document.getElementById('failures').innerText").count(
        BROKEN_NAME) == 1


@needs_chromium
def test_keys_move_between_documents(browser: Chromium, report: Path) -> None:
    load(browser, report.as_uri())
    assert shown_section(browser) == "d1"  # the first document shows before any key
    browser.press("j", "KeyJ", 74)
    assert browser.evaluate("location.hash") == "#d2" and shown_section(browser) == "d2"
    browser.press("ArrowRight", "ArrowRight", 39)
    assert shown_section(browser) == "d3"
    browser.press("j", "KeyJ", 74)  # past the last: stays
    assert shown_section(browser) == "d3"
    browser.press("k", "KeyK", 75)
    browser.press("ArrowLeft", "ArrowLeft", 37)
    assert shown_section(browser) == "d1"
    assert browser.evaluate("document.querySelector('nav a.current').getAttribute('href')") == "#d1"
    browser.press("l", "KeyL", 76)  # field numbers on the pages
    assert browser.evaluate("getComputedStyle(document.querySelector('#d1 .box span')).display") == "block"
    browser.press("l", "KeyL", 76)
    assert browser.evaluate("getComputedStyle(document.querySelector('#d1 .box span')).display") == "none"


@needs_chromium
def test_boxes_are_drawn_where_the_evidence_says(browser: Chromium, dataset, report: Path, tmp_path: Path) -> None:
    rows = result_rows(dataset["out"])
    for name in ("scan.pdf", "digital.pdf"):
        [anchor] = [a for a, n in sections(report) if n == name]
        load(browser, f"{report.as_uri()}#{anchor}")
        assert shown_section(browser) == anchor
        image = browser.evaluate(f"(r => [r.left, r.top, r.width, r.height])("
                                 f"document.querySelector('#{anchor} .sheet img').getBoundingClientRect())")
        left, top, width, height = image
        assert width > 500
        drawn = browser.evaluate(f"Array.from(document.querySelectorAll('#{anchor} .box'), b => "
                                 f"(r => [b.title, r.left, r.top, r.right, r.bottom])(b.getBoundingClientRect()))")
        evidence = {f["path"]: f["box"] for f in rows[name]["fields"] if f["box"]}
        assert sorted(path for path, *_ in drawn) == sorted(evidence)
        for path, x0, y0, x1, y1 in drawn:  # the border (2 px) lies just outside the evidence box
            box = evidence[path]
            expected = (left + box["x0"] * width - 2, top + box["y0"] * height - 2,
                        left + box["x1"] * width + 2, top + box["y1"] * height + 2)
            assert np.allclose((x0, y0, x1, y1), expected, atol=1.0), (path, (x0, y0, x1, y1), expected)

        # The screenshot: the box colour where each box's border must be.
        shot = browser.page("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                            clip={"x": left, "y": top + browser.evaluate("scrollY"), "width": width, "height": height,
                                  "scale": 1})
        png = base64.b64decode(shot["data"])
        path = tmp_path / f"review-{Path(name).stem}.png"
        path.write_bytes(png)
        print(f"screenshot of {name}: {path}")
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
        checked = 0
        for item_path, box in evidence.items():
            bx0, by0, bx1, by1 = box["x0"] * width, box["y0"] * height, box["x1"] * width, box["y1"] * height
            if bx1 - bx0 < 6 or by1 - by0 < 6:
                continue
            middle_x, middle_y = (bx0 + bx1) / 2, (by0 + by1) / 2
            for x, y in ((middle_x, by0 - 1), (middle_x, by1 + 1), (bx0 - 1, middle_y), (bx1 + 1, middle_y)):
                near = pixels[max(0, int(y) - 1):int(y) + 2, max(0, int(x) - 1):int(x) + 2].reshape(-1, 3)
                distance = np.abs(near - BOX_BLUE).sum(axis=1).min()
                assert distance <= 30, (name, item_path, (x, y), near.tolist())
            checked += 1
        assert checked >= 15
        # Away from the boxes the page itself shows: mostly paper, not box colour.
        assert (np.abs(pixels - BOX_BLUE).sum(axis=2) <= 30).mean() < 0.05


def test_sources_that_changed_are_not_drawn(dataset, tmp_path: Path) -> None:
    """A source whose bytes changed since the run would put the boxes on another page: the
    report says so instead of drawing it."""
    out = tmp_path / "out"
    shutil.copytree(dataset["out"], out, ignore=shutil.ignore_patterns("review"))
    digital = dataset["sources"]["digital"]
    original = digital.read_bytes()
    try:
        digital.write_bytes(original + b"\n% edited\n")
        index = Path(write_review(str(out)))
    finally:
        digital.write_bytes(original)
    assert hashlib.sha256(digital.read_bytes()).hexdigest() == result_rows(out)["digital.pdf"]["document_id"]
    page = index.read_text()
    assert "the file at the source has changed since the run" in page
    assert len(re.findall(r'<img src="pages/', page)) == 2  # the other two documents' pages
