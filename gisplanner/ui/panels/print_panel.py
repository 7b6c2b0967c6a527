"""打印 and 网页地图 in the 文件 menu: route sheets, survey forms, contact cards, problem lists,
交办单/委托办理单 for the current round; the offline web map opened in the system browser; the
contact printed (and carried by the QR code) on contact cards."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from gisplanner.reporting.printouts.catalog import PRINTOUTS
from gisplanner.ui import file_dialogs
from gisplanner.ui.context import PanelContext


class PrintActions(QObject):
    """The menu entries; a child of the window (found with ``window.findChild(PrintActions)``).

    It holds no Python reference to the window (``parent()`` instead): a window ↔ panel
    reference cycle keeps dead wrappers alive, and shiboken can then hand a stale wrapper to a
    new object at the same address.
    """

    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.dialog = None
        self.last_webmap: Path | None = None
        menu = ctx.menus["文件"]
        menu.addSeparator()
        sub = menu.addMenu("打印")
        self.actions = {}
        for name, printout in PRINTOUTS.items():
            act = sub.addAction(f"{printout.title}…")
            act.triggered.connect(lambda _=False, n=name: self.open_print_dialog(n))
            self.actions[name] = act
        sub.addSeparator()
        sub.addAction(self.tr("联系卡联系方式…")).triggered.connect(self.edit_contact)
        web = menu.addMenu("网页地图")
        web.addAction("在浏览器中打开网页地图").triggered.connect(lambda: self.open_webmap())
        web.addAction("导出网页地图…").triggered.connect(self.save_webmap)

    def _round(self) -> int | None:
        rid = self.ctx.current_round_id
        if self.ctx.store is None or rid is None:
            QMessageBox.information(self.ctx.window, "打印", "请先在工具栏选择一个走访轮次")
            return None
        return rid

    def open_print_dialog(self, kind: str):
        from gisplanner.ui.printing.preview import PrintDialog

        rid = self._round()
        if rid is None:
            return None
        self.dialog = PrintDialog(self.ctx.window, kind, rid)
        self.dialog.show()
        return self.dialog

    def edit_contact(self):
        from gisplanner.ui.dialogs.contact_dialog import ContactDialog

        if self.ctx.store is None:
            return None
        dlg = ContactDialog(self.ctx.window, self.ctx.store)
        dlg.open()
        return dlg

    def open_webmap(self, out: Path | None = None, browser: bool = True):
        """Export the current round's web map (in the background) and open it in the browser."""
        if self.ctx.store is None:
            return None
        from gisplanner.reporting.webmap import export_webmap  # folium loads on first use, not at start

        out = out or Path(tempfile.mkdtemp(prefix="gisplanner-webmap-")) / "走访地图.html"

        def done(info: dict) -> None:
            self.last_webmap = Path(info["out"])
            self.ctx.show_status(f"网页地图已导出：{info['out']}", 10000)
            if browser:
                QDesktopServices.openUrl(QUrl.fromLocalFile(info["out"]))

        return self.ctx.run_task(
            export_webmap, self.ctx.store, out, self.ctx.current_round_id,
            title="导出网页地图", on_result=done,
        )  # fmt: skip

    def save_webmap(self) -> None:
        path, _ = file_dialogs.getSaveFileName(
            self.ctx.window, "导出网页地图", "走访地图.html", "网页 (*.html)"
        )
        if path:
            self.open_webmap(Path(path), browser=False)

    @property
    def ctx(self):  # the window's PanelContext, reached through the Qt parent (see above)
        return self.parent().ctx


def install(ctx: PanelContext) -> None:
    PrintActions(ctx)
