"""The connection dialog: the address is remembered, the password only in the system keyring."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")
keyring = pytest.importorskip("keyring")

from keyring.backend import KeyringBackend  # noqa: E402
from keyring.backends import fail  # noqa: E402

only_pg = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
SECRET = "Xy7#密码-not-in-files"


class MemoryKeyring(KeyringBackend):
    """A keyring in memory, standing in for the desktop's Secret Service / Keychain."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def memory_keyring():
    old = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(old)


@pytest.fixture
def no_keyring():
    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(old)


def _fill(dialog, password=SECRET, port=55432):
    dialog.host.setText("db.example.cn")
    dialog.port.setValue(port)
    dialog.database.setText("dazoufang")
    dialog.user.setText("xueyan")
    dialog.password.setText(password)


def _files_text(tmp_path) -> str:
    return "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())


def test_password_goes_to_the_keyring_never_to_the_settings(qtbot, settings, memory_keyring, tmp_path):
    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    d = ConnectDialog(settings=settings)
    qtbot.addWidget(d)
    assert d.remember.isEnabled()
    _fill(d)
    d.remember.setChecked(True)
    d.accept()
    assert d.result() == d.DialogCode.Accepted
    assert memory_keyring.items == {("gisplanner", "xueyan@db.example.cn:55432/dazoufang"): SECRET}
    assert "db.example.cn" in _files_text(tmp_path) and SECRET not in _files_text(tmp_path)
    assert "Xy7" not in _files_text(tmp_path)

    again = ConnectDialog(settings=settings)  # next start: address and password filled in
    qtbot.addWidget(again)
    assert (again.host.text(), again.port.value(), again.user.text()) == ("db.example.cn", 55432, "xueyan")
    assert again.password.text() == SECRET and again.remember.isChecked()
    assert again.url().startswith("postgresql+psycopg://xueyan:") and again.url().endswith(
        "@db.example.cn:55432/dazoufang"
    )

    again.remember.setChecked(False)  # unticking forgets it
    again.accept()
    assert memory_keyring.items == {}


def test_without_a_keyring_the_password_is_asked_each_time(qtbot, settings, no_keyring, tmp_path):
    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    d = ConnectDialog(settings=settings)
    qtbot.addWidget(d)
    assert not d.remember.isEnabled() and "不会保存" in d.remember.toolTip()
    _fill(d)
    d.accept()
    assert SECRET not in _files_text(tmp_path)
    again = ConnectDialog(settings=settings)
    qtbot.addWidget(again)
    assert again.user.text() == "xueyan" and again.password.text() == ""


def test_missing_fields_are_named(qtbot, settings, no_keyring):
    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    d = ConnectDialog(settings=settings)
    qtbot.addWidget(d)
    d.user.setText("")
    d.accept()
    assert d.result() != d.DialogCode.Accepted and "用户名" in d.status.text()


def test_test_connection_reports_the_server(qtbot, settings, no_keyring, pg_url):
    from sqlalchemy.engine import make_url

    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    u = make_url(pg_url)
    d = ConnectDialog(settings=settings)
    qtbot.addWidget(d)
    d.host.setText(u.host)
    d.port.setValue(u.port)
    d.database.setText(u.database)
    d.user.setText(u.username)
    d.password.setText("ignored-by-trust")
    assert d.test_connection()
    assert "连接成功" in d.status.text() and "PostgreSQL" in d.status.text()
    d.port.setValue(1)  # nothing listens there
    assert not d.test_connection()
    assert "无法连接" in d.status.text()


@only_pg
def test_the_window_opens_a_server_database(qtbot, two_towns):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow
    from gisplanner.ui.panels.connect_panel import open_server

    store, _ids = two_towns
    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.panels.connect_action is not None and "连接数据库服务器" in w.panels.connect_action.text()
    url = store.engine.url.set(password=SECRET).render_as_string(hide_password=False)
    opened = []
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        open_server(w.ctx, url, on_opened=opened.append)
    assert opened and opened[0].engine.dialect.name == "postgresql"
    assert w.store is opened[0]
    assert SECRET not in w._db_label.text() and "postgresql" in w._db_label.text()
    assert w.map_widget.counts()["points"] == len(_ids["targets_A"]) + len(_ids["targets_B"])
