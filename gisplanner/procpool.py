"""Worker processes that end with their parent (子进程随父进程退出).

A plan runs its teams in a pool of worker processes. When the parent dies without cleaning
up (kill -9, a crash, the GUI killed by the session manager), ordinary pool workers go on
solving for minutes. Workers started here stop themselves:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks the kernel to kill the worker the
  moment its parent goes;
- everywhere, a watchdog thread checks every half second whether the parent process still
  exists and exits the worker when it does not (also covers a parent that died before the
  worker's initializer ran).

Use :func:`process_pool` as a context manager; ``pool.terminate()`` ends the workers at once
(cancel).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5


def _parent_alive(pid: int) -> bool:
    if os.getppid() != pid:  # re-parented: the parent is gone (POSIX)
        return False
    if sys.platform == "win32":  # pragma: no cover - no getppid re-parenting there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    return True


def _watch(pid: int) -> None:
    while _parent_alive(pid):
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this process when ``parent_pid`` ends."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog still works
            pass
    if not _parent_alive(parent_pid):
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="parent-watchdog").start()


class WorkerPool(ProcessPoolExecutor):
    """A process pool (spawn: safe from a GUI worker thread) whose workers die with the parent."""

    def __init__(self, workers: int):
        import multiprocessing as mp

        super().__init__(
            max_workers=workers,
            mp_context=mp.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    def worker_pids(self) -> list[int]:
        return [p.pid for p in (self._processes or {}).values() if p.pid is not None]

    def terminate(self) -> None:
        """Stop now: running work is abandoned and the workers are killed."""
        procs = list((self._processes or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)


def process_pool(workers: int) -> WorkerPool:
    return WorkerPool(workers)
