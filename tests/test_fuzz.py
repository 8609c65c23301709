"""Property: whatever mutation of a real sample document arrives, rendering it in a limited worker
ends as a value (a rendered document or a failure with a reason) within the time limit, and the
worker stays within its memory limit. The long run of the same is bench/fuzz.py."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.render import RenderedDocument, RenderFailure, RenderOptions
from pipeline.render_pool import RenderPool
from pipeline.samples.hostile import MUTATIONS, fuzz_seeds, mutate
from pipeline.storage import S3Options

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"
SEEDS = fuzz_seeds(SAMPLES)
TIMEOUT = 15.0  # per document; a mutation that stalls a renderer costs this once
MEMORY_BYTES = 2048 * 2**20


@pytest.fixture(scope="module")
def pool():
    with RenderPool(RenderOptions(max_soft_tokens=70), S3Options(), workers=1, timeout=TIMEOUT,
                    memory_bytes=MEMORY_BYTES) as pool:
        yield pool


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(sorted(SEEDS)), mutations=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1,
                                                                max_size=3),
       rng_seed=st.integers(0, 2**32 - 1))
def test_mutated_documents_render_or_fail_with_a_reason_within_the_limits(
        pool: RenderPool, tmp_path_factory: pytest.TempPathFactory, seed: str, mutations: list[str],
        rng_seed: int) -> None:
    path = tmp_path_factory.mktemp("fuzz") / Path(seed).name
    path.write_bytes(mutate(SEEDS[seed], mutations, random.Random(rng_seed)))
    started = time.monotonic()
    result = pool.submit(str(path)).result(timeout=4 * TIMEOUT)  # the pool's limit, or the test fails
    assert time.monotonic() - started < 2 * TIMEOUT + 30  # the limit, the kill and a worker restart
    assert isinstance(result, (RenderedDocument, RenderFailure))
    if isinstance(result, RenderFailure):
        assert result.error_type and result.message
        # A crashed worker is a renderer bug that this input found (bench/fuzz.py saves such inputs).
        assert result.error_type != "render_crashed", result.message
