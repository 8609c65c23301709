"""The in-process engine: ``vllm.LLM`` in this process, fed one request at a time.

Each request is rendered (chat template, Gemma 4 processor, tokenisation) and added to the
engine as soon as the runner submits it (``LLM.enqueue_chat``), and ``poll`` runs one engine
step and hands back what finished; vLLM batches whatever is in the engine (continuous batching)
and constrains every answer to its JSON Schema (structured outputs, xgrammar). The engine core
computes in a process of its own, so it works while this process prepares the next requests.

Input processing runs here, in one Python process: about 25 pages/s on one core (DESIGN.md).
That is enough for the CPU and small GPUs; on a large GPU the managed server
(``managed.py``) runs it in several processes.

A request vLLM refuses (a prompt longer than the context, more images than allowed, an image the
processor cannot take) raises in ``enqueue_chat``, before it reaches the engine: it comes back as
an error and the requests around it are not touched."""

from __future__ import annotations

import logging
import time
from typing import Any

import psutil

from ..config import Settings
from .base import Generation, GenerationRequest
from .lifetime import Reaper

log = logging.getLogger(__name__)


def vllm_engine_args(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``vllm.LLM`` (the same names as ``vllm serve`` flags)."""
    args: dict[str, Any] = {
        "model": settings.model,
        "max_model_len": settings.max_model_len,
        "dtype": settings.dtype,
        "max_num_seqs": settings.max_num_seqs,
        "max_num_batched_tokens": settings.max_num_batched_tokens,
        "gpu_memory_utilization": settings.gpu_memory_utilization,
        "seed": settings.seed,
        "enforce_eager": settings.enforce_eager,
        "limit_mm_per_prompt": {"image": settings.max_pages, "audio": 0},
        # The image-token budget is engine-wide so that every page costs the same.
        "mm_processor_kwargs": {"max_soft_tokens": settings.max_soft_tokens},
        # disable_any_whitespace only takes effect engine-wide with a named backend; it saves
        # output tokens and stops a random or weak model from padding with whitespace forever.
        "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True},
        "enable_prefix_caching": True,
        "kv_cache_dtype": settings.kv_cache_dtype,
        "load_format": settings.load_format,
        "tokenizer": settings.tokenizer,
    }
    if settings.speculative_model:
        args["speculative_config"] = {
            "method": "mtp",
            "model": settings.speculative_model,
            "num_speculative_tokens": settings.num_speculative_tokens,
        }
    return {k: v for k, v in args.items() if v is not None}


class VllmEngine:
    """In-process vLLM (offline API, streamed). Create once per run: loading a model takes a while."""

    def __init__(self, settings: Settings) -> None:
        from vllm import LLM  # imported here: the rest of the library must load without vLLM

        self.model = settings.model
        start = time.perf_counter()
        before = {p.pid for p in psutil.Process().children(recursive=True)}
        self.llm = LLM(**vllm_engine_args(settings))  # public for callers that need the raw API
        # The engine core and its workers (the processes LLM() started, not others of ours such
        # as a Prefect server) die with us, however we end.
        self._reaper = Reaper()
        self._reaper.watch_descendants(exclude=before)
        # max_model_len -1 asks vLLM for the model's own context, reduced to what the KV cache
        # holds; the engine core reports the length it settled on back to this front end.
        self.context: int | None = self.llm.llm_engine.model_config.max_model_len
        self._keys: dict[str, int] = {}  # vLLM request id -> the runner's key
        self._refused: list[tuple[int, Generation]] = []
        log.info("loaded %s in %.1f s, context %d tokens", settings.model, time.perf_counter() - start, self.context)

    def submit(self, key: int, request: GenerationRequest) -> None:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        params = SamplingParams(max_tokens=request.max_tokens, temperature=request.temperature, seed=request.seed,
                                structured_outputs=StructuredOutputsParams(json=request.schema))
        try:
            [request_id] = self.llm.enqueue_chat([request.messages], [params], use_tqdm=False)
        except Exception as exc:  # refused before it reached the engine: only this request fails
            self._refused.append((key, Generation(error=f"{type(exc).__name__}: {exc}")))
            return
        # enqueue_chat returns vLLM's internal id, "<id>-<8 random characters>"; outputs carry <id>.
        self._keys[request_id.rsplit("-", 1)[0]] = key

    def poll(self, timeout: float) -> list[tuple[int, Generation]]:
        # One engine step returns within an iteration of the engine, so timeout is not needed.
        done, self._refused = self._refused, []
        if done or not self._keys:
            return done
        for output in self.llm.llm_engine.step():
            if output.finished and output.request_id in self._keys:
                completion = output.outputs[0]
                done.append((self._keys.pop(output.request_id), Generation(
                    text=completion.text, finish_reason=completion.finish_reason,
                    prompt_tokens=len(output.prompt_token_ids or []), output_tokens=len(completion.token_ids))))
        return done

    def close(self) -> None:
        # Shut the engine core down now rather than at interpreter exit, then make sure.
        engine = getattr(self.llm, "llm_engine", None)
        shutdown = getattr(getattr(engine, "engine_core", None), "shutdown", None)
        if callable(shutdown):
            shutdown()
        self._reaper.close()
