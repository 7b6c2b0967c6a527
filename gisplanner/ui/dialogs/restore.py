"""Offer a restore from backup when a database cannot be opened (damaged, foreign, half-written).

The app used to exit on such a file, so File → 从备份恢复 could never be reached; now the message
names the file and its newest good backup and offers the restore right there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from gisplanner import backup, logs
from gisplanner.store import resolve_url


def tr(text: str) -> str:
    return QCoreApplication.translate("RestoreOffer", text)


def offer_restore(parent: QWidget | None, db: str | None, error: BaseException) -> bool:
    """Tell the user why `db` cannot be opened; True when it was restored (open it again)."""
    url = resolve_url(db)
    title = tr("无法打开数据库")
    if not url.startswith("sqlite:///"):
        QMessageBox.critical(parent, title, f"{url}\n{error}\n\n{tr('日志：')}{logs.log_file()}")
        return False
    path = Path(url.removeprefix("sqlite:///"))
    good = [
        b for b in backup.list_backups(path) if backup.quick_check(b.path) is None and backup.is_ours(b.path)
    ]
    if not good:
        QMessageBox.critical(
            parent,
            title,
            f"{error}\n\n{tr('没有找到这个数据库的完好备份。')}\n{tr('日志：')}{logs.log_file()}",
        )
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, title, f"{error}", parent=parent)
    restore = box.addButton(tr("从备份恢复…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("退出"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    names = [f"{b.when:%Y-%m-%d %H:%M:%S}  {b.path.name}" for b in good]
    name, ok = QInputDialog.getItem(
        parent,
        tr("从备份恢复"),
        tr("选择备份（最新的完好备份在最前；当前文件会先保存在旁边）："),
        names,
        0,
        False,
    )
    if not ok:
        return False
    try:
        backup.restore(path, good[names.index(name)].path)
    except backup.BackupError as e:
        QMessageBox.critical(parent, tr("从备份恢复"), str(e))
        return False
    return True
