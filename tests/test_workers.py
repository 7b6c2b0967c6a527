"""Background tasks: results reach the UI thread, and each task's Qt object dies there too.

A task's signals object deleted by the pool thread that dropped its last reference crashed
the test run (a segfault while the UI thread delivered its queued signals)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")


def test_task_signals_are_destroyed_on_the_ui_thread_after_delivery(qtbot):
    from gisplanner.ui import workers

    destroyed_in: list[str] = []
    results: list[tuple[int, str]] = []

    def work(n, progress):
        progress(0.5, "half")
        return n

    for n in range(40):
        task = workers.TaskWorker(work, n)
        task.signals.result.connect(lambda v: results.append((v, threading.current_thread().name)))
        task.signals.destroyed.connect(lambda *_: destroyed_in.append(threading.current_thread().name))
        workers.start(task)
        del task  # the pool holds the only reference now, as after a closed window
    qtbot.waitUntil(lambda: len(destroyed_in) == 40, timeout=30_000)
    main = threading.main_thread().name
    assert set(destroyed_in) == {main}
    assert sorted(v for v, _ in results) == list(range(40))
    assert workers.active() == 0


def test_a_failed_task_reports_its_message(qtbot):
    from gisplanner.ui import workers

    errors: list[str] = []

    def work(progress):
        raise ValueError("文件 a.xlsx 第 3 行：日期无效")

    task = workers.TaskWorker(work)
    task.signals.error.connect(lambda message, _tb: errors.append(message))
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        workers.start(task)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5_000)
    assert errors == ["文件 a.xlsx 第 3 行：日期无效"]
