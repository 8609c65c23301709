"""The engines behind one interface (``base.py``): ``vllm`` in process (``inprocess.py``),
``server``, a local ``vllm serve`` that docintel manages (``managed.py``), and ``openai``,
OpenAI-compatible servers elsewhere (``http.py``)."""

from __future__ import annotations

from ..config import Settings
from ..hardware import configure_cpu_kv_cache, detect, resolve
from .base import Engine, Generation, GenerationRequest, generate

__all__ = ["Engine", "Generation", "GenerationRequest", "create_engine", "generate"]


def create_engine(settings: Settings, verbose: bool = False) -> Engine:
    """The engine ``settings.engine`` names (``auto``: the managed server on a GPU machine, in
    process elsewhere), with automatic settings decided for this machine."""
    host = detect()
    settings = resolve(settings, host)
    if settings.engine == "openai":
        from .http import OpenAIEngine

        return OpenAIEngine(settings)
    configure_cpu_kv_cache(settings, host)
    if settings.engine == "server":
        from .managed import ManagedServerEngine

        return ManagedServerEngine(settings, verbose=verbose)
    from .inprocess import VllmEngine

    return VllmEngine(settings)
