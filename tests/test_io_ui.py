"""The import wizard end to end in the real main window (offscreen): file → mapping → preview
with the bad rows → import in the background; and the export menu entries."""

from __future__ import annotations

import openpyxl
import pytest

pytest.importorskip("pytestqt")


def roster(tmp_path, store):
    v = store.areas_gdf(level="village")
    pts = [g.representative_point() for g in v.geometry[:5]]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "户主姓名", "手机号码", "经度", "纬度", "独居老人"])
    for i, p in enumerate(pts):
        ws.append([f"W{i}", f"向导{i}", f"1390000000{i}", p.x, p.y, "是" if i == 0 else ""])
    ws.append(["W9", "坏行", "12345", "", "", ""])
    path = tmp_path / "向导住户.xlsx"
    wb.save(path)
    return path


def test_menus_are_installed(window):
    names = [a.text() for a in window.menus["文件"].actions()]
    assert "导入" in names and "导出" in names
    assert len(window.panels.import_menu.actions()) == 6  # four rosters, a separator, boundaries
    assert window.panel_errors == {}


def test_wizard_imports_a_roster_with_preview_of_bad_rows(window, qtbot, tmp_path):
    from gisplanner.ui.dialogs.import_wizard import ImportWizard
    from gisplanner.ui.panels.io_panel import open_import_wizard

    path = roster(tmp_path, window.store)
    before = len(window.store.targets_frame(kinds=["household"]))
    wiz = open_import_wizard(window.ctx, "households", str(path))
    qtbot.addWidget(wiz)
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_MAPPING, timeout=30_000)
    assert wiz.mapping()["name"] == "户主姓名" and wiz.mapping()["phone"] == "手机号码"
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_PREVIEW, timeout=30_000)
    assert "可导入 5 行" in wiz.summary_label.text() and "有问题 1 行" in wiz.summary_label.text()
    model = wiz.bad_view.model()
    assert model.rowCount() == 1
    assert model.item(0, 0).text() == "7" and "12345" in model.item(0, 1).text()
    assert wiz.import_button.isEnabled()
    wiz.grab().save(str(tmp_path / "wizard-preview.png"))
    wiz.import_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_DONE, timeout=30_000)
    assert "新增 5" in wiz.done_label.text() and "未导入 1 行" in wiz.done_label.text()
    assert len(window.store.targets_frame(kinds=["household"])) == before + 5
    assert (tmp_path / "向导住户.rejects.xlsx").exists()


def test_wizard_reports_an_unreadable_file(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gisplanner.ui.panels.io_panel import open_import_wizard

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"garbage")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    wiz = open_import_wizard(window.ctx, "households", str(bad))
    qtbot.addWidget(wiz)
    wiz.next_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert "坏.xlsx" in shown[0]
    assert wiz.stack.currentIndex() == 0


def test_export_menu_writes_masked_targets(window, qtbot, tmp_path):
    from gisplanner.io.readers import read_table
    from gisplanner.ui.panels.io_panel import export_areas, export_targets

    out = tmp_path / "对象.xlsx"
    export_targets(window.ctx, str(out), unmasked=False)
    qtbot.waitUntil(out.exists, timeout=60_000)
    phones = read_table(out).frame["联系电话"]
    phones = phones[phones != ""]
    assert len(phones) and phones.str.contains(r"\*\*\*\*").all()
    gpkg = tmp_path / "区域.gpkg"
    export_areas(window.ctx, str(gpkg))
    qtbot.waitUntil(gpkg.exists, timeout=60_000)


def test_wizard_asks_for_the_crs_of_a_shapefile_without_prj(window, qtbot, tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from PySide6.QtWidgets import QInputDialog

    from gisplanner.ui.dialogs.import_wizard import ImportWizard
    from gisplanner.ui.panels.io_panel import open_import_wizard

    demo = Path(__file__).resolve().parents[1] / "maps" / "demo"
    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(demo / f"villages_4549.{ext}", tmp_path / f"v.{ext}")
    asked = []

    def choose(parent, title, label, items, *a):
        asked.append(label)
        return next(i for i in items if i.startswith("EPSG:4549")), True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    wiz = open_import_wizard(window.ctx, "areas", str(tmp_path / "v.shp"))
    qtbot.addWidget(wiz)
    assert wiz.crs_combo.isVisible()  # boundaries show the CRS choice
    wiz.level_combo.setCurrentIndex(wiz.level_combo.findData("village"))
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_MAPPING, timeout=30_000)
    assert asked and "v.shp" in asked[0] and ".prj" in asked[0]
    assert wiz.crs_combo.currentData() == "EPSG:4549"
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_PREVIEW, timeout=30_000)
    assert "可导入 18 个区域" in wiz.summary_label.text()
    wiz.import_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_DONE, timeout=30_000)
    assert "未变 18" in wiz.done_label.text()


def test_wizard_asks_before_boundaries_leave_targets_outside(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from shapely.affinity import scale

    from gisplanner.ui.dialogs.import_wizard import ImportWizard
    from gisplanner.ui.panels.io_panel import open_import_wizard

    v = window.store.areas_gdf(level="village")[["code", "name", "geometry"]]
    v["geometry"] = [scale(g, 0.5, 0.5, origin="centroid") for g in v.geometry]
    f = tmp_path / "shrunk.geojson"
    v.to_file(f, driver="GeoJSON")
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.Yes)[1]
    )
    wiz = open_import_wizard(window.ctx, "areas", str(f))
    qtbot.addWidget(wiz)
    wiz.level_combo.setCurrentIndex(wiz.level_combo.findData("village"))
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_MAPPING, timeout=30_000)
    wiz.next_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_PREVIEW, timeout=30_000)
    assert "不在任何村/社区内" in wiz.notes.toPlainText()  # said before anything is written
    wiz.import_button.click()
    qtbot.waitUntil(lambda: wiz.stack.currentIndex() == ImportWizard.PAGE_DONE, timeout=30_000)
    assert asked and "个走访对象" in asked[0] and "仍然导入" in asked[0]
    assert "更新 18" in wiz.done_label.text()
