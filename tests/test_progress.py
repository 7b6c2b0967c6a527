"""The one progress/cancel contract every long job follows (gisplanner.progress)."""

from __future__ import annotations

import pytest

from gisplanner.progress import Cancelled, cancel_requested, check, finish, reporter


def test_only_a_false_answer_cancels():
    seen = []
    check(None, 0.5, "无回调")  # no callback: nothing to report, never cancelled
    check(lambda f, m: seen.append((f, m)), 0.25, "读取")  # None answer: go on
    check(lambda f, m: True, 0.5, "统计")
    assert seen == [(0.25, "读取")]
    assert cancel_requested(lambda f, m: False, 0.1, "x") and not cancel_requested(lambda f, m: 0, 0.1, "x")
    with pytest.raises(Cancelled, match="导入已取消"):
        check(lambda f, m: False, 0.5, "写入", "导入已取消，数据库未作任何改动")


def test_cancelled_is_what_the_ui_worker_treats_as_a_cancel():
    # gisplanner.ui.workers shows "已取消" for it instead of an error dialog
    assert issubclass(Cancelled, InterruptedError)
    with pytest.raises(Cancelled, match="^已取消$"):
        reporter(lambda f, m: f < 0.5)(0.6, "求解")


def test_finish_ignores_a_late_cancel():
    calls = []
    finish(lambda f, m: calls.append((f, m)) or False)
    finish(None)
    assert calls == [(1.0, "完成")]
