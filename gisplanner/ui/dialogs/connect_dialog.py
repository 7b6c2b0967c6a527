"""连接数据库服务器: the address of a shared PostgreSQL database and its password.

The address (host, port, database, user) is remembered in the Qt settings; the password is
kept only in the system keyring when the user asks for it (and when there is a keyring),
otherwise asked for each time. It is never written to a file in plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gisplanner.store import pg
from gisplanner.store.database import StoreError

SETTINGS_GROUP = "connect"  # host, port, database, user — never the password


class ConnectDialog(QDialog):
    """Asks for a server address and password; :meth:`url` gives the URL to open (in memory)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("连接数据库服务器"))
        self.settings = settings or QSettings()
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.database = QLineEdit()
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self.tr("在系统钥匙串中记住密码"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.test_button = QPushButton(self.tr("测试连接"))
        self.test_button.clicked.connect(self.test_connection)

        form = QFormLayout()
        form.addRow(self.tr("服务器"), self.host)
        form.addRow(self.tr("端口"), self.port)
        form.addRow(self.tr("数据库"), self.database)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.password)
        form.addRow("", self.remember)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("连接"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.has_keyring = pg.keyring_available()
        if not self.has_keyring:
            self.remember.setChecked(False)
            self.remember.setEnabled(False)
            self.remember.setToolTip(self.tr("本机没有可用的系统钥匙串：密码只用于本次连接，不会保存"))
            self.status.setText(self.remember.toolTip())
        self._load()

    # -- the address ------------------------------------------------------------------------------
    def address(self) -> pg.ServerAddress:
        return pg.ServerAddress(
            host=self.host.text().strip() or "localhost",
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip(),
        )

    def url(self) -> str:
        """The URL with the password, for Store.open — keep it in memory only."""
        return self.address().url_string(self.password.text())

    def _load(self) -> None:
        v = self.settings.value
        a = pg.ServerAddress(
            host=str(v(f"{SETTINGS_GROUP}/host", "localhost")),
            port=int(v(f"{SETTINGS_GROUP}/port", 5432)),
            database=str(v(f"{SETTINGS_GROUP}/database", "gisplanner")),
            user=str(v(f"{SETTINGS_GROUP}/user", "")),
        )
        self.host.setText(a.host)
        self.port.setValue(a.port)
        self.database.setText(a.database)
        self.user.setText(a.user)
        stored = pg.stored_password(a) if a.user else None
        if stored:
            self.password.setText(stored)
            self.remember.setChecked(True)
            self.status.setText(self.tr("已从系统钥匙串读取密码"))

    def _save(self) -> None:
        a = self.address()
        for key, value in (("host", a.host), ("port", a.port), ("database", a.database), ("user", a.user)):
            self.settings.setValue(f"{SETTINGS_GROUP}/{key}", value)
        self.settings.sync()
        if self.remember.isChecked() and self.password.text():
            if not pg.remember_password(a, self.password.text()):
                self.status.setText(self.tr("无法写入系统钥匙串，密码未保存"))
        else:
            pg.forget_password(a)

    # -- actions ---------------------------------------------------------------------------------
    def test_connection(self) -> bool:
        problem = self._missing()
        if problem:
            self.status.setText(problem)
            return False
        try:
            self.status.setText(self.tr("连接成功：") + pg.check_connection(self.url()))
            return True
        except StoreError as e:
            self.status.setText(str(e))
            return False

    def _missing(self) -> str | None:
        if not self.database.text().strip():
            return self.tr("请填写数据库名")
        if not self.user.text().strip():
            return self.tr("请填写用户名")
        return None

    def accept(self) -> None:
        problem = self._missing()
        if problem:
            self.status.setText(problem)
            return
        self._save()
        super().accept()
