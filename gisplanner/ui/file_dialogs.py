"""File dialogs that open in the user's documents folder and remember the last folder used.

Drop-in for ``QFileDialog.getOpenFileName`` / ``getSaveFileName`` / ``getExistingDirectory``
(same arguments and results): an empty ``dir`` or a bare file name starts in the last folder
(QSettings ``dialogs/last_dir``), else in 文档 (QStandardPaths DocumentsLocation); an absolute
path is kept. The folder of what the user chose is remembered. Qt's own texts come from
qtbase_zh_CN.qm (gisplanner.ui.application.install_translations).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog

KEY = "dialogs/last_dir"


def documents_dir() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def start_dir() -> str:
    last = QSettings().value(KEY, "") or ""
    return last if last and Path(last).is_dir() else documents_dir()


def resolve(start: str | None) -> str:
    """Where a dialog opens for the ``dir`` argument it was given."""
    if not start:
        return start_dir()
    p = Path(start)
    if p.is_absolute():
        return str(p)
    return str(Path(start_dir()) / p)  # a suggested file name: in the last folder


def remember(path: str) -> None:
    if path:
        p = Path(path)
        QSettings().setValue(KEY, str(p if p.is_dir() else p.parent))


def getOpenFileName(parent=None, caption: str = "", dir: str = "", filter: str = "", *args):  # noqa: N802, A002
    path, chosen = QFileDialog.getOpenFileName(parent, caption, resolve(dir), filter, *args)
    remember(path)
    return path, chosen


def getSaveFileName(parent=None, caption: str = "", dir: str = "", filter: str = "", *args):  # noqa: N802, A002
    path, chosen = QFileDialog.getSaveFileName(parent, caption, resolve(dir), filter, *args)
    remember(path)
    return path, chosen


def getExistingDirectory(parent=None, caption: str = "", dir: str = "", *args):  # noqa: N802, A002
    path = QFileDialog.getExistingDirectory(parent, caption, resolve(dir), *args)
    remember(path)
    return path
