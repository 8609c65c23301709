"""Machine-dependent defaults: what an 80 GB, a 141 GB and a CPU-only host get, and the CPU KV cache."""

from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.hardware import Host, cpu_kv_cache_gib, detect, kv_bytes_per_token, model_context, resolve


@pytest.mark.parametrize(("memory", "seqs", "batched"), [(80.0, 128, 8192), (141.0, 256, 16384), (24.0, 32, 4096)])
def test_gpu_hosts_get_the_managed_server_and_limits_for_their_memory(memory: float, seqs: int, batched: int) -> None:
    settings = resolve(Settings(), Host(cpus=16, gpu_name="NVIDIA H100", gpu_memory_gib=memory))
    assert settings.engine == "server"
    assert (settings.max_num_seqs, settings.max_num_batched_tokens) == (seqs, batched)
    assert settings.max_in_flight == 2 * seqs
    assert settings.api_server_count == 4 and settings.render_workers == 4


def test_a_cpu_host_runs_in_process_and_explicit_settings_win() -> None:
    cpu = resolve(Settings(), Host(cpus=2))
    assert (cpu.engine, cpu.max_num_seqs, cpu.max_num_batched_tokens) == ("vllm", 32, None)
    assert (cpu.api_server_count, cpu.render_workers, cpu.max_in_flight) == (1, 2, 64)
    mine = resolve(Settings(engine="openai", max_num_seqs=7, render_workers=3, max_in_flight=5),
                   Host(cpus=16, gpu_name="x", gpu_memory_gib=141.0))
    assert (mine.engine, mine.max_num_seqs, mine.render_workers, mine.max_in_flight) == ("openai", 7, 3, 5)


def test_this_machine_is_detected() -> None:
    host = detect()
    assert host.cpus >= 1 and host.has_gpu == (host.gpu_memory_gib is not None)


def test_the_cpu_kv_cache_fits_the_model_and_context_within_half_the_memory(tiny_model: Path) -> None:
    per_token = kv_bytes_per_token(tiny_model)
    assert per_token is not None and per_token > 0
    small = Settings(model=str(tiny_model), max_model_len=32768, max_num_seqs=32)
    assert cpu_kv_cache_gib(small, available_bytes=16 * 2**30) == max(1, -(-per_token * 32768 * 32 // 2**30))
    # The model's own context (-1): the tiny checkpoint declares Gemma 4's 262,144 positions.
    assert model_context(tiny_model) == 262144
    whole = Settings(model=str(tiny_model), max_model_len=-1, max_num_seqs=1)
    assert cpu_kv_cache_gib(whole, available_bytes=16 * 2**30) == max(1, -(-per_token * 262144 // 2**30))
    # A checkpoint that is not a local folder (a hub id) gets half the available memory, at most.
    assert cpu_kv_cache_gib(Settings(model="google/gemma-4-12B-it"), available_bytes=16 * 2**30) == 8
    huge = Settings(model=str(tiny_model), max_model_len=262144, max_num_seqs=10_000)
    assert cpu_kv_cache_gib(huge, available_bytes=6 * 2**30) == 3
