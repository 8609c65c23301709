"""RenderPool with real stalls, real signals and real memory limits: a document over a limit fails
alone, its worker is replaced, and its neighbours render as they would have."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Future
from pathlib import Path

import psutil
import pytest
from PIL import Image
from test_render import make_pdf

from pipeline.render import RenderedDocument, RenderFailure, RenderOptions, Skipped
from pipeline.render_pool import RenderPool
from pipeline.samples.hostile import nested_forms_pdf
from pipeline.storage import S3Options

ROOT = Path(__file__).resolve().parent.parent
WAIT = 120  # seconds a test waits for any one result: far past every limit below, on a busy machine


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Good documents, a stall (10**8 nested form fills: hours of rendering) and a 100-MP PNG."""
    folder = tmp_path_factory.mktemp("pool-docs")
    files = {f"good{i}.pdf": make_pdf(i + 1) for i in range(6)}
    files["stall.pdf"] = nested_forms_pdf()
    files["notes.txt"] = b"not a document"
    buf = io.BytesIO()
    Image.new("RGB", (10_000, 10_000), "white").save(buf, "PNG")  # at the pixel cap; 300 MB decoded
    files["huge.png"] = buf.getvalue()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: str(folder / name) for name in files}


def results(pool: RenderPool, uris: list[str]) -> list:
    futures = [pool.submit(uri) for uri in uris]
    return [f.result(timeout=WAIT) for f in futures]


def assert_good(rendered: list, docs: dict[str, str], names: list[str]) -> None:
    for result, name in zip(rendered, names):
        assert isinstance(result, RenderedDocument), (name, result)
        assert len(result.pages) == int(name[4]) + 1 and result.pages[0].renderer == "pymupdf"


def worker_pids(parent: int | None = None) -> set[int]:
    """Live render workers of ``parent`` (default: this process)."""
    pids = set()
    for child in psutil.Process(parent).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                pids.add(child.pid)
        except psutil.Error:  # gone or a zombie: not a live worker
            pass
    return pids


def wait_for(condition, what: str, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_many_documents_in_flight_each_get_their_result(docs: dict[str, str]) -> None:
    names = [f"good{i % 6}.pdf" for i in range(120)]
    with RenderPool(RenderOptions(max_soft_tokens=70), S3Options(), workers=2) as pool:
        rendered = results(pool, [docs[n] for n in names] + [docs["notes.txt"]])
    assert_good(rendered, docs, names)
    assert isinstance(rendered[-1], RenderFailure) and rendered[-1].error_type == "unsupported_format"


def test_a_stalled_document_times_out_alone_and_its_worker_is_replaced(docs: dict[str, str]) -> None:
    names = ["good0.pdf", "good1.pdf", "good2.pdf"]
    with RenderPool(RenderOptions(), S3Options(), workers=2, timeout=5) as pool:
        before = worker_pids()
        started = time.monotonic()
        stalled, *rendered = results(pool, [docs["stall.pdf"]] + [docs[n] for n in names])
        assert time.monotonic() - started < WAIT
        assert isinstance(stalled, RenderFailure) and stalled.error_type == "render_timeout"
        assert "5 s" in stalled.message and stalled.seconds >= 5
        assert_good(rendered, docs, names)
        wait_for(lambda: len(worker_pids()) == 2, "a replacement worker")
        assert worker_pids() != before  # the stalled worker was killed, a new one took its place
        assert_good(results(pool, [docs[n] for n in names]), docs, names)


@pytest.mark.parametrize("signum,error_type", [(signal.SIGKILL, "render_out_of_memory"),
                                               (signal.SIGSEGV, "render_crashed")])
def test_a_worker_killed_mid_document_fails_only_that_document(docs: dict[str, str], signum: int,
                                                               error_type: str) -> None:
    with RenderPool(RenderOptions(), S3Options(), workers=1) as pool:
        assert_good(results(pool, [docs["good0.pdf"]]), docs, ["good0.pdf"])  # the worker is up and idle
        (worker,) = worker_pids()
        stalled = pool.submit(docs["stall.pdf"])  # handed to the idle worker at once; it renders for hours
        queued = [pool.submit(docs[n]) for n in ("good1.pdf", "good2.pdf")]
        time.sleep(2)
        os.kill(worker, signum)  # SIGKILL is what the kernel's OOM killer sends
        failure = stalled.result(timeout=WAIT)
        assert isinstance(failure, RenderFailure) and failure.error_type == error_type
        assert signal.Signals(signum).name in failure.message
        assert_good([f.result(timeout=WAIT) for f in queued], docs, ["good1.pdf", "good2.pdf"])
        assert worker not in worker_pids()


def test_a_render_over_the_memory_limit_is_out_of_memory(docs: dict[str, str]) -> None:
    # ~760 MiB of address space go to Python and the libraries; decoding the PNG needs 600 MB more
    # (the decoded image and its RGB copy), a small PDF page a few MB.
    with RenderPool(RenderOptions(), S3Options(), workers=1, memory_bytes=1100 * 2**20) as pool:
        huge, good = results(pool, [docs["huge.png"], docs["good3.pdf"]])
        assert isinstance(huge, RenderFailure) and huge.error_type == "render_out_of_memory", huge
        assert_good([good], docs, ["good3.pdf"])
    with RenderPool(RenderOptions(), S3Options(), workers=1, memory_bytes=None) as pool:
        assert isinstance(results(pool, [docs["huge.png"]])[0], RenderedDocument)  # the same file, no limit


def test_pdfium_aborting_at_the_memory_limit_is_out_of_memory(docs: dict[str, str]) -> None:
    # PDFium alone on the stall grows by ~200 MB/s and aborts (std::bad_alloc) at the limit.
    options = RenderOptions(renderer="pdfium", fallback=False)
    with RenderPool(options, S3Options(), workers=1, timeout=WAIT, memory_bytes=1500 * 2**20) as pool:
        stalled, good = results(pool, [docs["stall.pdf"], docs["good1.pdf"]])
    assert isinstance(stalled, RenderFailure) and stalled.error_type == "render_out_of_memory", stalled
    assert "SIGABRT" in stalled.message and "1500 MiB" in stalled.message
    assert isinstance(good, RenderedDocument) and [p.renderer for p in good.pages] == ["pdfium"] * 2


def test_a_limit_too_small_to_start_a_worker_fails_documents_with_the_reason(docs: dict[str, str]) -> None:
    with RenderPool(RenderOptions(), S3Options(), workers=1, memory_bytes=256 * 2**20) as pool:
        first, later = results(pool, [docs["good0.pdf"]])[0], results(pool, [docs["good1.pdf"]])[0]
    for failure in (first, later):
        assert isinstance(failure, RenderFailure) and failure.error_type == "render_crashed"
        assert "256 MiB" in failure.message


def test_skip_reaches_every_worker_once(docs: dict[str, str]) -> None:
    sha = hashlib.sha256(Path(docs["good2.pdf"]).read_bytes()).hexdigest()
    with RenderPool(RenderOptions(), S3Options(), workers=2, skip=frozenset({sha})) as pool:
        rendered = results(pool, [docs["good2.pdf"]] * 4 + [docs["good1.pdf"]])
    assert rendered[:4] == [Skipped(sha)] * 4 and isinstance(rendered[4], RenderedDocument)


def test_close_cancels_what_is_pending_and_is_idempotent(docs: dict[str, str]) -> None:
    pool = RenderPool(RenderOptions(), S3Options(), workers=1)
    futures = [pool.submit(docs["stall.pdf"])] + [pool.submit(docs["good0.pdf"]) for _ in range(3)]
    pool.close()
    pool.close()
    assert all(f.cancelled() for f in futures)
    with pytest.raises(RuntimeError):
        pool.submit(docs["good0.pdf"])


def test_workers_die_with_their_parent_even_on_sigkill(docs: dict[str, str]) -> None:
    script = textwrap.dedent(f"""
        import time
        from pipeline.render import RenderOptions
        from pipeline.render_pool import RenderPool
        from pipeline.storage import S3Options
        if __name__ == "__main__":
            pool = RenderPool(RenderOptions(), S3Options(), workers=2)
            pool.submit({docs["stall.pdf"]!r})
            print("started", flush=True)
            time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "started"
        wait_for(lambda: len(worker_pids(parent.pid)) == 2, "both workers")
        workers = [psutil.Process(pid) for pid in worker_pids(parent.pid)]
        parent.kill()
        parent.wait()
        wait_for(lambda: not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers),
                 "the workers to die", seconds=30)
    finally:
        parent.kill()


def test_a_page_done_extends_the_deadline_up_to_the_documents_cap() -> None:
    from pipeline.render_pool import DOCUMENT_TIMEOUTS, _Job

    job = _Job("doc.pdf", Future(), started=100.0, progress=100.0)
    assert job.deadline(10.0) == 110.0  # no page done: one render_timeout
    job.progress = 150.0  # a long scan read by OCR, a page every few seconds
    assert job.deadline(10.0) == 160.0
    job.progress = 100.0 + DOCUMENT_TIMEOUTS * 10.0 - 1  # however many pages: capped in all
    assert job.deadline(10.0) == 100.0 + DOCUMENT_TIMEOUTS * 10.0
