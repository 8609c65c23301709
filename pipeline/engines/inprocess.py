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
an error and the requests around it are not touched.

Every answer carries each token's log-probability (``logprobs=0``: the sampled token only). vLLM
reports it *after* the grammar mask, read in vLLM 0.32's source: the model runner applies the
structured-output bitmask to the logits in place (``v1/worker/gpu_model_runner.py``
``sample_tokens`` → ``v1/structured_output/utils.py`` ``apply_grammar_bitmask``, which sets
every token the grammar forbids to -inf; the CPU runner inherits it; the newer
``v1/worker/gpu/model_runner.py`` does the same) and only then calls the sampler, whose
``raw_logprobs`` (``logprobs_mode``'s default, ``config/model.py``) is ``log_softmax`` of those
masked logits before temperature, penalties and top-k/p (``v1/sample/sampler.py``
``Sampler.forward``). So a reported log-probability is the model's, renormalised over the tokens
the grammar allowed: forbidden tokens report -inf, a token the grammar forces reports exactly 0
(``:`` after a key, ``,`` between required properties; checked against xgrammar's own mask in
``tests/test_confidence.py``), and a retry at a higher temperature reports on the same scale as
a greedy first attempt. Key names are fixed by the schema but not their tokenisation (``name`` may
come as ``n``+``am``+``e``), so their tokens report non-zero log-probabilities that say nothing
about the values; ``pipeline/confidence.py`` therefore counts only the tokens of values."""

from __future__ import annotations

import gc
import logging
import time
from typing import Any, Sequence

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
        # vLLM's front end, torch and the tokenizer leave ~850,000 objects that live as long as
        # the engine. Each full collection walked them all: 0.7-1.4 s with this process stalled,
        # no request fed and no answer taken, about once a demo run (measured with
        # gc.callbacks). Frozen, they are never walked again (vLLM freezes its engine core's
        # heap the same way, v1/engine/core.py); objects made later are collected as ever.
        gc.collect()
        gc.freeze()
        self._keys: dict[str, int] = {}  # vLLM request id -> the runner's key
        self._refused: list[tuple[int, Generation]] = []
        log.info("loaded %s in %.1f s, context %d tokens", settings.model, time.perf_counter() - start, self.context)

    def submit(self, key: int, request: GenerationRequest) -> None:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        # logprobs=0: the sampled token's log-probability only; flat: fewer Python objects per token.
        params = SamplingParams(max_tokens=request.max_tokens, temperature=request.temperature, seed=request.seed,
                                structured_outputs=StructuredOutputsParams(json=request.schema),
                                logprobs=0, flat_logprobs=True)
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
                    prompt_tokens=len(output.prompt_token_ids or []), output_tokens=len(completion.token_ids),
                    token_logprobs=self._token_logprobs(output.prompt_token_ids or [], completion))))
        return done

    def _token_logprobs(self, prompt_ids: list[int], completion: Any) -> list[tuple[str, float]] | None:
        """Each generated token's text and log-probability. The texts are decoded the way vLLM
        decodes the answer (a decode stream after the prompt, special tokens skipped), so they
        concatenate to ``completion.text``: a token holding the first bytes of a character gets
        "" and the character comes with the token that completes it; vLLM's own per-token texts
        would show U+FFFD there, and show the stop token."""
        ids, logprobs = list(completion.token_ids), completion.logprobs
        if logprobs is None or len(logprobs) != len(ids):
            return None
        values = [logprobs[i][token].logprob for i, token in enumerate(ids)]
        try:
            from tokenizers.decoders import DecodeStream

            backend = self.llm.get_tokenizer()._tokenizer  # the Rust tokenizer vLLM's detokenizer uses
            # The prompt's last tokens give the first answer token its context (a leading space).
            stream = DecodeStream(ids=list(prompt_ids[-8:]), skip_special_tokens=True)
            texts = [stream.step(backend, token) or "" for token in ids]
        except Exception:  # a slow tokenizer or a decode error: vLLM's per-token texts instead
            texts = [logprobs[i][token].decoded_token or "" for i, token in enumerate(ids)]
        return list(zip(texts, values))

    def count_tokens(self, texts: Sequence[str]) -> list[int] | None:
        tokenizer = self.llm.get_tokenizer()
        return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    def close(self) -> None:
        # Shut the engine core down now rather than at interpreter exit, then make sure.
        engine = getattr(self.llm, "llm_engine", None)
        shutdown = getattr(getattr(engine, "engine_core", None), "shutdown", None)
        if callable(shutdown):
            shutdown()
        self._reaper.close()
