"""The managed server: docintel starts ``vllm serve`` on this machine, talks to it over the
OpenAI-compatible engine, restarts it if it dies, and stops it with the run.

Why a server on a GPU: in vLLM's offline ``LLM`` the multimodal input processing (chat template,
Gemma 4 processor, tokenisation) runs in the caller's one Python process, ~25 pages/s, while an
H100 prefills ~35 pages/s of Gemma 4 12B. ``vllm serve --api-server-count K`` runs that
processing in K processes against one engine core (``AsyncLLM`` in process has the same single
front end). ``bench/feed.py`` measures pages/s against K.

The server runs in a session of its own, so a Ctrl-C in the terminal reaches docintel, which
then stops it in order; the :class:`~pipeline.engines.lifetime.Reaper` kills its process group
if docintel itself is killed. Requests in flight when the server dies are retried by the HTTP
engine (connection errors are retried for ``RetryPolicy.give_up_after``) and reach the restarted
server."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import httpx

from ..config import Settings
from .base import Generation, GenerationRequest
from .http import OpenAIEngine
from .inprocess import vllm_engine_args
from .lifetime import Reaper

log = logging.getLogger(__name__)

MAX_RESTARTS = 3


class ServerStartError(RuntimeError):
    """The managed server exited or did not become healthy in time."""


def serve_command(settings: Settings, port: int) -> list[str]:
    """The ``vllm serve`` command line for ``settings`` (the in-process engine's arguments as
    flags), listening on 127.0.0.1:``port``."""
    args: dict[str, Any] = vllm_engine_args(settings)
    command = [sys.executable, "-m", "pipeline.engines.vllm_serve", "--model", args.pop("model"),
               "--host", "127.0.0.1", "--port", str(port), "--api-server-count", str(settings.api_server_count or 1),
               # The runner sends the image budget with each request (as the openai engine does).
               "--trust-request-mm-kwargs", "--disable-uvicorn-access-log",
               # vLLM's sampling defaults, not generation_config.json's: as in process.
               "--generation-config", "vllm"]
    for name, value in args.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value is not False:
            command += [flag, json.dumps(value) if isinstance(value, dict) else str(value)]
    return command


class ManagedServerEngine:
    """A local ``vllm serve`` for the run's lifetime, behind the :class:`Engine` interface."""

    def __init__(self, settings: Settings, verbose: bool = False) -> None:
        self.model = settings.model
        self._settings = settings
        self._verbose = verbose
        self._log_dir = Path(tempfile.mkdtemp(prefix="docintel-server-"))
        self._reaper = Reaper()
        self.restarts = 0
        self._port = free_port()
        try:
            self._server = self._start()
        except BaseException:
            self._reaper.close()
            raise
        self.url = f"http://127.0.0.1:{self._port}/v1"
        self._client = OpenAIEngine(settings.model_copy(update={"server_urls": [self.url],
                                                                "max_concurrency": settings.max_in_flight or 64}))
        self.context = self._client.context

    def submit(self, key: int, request: GenerationRequest) -> None:
        self._client.submit(key, request)

    def poll(self, timeout: float) -> list[tuple[int, Generation]]:
        if self._server.poll() is not None:
            self._restart()
        return self._client.poll(timeout)

    def count_tokens(self, texts: Sequence[str]) -> list[int] | None:
        return self._client.count_tokens(texts)

    def close(self) -> None:
        self._client.close()
        _stop(self._server)
        self._reaper.close()

    @property
    def server_pid(self) -> int:
        """PID of the server's main process, the leader of its process group."""
        return self._server.pid

    @property
    def log_path(self) -> Path:
        return self._log_dir / "vllm-serve.log"

    def _start(self) -> subprocess.Popen:
        command = serve_command(self._settings, self._port)
        log.info("starting the managed server: %s", " ".join(command))
        output = None if self._verbose else self.log_path.open("ab")
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT if output else None,
                                  start_new_session=True)
        self._reaper.watch_group(server.pid)
        try:
            wait_until_healthy(f"http://127.0.0.1:{self._port}", server, self._settings.server_start_timeout,
                               self.log_path)
        except BaseException:
            _stop(server)
            raise
        return server

    def _restart(self) -> None:
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise ServerStartError(f"the managed server died {self.restarts} times; see {self.log_path}")
        log.warning("the managed server exited with %s; restarting it (%d of %d)", self._server.returncode,
                    self.restarts, MAX_RESTARTS)
        _stop(self._server)
        self._server = self._start()


def wait_until_healthy(base: str, server: subprocess.Popen, timeout: float, log_path: Path) -> None:
    """Return once ``GET /health`` answers 200; raise :class:`ServerStartError` when the server
    exits first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerStartError(f"the managed server exited with {server.returncode} while starting:\n"
                                   + _tail(log_path))
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    raise ServerStartError(f"the managed server was not healthy after {timeout:.0f} s:\n" + _tail(log_path))


def _stop(server: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGTERM the server's process group (API servers, engine core, workers), SIGKILL after ``grace``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(grace)
            os.killpg(server.pid, 0)  # the leader is gone: are its children?
            time.sleep(1.0)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"
