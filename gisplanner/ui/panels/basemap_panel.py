"""视图 → 底图与离线瓦片…, and the database's own base map shown when it is opened."""

from __future__ import annotations

from gisplanner.ui.context import PanelContext
from gisplanner.ui.dialogs.basemap_dialog import BasemapDialog, current_source


def open_basemap_dialog(ctx: PanelContext) -> BasemapDialog:
    dlg = BasemapDialog(ctx.window)
    ctx.panels.basemap_dialog = dlg
    dlg.open()
    return dlg


def install(ctx: PanelContext) -> None:
    mw = ctx.map_widget
    shown = {"db": None}

    def map_loaded() -> None:
        store = ctx.store
        key = store.describe() if store is not None else None
        if key == shown["db"]:
            return  # reloads of the same database keep whatever the user toggled
        shown["db"] = key
        src = current_source(store)
        if src is not None or mw.basemap_source is not None:
            mw.set_basemap_source(src, show=src is not None)

    ctx.map_loaded.connect(map_loaded)
    ctx.menus["视图"].addAction(ctx.tr("底图与离线瓦片…"), lambda: open_basemap_dialog(ctx))
