"""Run a batch: discover, render (in worker processes, one window ahead of the engine), build
one request per document, generate, validate (retrying bad answers), write Parquet.

The accounting invariant holds here: every discovered document ends as exactly one row in
``results`` or in ``errors`` (or is skipped because a committed row for the same versions
exists). Exceptions from a stage become error rows, never a lost document.

Retry policy: an answer that is cut by max_tokens, is not JSON, or breaks the schema is asked
again, up to ``max_attempts`` in all, sampling at ``retry_temperature`` with a new seed (the same
greedy prompt would give the same answer), and with twice the output budget when it was cut. All
retries of a window go to the engine together. After the last attempt the document becomes an
error row with stage ``validate`` and the last answer kept for inspection."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .config import Settings
from .dataset import Run, commit_run, done_documents, job_fingerprint, start_run
from .engine import Engine, Generation, GenerationRequest
from .prompt import PROMPT_VERSION, build_messages
from .render import RenderedDocument, RenderFailure, RenderOptions, Skipped, render_source
from .schemas import DocumentSchema
from .sink import ErrorRow, ParquetSink, ResultRow
from .sources import discover, normalise
from .storage import S3Options, Store
from .validate import Validation, validate_answer

log = logging.getLogger(__name__)

Rendered = RenderedDocument | RenderFailure | Skipped


@dataclass
class RunSummary:
    run_id: str
    schema: str
    model: str
    resumed: bool = False
    documents: int = 0
    skipped: int = 0
    pages: int = 0
    results: int = 0
    flagged: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    manifest: str = ""

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def render_options(settings: Settings) -> RenderOptions:
    return RenderOptions(
        max_soft_tokens=settings.max_soft_tokens, renderer=settings.renderer, dpi=settings.dpi,
        max_side_px=settings.max_side_px, max_pages=settings.max_pages,
        max_file_bytes=int(settings.max_file_mb * 2**20), max_image_pixels=settings.max_image_pixels,
    )


def s3_options(settings: Settings) -> S3Options:
    return S3Options(endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                     max_attempts=settings.s3_max_attempts)


def run_batch(
    inputs: Sequence[str | Path],
    schema: DocumentSchema,
    out: str | Path,
    settings: Settings,
    engine: Engine,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Extract ``schema`` records from every document under ``inputs`` into the Parquet dataset
    at ``out`` (a folder or s3://bucket/prefix), then commit the run (see dataset.py).

    Documents already committed for the same schema version, model and prompt version are
    skipped (unless ``settings.reprocess``); a killed run with the same job is resumed.
    ``on_progress(done, total)`` is called after discovery and after each window."""
    start = time.perf_counter()
    s3 = s3_options(settings)
    store = Store(str(out), s3)
    sources = discover(list(inputs), s3)
    fingerprint = job_fingerprint(normalise(list(inputs)), schema.name, schema.version, engine.model,
                                  PROMPT_VERSION, settings.reprocess)
    run = start_run(store, fingerprint, schema_name=schema.name, schema_version=schema.version,
                    model=engine.model, prompt_version=PROMPT_VERSION, max_soft_tokens=settings.max_soft_tokens)
    done_before = frozenset(done_documents(store, run, settings.reprocess))
    log.info("%s run %s: %d documents, %d already done", "resuming" if run.resumed else "starting",
             run.run_id, len(sources), len(done_before))
    summary = RunSummary(run_id=run.run_id, schema=f"{schema.name}@{schema.version}", model=engine.model,
                         resumed=run.resumed, documents=len(sources))
    sink = ParquetSink(store, schema, run, settings.file_rows, settings.file_seconds)
    report = on_progress or (lambda done, total: None)
    done = 0
    report(done, len(sources))
    # spawn: the render workers must not inherit the engine's threads and process state.
    pool = ProcessPoolExecutor(settings.render_workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(done_before,))
    try:
        with pool:
            for window, rendered in _rendered_windows(pool, sources, settings.window, render_options(settings), s3):
                results, errors = _extract_window(window, rendered, schema, settings, engine, summary)
                sink.write(results, errors)
                done += len(window)
                report(done, len(sources))
    finally:
        sink.close()  # publish what was written, so a rerun resumes from here
    counts = {"documents": summary.documents, "skipped": summary.skipped, "results": summary.results,
              "errors": sum(summary.errors.values())}
    commit_run(store, run, counts, sink.files)
    summary.manifest = store.uri(f"_manifests/{run.run_id}.json")
    summary.seconds = time.perf_counter() - start
    return summary


_DONE: frozenset[str] = frozenset()


def _init_worker(done: frozenset[str]) -> None:
    # Given once per worker process rather than with every document.
    global _DONE
    _DONE = done


def _render_in_worker(uri: str, options: RenderOptions, s3: S3Options) -> Rendered:
    return render_source(uri, options, s3, skip=_DONE)


def _rendered_windows(
    pool: ProcessPoolExecutor, sources: list[str], size: int, options: RenderOptions, s3: S3Options
) -> Iterator[tuple[list[str], list[Rendered]]]:
    """Yield windows of rendered documents, the next window rendering while this one is used."""
    windows = [sources[i:i + size] for i in range(0, len(sources), size)]

    def submit(window: list[str]) -> list[Future]:
        return [pool.submit(_render_in_worker, uri, options, s3) for uri in window]

    pending = submit(windows[0]) if windows else []
    for i, window in enumerate(windows):
        current = pending
        pending = submit(windows[i + 1]) if i + 1 < len(windows) else []
        yield window, [_result(f) for f in current]


def _result(future: Future) -> Rendered:
    try:
        return future.result()
    except Exception as exc:  # a worker that died (e.g. killed for memory) loses no document
        return RenderFailure("render_crashed", f"{type(exc).__name__}: {exc}")


@dataclass
class _Pending:
    source: str
    doc: RenderedDocument
    messages: list
    attempts: int = 0
    max_tokens: int = 0
    last: Generation | None = None
    check: Validation | None = None
    engine_seconds: float = 0.0


def _extract_window(
    window: list[str],
    rendered: list[Rendered],
    schema: DocumentSchema,
    settings: Settings,
    engine: Engine,
    summary: RunSummary,
) -> tuple[list[ResultRow], list[ErrorRow]]:
    results: list[ResultRow] = []
    errors: list[ErrorRow] = []
    todo: list[_Pending] = []
    for source, doc in zip(window, rendered):
        if isinstance(doc, Skipped):
            summary.skipped += 1
            continue
        if isinstance(doc, RenderFailure):
            errors.append(ErrorRow(doc.sha256, source, doc.stage, doc.error_type, doc.message, 0, _now()))
            continue
        summary.pages += len(doc.pages)
        try:
            messages = build_messages(doc, schema, settings.max_text_chars if settings.include_text_layer else 0)
        except Exception as exc:
            errors.append(ErrorRow(doc.sha256, source, "prompt", type(exc).__name__, str(exc), 0, _now()))
            continue
        todo.append(_Pending(source, doc, messages, max_tokens=settings.max_tokens))

    while todo:
        retry: list[_Pending] = []
        requests = [_request(p, schema, settings) for p in todo]
        started = time.perf_counter()
        generations = engine.generate(requests)
        elapsed = time.perf_counter() - started
        for p, gen in zip(todo, generations):
            p.attempts += 1
            p.last, p.engine_seconds = gen, elapsed
            summary.prompt_tokens += gen.prompt_tokens
            summary.output_tokens += gen.output_tokens
            if gen.error is not None:
                errors.append(ErrorRow(p.doc.sha256, p.source, "engine", "engine_error", gen.error,
                                       p.attempts, _now()))
                continue
            p.check = validate_answer(gen.text, gen.finish_reason, schema)
            if p.check.ok:
                results.append(_result_row(p))
            elif p.attempts < settings.max_attempts:
                if p.check.error_type == "truncated_output":
                    p.max_tokens = min(2 * p.max_tokens, settings.max_model_len)
                retry.append(p)
            else:
                errors.append(ErrorRow(p.doc.sha256, p.source, "validate", p.check.error_type,
                                       p.check.message, p.attempts, _now(), last_answer=gen.text))
        todo = retry

    summary.results += len(results)
    summary.flagged += sum(1 for r in results if r.flags)
    summary.errors.update(e.error_type for e in errors)
    return results, errors


def _request(p: _Pending, schema: DocumentSchema, settings: Settings) -> GenerationRequest:
    first = p.attempts == 0
    return GenerationRequest(
        messages=p.messages,
        schema=schema.schema,
        max_tokens=p.max_tokens,
        temperature=settings.temperature if first else settings.retry_temperature,
        seed=settings.seed + p.attempts,
    )


def _result_row(p: _Pending) -> ResultRow:
    assert p.last is not None and p.check is not None and p.check.record is not None
    return ResultRow(
        document_id=p.doc.sha256, source=p.source, page_count=len(p.doc.pages),
        has_text_layer=p.doc.has_text_layer, record=p.check.record, flags=p.check.flags,
        attempts=p.attempts, prompt_tokens=p.last.prompt_tokens, output_tokens=p.last.output_tokens,
        render_seconds=p.doc.seconds, engine_seconds=p.engine_seconds, extracted_at=_now(),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)
