"""Offer a restore from backup when a database cannot be opened (damaged, foreign, half-written).

The app used to exit on such a file, so File → 从备份恢复 could never be reached; now the message
names the file and its newest good backup and offers the restore right there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from gisplanner import logs
from gisplanner.store import backup
from gisplanner.store.database import resolve_url


def _messages() -> dict[str, str]:
    # spelled out as translate(context, literal): lupdate collects only such calls
    return {
        "title": QCoreApplication.translate("RestoreOffer", "无法打开数据库"),
        "log": QCoreApplication.translate("RestoreOffer", "日志："),
        "no_backup": QCoreApplication.translate("RestoreOffer", "没有找到这个数据库的完好备份。"),
        "restore_button": QCoreApplication.translate("RestoreOffer", "从备份恢复…"),
        "quit": QCoreApplication.translate("RestoreOffer", "退出"),
        "restore": QCoreApplication.translate("RestoreOffer", "从备份恢复"),
        "choose": QCoreApplication.translate(
            "RestoreOffer", "选择备份（最新的完好备份在最前；当前文件会先保存在旁边）："
        ),
    }


def offer_restore(parent: QWidget | None, db: str | None, error: BaseException) -> bool:
    """Tell the user why `db` cannot be opened; True when it was restored (open it again)."""
    url = resolve_url(db)
    m = _messages()
    title = m["title"]
    if not url.startswith("sqlite:///"):
        QMessageBox.critical(parent, title, f"{url}\n{error}\n\n{m['log']}{logs.log_file()}")
        return False
    path = Path(url.removeprefix("sqlite:///"))
    good = [
        b for b in backup.list_backups(path) if backup.quick_check(b.path) is None and backup.is_ours(b.path)
    ]
    if not good:
        QMessageBox.critical(
            parent,
            title,
            f"{error}\n\n{m['no_backup']}\n{m['log']}{logs.log_file()}",
        )
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, title, f"{error}", parent=parent)
    restore = box.addButton(m["restore_button"], QMessageBox.ButtonRole.AcceptRole)
    box.addButton(m["quit"], QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    names = [f"{b.when:%Y-%m-%d %H:%M:%S}  {b.path.name}" for b in good]
    name, ok = QInputDialog.getItem(
        parent,
        m["restore"],
        m["choose"],
        names,
        0,
        False,
    )
    if not ok:
        return False
    try:
        backup.restore(path, good[names.index(name)].path)
    except backup.BackupError as e:
        QMessageBox.critical(parent, m["restore"], str(e))
        return False
    return True
