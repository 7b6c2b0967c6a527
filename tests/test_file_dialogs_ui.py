"""File dialogs in Chinese (Qt's own qtbase_zh_CN.qm), opening in 文档 and remembering the last folder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def settings_dir(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().remove("dialogs/last_dir")
    yield tmp_path
    QSettings().remove("dialogs/last_dir")


def test_qt_dialogs_speak_chinese(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel

    from gisplanner.ui.application import make_application

    make_application(lang="zh_CN")
    dlg = QFileDialog(None, "打开")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dlg)
    labels = {lbl.text() for lbl in dlg.findChildren(QLabel)}
    assert "查找范围(&L)：" in labels and "文件类型(&T)：" in labels and "&Look in:" not in labels
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.buttons()[0].text() == "取消"


def test_dialogs_open_in_documents_then_in_the_last_folder(qtbot, settings_dir, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from gisplanner.ui import file_dialogs

    seen = []
    chosen = settings_dir / "exports" / "走访对象.xlsx"
    chosen.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda p, c, d, f, *a: (seen.append(d), (str(chosen), f))[1]
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda p, c, d, f, *a: (seen.append(d), ("", f))[1])
    file_dialogs.getSaveFileName(None, "导出", "走访对象.xlsx", "Excel (*.xlsx)")
    assert Path(seen[0]) == Path(file_dialogs.documents_dir()) / "走访对象.xlsx"
    # the next dialog, even another kind, opens where the user went last; cancelling keeps it
    file_dialogs.getOpenFileName(None, "打开", "", "")
    assert Path(seen[1]) == chosen.parent
    file_dialogs.getSaveFileName(None, "导出", "地图.png", "")
    assert Path(seen[2]) == chosen.parent / "地图.png"
    # an absolute suggestion is kept
    file_dialogs.getOpenFileName(None, "打开", str(settings_dir / "x.csv"), "")
    assert Path(seen[3]) == settings_dir / "x.csv"
