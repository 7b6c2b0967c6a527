"""Messages to the user that any window, panel or dialog may show."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from gisplanner import logs


def show_error(parent, title: str, message: str) -> None:
    """An error dialog that says what failed and where the log is — never a silent crash."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(f"{title}\n\n{message}")
    box.setInformativeText(f"详细信息已写入日志：{logs.log_file()}")
    box.open()
