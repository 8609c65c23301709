"""Engine processes live exactly as long as the run: the watchdog on plain processes, a
``docintel run`` killed with SIGKILL (in-process engine and managed server), and the managed
server restarted after it dies, all with real processes and real signals."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from pipeline.engines import create_engine
from pipeline.runner import run_batch
from pipeline.samples import write_batch
from pipeline.schemas import load_schema
from pipeline.storage import Store
from test_resume import start_run, wait_for_first_file

ROOT = Path(__file__).resolve().parent.parent


def gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """The processes still alive after up to ``timeout`` seconds (zombies count as gone: in a
    container nobody may reap an orphan)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in processes if _alive(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.5)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_the_watchdog_kills_registered_processes_and_groups_when_its_parent_is_killed(tmp_path: Path) -> None:
    # A parent that starts a plain child, and a child that leads a process group of its own
    # with a grandchild in it (as vllm serve does), registers them, and then hangs.
    script = textwrap.dedent("""
        import subprocess, sys, time
        from pipeline.engines.lifetime import Reaper
        reaper = Reaper()
        plain = subprocess.Popen(["sleep", "600"])
        group = subprocess.Popen(["sh", "-c", "sleep 600 & wait"], start_new_session=True)
        time.sleep(0.5)
        reaper.watch(plain.pid)
        reaper.watch_group(group.pid)
        print(plain.pid, group.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        plain, group = (int(n) for n in parent.stdout.readline().split())
        members = [psutil.Process(plain), psutil.Process(group), *psutil.Process(group).children()]
        assert len(members) == 3 and all(_alive(p) for p in members)
        time.sleep(1.0)  # the registrations have reached the watchdog
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert gone(members, timeout=30) == []
    finally:
        parent.kill()


def test_the_watchdog_leaves_an_unrelated_process_with_a_reused_pid_alone() -> None:
    from pipeline.engines.lifetime import _alive as registered_alive

    me = psutil.Process()
    assert registered_alive(me.pid, me.create_time()) is not None
    assert registered_alive(me.pid, me.create_time() - 100) is None  # same PID, another start time


@pytest.mark.parametrize("engine", ["vllm", "server"])
def test_a_killed_run_leaves_no_engine_process(engine: str, tiny_model: Path, tmp_path: Path) -> None:
    documents = write_batch(tmp_path / "docs", 10, seed=3)
    out = tmp_path / "out"
    run = start_run(documents[0].parent, str(out), tiny_model, None, "--engine", engine, "--api-server-count", "1")
    descendants: list[psutil.Process] = []
    try:
        wait_for_first_file(Store(out), run, timeout=600)  # the engine is up and busy
        descendants = psutil.Process(run.pid).children(recursive=True)
        names = " ".join(p.name() for p in descendants if _alive(p))
        assert "VLLM::EngineCor" in names or "VLLM::EngineCore" in names, names
        run.send_signal(signal.SIGKILL)
        run.wait()
        left = gone(descendants, timeout=60)
        assert left == [], [(p.pid, p.name()) for p in left]
    finally:
        run.kill()
        # Never leave a stray engine: the killed run's own processes only (the session's shared
        # engine, a child of this process too, must live on for the tests after this one).
        for process in descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def test_the_managed_server_is_restarted_when_it_dies_and_loses_no_document(cpu_settings, tmp_path: Path) -> None:
    settings = cpu_settings.model_copy(update={"engine": "server", "api_server_count": 2, "max_model_len": 16384})
    engine = create_engine(settings)
    try:
        server_processes = [psutil.Process(engine.server_pid), *psutil.Process(engine.server_pid).children(recursive=True)]
        assert sum("APIServer" in p.name() for p in server_processes) == 2  # two input-processing processes
        documents = write_batch(tmp_path / "docs", 6, seed=5)
        os.killpg(engine.server_pid, signal.SIGKILL)  # the server dies before (and while) the run submits
        summary = run_batch([documents[0].parent], load_schema("invoice"), tmp_path / "out", settings, engine)
        assert engine.restarts == 1
        rows = [r for table in ("results", "errors") if (tmp_path / "out" / table).exists()
                for r in pq.read_table(tmp_path / "out" / table).to_pylist()]
        assert sorted(r["source"] for r in rows) == sorted(p.resolve().as_uri() for p in documents)
        assert summary.results + sum(summary.errors.values()) == len(documents)
        assert not any(r.get("stage") == "engine" for r in rows)  # no request was lost to the restart
        restarted = [psutil.Process(engine.server_pid), *psutil.Process(engine.server_pid).children(recursive=True)]
    finally:
        engine.close()
    assert gone(restarted, timeout=60) == []


def test_a_managed_server_that_cannot_start_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    from pipeline.config import Settings
    from pipeline.engines.managed import ServerStartError

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    settings = Settings(engine="server", model=str(tmp_path / "no-such-model"), api_server_count=1)
    with pytest.raises(ServerStartError, match="exited with") as failure:
        create_engine(settings)
    assert "no-such-model" in str(failure.value)  # the server's own explanation, from its log
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert gone(started, timeout=30) == []
