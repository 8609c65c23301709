"""A supervised pool of render worker processes with a time and a memory limit per document.

Each worker renders one document at a time (:func:`pipeline.render.render_source`) under an
address-space limit (``RLIMIT_AS``). A supervisor thread hands documents to idle workers and
watches them: a document that finishes no page within ``render_timeout`` (workers report each
page done: a long scan read by OCR may take minutes, a stall none), or takes ``DOCUMENT_TIMEOUTS``
of them in all, has its worker killed and becomes ``render_timeout``; a worker that dies (the kernel's OOM killer, a segfault in a renderer) fails
only the document it was rendering, as ``render_out_of_memory`` (SIGKILL, or SIGABRT under a
memory limit: PDFium's way of failing an allocation) or ``render_crashed`` (any other signal or
exit). Either way a fresh worker takes its place and every other document
is unaffected, unlike ``concurrent.futures.ProcessPoolExecutor``, which one dead worker breaks.

Workers are started with "spawn" (the parent runs vLLM threads; a fork would copy their state
mid-flight) and die with the parent: ``PR_SET_PDEATHSIG`` on Linux, and the end of the pipe
otherwise."""

from __future__ import annotations

import collections
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from .render import RenderedDocument, RenderFailure, RenderOptions, Skipped, render_source
from .storage import S3Options

log = logging.getLogger(__name__)

Rendered = RenderedDocument | RenderFailure | Skipped

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_READY = "ready"
_PAGE = "page"  # a worker finished a page of its document: progress
DOCUMENT_TIMEOUTS = 10  # a document may take this many render_timeouts in all, however many pages it has
_HEADROOM = 64 * 2**20  # bytes a worker must be able to allocate under its limit to start at all
_STARTUP_FAILURES = 3  # workers in a row that die before they are ready: the pool cannot work


def _worker_main(conn: Connection, parent_pid: int, options: RenderOptions, s3: S3Options,
                 skip: frozenset[str], memory_bytes: int | None) -> None:
    """Render documents sent over ``conn`` until the pipe closes; runs in the worker process."""
    if sys.platform.startswith("linux"):
        # SIGKILL us when the parent dies, even by SIGKILL (no chance to close the pipe). The
        # signal follows the parent *thread* that started us: the pool starts workers from its
        # supervisor thread, which lives as long as the pool.
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            return
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        try:
            bytearray(_HEADROOM)
        except MemoryError:  # the imports alone use more: every document would fail, so say why
            conn.send(f"the memory limit of {_mib(memory_bytes)} (render_memory_mb) leaves a render worker no "
                      f"room to work once its libraries are loaded")
            return
    conn.send(_READY)
    while True:
        try:
            uri = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or is gone
            return
        result = _render(uri, options, s3, skip, memory_bytes, on_page=lambda: conn.send(_PAGE))
        try:
            conn.send(result)
        except MemoryError:  # pickling the pages for the trip back can exceed the limit too
            del result
            conn.send(_out_of_memory("returning the rendered pages", memory_bytes))


def _render(uri: str, options: RenderOptions, s3: S3Options, skip: frozenset[str],
            memory_bytes: int | None, on_page: Callable[[], None]) -> Rendered:
    try:
        return render_source(uri, options, s3, skip=skip, on_page=on_page)
    except MemoryError:  # render_document catches its own; reading the file can run out too
        return _out_of_memory("reading the document", memory_bytes)


def _out_of_memory(what: str, memory_bytes: int | None) -> RenderFailure:
    return RenderFailure("render_out_of_memory", f"{what} needed more memory than the render worker's limit "
                                                 f"({_mib(memory_bytes)}, render_memory_mb)")


def _mib(memory_bytes: int | None) -> str:
    return "no limit" if memory_bytes is None else f"{memory_bytes / 2**20:.0f} MiB"


@dataclass
class _Job:
    uri: str
    future: Future
    started: float = 0.0
    progress: float = 0.0  # when its last page was done (or it started)

    def deadline(self, timeout: float) -> float:
        """render_timeout without a page done, or DOCUMENT_TIMEOUTS of them in all."""
        return min(self.progress + timeout, self.started + DOCUMENT_TIMEOUTS * timeout)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    job: _Job | None = None


class RenderPool:
    """``workers`` render processes; :meth:`submit` a URI, get a future whose ``result()`` is a
    RenderedDocument, RenderFailure or Skipped (never an exception, unless the future was
    cancelled by :meth:`close`). ``skip`` (identities already committed) goes to each worker
    once, at start. ``timeout`` is seconds per document from the moment a worker starts it;
    ``memory_bytes`` the address-space limit of each worker (None: no limit)."""

    def __init__(self, options: RenderOptions, s3: S3Options, workers: int, skip: frozenset[str] = frozenset(),
                 timeout: float = 120.0, memory_bytes: int | None = 4096 * 2**20) -> None:
        if workers < 1:
            raise ValueError("a RenderPool needs at least one worker")
        self._args = (os.getpid(), options, s3, skip, memory_bytes)
        self._size, self._timeout, self._memory_bytes = workers, timeout, memory_bytes
        self._context = multiprocessing.get_context("spawn")
        self._queue: collections.deque[_Job] = collections.deque()
        self._lock = threading.Lock()
        self._closed = False
        self._broken: str | None = None  # why workers cannot start, once they cannot
        self._wake_recv, self._wake_send = self._context.Pipe(duplex=False)
        self._thread = threading.Thread(target=self._supervise, name="render-pool", daemon=True)
        self._thread.start()

    def submit(self, uri: str) -> Future:
        """Queue one document; its future completes when a worker has rendered it (or failed)."""
        job = _Job(uri, Future())
        with self._lock:
            if self._broken:
                job.future.set_result(RenderFailure("render_crashed", self._broken))
                return job.future
            if self._closed:
                raise RuntimeError("the RenderPool is closed")
            self._queue.append(job)
        self._wake()
        return job.future

    def close(self) -> None:
        """Kill the workers and cancel every future not yet done. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        self._thread.join()

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wake(self) -> None:
        try:
            self._wake_send.send_bytes(b"")
        except OSError:  # the supervisor has already stopped and closed the pipe
            pass

    # The supervisor thread owns the workers; only it starts, feeds and kills them.

    def _supervise(self) -> None:
        workers: list[_Worker] = []
        try:
            workers = [self._start_worker() for _ in range(self._size)]
            startup_failures = 0
            while not self._closed and not self._broken:
                self._dispatch(workers)
                ready = wait([self._wake_recv] + [w.conn for w in workers] + [w.process.sentinel for w in workers],
                             timeout=self._next_deadline(workers))
                while self._wake_recv.poll():
                    self._wake_recv.recv_bytes()
                for i, worker in enumerate(workers):
                    outcome = self._collect(worker, ready)
                    if outcome == _READY:
                        startup_failures = 0
                    elif outcome == "died" and not worker.ready:
                        startup_failures += 1
                        if startup_failures >= _STARTUP_FAILURES:
                            self._break(f"render workers die before they start (exit code "
                                        f"{worker.process.exitcode}, memory limit {_mib(self._memory_bytes)})")
                    if outcome in ("died", "timeout"):
                        self._stop(worker)
                        workers[i] = self._start_worker()
        except BaseException as exc:  # a bug here must not leave futures waiting forever
            log.exception("render pool supervisor failed")
            self._break(f"the render pool failed: {type(exc).__name__}: {exc}")
        finally:
            for worker in workers:
                self._stop(worker)
                if worker.job is not None:
                    self._abandon(worker.job)
            with self._lock:
                self._closed = True
                pending, self._queue = list(self._queue), collections.deque()
            for job in pending:
                self._abandon(job)
            self._wake_send.close()
            self._wake_recv.close()

    def _start_worker(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_worker_main, args=(theirs, *self._args), name="render-worker",
                                        daemon=True)
        process.start()
        theirs.close()  # only the worker holds its end: when it dies, our recv sees EOF
        return _Worker(process, ours)

    def _dispatch(self, workers: list[_Worker]) -> None:
        for worker in workers:
            if not worker.ready or worker.job is not None:
                continue
            with self._lock:
                job = self._next_job()
            if job is None:
                return
            job.started = job.progress = time.monotonic()
            try:
                worker.conn.send(job.uri)
            except OSError:  # the worker just died; _collect sees its sentinel and fails the job
                pass
            worker.job = job

    def _next_job(self) -> _Job | None:
        while self._queue:
            job = self._queue.popleft()
            if not job.future.cancelled():
                return job
        return None

    def _next_deadline(self, workers: list[_Worker]) -> float | None:
        deadlines = [w.job.deadline(self._timeout) for w in workers if w.job is not None]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _collect(self, worker: _Worker, ready: list) -> str | None:
        """What happened to ``worker``: None (still busy or idle), "ready", "done" (a result was
        delivered), "timeout" or "died" (its job, if any, has failed; the worker must go)."""
        if worker.conn in ready:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                message = None  # it died mid-message; the sentinel below says how
            if message == _READY:
                worker.ready = True
                return _READY
            if message == _PAGE:
                if worker.job is not None:
                    worker.job.progress = time.monotonic()
                return None
            if isinstance(message, str):  # the worker's reason why it cannot start
                self._break(message)
                return "died"
            if message is not None and worker.job is not None:
                self._finish(worker, message)
                return "done"
        if worker.process.sentinel in ready or not worker.process.is_alive():
            worker.process.join()
            self._finish(worker, self._death(worker.process.exitcode))
            return "died"
        if worker.job is not None and time.monotonic() > worker.job.deadline(self._timeout):
            self._finish(worker, RenderFailure("render_timeout", f"rendering a page took longer than the limit of "
                                                                 f"{self._timeout:g} s, or the document longer than "
                                                                 f"{DOCUMENT_TIMEOUTS} times that (render_timeout)"))
            return "timeout"
        return None

    def _death(self, exitcode: int | None) -> RenderFailure:
        if exitcode is None or exitcode >= 0:
            return RenderFailure("render_crashed", f"the render worker exited with code {exitcode}")
        name = signal.Signals(-exitcode).name
        if -exitcode == signal.SIGKILL:
            return RenderFailure("render_out_of_memory", f"the render worker was killed by {name}, most likely "
                                                         "by the kernel's out-of-memory killer")
        if -exitcode == signal.SIGABRT and self._memory_bytes is not None:
            # PDFium, C++, aborts on a failed allocation (std::bad_alloc) instead of reporting it.
            return RenderFailure("render_out_of_memory", f"the render worker aborted ({name}), as PDFium does "
                                                         "when an allocation fails under the memory limit of "
                                                         f"{_mib(self._memory_bytes)} (render_memory_mb)")
        return RenderFailure("render_crashed", f"the render worker died of signal {name}")

    def _finish(self, worker: _Worker, result: Rendered) -> None:
        job, worker.job = worker.job, None
        if job is None:
            return
        if isinstance(result, RenderFailure) and result.seconds == 0.0:
            result.seconds = time.monotonic() - job.started
        _resolve(job.future, result)

    def _stop(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()

    def _break(self, reason: str) -> None:
        """Workers cannot start (or the supervisor failed): what is queued, running or submitted
        from now on fails with ``reason``."""
        with self._lock:
            self._broken = reason

    def _abandon(self, job: _Job) -> None:
        # close() cancels what is not done; a broken pool answers with its reason instead.
        if self._broken:
            _resolve(job.future, RenderFailure("render_crashed", self._broken))
        else:
            job.future.cancel()


def _resolve(future: Future, result: Rendered) -> None:
    try:
        future.set_result(result)
    except InvalidStateError:  # the caller cancelled it meanwhile; nobody waits for the result
        pass
