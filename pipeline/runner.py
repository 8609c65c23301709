"""Run a batch as a stream: discover, render (in worker processes, ahead of the engine), build
one request per document, generate, validate (retrying bad answers), write Parquet.

Nothing waits for a batch. Documents are rendered ahead in a :class:`RenderPool`; each request
goes to the engine as soon as its document is rendered, at most ``max_in_flight`` documents
are rendering, waiting or in the engine at once (memory is bounded by that, not by the batch);
answers are validated as they arrive, in any order, and a retry goes straight back into the
engine. A *window* is only the unit of progress, of writing and of Prefect task runs:
``extract(i)`` returns once as many documents have finished as the first i+1 windows hold, and
writes what has finished, while the requests of later windows keep the engine busy.

The accounting invariant holds here: every discovered document ends as exactly one row in
``results`` or in ``errors`` (or is skipped because a committed row for the same versions
exists). Exceptions from a stage become error rows, never a lost document.

Retry policy: an answer that is cut by max_tokens, is not JSON, or breaks the schema is asked
again, up to ``max_attempts`` in all, sampling at ``retry_temperature`` with a new seed (the same
greedy prompt would give the same answer), and with twice the output budget when it was cut.
After the last attempt the document becomes an error row with stage ``validate`` and the last
answer kept for inspection."""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from .config import Settings
from .dataset import commit_run, done_documents, job_fingerprint, start_run
from .engines import Engine, Generation, GenerationRequest
from .hardware import resolve
from .prompt import PROMPT_VERSION, build_messages
from .render import RenderedDocument, RenderFailure, RenderOptions, Skipped
from .render_pool import RenderPool
from .schemas import DocumentSchema
from .sink import ErrorRow, ParquetSink, ResultRow
from .sources import discover, normalise
from .storage import S3Options, Store
from .validate import Validation, validate_answer

log = logging.getLogger(__name__)

_KEYS = itertools.count()  # request keys, unique in the process: an engine may outlive a batch


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
    first_result_seconds: float | None = None  # from the start of the run to the first answer
    engine_idle_seconds: float = 0.0  # nothing in the engine while documents were left
    engine_starved_seconds: float = 0.0  # free engine slots while documents were still upstream
    streaming_seconds: float = 0.0  # from the first request submitted to the last answer
    peak_in_engine: int = 0  # most requests in the engine at once

    def add(self, window: RunSummary) -> None:
        """Add one window's counts."""
        for name in ("skipped", "pages", "results", "flagged", "prompt_tokens", "output_tokens"):
            setattr(self, name, getattr(self, name) + getattr(window, name))
        self.errors.update(window.errors)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def starved_share(self) -> float:
        """Share of the streaming time in which the engine could have taken more requests than
        the host had ready."""
        return self.engine_starved_seconds / self.streaming_seconds if self.streaming_seconds else 0.0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    pages: int
    errors: int
    seconds: float

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
    on_progress: Callable[[Progress], None] | None = None,
) -> RunSummary:
    """Extract ``schema`` records from every document under ``inputs`` into the Parquet dataset
    at ``out`` (a folder or s3://bucket/prefix), then commit the run (see dataset.py).

    Documents already committed for the same schema version, model and prompt version are
    skipped (unless ``settings.reprocess``); a killed run with the same job is resumed.
    ``on_progress`` is called after discovery, after each window and every
    ``settings.progress_seconds`` in between."""
    with Batch(inputs, schema, out, settings, engine, on_progress) as batch:
        batch.report()
        for index in range(len(batch.windows)):
            batch.extract(index)
            batch.report()
    return batch.commit()


@dataclass
class _Pending:
    """A rendered document on its way through the engine."""

    source: str
    doc: RenderedDocument
    messages: list
    max_tokens: int
    attempts: int = 0
    submitted: float = 0.0  # perf_counter of the first submission
    last: Generation | None = None
    check: Validation | None = None


class Batch:
    """One run as steps a scheduler can drive: ``extract(i)`` for each of ``windows``, then
    ``commit()``. Leaving the ``with`` block publishes what was written, committed or not, so a
    later start resumes from there."""

    def __init__(self, inputs: Sequence[str | Path], schema: DocumentSchema, out: str | Path,
                 settings: Settings, engine: Engine, on_progress: Callable[[Progress], None] | None = None) -> None:
        self._started = time.perf_counter()
        settings = resolve(settings)
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
        self._on_progress = on_progress
        self._last_report = time.perf_counter()
        self._pool: RenderPool | None = None
        self._upstream = deque(sources)  # not yet given to the render pool
        self._rendering: dict[Future, str] = {}
        self._ready: deque[_Pending] = deque()  # rendered, request not yet submitted
        self._in_engine: dict[int, _Pending] = {}
        self._finished = 0  # documents with a row (or skipped), written or not
        self._results: list[ResultRow] = []
        self._errors: list[ErrorRow] = []
        self._counts = self._empty_counts()  # of the finished rows not yet written
        self._clock: float | None = None  # perf_counter of the last stream step, once streaming

    def __enter__(self) -> Batch:
        memory = self.settings.render_memory_mb * 2**20
        self._pool = RenderPool(render_options(self.settings), self.s3, self.settings.render_workers or 1,
                                skip=self._done_before, timeout=self.settings.render_timeout, memory_bytes=memory)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.close()
        self.sink.close()  # publish what was written, so a rerun resumes from here

    def extract(self, index: int) -> None:
        """Stream until as many documents have finished as windows 0..``index`` hold, then write
        every finished row. The last window drains the stream."""
        assert self._pool is not None, "use Batch as a context manager"
        target = sum(len(w) for w in self.windows[:index + 1])
        if index == len(self.windows) - 1:
            target = self.summary.documents
        while self._finished < target:
            self._step()
            if time.perf_counter() - self._last_report >= self.settings.progress_seconds:
                self.report()
        self._write()

    def report(self) -> None:
        """Tell ``on_progress`` where the run stands."""
        self._last_report = time.perf_counter()
        if self._on_progress is not None:
            self._on_progress(Progress(
                done=self._finished, total=self.summary.documents, pages=self.summary.pages + self._counts.pages,
                errors=sum(self.summary.errors.values()) + len(self._errors),
                seconds=self._last_report - self._started))

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

    # The stream

    def _step(self) -> None:
        """Admit documents to rendering, take what rendered, submit it, take finished answers."""
        assert self._pool is not None
        while self._upstream and self._in_flight() < (self.settings.max_in_flight or 1):
            source = self._upstream.popleft()
            self._rendering[self._pool.submit(source)] = source
        # Block on rendering only when the engine has nothing to do meanwhile.
        idle = not self._in_engine and not self._ready
        done = [f for f in self._rendering if f.done()]
        if not done and idle and self._rendering:
            done = list(wait(list(self._rendering), timeout=1.0, return_when=FIRST_COMPLETED).done)
        for future in done:
            self._rendered(self._rendering.pop(future), future.result())
        while self._ready:
            self._submit(self._ready.popleft())
        self._account()
        if self._in_engine:
            for key, generation in self.engine.poll(0.05 if self._rendering else 1.0):
                if (pending := self._in_engine.pop(key, None)) is not None:
                    self._answered(pending, generation)
        self._account()

    def _in_flight(self) -> int:
        return len(self._rendering) + len(self._ready) + len(self._in_engine)

    def _rendered(self, source: str, doc: RenderedDocument | RenderFailure | Skipped) -> None:
        if isinstance(doc, Skipped):
            self._counts.skipped += 1
            self._finished += 1
        elif isinstance(doc, RenderFailure):
            self._error(ErrorRow(doc.sha256, source, doc.stage, doc.error_type, doc.message, 0, _now()))
        else:
            self._counts.pages += len(doc.pages)
            max_text = self.settings.max_text_chars if self.settings.include_text_layer else 0
            try:
                messages = build_messages(doc, self.schema, max_text)
            except Exception as exc:
                self._error(ErrorRow(doc.sha256, source, "prompt", type(exc).__name__, str(exc), 0, _now()))
                return
            self._ready.append(_Pending(source, doc, messages, max_tokens=self.settings.max_tokens))

    def _submit(self, pending: _Pending) -> None:
        key = next(_KEYS)
        if not pending.submitted:
            pending.submitted = time.perf_counter()
        self._in_engine[key] = pending
        self.engine.submit(key, _request(pending, self.schema, self.settings))
        self.summary.peak_in_engine = max(self.summary.peak_in_engine, len(self._in_engine))

    def _answered(self, p: _Pending, gen: Generation) -> None:
        if self.summary.first_result_seconds is None:
            self.summary.first_result_seconds = time.perf_counter() - self._started
        p.attempts += 1
        p.last = gen
        self._counts.prompt_tokens += gen.prompt_tokens
        self._counts.output_tokens += gen.output_tokens
        if gen.error is not None:
            self._error(ErrorRow(p.doc.sha256, p.source, "engine", "engine_error", gen.error, p.attempts, _now()))
            return
        p.check = validate_answer(gen.text, gen.finish_reason, self.schema)
        if p.check.ok:
            self._results.append(_result_row(p))
            self._counts.results += 1
            self._counts.flagged += bool(p.check.flags)
            self._finished += 1
        elif p.attempts < self.settings.max_attempts:
            if p.check.error_type == "truncated_output":
                p.max_tokens = min(2 * p.max_tokens, self.settings.max_model_len)
            self._submit(p)
        else:
            self._error(ErrorRow(p.doc.sha256, p.source, "validate", p.check.error_type, p.check.message,
                                 p.attempts, _now(), last_answer=gen.text))

    def _error(self, row: ErrorRow) -> None:
        self._errors.append(row)
        self._counts.errors[row.error_type] += 1
        self._finished += 1

    def _account(self) -> None:
        """Time since the last call counts as idle (nothing in the engine) or starved (free slots
        while documents are still rendering or not yet admitted), from the first submission on."""
        now = time.perf_counter()
        if self._clock is None:
            self._clock = now if self._in_engine else None
            return
        elapsed, self._clock = now - self._clock, now
        self.summary.streaming_seconds += elapsed
        upstream = bool(self._upstream or self._rendering)
        if not self._in_engine:
            self.summary.engine_idle_seconds += elapsed
        if upstream and len(self._in_engine) < (self.settings.max_num_seqs or 1):
            self.summary.engine_starved_seconds += elapsed

    def _write(self) -> None:
        self.sink.write(self._results, self._errors)
        self.summary.add(self._counts)  # only now: a write that failed (and may be retried) counts nothing
        self._results, self._errors, self._counts = [], [], self._empty_counts()

    def _empty_counts(self) -> RunSummary:
        return RunSummary(run_id=self.run.run_id, schema=self.summary.schema, model=self.engine.model)


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
        render_seconds=p.doc.seconds, engine_seconds=time.perf_counter() - p.submitted, extracted_at=_now(),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)
