"""文件 → 导入… / 导出…: the import wizard and the export entries.

Exports ask before writing full phone numbers (default: masked, 138****5678) and run in the
background; the file appears only when complete (temp file + rename in gisplanner.reporting.export).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from gisplanner.io.headers import ROSTER_KIND_ZH
from gisplanner.ui import file_dialogs


def open_import_wizard(window, kind: str = "households", path: str | None = None):
    from gisplanner.ui.dialogs.import_wizard import ImportWizard

    if window.store is None:
        QMessageBox.information(window, window.tr("导入"), window.tr("请先打开或新建数据库"))
        return None
    wizard = ImportWizard(window, kind=kind, path=path)
    wizard.show()
    return wizard


def ask_unmasked(window) -> bool | None:
    """True: full phone numbers; False: masked; None: the user cancelled."""
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(window.tr("导出个人信息"))
    box.setText(window.tr("导出文件中的电话号码是否隐藏中间四位（138****5678）？"))
    box.setInformativeText(window.tr("完整号码属于个人信息，仅在确有需要时导出，并妥善保管文件。"))
    masked = box.addButton(window.tr("隐藏（推荐）"), QMessageBox.ButtonRole.AcceptRole)
    full = box.addButton(window.tr("导出完整号码"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(masked)
    box.exec()
    clicked = box.clickedButton()
    if clicked is masked:
        return False
    if clicked is full:
        return True
    return None


def export_targets(window, path: str | None = None, unmasked: bool | None = None) -> None:
    from gisplanner.reporting.export import export_targets_xlsx

    if window.store is None:
        return
    if unmasked is None:
        from gisplanner.access.roles import allows

        # only 负责人 / 管理员 are offered full phone numbers (the core refuses the others too)
        unmasked = ask_unmasked(window) if allows(window.store, "export.unmasked") else False
        if unmasked is None:
            return
    if path is None:
        path, _ = file_dialogs.getSaveFileName(
            window, window.tr("导出走访对象"), "走访对象.xlsx", window.tr("Excel 文件 (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
    window.run_task(
        export_targets_xlsx, window.store, path, unmasked=unmasked, title=window.tr("导出走访对象"),
        on_result=lambda info: window.statusBar().showMessage(
            window.tr("已导出 {n} 个走访对象到 {p}").format(n=info["targets"], p=info["path"]), 10_000
        ),
    )  # fmt: skip


def export_areas(window, path: str | None = None) -> None:
    from gisplanner.reporting.export import export_areas as do_export

    if window.store is None:
        return
    if path is None:
        path, chosen = file_dialogs.getSaveFileName(
            window, window.tr("导出区域覆盖情况"), "区域覆盖.gpkg",
            window.tr("GeoPackage (*.gpkg);;GeoJSON (*.geojson)"),
        )  # fmt: skip
        if not path:
            return
        if not path.lower().endswith((".gpkg", ".geojson", ".json")):
            path += ".geojson" if "geojson" in chosen.lower() else ".gpkg"
    window.run_task(
        do_export, window.store, path, title=window.tr("导出区域"),
        on_result=lambda info: window.statusBar().showMessage(
            window.tr("已导出 {n} 个区域到 {p}").format(n=info["areas"], p=info["path"]), 10_000
        ),
    )  # fmt: skip


def install(window) -> None:
    menu = window.menus["文件"]
    first = menu.actions()[0] if menu.actions() else None
    imp = menu.addMenu(window.tr("导入"))
    for kind, zh in ROSTER_KIND_ZH.items():
        act = imp.addAction(window.tr("{zh}名册…").format(zh=window.tr(zh)))
        act.triggered.connect(lambda _=False, k=kind: open_import_wizard(window, k))
    imp.addSeparator()
    imp.addAction(window.tr("区域边界…")).triggered.connect(lambda: open_import_wizard(window, "areas"))
    exp = menu.addMenu(window.tr("导出"))
    exp.addAction(window.tr("走访对象及未办结问题（Excel）…")).triggered.connect(
        lambda: export_targets(window)
    )
    exp.addAction(window.tr("区域覆盖情况（GeoPackage / GeoJSON）…")).triggered.connect(
        lambda: export_areas(window)
    )
    if first is not None:
        # beside 打开数据库… / 新建演示数据库… (before the first separator), not after 退出
        sep = next((a for a in menu.actions() if a.isSeparator()), None)
        if sep is not None:
            for sub in (imp, exp):
                menu.removeAction(sub.menuAction())
                menu.insertMenu(sep, sub)
    window.import_menu = imp
    window.export_menu = exp
