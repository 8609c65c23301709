"""The ``openai`` engine: the :class:`~pipeline.engines.base.Engine` interface over HTTP, for
``vllm serve`` (see ``deploy/vllm-serve.sh`` and ``managed.py``) or any OpenAI-compatible server.

Each submitted request goes out at once (at most ``max_concurrency`` on the wire), to the
server with the fewest requests in flight. Every answer is constrained to the schema with
``response_format`` (JSON schema); pages travel as JPEG ``data:`` URLs, encoded once per request.
Connection failures, timeouts, 429 and 5xx are retried with exponential backoff and jitter
(``Retry-After`` is respected); a server that cannot be reached is avoided for a while, so the
others take its share, and a server that is restarted mid-batch loses no request. Other 4xx
answers (a prompt longer than the context, ...) are final. Whatever happens, one request gives
exactly one :class:`Generation`: a failed request comes back with ``error`` set.

Answer validation and its retries stay in the runner: they do not depend on the engine."""

from __future__ import annotations

import asyncio
import base64
import email.utils
import io
import json
import logging
import queue
import random
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Sequence

import httpx
from PIL import Image

from ..config import Settings
from .base import Generation, GenerationRequest, Message

log = logging.getLogger(__name__)

# JPEG at quality 90 encodes a rendered page ~20x faster than PNG and ~40% smaller (measured on
# sample_docs at 280 and 1120 soft tokens), and the model reads both alike.
JPEG_QUALITY = 90
# Per-request multimodal kwargs that check_servers sends to see whether a server accepts them.
_PROBE_MM_KWARGS = {"max_soft_tokens": 280}


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed HTTP request is sent again, and when it becomes an error.

    Failures with an answer (429, 5xx) and timeouts count against ``max_attempts``. A server
    that cannot be reached says nothing about the request, so those failures only count
    against ``give_up_after``: seconds since the request first failed, long enough for a
    server restart."""

    max_attempts: int = 6
    give_up_after: float = 600.0
    backoff_base: float = 1.0
    backoff_max: float = 30.0

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure: exponential, with jitter."""
        return random.uniform(0.5, 1.0) * min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))


class ServerCheckError(RuntimeError):
    """One or more servers are unreachable, unhealthy or do not serve the model."""


class OpenAIEngine:
    """Generations from OpenAI-compatible servers at ``settings.server_urls``.

    The HTTP work runs on an event loop in a background thread that lives until ``close``, so
    connections are reused; finished answers wait in a queue for ``poll``."""

    def __init__(self, settings: Settings, retry: RetryPolicy = RetryPolicy()) -> None:
        if not settings.server_urls:
            raise ValueError("engine 'openai' needs server_urls (e.g. http://gpu1:8000/v1)")
        self.model = settings.model  # the served model name
        self._max_soft_tokens = settings.max_soft_tokens
        self._retry = retry
        self._balancer = _Balancer([api_base(url) for url in settings.server_urls], retry)
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        # A short connect timeout: a dead host is found quickly and its requests go elsewhere.
        timeout = httpx.Timeout(settings.request_timeout, connect=min(10.0, settings.request_timeout))
        limits = httpx.Limits(max_connections=settings.max_concurrency, max_keepalive_connections=settings.max_concurrency)
        self._client = httpx.AsyncClient(timeout=timeout, limits=limits, headers=_headers(settings.server_api_key))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="openai-engine", daemon=True)
        self._thread.start()
        self._done: queue.SimpleQueue[tuple[int, Generation]] = queue.SimpleQueue()
        served = served_context(settings.server_urls, self.model, settings.server_api_key)
        self.context: int | None = served or (settings.max_model_len if settings.max_model_len > 0 else None)

    def submit(self, key: int, request: GenerationRequest) -> None:
        future = asyncio.run_coroutine_threadsafe(self._one(request), self._loop)
        future.add_done_callback(lambda f: self._done.put((key, _answer(f))))

    def poll(self, timeout: float) -> list[tuple[int, Generation]]:
        try:
            done = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self._done.empty():
            done.append(self._done.get())
        return done

    def count_tokens(self, texts: Sequence[str]) -> list[int] | None:
        return None  # a round trip per document to a server's /tokenize would cost more than it saves

    def close(self) -> None:
        """Close the connections and stop the background event loop."""
        if self._loop.is_closed():
            return
        for closing in (self._client.aclose(), self._loop.shutdown_default_executor()):
            asyncio.run_coroutine_threadsafe(closing, self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _one(self, request: GenerationRequest) -> Generation:
        try:
            # Encoding pages takes CPU time: off the event loop, overlapping the HTTP traffic.
            body = await asyncio.to_thread(encode_body, request, self.model, self._max_soft_tokens)
            return await self._send_with_retries(body)
        except Exception as exc:  # one bad request must not take its window down
            log.exception("request failed unexpectedly")
            return Generation(error=f"{type(exc).__name__}: {exc}")

    async def _send_with_retries(self, body: bytes) -> Generation:
        failures = answered_failures = 0
        first_failure: float | None = None
        while True:
            try:
                async with self._slots:  # held while on the wire, not while backing off
                    return await self._send(body)
            except _Retry as failure:
                failures += 1
                answered_failures += 0 if failure.unreachable else 1
                if first_failure is None:
                    first_failure = time.monotonic()
                delay = self._delay(failure, failures)
                waited = time.monotonic() - first_failure
                if answered_failures >= self._retry.max_attempts or waited + delay > self._retry.give_up_after:
                    return Generation(error=f"gave up after {failures} failed attempts in {waited:.0f} s: {failure}")
                log.warning("retrying in %.1f s (failure %d): %s", delay, failures, failure)
                await asyncio.sleep(delay)

    def _delay(self, failure: _Retry, failures: int) -> float:
        if failure.unreachable and self._balancer.any_up():
            return 0.0  # another server takes the request now
        return max(self._retry.backoff(failures), failure.retry_after)

    async def _send(self, body: bytes) -> Generation:
        server = self._balancer.pick()
        server.in_flight += 1
        try:
            response = await self._client.post(f"{server.api}/chat/completions", content=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:  # no server there, or it died while answering
            self._balancer.unreachable(server)
            raise _Retry(f"{server.api}: {type(exc).__name__}: {exc}", unreachable=True) from exc
        except httpx.TransportError as exc:  # timeouts (the server may just be busy), ...
            raise _Retry(f"{server.api}: {type(exc).__name__}: {exc}") from exc
        finally:
            server.in_flight -= 1
        self._balancer.reachable(server)
        return _generation(server.api, response)


def _answer(future: Future) -> Generation:
    try:
        return future.result()
    except BaseException as exc:  # cancelled at close; _one catches everything else
        return Generation(error=f"{type(exc).__name__}: {exc}")


@dataclass
class _Server:
    api: str  # base URL of the OpenAI API, ending in /v1
    in_flight: int = 0
    down_until: float = 0.0  # time.monotonic() before which the server is avoided
    failures: int = 0  # consecutive connection failures


class _Balancer:
    """Least requests in flight wins; ties take turns; unreachable servers wait out a backoff."""

    def __init__(self, apis: list[str], retry: RetryPolicy) -> None:
        self.servers = [_Server(api) for api in apis]
        self._retry = retry
        self._turn = 0

    def pick(self) -> _Server:
        now = time.monotonic()
        # When every server is down, the one that comes back first is tried.
        up = [s for s in self.servers if s.down_until <= now] or [min(self.servers, key=lambda s: s.down_until)]
        fewest = min(s.in_flight for s in up)
        tied = [s for s in up if s.in_flight == fewest]
        self._turn += 1
        return tied[self._turn % len(tied)]

    def any_up(self) -> bool:
        now = time.monotonic()
        return any(s.down_until <= now for s in self.servers)

    def unreachable(self, server: _Server) -> None:
        server.failures += 1
        server.down_until = time.monotonic() + self._retry.backoff(server.failures)

    def reachable(self, server: _Server) -> None:
        server.failures, server.down_until = 0, 0.0


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float = 0.0, unreachable: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.unreachable = unreachable


def _generation(api: str, response: httpx.Response) -> Generation:
    """The answer in ``response``; raises :class:`_Retry` when asking again may help."""
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise _Retry(f"{api}: HTTP {status}: {error_message(response)}", retry_after=_retry_after(response))
    if status != 200:
        return Generation(error=f"{api}: HTTP {status}: {error_message(response)}")
    try:
        data = response.json()
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        return Generation(
            text=choice["message"]["content"] or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
            token_logprobs=token_logprobs(choice),
        )
    except (ValueError, LookupError, TypeError) as exc:
        return Generation(error=f"{api}: unexpected answer ({type(exc).__name__}: {exc}): {response.text[:300]}")


def token_logprobs(choice: dict[str, Any]) -> list[tuple[str, float]] | None:
    """Each answer token's text and log-probability from a chat-completions choice
    (``logprobs.content[*].token`` and ``.logprob``); None when the server sent none or in
    another shape. ``vllm serve`` reports them after the grammar mask, as in process
    (``inprocess.py``); what other servers report is theirs to say. vLLM decodes each token on
    its own, so a token holding part of a UTF-8 character shows as U+FFFD (``confidence.py``
    aligns them to the text)."""
    content = (choice.get("logprobs") or {}).get("content")
    if not isinstance(content, list):
        return None
    try:
        return [(str(t["token"]), float(t["logprob"])) for t in content]
    except (LookupError, TypeError, ValueError):
        return None


def error_message(response: httpx.Response) -> str:
    """The server's own explanation: OpenAI's ``{"error": {"message": ...}}`` or the raw text."""
    try:
        data = response.json()
        error = data.get("error", data) if isinstance(data, dict) else data
        message = error.get("message") if isinstance(error, dict) else error
        return str(message or response.text)[:2000]
    except ValueError:
        return response.text[:2000]


def _retry_after(response: httpx.Response) -> float:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date); 0 without one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return 0.0


def encode_body(request: GenerationRequest, model: str, max_soft_tokens: int) -> bytes:
    """The chat-completions request body for ``request``, as JSON bytes (built once, sent on
    every retry)."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [openai_message(m) for m in request.messages],
        # max_tokens rather than max_completion_tokens: every OpenAI-compatible server knows it.
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_name(request.schema), "schema": request.schema, "strict": True},
        },
        # vLLM: the image-token budget the pages were rendered for (needs --trust-request-mm-kwargs).
        "mm_processor_kwargs": {"max_soft_tokens": max_soft_tokens},
        # Each answer token's log-probability (the sampled token only), for per-field confidence.
        "logprobs": True,
    }
    if request.seed is not None:
        body["seed"] = request.seed
    return json.dumps(body, ensure_ascii=False).encode()


def openai_message(message: Message) -> Message:
    """``message`` with every ``image_pil`` part turned into an ``image_url`` part."""
    content = message.get("content")
    if not isinstance(content, list):
        return message
    parts = [
        {"type": "image_url", "image_url": {"url": image_data_url(p["image_pil"])}} if p.get("type") == "image_pil" else p
        for p in content
    ]
    return {**message, "content": parts}


def image_data_url(image: Image.Image) -> str:
    """The image as a JPEG ``data:`` URL."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def schema_name(schema: dict[str, Any]) -> str:
    """A ``json_schema.name`` from the schema's title (OpenAI allows ``[A-Za-z0-9_-]{1,64}``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(schema.get("title") or "record"))[:64] or "record"


def api_base(url: str) -> str:
    """The OpenAI API base of a server URL: ``http://host:8000`` and ``.../v1`` both give ``.../v1``."""
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def _headers(api_key: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def check_servers(urls: Sequence[str], model: str, timeout: float = 10.0, api_key: str | None = None) -> None:
    """Check, before a run starts, that every server is up and serves ``model``: ``GET /health``
    answers 200 (a server without that route, e.g. Ollama, answers 404 and passes),
    ``GET /v1/models`` lists ``model``, and a one-token request with per-request
    ``mm_processor_kwargs`` is accepted. Raises :class:`ServerCheckError` naming each bad URL."""
    if not urls:
        raise ServerCheckError("no server URLs given")
    with httpx.Client(timeout=timeout, headers=_headers(api_key)) as client:
        problems = [f"{url}: {problem}" for url in urls if (problem := server_problem(client, url, model))]
    if problems:
        raise ServerCheckError(f"{len(problems)} of {len(urls)} servers unusable:\n  " + "\n  ".join(problems))


def served_context(urls: Sequence[str], model: str, api_key: str | None = None, timeout: float = 10.0) -> int | None:
    """The smallest context (``max_model_len``, as vLLM lists it under ``GET /v1/models``) among
    the servers that answer; None when none says (other servers, or none reachable yet)."""
    lengths = []
    with httpx.Client(timeout=timeout, headers=_headers(api_key)) as client:
        for url in urls:
            try:
                listed = client.get(f"{api_base(url)}/models").json().get("data", [])
            except (httpx.HTTPError, ValueError, AttributeError):
                continue
            lengths += [int(m["max_model_len"]) for m in listed if m.get("id") == model and m.get("max_model_len")]
    return min(lengths, default=None)


def server_problem(client: httpx.Client, url: str, model: str) -> str | None:
    """What is wrong with the server at ``url`` for serving ``model``; None if nothing."""
    api = api_base(url)
    try:
        health = client.get(api.removesuffix("/v1") + "/health")
        if health.status_code not in (200, 404):
            return f"GET /health answered HTTP {health.status_code}: {error_message(health)}"
        models = client.get(f"{api}/models")
        if models.status_code != 200:
            return f"GET /v1/models answered HTTP {models.status_code}: {error_message(models)}"
        served = [m.get("id") for m in models.json().get("data", [])]
        if model not in served:
            return f"does not serve {model!r} (it serves {served})"
        return _probe_problem(client, api, model)
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        return f"unreachable or not an OpenAI-compatible server ({type(exc).__name__}: {exc})"


def _probe_problem(client: httpx.Client, api: str, model: str) -> str | None:
    # vLLM rejects per-request mm_processor_kwargs unless started with --trust-request-mm-kwargs;
    # better to learn it here than from a batch of error rows.
    probe = {"model": model, "messages": [{"role": "user", "content": "ping"}], "max_tokens": 1,
             "mm_processor_kwargs": _PROBE_MM_KWARGS}
    answer = client.post(f"{api}/chat/completions", json=probe)
    if answer.status_code == 200:
        return None
    message = error_message(answer)
    if "mm_processor_kwargs" in message:
        return f"rejects per-request mm_processor_kwargs; start it with --trust-request-mm-kwargs ({message})"
    return f"a one-token test request answered HTTP {answer.status_code}: {message}"
