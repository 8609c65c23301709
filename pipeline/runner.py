"""Run a batch as a stream: discover, render (in worker processes, ahead of the engine), build
one request per document, generate, validate (retrying bad answers), write Parquet.

Nothing waits for a batch. Documents are rendered ahead in a :class:`RenderPool`; each request
goes to the engine as soon as its document is rendered, at most ``max_in_flight`` documents
are rendering, waiting or in the engine at once, and new ones start rendering only while fewer
than ``max_pages_in_flight`` rendered pages are held (memory is bounded by that, not by the batch);
answers are validated as they arrive, in any order, and a retry goes straight back into the
engine. A *window* is only the unit of progress, of writing and of Prefect task runs:
``extract(i)`` returns once as many documents have finished as the first i+1 windows hold, and
writes what has finished, while the requests of later windows keep the engine busy.

A document goes to the engine whole while it fits the context; a longer one (or one over
``window_pages``) as page windows whose records are merged (windows.py, merge.py): the document
ends when all its windows have, as one row. A window the engine refuses as too long is split in
two. A window whose answer stays invalid after the retries is a flag on the merged record
(``window_failed``); only a document none of whose windows gave a record is an error row. With
``--schema auto`` a short classification request comes first (classify.py).

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
import json
import logging
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from .classify import AUTO, CLASSIFY_MAX_TOKENS, SchemaChoice
from .config import Settings
from .dataset import Run, commit_run, done_documents, job_fingerprint, start_run
from .engines import Engine, Generation, GenerationRequest
from .hardware import resolve
from .calibration import Calibration
from .merge import WindowRecord, merge_windows
from .prompt import PROMPT_VERSION, build_messages
from .render import RenderedDocument, RenderFailure, RenderOptions, Skipped
from .render_pool import RenderPool
from .schemas import DocumentSchema
from .sink import ErrorRow, ParquetSink, ResultRow
from .sources import discover, normalise
from .storage import S3Options, Store
from .trust import Assessment, Reading, assess, window_support
from .validate import Validation, validate_answer, validate_record
from .windows import halves, over_context, page_costs, plan_windows, window_schema

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
    needs_review: int = 0  # results a person should look at (trust.py)
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
    peak_pages_held: int = 0  # most rendered pages in memory at once
    manifests: list[str] = field(default_factory=list)  # one per schema with --schema auto
    routed: Counter[str] = field(default_factory=Counter)  # --schema auto: documents per schema

    def add(self, window: RunSummary) -> None:
        """Add one window's counts."""
        for name in ("skipped", "pages", "results", "flagged", "needs_review", "prompt_tokens", "output_tokens"):
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
        upright=settings.upright, ocr=settings.ocr, ocr_text_layer=settings.ocr_text_layer,
    )


def s3_options(settings: Settings) -> S3Options:
    return S3Options(endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                     max_attempts=settings.s3_max_attempts)


def run_batch(
    inputs: Sequence[str | Path],
    schema: DocumentSchema | SchemaChoice,
    out: str | Path,
    settings: Settings,
    engine: Engine,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunSummary:
    """Extract ``schema`` records from every document under ``inputs`` into the Parquet dataset
    at ``out`` (a folder or s3://bucket/prefix), then commit the run (see dataset.py). With a
    :class:`~pipeline.classify.SchemaChoice`, each document is classified first and goes to the
    schema it is classified as.

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
class _Route:
    """Where one schema's rows go: its run (partition, resume, manifest) and its writer. With
    ``--schema auto`` the route ``auto`` (schema None) takes the documents that never got one."""

    schema: DocumentSchema | None
    run: Run
    sink: ParquetSink
    documents: int = 0  # documents sent this way
    results: list[ResultRow] = field(default_factory=list)  # finished, not yet written
    errors: list[ErrorRow] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)  # "results", "errors" written so far


@dataclass
class _Pending:
    """A rendered document on its way through the engine: its classification (``--schema
    auto``), then one extraction request, or one per page window of a long document."""

    source: str
    doc: RenderedDocument
    schema: DocumentSchema | None  # None until classified
    classified_as: str | None = None  # --schema auto: the kind the classifier's answer names
    submitted: float = 0.0  # perf_counter of the first submission
    requests: list[_Request] = field(default_factory=list)  # the extraction requests, in page order
    ended: bool = False  # its row is written or waiting: later answers for it are dropped


@dataclass
class _Request:
    """One engine request of a document: a classification, the whole document, or one window."""

    pending: _Pending
    pages: range
    max_tokens: int
    classify: bool = False
    attempts: int = 0
    last: Generation | None = None
    check: Validation | None = None
    done: bool = False


class Batch:
    """One run as steps a scheduler can drive: ``extract(i)`` for each of ``windows``, then
    ``commit()``. Leaving the ``with`` block publishes what was written, committed or not, so a
    later start resumes from there.

    ``schema`` is one schema, or a :class:`~pipeline.classify.SchemaChoice` (``--schema auto``):
    each document is then classified first and its rows go to its schema's partitions."""

    def __init__(self, inputs: Sequence[str | Path], schema: DocumentSchema | SchemaChoice, out: str | Path,
                 settings: Settings, engine: Engine, on_progress: Callable[[Progress], None] | None = None) -> None:
        self._started = time.perf_counter()
        settings = resolve(settings)
        self.settings, self.engine = settings, engine
        self.choice = schema if isinstance(schema, SchemaChoice) else None
        self.s3 = s3_options(settings)
        self.store = Store(str(out), self.s3)
        sources = discover(list(inputs), self.s3)
        job = normalise(list(inputs))
        schemas = list(self.choice.schemas) if self.choice else [schema]
        self.routes = {s.name: self._route(job, s.name, s.version, s) for s in schemas}
        if self.choice:
            self.routes[AUTO] = self._route(job, AUTO, self.choice.version, None)
        self._fallback = self.routes[AUTO if self.choice else schemas[0].name]  # rows before a schema is known
        self.run = self._fallback.run
        self._done_before = frozenset().union(*(done_documents(self.store, r.run, settings.reprocess)
                                                for r in self.routes.values()))
        log.info("%s run %s: %d documents, %d already done", "resuming" if self.run.resumed else "starting",
                 self.run.run_id, len(sources), len(self._done_before))
        self.windows = [sources[i:i + settings.window] for i in range(0, len(sources), settings.window)]
        self.summary = RunSummary(run_id=self.run.run_id, schema=_label(schema), model=engine.model,
                                  resumed=self.run.resumed, documents=len(sources))
        self._fallback.documents = len(sources)
        self._context = _context(settings, engine)
        self._on_progress = on_progress
        self._last_report = time.perf_counter()
        self._pool: RenderPool | None = None
        self._upstream = deque(sources)  # not yet given to the render pool
        self._rendering: dict[Future, str] = {}
        self._ready: deque[_Request] = deque()  # to be submitted
        self._in_engine: dict[int, _Request] = {}
        self._documents_in_engine = 0  # documents with a request ready or in the engine
        self._pages_held = 0  # their rendered pages, in memory until the document ends
        self._rendered_documents = self._rendered_pages = 0  # so far, for the mean pages a document
        self._finished = 0  # documents with a row (or skipped), written or not
        self._counts = self._empty_counts()  # of the finished rows not yet written
        self._clock: float | None = None  # perf_counter of the last stream step, once streaming
        self._window_schemas: dict[str, DocumentSchema] = {}
        self._calibration = Calibration.load(settings.calibration) if settings.calibration else None

    def _route(self, job: list[str], name: str, version: str, schema: DocumentSchema | None) -> _Route:
        settings = self.settings
        fingerprint = job_fingerprint(job, f"{AUTO}/{name}" if self.choice else name, version, self.engine.model,
                                      PROMPT_VERSION, settings.reprocess)
        run = start_run(self.store, fingerprint, schema_name=name, schema_version=version, model=self.engine.model,
                        prompt_version=PROMPT_VERSION, max_soft_tokens=settings.max_soft_tokens)
        return _Route(schema, run, ParquetSink(self.store, schema, run, settings.file_rows, settings.file_seconds))

    def __enter__(self) -> Batch:
        memory = self.settings.render_memory_mb * 2**20
        self._pool = RenderPool(render_options(self.settings), self.s3, self.settings.render_workers or 1,
                                skip=self._done_before, timeout=self.settings.render_timeout, memory_bytes=memory)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.close()
        for route in self.routes.values():
            route.sink.close()  # publish what was written, so a rerun resumes from here

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
            unwritten = sum(len(r.errors) for r in self.routes.values())
            self._on_progress(Progress(
                done=self._finished, total=self.summary.documents, pages=self.summary.pages + self._counts.pages,
                errors=sum(self.summary.errors.values()) + unwritten,
                seconds=self._last_report - self._started))

    def commit(self) -> RunSummary:
        """Publish the last files and write each route's manifest (its run's commit point)."""
        summary = self.summary
        for name, route in self.routes.items():
            route.sink.close()
            counts = {"documents": route.documents, "skipped": summary.skipped if route is self._fallback else 0,
                      "results": route.written["results"], "errors": route.written["errors"]}
            commit_run(self.store, route.run, counts, route.sink.files)
            summary.manifests.append(self.store.uri(f"_manifests/{route.run.run_id}.json"))
            if route.schema is not None and self.choice:
                summary.routed[name] = route.documents
        summary.manifest = self.store.uri(f"_manifests/{self.run.run_id}.json")
        summary.seconds = time.perf_counter() - self._started
        return summary

    # The stream

    def _step(self) -> None:
        """Admit documents to rendering, take what rendered, submit it, take finished answers."""
        assert self._pool is not None
        while self._upstream and self._room():
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
                if (request := self._in_engine.pop(key, None)) is not None:
                    self._answered(request, generation)
        self._account()

    def _room(self) -> bool:
        """Whether another document may start rendering: fewer than ``max_in_flight`` documents
        in flight, and fewer than ``max_pages_in_flight`` pages held, counting each document still
        rendering as the mean page count of those rendered so far (its own is not known yet). A
        document admitted alone may exceed the bound."""
        in_flight = len(self._rendering) + self._documents_in_engine
        expected = self._rendered_pages / self._rendered_documents if self._rendered_documents else 1.0
        held = self._pages_held + len(self._rendering) * expected
        return in_flight < (self.settings.max_in_flight or 1) and (held < self.settings.max_pages_in_flight
                                                                   or not in_flight)

    def _rendered(self, source: str, doc: RenderedDocument | RenderFailure | Skipped) -> None:
        if isinstance(doc, Skipped):
            self._counts.skipped += 1
            self._finished += 1
        elif isinstance(doc, RenderFailure):
            self._error(self._fallback, ErrorRow(doc.sha256, source, doc.stage, doc.error_type, doc.message, 0,
                                                 _now()))
        else:
            self._counts.pages += len(doc.pages)
            self._documents_in_engine += 1
            self._rendered_documents += 1
            self._rendered_pages += len(doc.pages)
            self._pages_held += len(doc.pages)
            self.summary.peak_pages_held = max(self.summary.peak_pages_held, self._pages_held)
            pending = _Pending(source, doc, schema=None if self.choice else self._fallback.schema)
            if self.choice:
                pages = range(min(self.settings.classify_pages, len(doc.pages)))
                self._ready.append(_Request(pending, pages, CLASSIFY_MAX_TOKENS, classify=True))
            else:
                self._plan(pending)

    def _plan(self, p: _Pending) -> None:
        """Queue the document's extraction: one request, or one per page window (windows.py)."""
        max_text = self._max_text()
        texts = [page.text if max_text else "" for page in p.doc.pages]
        counted = self.engine.count_tokens(texts) if any(texts) else None  # exact where the engine can
        costs = page_costs(texts, self.settings.max_soft_tokens, counted)
        budget = None if self._context is None else self._context - self.settings.max_tokens
        plan = plan_windows(costs, budget, self.settings.window_overlap, max_text, self.settings.window_pages)
        p.requests = [_Request(p, pages, self.settings.max_tokens) for pages in plan]
        self._ready.extend(p.requests)

    def _max_text(self) -> int:
        return self.settings.max_text_chars if self.settings.include_text_layer else 0

    def _submit(self, request: _Request) -> None:
        p = request.pending
        if p.ended:
            return
        try:
            if request.classify:
                assert self.choice is not None
                messages, schema = self.choice.messages(p.doc, request.pages), self.choice.answer_schema
            else:
                assert p.schema is not None
                messages = build_messages(p.doc, p.schema, self._max_text(), request.pages)
                schema = self._request_schema(p, request).schema
        except Exception as exc:
            self._failed(p, ErrorRow(p.doc.sha256, p.source, "prompt", type(exc).__name__, str(exc), 0, _now()))
            return
        key = next(_KEYS)
        if not p.submitted:
            p.submitted = time.perf_counter()
        self._in_engine[key] = request
        first = request.attempts == 0
        self.engine.submit(key, GenerationRequest(
            messages=messages, schema=schema, max_tokens=request.max_tokens,
            temperature=self.settings.temperature if first else self.settings.retry_temperature,
            seed=self.settings.seed + request.attempts))
        self.summary.peak_in_engine = max(self.summary.peak_in_engine, len(self._in_engine))

    def _request_schema(self, p: _Pending, request: _Request) -> DocumentSchema:
        """The schema a request is held to: the document's, or, for a window of a longer
        document, its relaxed form (windows.window_schema)."""
        assert p.schema is not None
        if len(request.pages) == len(p.doc.pages):
            return p.schema
        if p.schema.name not in self._window_schemas:
            self._window_schemas[p.schema.name] = replace(p.schema, schema=window_schema(p.schema.schema))
        return self._window_schemas[p.schema.name]

    def _answered(self, request: _Request, gen: Generation) -> None:
        p = request.pending
        if p.ended:
            return  # the document already ended (its prompt failed)
        if self.summary.first_result_seconds is None:
            self.summary.first_result_seconds = time.perf_counter() - self._started
        request.attempts += 1
        request.last = gen
        self._counts.prompt_tokens += gen.prompt_tokens
        self._counts.output_tokens += gen.output_tokens
        if gen.error is not None and not request.classify and len(request.pages) > 1 and over_context(gen.error):
            # The estimate fell short for this window: read it as two shorter ones.
            parts = [_Request(p, pages, request.max_tokens) for pages in halves(request.pages,
                                                                                  self.settings.window_overlap)]
            at = p.requests.index(request)
            p.requests[at:at + 1] = parts
            self._ready.extend(parts)
        elif gen.error is not None and request.classify:
            self._failed(p, ErrorRow(p.doc.sha256, p.source, "classify", "engine_error", gen.error, request.attempts,
                                     _now()))
        elif request.classify:
            self._classified(request, gen)
        else:
            self._checked(request, gen)

    def _classified(self, request: _Request, gen: Generation) -> None:
        assert self.choice is not None
        p = request.pending
        named = self.choice.named(gen.text) if gen.finish_reason != "length" else None
        p.classified_as = named
        if named in self.choice.by_name:
            p.schema = self.choice.by_name[named]
            self.routes[p.schema.name].documents += 1
            self._plan(p)
        elif named is None and request.attempts < self.settings.max_attempts:
            self._ready.append(request)  # an answer that names nothing: ask again
        else:
            known = ", ".join(self.choice.by_name)
            self._failed(p, ErrorRow(p.doc.sha256, p.source, "classify", "unclassified",
                                     f"the classifier answered {gen.text[:200]!r}; known schemas: {known}",
                                     request.attempts, _now(), last_answer=gen.text))

    def _checked(self, request: _Request, gen: Generation) -> None:
        p = request.pending
        assert p.schema is not None
        if gen.error is not None:  # the engine could not run it: retrying the same prompt would not help
            request.check = Validation(error_type="engine_error", message=gen.error)
        else:
            request.check = validate_answer(gen.text, gen.finish_reason, self._request_schema(p, request))
        if not request.check.ok and request.check.error_type != "engine_error" and \
                request.attempts < self.settings.max_attempts:
            if request.check.error_type == "truncated_output":
                request.max_tokens = min(2 * request.max_tokens, self._context or 2 * request.max_tokens)
            self._ready.append(request)
            return
        request.done = True
        if all(r.done for r in p.requests):
            self._finish(p)

    def _finish(self, p: _Pending) -> None:
        """Every extraction request of ``p`` has ended: one result row (the windows merged), or
        an error row when no request gave a valid record."""
        assert p.schema is not None
        route = self.routes[p.schema.name]
        good = [r for r in p.requests if r.check is not None and r.check.ok]
        if not good:
            last = p.requests[-1]
            assert last.check is not None and last.last is not None
            engine = last.check.error_type == "engine_error"
            self._failed(p, ErrorRow(p.doc.sha256, p.source, "engine" if engine else "validate",
                                     last.check.error_type or "", last.check.message,
                                     max(r.attempts for r in p.requests), _now(),
                                     last_answer=None if engine else last.last.text))
            return
        check = good[0].check
        words = [page.words for page in p.doc.pages]
        readings = [Reading(r.check.record, r.last.text, r.last.token_logprobs, r.pages)
                    for r in good if r.check is not None and r.check.record is not None and r.last is not None]
        if len(p.requests) > 1:
            # Where windows disagree, the value with the most support wins: its confidence,
            # with the evidence found on the window's own pages.
            merged = merge_windows([WindowRecord(r.pages.start + 1, r.pages.stop, r.record,
                                                 window_support(r, p.schema.schema, words, self._calibration))
                                    for r in readings], p.schema.schema)
            check = validate_record(merged.record, p.schema)
            if not check.ok:
                self._failed(p, ErrorRow(p.doc.sha256, p.source, "merge", check.error_type or "", check.message,
                                         max(r.attempts for r in p.requests), _now(),
                                         last_answer=json.dumps(merged.record, ensure_ascii=False)))
                return
            check.flags = merged.flags + check.flags + [
                f"window_failed: pages {r.pages.start + 1}-{r.pages.stop}: {r.check.error_type}: {r.check.message}"
                for r in p.requests if r not in good and r.check is not None]
        assert check is not None and check.record is not None
        attempts = max(r.attempts for r in p.requests)
        trust = assess(check.record, p.schema.schema, words, readings, check.flags, attempts,
                       self.settings.review_threshold, self._calibration)
        route.results.append(_result_row(p, check, trust))
        self._counts.needs_review += trust.needs_review
        self._counts.results += 1
        self._counts.flagged += bool(check.flags)
        self._ended(p)

    def _failed(self, p: _Pending, row: ErrorRow) -> None:
        """``p`` ends as an error row; answers still coming for its other requests are dropped."""
        route = self.routes[p.schema.name] if p.schema is not None else self._fallback
        row.classified_as = p.classified_as
        route.errors.append(row)
        self._counts.errors[row.error_type] += 1
        self._ended(p)

    def _error(self, route: _Route, row: ErrorRow) -> None:
        """A document that failed before it reached the engine."""
        route.errors.append(row)
        self._counts.errors[row.error_type] += 1
        self._finished += 1

    def _ended(self, p: _Pending) -> None:
        p.ended = True
        self._documents_in_engine -= 1
        self._pages_held -= len(p.doc.pages)
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
        for route in self.routes.values():
            route.sink.write(route.results, route.errors)
            route.written.update(results=len(route.results), errors=len(route.errors))
            route.results, route.errors = [], []
        self.summary.add(self._counts)  # only now: a write that failed (and may be retried) counts nothing
        self._counts = self._empty_counts()

    def _empty_counts(self) -> RunSummary:
        return RunSummary(run_id=self.run.run_id, schema=self.summary.schema, model=self.engine.model)


def _context(settings: Settings, engine: Engine) -> int | None:
    """Tokens a request may hold: the engine's context, or less when ``max_model_len`` says so
    (an engine may serve a longer one than this run wants to pay for)."""
    limits = [n for n in (engine.context, settings.max_model_len) if n is not None and n > 0]
    return min(limits, default=None)


def _label(schema: DocumentSchema | SchemaChoice) -> str:
    if isinstance(schema, SchemaChoice):
        return f"{AUTO}({', '.join(f'{s.name}@{s.version}' for s in schema.schemas)})"
    return f"{schema.name}@{schema.version}"


def _result_row(p: _Pending, check: Validation, trust: Assessment) -> ResultRow:
    assert check.record is not None
    finals = [r.last for r in p.requests if r.last is not None]
    return ResultRow(
        document_id=p.doc.sha256, source=p.source, page_count=len(p.doc.pages),
        has_text_layer=p.doc.has_text_layer, record=check.record, flags=check.flags,
        attempts=max(r.attempts for r in p.requests), prompt_tokens=sum(g.prompt_tokens for g in finals),
        output_tokens=sum(g.output_tokens for g in finals), render_seconds=p.doc.seconds,
        engine_seconds=time.perf_counter() - p.submitted, extracted_at=_now(), windows=len(p.requests),
        classified_as=p.classified_as, corrections=[{"page": number, "rotation": page.rotation, "skew": page.skew}
                     for number, page in enumerate(p.doc.pages, 1) if page.rotation or page.skew],
        fields=trust.fields, needs_review=trust.needs_review, review_reasons=trust.reasons,
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)
