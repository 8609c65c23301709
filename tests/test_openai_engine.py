"""The ``openai`` engine against a real ``vllm serve`` (deploy/vllm-serve.sh, cpu variant) on
loopback, serving the tiny Gemma 4 checkpoint: extraction, refusals, a dead server URL, a
server killed and restarted mid-batch, the health check, and a whole run_batch.

The server starts once for the module (about a minute on two cores); the kill test runs last."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx
import pyarrow.parquet as pq
import pytest

from pipeline.config import Settings
from pipeline.engines import GenerationRequest, generate
from pipeline.engines.managed import free_port
from pipeline.engines.http import OpenAIEngine, RetryPolicy, ServerCheckError, check_servers
from pipeline.prompt import build_messages
from pipeline.render import RenderedDocument, RenderOptions, render_source
from pipeline.runner import run_batch
from pipeline.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
SERVE_SCRIPT = ROOT / "deploy" / "vllm-serve.sh"
INVOICES = ROOT / "sample_docs" / "invoice"
MAX_MODEL_LEN = 16384
MAX_SOFT_TOKENS = 70
COMPLETION_LOG_LINE = '"POST /v1/chat/completions HTTP/1.1" 200'


class VllmServer:
    """``deploy/vllm-serve.sh cpu`` as a subprocess in its own process group, so that a kill
    also takes vLLM's engine-core process."""

    def __init__(self, model: Path, port: int, logs: Path) -> None:
        self.model, self.port, self.logs = model, port, logs
        self.url = f"http://127.0.0.1:{port}/v1"
        self.starts = 0
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.logs / f"vllm-{self.starts}.log"

    def env(self) -> dict[str, str]:
        return dict(os.environ, MODEL=str(self.model), HOST="127.0.0.1", PORT=str(self.port),
                    MAX_MODEL_LEN=str(MAX_MODEL_LEN), MAX_SOFT_TOKENS=str(MAX_SOFT_TOKENS),
                    VLLM_CPU_KVCACHE_SPACE="1", PYTHON=sys.executable)

    def start(self) -> None:
        self.starts += 1
        with self.log.open("w") as log:
            self.process = subprocess.Popen([str(SERVE_SCRIPT), "cpu"], env=self.env(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout: float = 400.0) -> float:
        """Seconds until GET /health answers 200; fails with the log's tail if it never does."""
        assert self.process is not None
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                pytest.fail(f"vllm serve exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(1)
        pytest.fail(f"vllm serve not healthy after {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def completions(self) -> int:
        """Chat completions answered 200 by the current server process (uvicorn's access log)."""
        return self.log.read_text().count(COMPLETION_LOG_LINE)

    def kill(self) -> None:
        assert self.process is not None
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM, SIGKILL after 30 s; then SIGKILL for any engine process left in the group."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory):
    server = VllmServer(tiny_model, free_port(), tmp_path_factory.mktemp("vllm-serve"))
    try:
        server.start()
        print(f"vllm serve healthy after {server.wait_healthy():.0f} s")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def invoices() -> list[RenderedDocument]:
    options = RenderOptions(max_soft_tokens=MAX_SOFT_TOKENS)
    docs = [render_source(str(path), options) for path in sorted(INVOICES.iterdir())]
    rendered = [d for d in docs if isinstance(d, RenderedDocument)]
    assert len(rendered) >= 3
    return rendered


def settings_for(server: VllmServer, **update) -> Settings:
    fields = dict(engine="openai", server_urls=[server.url], model=str(server.model), max_model_len=MAX_MODEL_LEN,
                  max_tokens=1536, max_soft_tokens=MAX_SOFT_TOKENS, max_concurrency=2, window=4, request_timeout=120)
    return Settings(**fields | update)


def extraction(doc: RenderedDocument, extra_text: str = "") -> GenerationRequest:
    schema = load_schema("invoice")
    messages = build_messages(doc, schema, 60_000)
    if extra_text:
        messages[0]["content"].insert(0, {"type": "text", "text": extra_text})
    return GenerationRequest(messages=messages, schema=schema.schema, max_tokens=1536, seed=0)


def assert_json_answer(generation) -> None:
    assert generation.error is None, generation.error
    assert generation.finish_reason == "stop"
    assert generation.prompt_tokens > 0 and generation.output_tokens > 0
    record = json.loads(generation.text, strict=False)  # as the runner parses it
    assert isinstance(record, dict) and set(record) <= set(load_schema("invoice").schema["properties"])


def test_deploy_variants_parse_with_vllms_own_parser() -> None:
    from vllm.entrypoints.launchers.cli_args import make_arg_parser
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    for variant, launcher in (("h100", ["vllm", "serve"]), ("h200", ["vllm", "serve"]), ("24gb", ["vllm", "serve"]),
                              ("cpu", [sys.executable, "-m", "pipeline.engines.vllm_serve"])):
        env = dict(os.environ, DRY_RUN="1", MODEL="/models/tiny", PYTHON=sys.executable)
        printed = subprocess.run([str(SERVE_SCRIPT), variant], env=env, capture_output=True, text=True, check=True)
        command = shlex.split(printed.stdout)
        assert command[:len(launcher)] == launcher
        args = make_arg_parser(FlexibleArgumentParser()).parse_args(command[len(launcher):])  # exits on a bad flag
        assert args.trust_request_mm_kwargs and args.enable_prefix_caching
        assert args.structured_outputs_config.backend == "xgrammar"
        assert args.structured_outputs_config.disable_any_whitespace
        assert args.limit_mm_per_prompt["image"] == 500
        assert args.max_model_len == (16384 if variant == "cpu" else -1)
        if variant != "cpu":
            assert args.kv_cache_dtype == "fp8"
            assert args.speculative_config == {"method": "mtp", "model": "google/gemma-4-12B-it-assistant",
                                               "num_speculative_tokens": 4}


@pytest.mark.parametrize(("variant", "memory_gib"), [("h100", 80.0), ("h200", 141.0)])
def test_the_managed_server_and_the_deploy_script_agree_on_gpu_defaults(variant: str, memory_gib: float) -> None:
    from vllm.entrypoints.launchers.cli_args import make_arg_parser
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    from pipeline.engines.managed import serve_command
    from pipeline.hardware import Host, resolve

    def parse(command: list[str]):
        return make_arg_parser(FlexibleArgumentParser()).parse_args(command)

    host = Host(cpus=16, gpu_name="NVIDIA GPU", gpu_memory_gib=memory_gib)
    settings = resolve(Settings(kv_cache_dtype="fp8"), host)
    assert settings.engine == "server" and settings.api_server_count == 4
    managed = parse(serve_command(settings, 8000)[3:])  # after: python -m pipeline.engines.vllm_serve
    env = dict(os.environ, DRY_RUN="1", API_SERVER_COUNT="4")
    script = parse(shlex.split(subprocess.run([str(SERVE_SCRIPT), variant], env=env, capture_output=True,
                                              text=True, check=True).stdout)[2:])  # after: vllm serve
    for name in ("max_num_seqs", "max_num_batched_tokens", "api_server_count", "max_model_len", "kv_cache_dtype",
                 "trust_request_mm_kwargs", "enable_prefix_caching", "generation_config", "gpu_memory_utilization"):
        assert getattr(managed, name) == getattr(script, name), name
    assert managed.mm_processor_kwargs == script.mm_processor_kwargs
    assert managed.structured_outputs_config == script.structured_outputs_config


def test_check_servers_passes_on_the_live_server_and_names_a_dead_one(server: VllmServer) -> None:
    check_servers([server.url], str(server.model), timeout=30)
    check_servers([server.url.removesuffix("/v1")], str(server.model), timeout=30)  # /v1 is optional
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ServerCheckError) as failure:
        check_servers([server.url, dead], str(server.model), timeout=30)
    assert dead in str(failure.value) and f"{server.url}:" not in str(failure.value)
    with pytest.raises(ServerCheckError, match="does not serve 'google/gemma-4-12B-it'"):
        check_servers([server.url], "google/gemma-4-12B-it", timeout=30)


def test_every_document_is_extracted_as_json_with_token_counts(server: VllmServer, invoices) -> None:
    engine = OpenAIEngine(settings_for(server))
    try:
        started = time.perf_counter()
        generations = generate(engine, [extraction(doc) for doc in invoices])
        print(f"{len(invoices)} documents in {time.perf_counter() - started:.1f} s")
    finally:
        engine.close()
    assert len(generations) == len(invoices)
    for generation in generations:
        assert_json_answer(generation)


def test_a_prompt_longer_than_the_context_is_an_error_and_the_others_succeed(server: VllmServer, invoices) -> None:
    too_long = extraction(invoices[0], extra_text="Lorem ipsum dolor sit amet 12345. " * 6000)
    engine = OpenAIEngine(settings_for(server))
    assert engine.context == MAX_MODEL_LEN  # as the server lists it under GET /v1/models
    try:
        first, refused, last = generate(engine, [extraction(invoices[0]), too_long, extraction(invoices[1])])
    finally:
        engine.close()
    assert_json_answer(first)
    assert_json_answer(last)
    assert refused.text == "" and refused.finish_reason is None
    assert "HTTP 400" in refused.error and str(MAX_MODEL_LEN) in refused.error  # the server's own message


def test_requests_avoid_a_dead_server_url(server: VllmServer, invoices) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    engine = OpenAIEngine(settings_for(server, server_urls=[dead, server.url]))
    try:
        generations = generate(engine, [extraction(doc) for doc in invoices[:4]])
    finally:
        engine.close()
    for generation in generations:
        assert_json_answer(generation)


def test_run_batch_writes_every_document_through_the_server(server: VllmServer, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in sorted(INVOICES.iterdir())[:3]:
        (inputs / path.name).write_bytes(path.read_bytes())
    settings = settings_for(server)
    engine = OpenAIEngine(settings)
    try:
        summary = run_batch([inputs], load_schema("invoice"), tmp_path / "out", settings, engine)
    finally:
        engine.close()
    tables = {t: pq.read_table(tmp_path / "out" / t).to_pylist() if (tmp_path / "out" / t).exists() else []
              for t in ("results", "errors")}
    rows = tables["results"] + tables["errors"]
    assert sorted(Path(r["source"]).name for r in rows) == sorted(p.name for p in inputs.iterdir())
    assert not [e for e in tables["errors"] if e["stage"] == "engine"]
    assert summary.documents == 3 and summary.prompt_tokens > 0 and summary.manifest
    assert all(r["model"] == str(server.model) for r in rows)


ANSWER = {"choices": [{"message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 7, "completion_tokens": 2}}


@contextmanager
def scripted_server(statuses: list[int]) -> Iterator[tuple[str, list[float]]]:
    """A loopback server answering chat completions with ``statuses`` in turn (the last one
    repeats), for faults a real vLLM does not produce on demand: 429 and 503 with Retry-After,
    a 500 that does not go away. Yields its URL and the times of the requests it got."""
    hits: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            hits.append(time.monotonic())
            status = statuses[min(len(hits), len(statuses)) - 1]
            body = json.dumps(ANSWER if status == 200 else {"error": {"message": f"scripted {status}"}}).encode()
            self.send_response(status)
            if status in (429, 503):
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", hits
    finally:
        server.shutdown()
        server.server_close()


def generate_one(url: str, retry: RetryPolicy):
    engine = OpenAIEngine(Settings(engine="openai", server_urls=[url], model="m"), retry)
    try:
        return generate(engine, [GenerationRequest([{"role": "user", "content": "hi"}], {"type": "object"}, 8)])[0]
    finally:
        engine.close()


def test_429_and_503_are_retried_after_retry_after() -> None:
    with scripted_server([429, 503, 200]) as (url, hits):
        generation = generate_one(url, RetryPolicy(backoff_base=0.01))
    assert generation.error is None and generation.text == "{}" and generation.prompt_tokens == 7
    assert len(hits) == 3 and all(later - earlier >= 0.99 for earlier, later in zip(hits, hits[1:]))


def test_a_400_is_final_and_a_lasting_500_gives_up_after_max_attempts() -> None:
    with scripted_server([400]) as (url, hits):
        generation = generate_one(url, RetryPolicy(backoff_base=0.01))
    assert len(hits) == 1 and "HTTP 400: scripted 400" in generation.error
    with scripted_server([500]) as (url, hits):
        generation = generate_one(url, RetryPolicy(max_attempts=3, backoff_base=0.01))
    assert len(hits) == 3 and "gave up after 3" in generation.error and "scripted 500" in generation.error


def test_a_server_killed_and_restarted_mid_batch_loses_and_duplicates_nothing(server: VllmServer, invoices) -> None:
    # Each request is a little longer than the one before, so prompt_tokens shows the order.
    requests = [extraction(invoices[0], extra_text=f"Batch item {i}: " + "please " * (3 * i)) for i in range(24)]
    engine = OpenAIEngine(settings_for(server), RetryPolicy(backoff_max=5))
    earlier = server.completions()  # answers to the tests before this one
    try:
        with ThreadPoolExecutor(1) as pool:
            batch = pool.submit(generate, engine, requests)
            deadline = time.monotonic() + 300
            while server.completions() - earlier < 3 and time.monotonic() < deadline and not batch.done():
                time.sleep(0.1)
            answered_before_kill = server.completions() - earlier
            assert 3 <= answered_before_kill < len(requests) and not batch.done()
            server.kill()
            server.start()
            print(f"killed after {answered_before_kill} answers; restarted, healthy after {server.wait_healthy():.0f} s")
            generations = batch.result(timeout=600)
    finally:
        engine.close()
    assert len(generations) == len(requests)
    for generation in generations:
        assert_json_answer(generation)
    prompt_tokens = [g.prompt_tokens for g in generations]
    assert prompt_tokens == sorted(set(prompt_tokens)), "answers out of order or duplicated"
    assert server.completions() >= len(requests) - answered_before_kill  # the rest came from the new server
