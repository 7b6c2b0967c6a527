"""文件 → 导入… / 导出…: the import wizard and the export entries.

Exports ask before writing full phone numbers (default: masked, 138****5678) and run in the
background; the file appears only when complete (temp file + rename in gisplanner.reporting.export).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from gisplanner.io.headers import ROSTER_KIND_ZH
from gisplanner.ui import file_dialogs
from gisplanner.ui.context import PanelContext


def open_import_wizard(ctx: PanelContext, kind: str = "households", path: str | None = None):
    from gisplanner.ui.dialogs.import_wizard import ImportWizard

    if ctx.store is None:
        QMessageBox.information(ctx.window, ctx.tr("导入"), ctx.tr("请先打开或新建数据库"))
        return None
    wizard = ImportWizard(ctx.window, kind=kind, path=path)
    wizard.show()
    return wizard


def ask_unmasked(ctx: PanelContext) -> bool | None:
    """True: full phone numbers; False: masked; None: the user cancelled."""
    box = QMessageBox(ctx.window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(ctx.tr("导出个人信息"))
    box.setText(ctx.tr("导出文件中的电话号码是否隐藏中间四位（138****5678）？"))
    box.setInformativeText(ctx.tr("完整号码属于个人信息，仅在确有需要时导出，并妥善保管文件。"))
    masked = box.addButton(ctx.tr("隐藏（推荐）"), QMessageBox.ButtonRole.AcceptRole)
    full = box.addButton(ctx.tr("导出完整号码"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(masked)
    box.exec()
    clicked = box.clickedButton()
    if clicked is masked:
        return False
    if clicked is full:
        return True
    return None


def export_targets(ctx: PanelContext, path: str | None = None, unmasked: bool | None = None) -> None:
    from gisplanner.reporting.export import export_targets_xlsx

    if ctx.store is None:
        return
    if unmasked is None:
        from gisplanner.access.roles import allows

        # only 负责人 / 管理员 are offered full phone numbers (the core refuses the others too)
        unmasked = ask_unmasked(ctx) if allows(ctx.store, "export.unmasked") else False
        if unmasked is None:
            return
    if path is None:
        path, _ = file_dialogs.getSaveFileName(
            ctx.window, ctx.tr("导出走访对象"), "走访对象.xlsx", ctx.tr("Excel 文件 (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
    ctx.run_task(
        export_targets_xlsx, ctx.store, path, unmasked=unmasked, title=ctx.tr("导出走访对象"),
        on_result=lambda info: ctx.show_status(
            ctx.tr("已导出 {n} 个走访对象到 {p}").format(n=info["targets"], p=info["path"]), 10_000
        ),
    )  # fmt: skip


def export_areas(ctx: PanelContext, path: str | None = None) -> None:
    from gisplanner.reporting.export import export_areas as do_export

    if ctx.store is None:
        return
    if path is None:
        path, chosen = file_dialogs.getSaveFileName(
            ctx.window, ctx.tr("导出区域覆盖情况"), "区域覆盖.gpkg",
            ctx.tr("GeoPackage (*.gpkg);;GeoJSON (*.geojson)"),
        )  # fmt: skip
        if not path:
            return
        if not path.lower().endswith((".gpkg", ".geojson", ".json")):
            path += ".geojson" if "geojson" in chosen.lower() else ".gpkg"
    ctx.run_task(
        do_export, ctx.store, path, title=ctx.tr("导出区域"),
        on_result=lambda info: ctx.show_status(
            ctx.tr("已导出 {n} 个区域到 {p}").format(n=info["areas"], p=info["path"]), 10_000
        ),
    )  # fmt: skip


def install(ctx: PanelContext) -> None:
    menu = ctx.menus["文件"]
    first = menu.actions()[0] if menu.actions() else None
    imp = menu.addMenu(ctx.tr("导入"))
    for kind, zh in ROSTER_KIND_ZH.items():
        act = imp.addAction(ctx.tr("{zh}名册…").format(zh=ctx.tr(zh)))
        act.triggered.connect(lambda _=False, k=kind: open_import_wizard(ctx, k))
    imp.addSeparator()
    imp.addAction(ctx.tr("区域边界…")).triggered.connect(lambda: open_import_wizard(ctx, "areas"))
    exp = menu.addMenu(ctx.tr("导出"))
    exp.addAction(ctx.tr("走访对象及未办结问题（Excel）…")).triggered.connect(lambda: export_targets(ctx))
    exp.addAction(ctx.tr("区域覆盖情况（GeoPackage / GeoJSON）…")).triggered.connect(
        lambda: export_areas(ctx)
    )
    if first is not None:
        # beside 打开数据库… / 新建演示数据库… (before the first separator), not after 退出
        sep = next((a for a in menu.actions() if a.isSeparator()), None)
        if sep is not None:
            for sub in (imp, exp):
                menu.removeAction(sub.menuAction())
                menu.insertMenu(sep, sub)
    ctx.panels.import_menu = imp
    ctx.panels.export_menu = exp
