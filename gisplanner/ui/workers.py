"""Long work off the UI thread: a QRunnable with signals, progress and cancel.

The function runs in a *Python* thread pool (not QThreadPool: pyproj ≥ 3.7 segfaults in
threads that Python did not create — pyproj issue #1509) and receives ``progress(fraction, message) -> bool``
(:class:`gisplanner.progress.Progress`); it returns False once the user pressed cancel, and core
functions then stop early by raising :class:`gisplanner.progress.Cancelled`.
Never touch widgets from the function; results come back through signals.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from gisplanner.progress import CANCELLED, Cancelled

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    started = Signal()
    progress = Signal(float, str)
    result = Signal(object)
    error = Signal(str, str)  # message, traceback
    finished = Signal()


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gisplanner-task")
_OWNER: QObject | None = None  # lives as long as the app; parent of every task's signals


def _owner() -> QObject:
    global _OWNER
    if _OWNER is None:
        _OWNER = QObject()
    return _OWNER


class TaskWorker:
    """Runs ``fn(*args, progress=..., **kwargs)`` in the thread pool; results come back as signals
    (queued to the UI thread, where ``signals`` lives)."""

    def __init__(self, fn: Callable, *args, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        # A QObject must die in its own (the UI) thread. Parented, the signals outlive the
        # Python reference that the pool thread drops last; deleteLater frees them on the UI
        # thread after every queued signal (result, error, finished) has been delivered.
        # Deleted from the pool thread they crashed the app (a segfault in CI).
        self.signals = TaskSignals(_owner())
        self._cancel = threading.Event()
        self.future = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float, message: str = "") -> bool:
        self.signals.progress.emit(float(fraction), str(message))
        return not self._cancel.is_set()

    def run(self) -> None:
        self.signals.started.emit()
        try:
            value = self.fn(*self.args, progress=self._progress, **self.kwargs)
        except Cancelled:
            self.signals.error.emit(CANCELLED, "")
        except Exception as e:  # reported to the user with the log location
            log.exception("background task %s failed", getattr(self.fn, "__name__", self.fn))
            self.signals.error.emit(str(e) or type(e).__name__, traceback.format_exc())
        else:
            if self._cancel.is_set():
                self.signals.error.emit(CANCELLED, "")
            else:
                self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


_ACTIVE: set[TaskWorker] = set()  # submitted and not finished (benchmarks: "panels ready")


def active() -> int:
    """How many background tasks are queued or running."""
    return len(_ACTIVE)


def start(worker: TaskWorker) -> TaskWorker:
    _ACTIVE.add(worker)
    # connected last, so every other receiver of ``finished`` still sees a live sender
    worker.signals.finished.connect(worker.signals.deleteLater)
    worker.future = _POOL.submit(worker.run)
    worker.future.add_done_callback(lambda _f: _ACTIVE.discard(worker))
    return worker


def cancel_all() -> None:
    """Ask every queued or running task to stop at its next progress report."""
    for worker in list(_ACTIVE):
        worker.cancel()
