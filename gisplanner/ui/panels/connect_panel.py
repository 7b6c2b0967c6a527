"""文件 → 连接数据库服务器…: open a shared PostgreSQL database instead of the local file."""

from __future__ import annotations

from gisplanner.store.database import Store


def open_server(window, url: str, on_opened=None) -> None:
    """Open the server's database in the background, then show it (errors shown, not raised)."""

    def opened(store: Store) -> None:
        window.set_store(store)
        if on_opened is not None:
            on_opened(store)

    # a failure is shown by the window ("连接数据库服务器失败" with the server's reason)
    window.run_task(_open, url, title=window.tr("连接数据库服务器"), on_result=opened)


def _open(url: str, progress=None) -> Store:  # noqa: ARG001 - run_task passes progress
    """Open and sign in: the session is bound to the login's user, role and scope (a login
    without a role or scope is refused with the reason, and nothing is shown)."""
    from gisplanner.access.roles import sign_in

    store = Store.open(url)
    try:
        sign_in(store)
    except BaseException:
        store.close()
        raise
    return store


def show_connect_dialog(window) -> None:
    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    dialog = ConnectDialog(window)
    if dialog.exec():
        url = dialog.url()  # with the password: kept in memory only, never in QSettings
        open_server(window, url)


def install(window) -> None:
    menu = window.menus["文件"]
    action = menu.addAction(window.tr("连接数据库服务器…"))
    action.triggered.connect(lambda: show_connect_dialog(window))
    window.connect_action = action
