"""文件 → 连接数据库服务器…: open a shared PostgreSQL database instead of the local file."""

from __future__ import annotations

from gisplanner.store.database import Store
from gisplanner.ui.context import PanelContext


def open_server(ctx: PanelContext, url: str, on_opened=None) -> None:
    """Open the server's database in the background, then show it (errors shown, not raised)."""

    def opened(store: Store) -> None:
        ctx.set_store(store)
        if on_opened is not None:
            on_opened(store)

    # a failure is shown by the window ("连接数据库服务器失败" with the server's reason)
    ctx.run_task(_open, url, title=ctx.tr("连接数据库服务器"), on_result=opened)


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


def show_connect_dialog(ctx: PanelContext) -> None:
    from gisplanner.ui.dialogs.connect_dialog import ConnectDialog

    dialog = ConnectDialog(ctx.window)
    if dialog.exec():
        url = dialog.url()  # with the password: kept in memory only, never in QSettings
        open_server(ctx, url)


def install(ctx: PanelContext) -> None:
    menu = ctx.menus["文件"]
    action = menu.addAction(ctx.tr("连接数据库服务器…"))
    action.triggered.connect(lambda: show_connect_dialog(ctx))
    ctx.panels.connect_action = action
