"""Shared fixtures: the tiny Gemma 4 checkpoint and one real in-process vLLM engine on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from s3_server import s3_bucket, s3_server  # noqa: F401  (a real S3 server on loopback, for tests that ask)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_docs"

# Seconds the Prefect test harness waits for its server: its 30 s default is missed on a 2-core
# machine that runs vLLM or a benchmark beside the tests.
PREFECT_STARTUP_TIMEOUT = 300

# Small CPU KV cache: the tiny model needs little, and CI has 24 GB for everything.
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-gemma4"))


@pytest.fixture(scope="session")
def cpu_settings(tiny_model: Path):
    from pipeline.config import Settings

    # enforce_eager: a tiny model gains nothing from the ~30 s torch.compile warm-up.
    # max_model_len -1: the model's own 262,144 tokens, so long documents go in one request; a
    # test that wants windows sets a smaller max_model_len for its run (the runner takes the less).
    return Settings(engine="vllm", model=str(tiny_model), max_model_len=-1, max_tokens=1536, max_soft_tokens=70,
                    window=8, enforce_eager=True)


@pytest.fixture(scope="session")
def engine(cpu_settings):
    from pipeline.engines import create_engine

    engine = create_engine(cpu_settings)
    yield engine
    engine.close()
