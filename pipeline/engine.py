"""The model behind one small interface. :class:`VllmEngine` runs ``vllm.LLM`` in process: all
requests of a window go in one ``chat`` call, so vLLM batches them (continuous batching) and
constrains every answer to the document type's JSON Schema (structured outputs, xgrammar).

The runner only sees :class:`Engine`: a list of :class:`GenerationRequest` in, one
:class:`Generation` per request out, in order; a request the engine cannot run comes back with
``error`` set instead of taking the batch down."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from .config import Settings
from .prompt import Message

log = logging.getLogger(__name__)


@dataclass
class GenerationRequest:
    messages: list[Message]
    schema: dict[str, Any]
    max_tokens: int
    temperature: float = 0.0
    seed: int | None = None


@dataclass
class Generation:
    text: str = ""
    finish_reason: str | None = None  # "stop", "length"; None when the request failed
    prompt_tokens: int = 0
    output_tokens: int = 0
    error: str | None = None


class Engine(Protocol):
    model: str

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]: ...

    def close(self) -> None: ...


def vllm_engine_args(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``vllm.LLM`` (the same names as ``vllm serve`` flags)."""
    args: dict[str, Any] = {
        "model": settings.model,
        "max_model_len": settings.max_model_len,
        "dtype": settings.dtype,
        "max_num_seqs": settings.max_num_seqs,
        "gpu_memory_utilization": settings.gpu_memory_utilization,
        "seed": settings.seed,
        "enforce_eager": settings.enforce_eager,
        "limit_mm_per_prompt": {"image": settings.max_pages, "audio": 0},
        # The image-token budget is engine-wide so that every page of a window costs the same.
        "mm_processor_kwargs": {"max_soft_tokens": settings.max_soft_tokens},
        # disable_any_whitespace only takes effect engine-wide with a named backend; it saves
        # output tokens and stops a random or weak model from padding with whitespace forever.
        "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True},
        "enable_prefix_caching": True,
    }
    if settings.speculative_model:
        args["speculative_config"] = {
            "method": "mtp",
            "model": settings.speculative_model,
            "num_speculative_tokens": settings.num_speculative_tokens,
        }
    return args


class VllmEngine:
    """In-process vLLM (offline batch API). Create once per run: loading a model takes a while."""

    def __init__(self, settings: Settings) -> None:
        from vllm import LLM  # imported here: the rest of the library must load without vLLM

        self.model = settings.model
        start = time.perf_counter()
        self.llm = LLM(**vllm_engine_args(settings))  # public for callers that need the raw API
        log.info("loaded %s in %.1f s", settings.model, time.perf_counter() - start)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        if not requests:
            return []
        try:
            return self._chat(requests)
        except Exception as exc:  # vLLM rejects a whole call when one request is invalid
            if len(requests) == 1:
                return [Generation(error=f"{type(exc).__name__}: {exc}")]
            log.warning("batch of %d failed (%s); retrying one by one", len(requests), exc)
            return [self.generate([r])[0] for r in requests]

    def _chat(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        params = [
            SamplingParams(
                max_tokens=r.max_tokens,
                temperature=r.temperature,
                seed=r.seed,
                structured_outputs=StructuredOutputsParams(json=r.schema),
            )
            for r in requests
        ]
        outputs = self.llm.chat([r.messages for r in requests], params, use_tqdm=False)
        return [
            Generation(
                text=o.outputs[0].text,
                finish_reason=o.outputs[0].finish_reason,
                prompt_tokens=len(o.prompt_token_ids or []),
                output_tokens=len(o.outputs[0].token_ids),
            )
            for o in outputs
        ]

    def close(self) -> None:
        # Shut the engine core process down now rather than at interpreter exit.
        engine = getattr(self.llm, "llm_engine", None)
        shutdown = getattr(getattr(engine, "engine_core", None), "shutdown", None)
        if callable(shutdown):
            shutdown()


def create_engine(settings: Settings) -> Engine:
    """The engine ``settings.engine`` names: in-process vLLM, or OpenAI-compatible servers."""
    if settings.engine == "openai":
        from .openai_engine import OpenAIEngine

        return OpenAIEngine(settings)
    return VllmEngine(settings)
