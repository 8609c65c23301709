"""Defaults that depend on the machine: the GPU's memory and the host's cores.

:func:`resolve` fills every setting left at ``None`` (auto) from :func:`detect`; an explicit
setting always wins. The figures, for Gemma 4 12B in bf16 (``reference/`` config: 48 layers, 8
of them full attention with one 512-wide KV head whose keys double as values, 40 sliding over
1,024 tokens with 8 KV heads of 256):

- KV cache per request: full-attention layers 8 x 512 x 2 B = 8 KiB per token (16 KiB if K and V
  are both stored); sliding layers 40 x 8 x 256 x 2 x 2 B = 320 KiB per token, but only for the
  last 1,024 tokens (plus the prefill chunk in progress): ~320-640 MiB. An invoice request
  (~2K tokens) therefore costs ~0.35 GiB, a 256K-token request 2.3-4.6 GiB; FP8 KV halves both.
- 80 GB (H100, A100): 0.9 x 80 - 24 GB weights - ~6 GB activations and graphs leaves ~42 GB of
  KV: ~120 invoice-sized requests. ``max_num_seqs`` 128, prefill chunks of 8,192 tokens (about
  13 pages at 280 tokens a page, so a new request's prefill joins the decode batch in one step).
- 141 GB (H200): ~97 GB of KV, ~280 requests: ``max_num_seqs`` 256, chunks of 16,384 tokens.
- Smaller GPUs: 32 and 4,096. The CPU: 32 and vLLM's own chunking.
- Requests in flight (rendering, waiting or running): twice ``max_num_seqs``, so the engine's
  queue holds a full batch of ready requests when running ones finish, while the pages kept in
  memory stay bounded (~2 MB per page at 280 tokens).
- Render workers and input-processing processes share the host: each gets a quarter of the
  cores (1 to 8; render at least 2). One process renders ~28 pages/s and runs the Gemma 4
  processor at ~25 pages/s (DESIGN.md), an H100 prefills ~35 pages/s: a 16-core host with 4 of
  each feeds ~100 pages/s."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psutil

from .config import Settings

TYPICAL_REQUEST_TOKENS = 32768  # a long invoice or contract at 280 image tokens a page, with its text


@dataclass(frozen=True)
class Host:
    cpus: int
    gpu_name: str | None = None
    gpu_memory_gib: float | None = None  # of the first GPU

    @property
    def has_gpu(self) -> bool:
        return self.gpu_name is not None


@cache
def detect() -> Host:
    """This machine: its cores, and its first NVIDIA GPU (from nvidia-smi) if it has one."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if shutil.which("nvidia-smi") is None:
        return Host(cpus)
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        name, mib = out.splitlines()[0].rsplit(",", 1)
        return Host(cpus, name.strip(), float(mib) / 1024)
    except (subprocess.SubprocessError, OSError, ValueError, IndexError):
        return Host(cpus)


def engine_limits(host: Host) -> tuple[int, int | None]:
    """(max_num_seqs, max_num_batched_tokens) for this host's GPU (see the module docstring)."""
    memory = host.gpu_memory_gib
    if memory is None:
        return 32, None
    if memory >= 120:
        return 256, 16384
    if memory >= 70:
        return 128, 8192
    return 32, 4096


def resolve(settings: Settings, host: Host | None = None) -> Settings:
    """``settings`` with every automatic value decided for ``host`` (default: this machine)."""
    host = host or detect()
    seqs, batched = engine_limits(host)
    share = max(1, min(8, host.cpus // 4))
    update: dict[str, object] = {}
    if settings.engine == "auto":
        update["engine"] = "server" if host.has_gpu else "vllm"
    seqs = settings.max_num_seqs or seqs
    if settings.max_num_seqs is None:
        update["max_num_seqs"] = seqs
    if settings.max_num_batched_tokens is None and batched is not None:
        update["max_num_batched_tokens"] = batched
    if settings.api_server_count is None:
        update["api_server_count"] = share
    if settings.render_workers is None:
        update["render_workers"] = max(2, share)
    if settings.max_in_flight is None:
        update["max_in_flight"] = 2 * seqs
    return settings.model_copy(update=update)


def cpu_kv_cache_gib(settings: Settings, available_bytes: int | None = None) -> int:
    """GiB of KV cache for vLLM on the CPU (``VLLM_CPU_KVCACHE_SPACE``): room for one request of
    the whole context (``max_model_len``, or the model's own when it is -1) and for
    ``max_num_seqs`` requests of up to ``TYPICAL_REQUEST_TOKENS``, at least 1 GiB and at most
    half the memory available. vLLM's own default, 90 % of the memory, fails to start on a
    machine where anything else runs."""
    available = psutil.virtual_memory().available if available_bytes is None else available_bytes
    ceiling = max(1, int(available / 2**30 / 2))
    model = Path(settings.model)
    per_token = kv_bytes_per_token(model)
    context = settings.max_model_len if settings.max_model_len > 0 else model_context(model)
    if per_token is None or context is None:
        return ceiling
    tokens = max(context, min(context, TYPICAL_REQUEST_TOKENS) * (settings.max_num_seqs or 1))
    return max(1, min(ceiling, -(-per_token * tokens // 2**30)))


def model_context(model: Path) -> int | None:
    """The context length a local checkpoint declares (``max_position_embeddings``)."""
    positions = _text_config(model).get("max_position_embeddings")
    return int(positions) if positions else None


def kv_bytes_per_token(model: Path) -> int | None:
    """KV cache bytes per token of a local checkpoint (all layers, bf16, K and V), from its
    config.json; None when the model is not a local folder."""
    text = _text_config(model)
    if not text:
        return None
    layers = int(text.get("num_hidden_layers", 0))
    heads = int(text.get("num_key_value_heads") or text.get("num_attention_heads") or 0)
    head_dim = int(text.get("head_dim") or int(text.get("hidden_size", 0)) // max(1, int(text.get("num_attention_heads", 1))))
    return layers * heads * head_dim * 2 * 2


def _text_config(model: Path) -> dict:
    try:
        config = json.loads((model / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    return config.get("text_config", config)


def configure_cpu_kv_cache(settings: Settings, host: Host) -> None:
    """Set ``VLLM_CPU_KVCACHE_SPACE`` for a CPU-only host, unless the user set it."""
    if not host.has_gpu and "VLLM_CPU_KVCACHE_SPACE" not in os.environ:
        os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(cpu_kv_cache_gib(settings))
