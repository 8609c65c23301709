"""What evidence, confidence and the review report add to a run: the demo's job (sample_docs/
invoices, bad files and contracts) on one engine, run four ways.

- without trust: OCR off, no log-probabilities requested, and the trust stage (evidence and
  confidence, runner.assess) replaced by one that returns nothing: what a run cost before records
  carried evidence;
- log-probabilities only: the same, with the answers' log-probabilities requested;
- with trust: OCR off, evidence from the text layers and confidence from the log-probabilities;
- with trust and OCR: the default, scans read by OCR too (counted separately: pages, seconds).

Each run --rounds times (default 4), in turns, the order reversed every other round so that each
run sits early and late alike: the machine's speed drifts (by 15 % over one bench here), and over
an even number of rounds a steady drift weighs on every run alike. A run's ratio is its total wall
over the rounds to the run without trust's total; the range is of the rounds' own ratios. Then the
review report is written. Prints wall seconds per run, the ratios with their range, what the added
work costs timed in place (the trust stage in this process, text-layer words in the render
workers, the report), and the OCR pages/s measured on the scanned sample pages in this process.

    .venv/bin/python bench/trust_overhead.py [--rounds 4]

On the CPU with the tiny random checkpoint (default without a GPU) the answers are random, so
evidence is mostly "not found": the figure measures the machinery's cost, which grows with the
values found (a real model's answers are found, and found values cost more than missing ones)."""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import psutil
import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import runner  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.engines import create_engine  # noqa: E402
from pipeline.evidence import page_words  # noqa: E402
from pipeline.render import RenderedDocument, RenderOptions, render_source  # noqa: E402
from pipeline.review import write_review  # noqa: E402
from pipeline.schemas import load_schema  # noqa: E402
from pipeline.sources import discover  # noqa: E402
from pipeline.storage import S3Options, read_bytes  # noqa: E402
from pipeline.trust import Assessment  # noqa: E402

SAMPLES = ROOT / "sample_docs"
JOBS = (("invoice", ["invoice", "bad"]), ("contract", ["contract"]))


RUNS = {  # name: (OCR, log-probabilities, the trust stage)
    "without trust": (False, False, False),
    "log-probabilities only": (False, True, False),
    "with trust": (False, True, True),
    "with trust and OCR": (True, True, True),
}


def main() -> None:
    from pipeline.tiny_model import build_tiny_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="each run this many times, in turns (even: drift cancels)")
    rounds = parser.parse_args().rounds
    settings = Settings(model=str(build_tiny_model(ROOT / ".cache" / "tiny-gemma4")), max_model_len=32768,
                        max_tokens=1536, max_soft_tokens=70, window=16, enforce_eager=True)
    work = Path(tempfile.mkdtemp(prefix="docintel-trust-"))
    engine = create_engine(settings)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in RUNS}
    try:
        run(engine, settings, work / "warm-up", *RUNS["with trust and OCR"])  # caches, first-request costs
        for turn in range(rounds):
            for name in list(RUNS)[::-1 if turn % 2 else 1]:
                timings[name].append(run(engine, settings, work / name.replace(" ", "-"), *RUNS[name]))
    finally:
        engine.close()
    started = time.perf_counter()
    index = write_review(str(work / "with-trust-and-OCR"))
    review = time.perf_counter() - started
    base = [w for w, _ in timings["without trust"]]
    base_cpu = [c for _, c in timings["without trust"]]
    print(f"\n{'run':<24} {'wall s':>7} {'ratio':>7} {'range':>13} {'CPU ratio':>9}   wall of each round (s)")
    for name, runs in timings.items():
        print(f"{name:<24} {statistics.median(w for w, _ in runs):>7.1f} {ratio(runs, base)}"
              f" {sum(c for _, c in runs) / sum(base_cpu):>8.3f}x   "
              + ", ".join(f"{w:.1f}" for w, _ in runs))
    with_report = [(w + review, c) for w, c in timings["with trust"]]
    print(f"{'with trust + report':<24} {statistics.median(w for w, _ in with_report):>7.1f} "
          f"{ratio(with_report, base)}   (the review report: {review:.1f} s, {index})")
    print("(wall: the median; ratio: the total over the rounds to the run without trust's, range: the rounds' own "
          "ratios; CPU: the same ratio of CPU seconds, this process's, the engine's and the render workers' together)")
    per_page, pages = words_per_page(), JOB_PAGES[0]
    words = per_page * pages  # seconds for the job, every page counted as a text page
    typical = statistics.median(base)
    print(f"\nthe added work timed in place, as a share of a run's wall ({typical:.1f} s):")
    print(f"  the trust stage (evidence, confidence, review reasons; this process): "
          f"{100 * statistics.median(STAGE_SHARE):.1f} % (median; {100 * min(STAGE_SHARE):.1f}-"
          f"{100 * max(STAGE_SHARE):.1f} %)")
    print(f"  text-layer words (render workers, in every run above, the baseline's too): {1000 * per_page:.1f} ms "
          f"a text page, {100 * words / typical:.1f} % for the job's {pages} pages counted as text pages")
    print(f"  the review report: {100 * review / typical:.1f} %")
    print(f"  together: {100 * (statistics.median(STAGE_SHARE) + (words + review) / typical):.1f} %")
    pages, seconds = ocr_rate()
    print(f"\nOCR in this process: {pages} scanned sample pages in {seconds:.1f} s: {pages / seconds:.2f} pages/s "
          f"({1000 * seconds / pages:.0f} ms a page, reading at the OCR size, upright included)")
    shutil.rmtree(work, ignore_errors=True)


def ratio(runs: list[tuple[float, float]], base: list[float]) -> str:
    """The run's total wall over the run without trust's, and the range of the rounds' own ratios."""
    ratios = [w / b for (w, _), b in zip(runs, base)]
    return f"{sum(w for w, _ in runs) / sum(base):>6.3f}x {min(ratios):>5.3f}-{max(ratios):.3f}x"


JOB_PAGES = [0]  # pages the job rendered (the last run's count)
STAGE_SHARE: list[float] = []  # the trust stage's seconds / the run's wall, per run with it
TRUST_STAGE = [0.0]  # seconds spent in the trust stage (runner.assess, runner.window_support)


def timed(stage):
    def counted(*args, **kwargs):
        started = time.perf_counter()
        try:
            return stage(*args, **kwargs)
        finally:
            TRUST_STAGE[0] += time.perf_counter() - started
    return counted


def cpu_seconds() -> tuple[float, dict[int, float]]:
    """CPU seconds of this process and its reaped children (the render workers), and of each live
    descendant (the engine's processes) by process id."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = {}
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            live[child.pid] = times.user + times.system
    return time.process_time() + children.ru_utime + children.ru_stime, live


def run(engine, settings: Settings, out: Path, ocr: bool, logprobs: bool, trust: bool) -> tuple[float, float]:
    """Wall and CPU seconds of the demo's job with OCR, log-probabilities and the trust stage on or off."""
    config = settings.model_copy(update={"ocr": ocr, "reprocess": True})
    TRUST_STAGE[0] = 0.0
    engine.llm.reset_prefix_cache()  # each run starts cold: none inherits the prompts of the one before
    own, live = cpu_seconds()
    started = time.perf_counter()
    with contextlib.ExitStack() as patches:
        if not logprobs:
            # vLLM is imported here, not at the top: render workers re-import this module, and
            # vLLM's libraries alone would take their address-space limit (render_memory_mb).
            import vllm

            asked = vllm.SamplingParams  # as the engine asked before confidence: no log-probabilities
            patches.enter_context(mock.patch.object(vllm, "SamplingParams", lambda **kwargs: asked(
                **{**kwargs, "logprobs": None, "flat_logprobs": False})))
        if not trust:
            patches.enter_context(mock.patch.object(runner, "assess", lambda *a, **k: Assessment([], [])))
            patches.enter_context(mock.patch.object(runner, "window_support", lambda *a, **k: None))
        else:  # its own time, counted directly: the A/B difference drowns in the rounds' spread here
            for name in ("assess", "window_support"):
                patches.enter_context(mock.patch.object(runner, name, timed(getattr(runner, name))))
        summaries = [runner.run_batch([SAMPLES / f for f in folders], load_schema(schema), out, config, engine)
                     for schema, folders in JOBS]
    seconds = time.perf_counter() - started
    own_after, live_after = cpu_seconds()
    cpu = own_after - own + sum(after - live.get(pid, 0.0) for pid, after in live_after.items())
    print(f"  {out.name}: {seconds:.1f} s, {cpu:.1f} s CPU, trust stage {TRUST_STAGE[0]:.2f} s; " + "; ".join(
        f"{s.schema}: {s.documents} documents, {s.results} results, {sum(s.errors.values())} errors, "
        f"{s.pages} pages, {s.output_tokens} output tokens" for s in summaries), flush=True)
    JOB_PAGES[0] = sum(s.pages for s in summaries)
    if trust:
        STAGE_SHARE.append(TRUST_STAGE[0] / seconds)
    return seconds, cpu


def words_per_page() -> float:
    """Seconds a page to take the text layer's words (pipeline.evidence.page_words), their text already
    extracted as rendering does, over the pages of the job's PDFs (those within the page limit)."""
    seconds, pages = 0.0, 0
    for source in discover([SAMPLES / f for _, folders in JOBS for f in folders]):
        try:
            doc = pymupdf.open(stream=read_bytes(source, S3Options()))
        except Exception:  # the bad files the job fails on
            continue
        with doc:
            if doc.needs_pass or not doc.is_pdf or doc.page_count > RenderOptions().max_pages:
                continue
            for page in doc:
                textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT)
                if page.get_text("text", textpage=textpage).strip():
                    started = time.perf_counter()
                    page_words(page, textpage)
                    seconds += time.perf_counter() - started
                    pages += 1
    return seconds / pages


def ocr_rate() -> tuple[int, float]:
    """Scanned sample pages read with and without OCR: the difference is OCR's."""
    sources = [s for s in discover([SAMPLES / "invoice", SAMPLES / "contract"])
               if any(k in s for k in ("scan", "photo", "tiff"))]
    seconds = {}
    for ocr in (False, True):
        started = time.perf_counter()
        docs = [render_source(s, RenderOptions(max_soft_tokens=70, ocr=ocr)) for s in sources]
        seconds[ocr] = time.perf_counter() - started
    pages = sum(len(d.pages) for d in docs if isinstance(d, RenderedDocument))
    return pages, seconds[True] - seconds[False]


if __name__ == "__main__":  # vLLM's CPU engine spawns processes that re-import __main__
    main()
