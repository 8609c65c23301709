"""Tie the life of engine processes to the run's, however the run ends.

vLLM's engine core and workers are processes of their own. When the run dies without shutting
them down (SIGKILL, the OOM killer), they live on with parent PID 1, ignore SIGTERM and keep the
GPU's memory, so the next nightly run cannot load the model. :class:`Reaper` starts a small
watchdog process in a session of its own (a signal to the run's process group does not reach
it); the run tells it which processes and process groups belong to its engine, and when the
run's process is gone, or the run says it is done, the watchdog kills whatever of them is
still alive: SIGTERM, then SIGKILL after a grace period.

Processes are named with their start time, so a PID that the system has reused for an unrelated
process is never killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Collection

import psutil

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.5


class Reaper:
    """The watchdog for one engine. ``watch``/``watch_group`` register processes; ``close`` (the
    engine has shut down) makes the watchdog kill leftovers and exit."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.engines.lifetime", str(os.getpid())],
            stdin=subprocess.PIPE, start_new_session=True, text=True,
        )
        assert self._process.stdin is not None
        self._commands: IO[str] = self._process.stdin

    def watch(self, pid: int) -> None:
        """Kill process ``pid`` when the run ends."""
        self._send(f"pid {pid} {psutil.Process(pid).create_time()!r}")

    def watch_descendants(self, exclude: Collection[int] = ()) -> None:
        """Kill every descendant of this process but ``exclude`` when the run ends. Python's
        multiprocessing resource tracker is left alone: the whole process shares it, and it ends
        by itself with its parent."""
        for process in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if (process.pid not in exclude and process.pid != self._process.pid
                        and "multiprocessing.resource_tracker" not in " ".join(process.cmdline())):
                    self.watch(process.pid)

    def watch_group(self, pgid: int) -> None:
        """Kill process group ``pgid`` (a server started in a session of its own) when the run ends."""
        self._send(f"group {pgid} {psutil.Process(pgid).create_time()!r}")

    def close(self, timeout: float = GRACE_SECONDS + 10) -> None:
        """Kill what is left of the engine now and stop the watchdog."""
        if self._process.poll() is None:
            try:
                self._send("done")
                self._commands.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _send(self, line: str) -> None:
        self._commands.write(line + "\n")
        self._commands.flush()


def _alive(pid: int, created: float) -> psutil.Process | None:
    try:
        process = psutil.Process(pid)
        return process if abs(process.create_time() - created) < 0.01 and process.is_running() else None
    except psutil.NoSuchProcess:
        return None


def _group_alive(pgid: int, created: float) -> bool:
    try:
        leader = psutil.Process(pgid)
    except psutil.NoSuchProcess:
        pass  # the leader is gone; Linux does not reuse a PID while a group of that ID has members
    else:
        if abs(leader.create_time() - created) >= 0.01:
            return False  # the number belongs to an unrelated process now
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _kill(processes: dict[int, float], groups: dict[int, float]) -> None:
    """SIGTERM, a grace period, then SIGKILL, for every registered process and group."""

    def living() -> tuple[list[psutil.Process], list[int]]:
        return ([p for pid, created in processes.items() if (p := _alive(pid, created))],
                [pgid for pgid, created in groups.items() if _group_alive(pgid, created)])

    for sig in (signal.SIGTERM, signal.SIGKILL):
        members, pgids = living()
        for pgid in pgids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
        for process in members:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(sig)
        deadline = time.monotonic() + GRACE_SECONDS
        while sig == signal.SIGTERM and any(living()) and time.monotonic() < deadline:
            time.sleep(0.1)


def _watch(parent: int) -> None:
    """The watchdog's main loop: read registrations; on ``done``, EOF or the parent's death, kill."""
    processes: dict[int, float] = {}
    groups: dict[int, float] = {}
    finished = threading.Event()

    def read_commands() -> None:
        for line in sys.stdin:
            kind, *rest = line.split()
            if kind == "done":
                break
            number, created = int(rest[0]), float(rest[1])
            (processes if kind == "pid" else groups)[number] = created
        finished.set()  # "done", or EOF: the parent closed the pipe or died

    threading.Thread(target=read_commands, daemon=True).start()
    while not finished.wait(POLL_SECONDS) and psutil.pid_exists(parent) and os.getppid() == parent:
        pass
    _kill(dict(processes), dict(groups))


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the run; it shuts us down itself
    _watch(int(sys.argv[1]))
