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
from typing import Callable, Sequence

from .config import Settings
from .dataset import commit_run, done_documents, job_fingerprint, start_run
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

    def add(self, window: RunSummary) -> None:
        """Add one window's counts."""
        for name in ("skipped", "pages", "results", "flagged", "prompt_tokens", "output_tokens"):
            setattr(self, name, getattr(self, name) + getattr(window, name))
        self.errors.update(window.errors)

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
    report = on_progress or (lambda done, total: None)
    with Batch(inputs, schema, out, settings, engine) as batch:
        done = 0
        report(done, batch.summary.documents)
        for index, window in enumerate(batch.windows):
            batch.extract(index)
            done += len(window)
            report(done, batch.summary.documents)
    return batch.commit()


class Batch:
    """One run as steps a scheduler can drive: ``extract(i)`` for each of ``windows``, then
    ``commit()``. While window i goes through the engine, window i+1 renders in the worker
    processes. Leaving the ``with`` block publishes what was written, committed or not, so a
    later start resumes from there."""

    def __init__(self, inputs: Sequence[str | Path], schema: DocumentSchema, out: str | Path,
                 settings: Settings, engine: Engine) -> None:
        self._started = time.perf_counter()
        self.schema, self.settings, self.engine = schema, settings, engine
        self.s3 = s3_options(settings)
        self.store = Store(str(out), self.s3)
        sources = discover(list(inputs), self.s3)
        fingerprint = job_fingerprint(normalise(list(inputs)), schema.name, schema.version, engine.model,
                                      PROMPT_VERSION, settings.reprocess)
        self.run = start_run(self.store, fingerprint, schema_name=schema.name, schema_version=schema.version,
                             model=engine.model, prompt_version=PROMPT_VERSION,
                             max_soft_tokens=settings.max_soft_tokens)
        self._done_before = frozenset(done_documents(self.store, self.run, settings.reprocess))
        log.info("%s run %s: %d documents, %d already done", "resuming" if self.run.resumed else "starting",
                 self.run.run_id, len(sources), len(self._done_before))
        self.windows = [sources[i:i + settings.window] for i in range(0, len(sources), settings.window)]
        self.summary = RunSummary(run_id=self.run.run_id, schema=f"{schema.name}@{schema.version}",
                                  model=engine.model, resumed=self.run.resumed, documents=len(sources))
        self.sink = ParquetSink(self.store, schema, self.run, settings.file_rows, settings.file_seconds)
        self._options = render_options(settings)
        self._pool: ProcessPoolExecutor | None = None
        self._rendering: dict[int, list[Future]] = {}

    def __enter__(self) -> Batch:
        # spawn: the render workers must not inherit the engine's threads and process state.
        self._pool = ProcessPoolExecutor(self.settings.render_workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker, initargs=(self._done_before,))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        self.sink.close()  # publish what was written, so a rerun resumes from here

    def extract(self, index: int) -> None:
        """Render (if not already ahead), generate, validate and write window ``index``."""
        assert self._pool is not None, "use Batch as a context manager"
        current = self._rendering.pop(index, None) or self._submit(index)
        if index + 1 < len(self.windows):
            self._rendering[index + 1] = self._submit(index + 1)
        rendered = [_result(f) for f in current]
        counts = RunSummary(run_id=self.run.run_id, schema=self.summary.schema, model=self.engine.model)
        results, errors = _extract_window(self.windows[index], rendered, self.schema, self.settings,
                                          self.engine, counts)
        self.sink.write(results, errors)
        self.summary.add(counts)  # only now: a window that failed (and may be retried) counts nothing

    def commit(self) -> RunSummary:
        """Publish the last files and write the run's manifest (its commit point)."""
        self.sink.close()
        summary = self.summary
        counts = {"documents": summary.documents, "skipped": summary.skipped, "results": summary.results,
                  "errors": sum(summary.errors.values())}
        commit_run(self.store, self.run, counts, self.sink.files)
        summary.manifest = self.store.uri(f"_manifests/{self.run.run_id}.json")
        summary.seconds = time.perf_counter() - self._started
        return summary

    def _submit(self, index: int) -> list[Future]:
        assert self._pool is not None
        return [self._pool.submit(_render_in_worker, uri, self._options, self.s3) for uri in self.windows[index]]


_DONE: frozenset[str] = frozenset()


def _init_worker(done: frozenset[str]) -> None:
    # Given once per worker process rather than with every document.
    global _DONE
    _DONE = done


def _render_in_worker(uri: str, options: RenderOptions, s3: S3Options) -> Rendered:
    return render_source(uri, options, s3, skip=_DONE)


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
