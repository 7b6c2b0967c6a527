"""Worker processes end with their parent (issue 15 item 9): kill -9 of `plan` used to leave
its solver processes running for many minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gisplanner.procpool import process_pool

ROOT = Path(__file__).resolve().parent.parent

PARENT = """
import sys, time
sys.path.insert(0, {root!r})
from gisplanner.procpool import process_pool

if __name__ == "__main__":
    pool = process_pool(2)
    futs = [pool.submit(time.sleep, 120) for _ in range(2)]
    while len(pool.worker_pids()) < 2:
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are in their task
    print(" ".join(map(str, pool.worker_pids())), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its (gone) parent's reaper is dead too
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc: Linux")
def test_workers_die_when_the_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT.format(root=str(ROOT)))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        line = parent.stdout.readline()
        pids = [int(p) for p in line.split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)
        survivors = [p for p in pids if _alive(p)]
        assert not survivors, f"worker processes {survivors} outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_terminate_stops_running_work():
    pool = process_pool(1)
    pool.submit(time.sleep, 60)
    while not pool.worker_pids():
        time.sleep(0.05)
    pids = pool.worker_pids()
    t = time.monotonic()
    pool.terminate()
    assert time.monotonic() - t < 10
    assert not any(_alive(p) for p in pids)
