"""Progress and cancel for every long job, CLI and UI alike.

A long core function takes ``progress: Progress | None = None`` and calls it now and then as
``progress(fraction, message)`` with a fraction in [0, 1] and a short Chinese message. The
callback answers False when the user pressed cancel (``gisplanner.ui.workers.TaskWorker``
passes such a callback; the CLI's never answers False). Any other answer (True, None) goes on.

On a cancel a job stops by raising :class:`Cancelled` (an ``InterruptedError``, which the UI's
task runner shows as "已取消") before it has written anything: it rolls its transaction back or
leaves no file behind, and its message says so. Jobs whose partial result is worth keeping (the
route search returns its best solution so far, a tile download keeps the tiles it fetched) ask
:func:`cancel_requested` instead and report ``cancelled`` in their result.

- :func:`check` — report, and raise Cancelled when the user cancelled;
- :func:`cancel_requested` — report, and say whether the user cancelled (no exception);
- :func:`finish` — the last report (1.0): the work is finished, too late to cancel;
- :func:`reporter` — ``check`` bound to one callback and one cancel message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = [
    "CANCELLED",
    "EXPORT_CANCELLED",
    "IMPORT_CANCELLED",
    "Cancelled",
    "Progress",
    "cancel_requested",
    "check",
    "finish",
    "reporter",
]

CANCELLED = "已取消"
IMPORT_CANCELLED = "导入已取消，数据库未作任何改动"  # the import's transaction was rolled back
EXPORT_CANCELLED = "导出已取消，未写入文件"  # the file is written beside and never renamed into place


class Progress(Protocol):
    """``(fraction, message) -> bool``: False means the user cancelled."""

    def __call__(self, fraction: float, message: str, /) -> bool | None: ...


class Cancelled(InterruptedError):
    """The user cancelled a long job; nothing was written (the message says what was kept)."""


def cancel_requested(progress: Progress | None, fraction: float, message: str) -> bool:
    """Report progress; True when the user cancelled (the callback answered False)."""
    return progress is not None and progress(fraction, message) is False


def check(progress: Progress | None, fraction: float, message: str, cancelled: str = CANCELLED) -> None:
    """Report progress; raise :class:`Cancelled` with message ``cancelled`` when the user cancelled."""
    if cancel_requested(progress, fraction, message):
        raise Cancelled(cancelled)


def finish(progress: Progress | None, message: str = "完成") -> None:
    """The final report: the work is finished (and committed), so a cancel now is ignored."""
    if progress is not None:
        progress(1.0, message)


def reporter(progress: Progress | None, cancelled: str = CANCELLED) -> Callable[[float, str], None]:
    """``report(fraction, message)`` that checks ``progress`` and raises Cancelled(cancelled)."""

    def report(fraction: float, message: str) -> None:
        check(progress, fraction, message, cancelled)

    return report
