"""The supervision dock and the summary dialog in the main window on the demo town."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import raise_panel

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gisplanner.reporting import supervision as sv  # noqa: E402


def settle(qtbot, w) -> None:
    for _ in range(3):
        qtbot.waitUntil(lambda: not w._tasks, timeout=60_000)
        qtbot.wait(50)


def test_supervision_dock_summary_dialog_and_exports(qtbot, demo_store_copy, tmp_path, demo_facts):
    from openpyxl import load_workbook

    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    panel = w.panels.supervision
    raise_panel(panel)  # its tab in front: it loads with the data
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        w.set_store(demo_store_copy)
    settle(qtbot, w)
    model = panel.area_model
    assert model.rowCount() == demo_facts.villages  # the demo town's villages and communities
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:2] == ["区域", "层级"] and "覆盖率" in headers and "督查提示" in headers
    # laggards first, in light red, with their reasons
    first = model.index(0, 0)
    assert model.frame.at[0, "laggard"]
    assert model.data(first, Qt.ItemDataRole.BackgroundRole).color().name() == "#ffe0e0"
    cov_col = headers.index("覆盖率")
    assert model.data(model.index(0, cov_col)).endswith("%")
    # sorting by a header: coverage from high to low
    model.sort(cov_col, Qt.SortOrder.DescendingOrder)
    values = model.frame["coverage"].tolist()
    assert values == sorted(values, reverse=True)
    # export
    out = panel.export(str(tmp_path / "督查.xlsx"))
    wb = load_workbook(out)
    assert wb["区域对比"].max_row == demo_facts.villages + 3 and "单位对比" in wb.sheetnames
    # lenient thresholds (as the dialog would save them)
    lenient = sv.Thresholds(coverage_min=0, special_coverage_min=0, resolution_rate_min=0,
                            overdue_max=1000, days_since_visit_max=1000)  # fmt: skip
    lenient.save(demo_store_copy)
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        panel.refresh()
    # only the two villages nobody has visited stay flagged
    lagging = panel.areas[panel.areas["laggard"]]
    assert len(lagging) == 2 and all(f == ["尚无走访记录"] for f in lagging["flags"])
    assert (lagging["covered"] == 0).all()
    assert "后进区域 2 个" in panel.status.text()
    # the summary dialog for one village, exported to .xlsx and PDF
    panel.scope_bar.set_area("320412101201")
    settle(qtbot, w)
    dlg = panel.open_summary()
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.built, timeout=60_000) as built:
        pass
    report = built.args[0]
    assert report.area_name == "潘家村"
    assert "潘家村累计走访群众家庭" in dlg.text.toPlainText()
    dlg.copy()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == report.paragraph
    assert (
        load_workbook(dlg.export_xlsx(str(tmp_path / "总结.xlsx")))["工作总结"]["A3"].value
        == report.paragraph
    )
    pdf = dlg.export_pdf(str(tmp_path / "总结.pdf"))
    assert open(pdf, "rb").read(5) == b"%PDF-"
    logged = demo_store_copy.read_frame("SELECT what, pages FROM print_log")
    assert logged["what"].tolist() == ["工作总结 潘家村"] and logged["pages"][0] >= 1
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        assert "潘家村大走访工作情况" in text.replace(" ", "")
        assert f"走访群众家庭{report.figures['households_visited']}户" in text.replace(" ", "").replace(
            "\n", ""
        )
    settle(qtbot, w)


def test_thresholds_dialog_reads_and_returns_percentages(qtbot):
    from gisplanner.ui.panels.supervision_panel import ThresholdsDialog

    dlg = ThresholdsDialog(sv.Thresholds(coverage_min=0.85, overdue_max=3))
    qtbot.addWidget(dlg)
    assert dlg.fields["coverage_min"].value() == pytest.approx(85.0)
    dlg.fields["coverage_min"].setValue(70.0)
    dlg.fields["days_since_visit_max"].setValue(7)
    th = dlg.thresholds()
    assert (th.coverage_min, th.overdue_max, th.days_since_visit_max) == (pytest.approx(0.7), 3, 7)
