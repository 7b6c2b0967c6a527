"""User text never becomes a live formula in an .xlsx nor live HTML in the web map (issue 15,
items 3 and 6)."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text
from test_reports_fixture import write_plan

from gisplanner.io.safe_cells import needs_quote
from gisplanner.io.xlsx_writer import write_xlsx
from gisplanner.store.database import Store

PAYLOADS = [
    '=HYPERLINK("http://x","点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def no_formulas(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_needs_quote():
    assert all(needs_quote(p) for p in PAYLOADS)
    assert not any(needs_quote(s) for s in ["张三", "13812345678", "", "a=b"])


@pytest.fixture
def planned(demo_db_path, tmp_path):
    dest = tmp_path / "planned.sqlite"
    with sqlite3.connect(demo_db_path) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    store = Store.open(dest)
    plan = write_plan(store, teams=1, sessions=1, stops=len(PAYLOADS))
    with store.engine.begin() as c:
        ids = [r[0] for r in c.execute(text(
            "SELECT target_id FROM route_stop WHERE route_id=:r ORDER BY seq"), {"r": plan["routes"][0]})]  # fmt: skip
        for tid, p in zip(ids, PAYLOADS, strict=False):
            c.execute(text("UPDATE target SET name=:n, address=:n WHERE id=:i"), {"n": p, "i": tid})
    yield store, plan
    store.close()


def test_results_sheet_writes_formula_like_names_as_text(planned, tmp_path):
    from gisplanner.campaign.results import write_blank_sheet

    store, plan = planned
    out = write_blank_sheet(store, plan["routes"][0], tmp_path / "sheet.xlsx")
    no_formulas(out)
    ws = openpyxl.load_workbook(out).active
    names = [ws.cell(row=r, column=3).value for r in range(3, ws.max_row + 1)]
    cells = [ws.cell(row=r, column=3) for r in range(3, ws.max_row + 1)]
    assert [n for n in names if n in {p.replace("\r", "") for p in PAYLOADS} | set(PAYLOADS)]
    for c in cells:
        if isinstance(c.value, str) and needs_quote(c.value):
            assert c.data_type == "s" and c.quotePrefix


def test_fast_writer_quotes_formula_like_text(tmp_path):
    out = tmp_path / "t.xlsx"
    write_xlsx(out, [("表", pd.DataFrame({"名称": PAYLOADS, "数": range(len(PAYLOADS))}))])
    no_formulas(out)
    ws = openpyxl.load_workbook(out).active
    got = [ws.cell(row=r, column=1) for r in range(2, len(PAYLOADS) + 2)]
    assert [c.value for c in got] == [p.replace("\r", "\n") for p in PAYLOADS]  # XML line ends
    assert all(c.data_type == "s" and c.quotePrefix for c in got)
    assert ws.cell(row=2, column=2).value == 0  # numbers stay numbers


def test_supervision_xlsx_writes_formula_like_names_as_text(tmp_path):
    from gisplanner.reporting.supervision import write_xlsx as sup_write

    out = sup_write(
        tmp_path / "s.xlsx", [("比较", pd.DataFrame({"名称": PAYLOADS, "率": [0.5] * len(PAYLOADS)}))]
    )
    no_formulas(out)
    ws = openpyxl.load_workbook(out).active
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, len(PAYLOADS) + 2))


def test_export_targets_xlsx_keeps_payloads_as_text(planned, tmp_path):
    from gisplanner.cli import run

    store, _ = planned
    out = tmp_path / "t.xlsx"
    assert run(["export", "targets", "--db", str(store.sqlite_path), "--out", str(out)]) == 0
    no_formulas(out)


def test_web_map_escapes_every_user_text(planned, tmp_path):
    from gisplanner.reporting.webmap import export_webmap

    store, plan = planned
    evil = "<img src=x onerror=alert(1)>"
    with store.engine.begin() as c:
        c.execute(text("UPDATE target SET name=:n, address=:a WHERE id=(SELECT MIN(id) FROM target)"),
                  {"n": evil, "a": "</script><script>alert(2)</script>"})  # fmt: skip
        c.execute(text("UPDATE area SET name=:n WHERE id=(SELECT MIN(id) FROM area WHERE level='village')"),
                  {"n": "<b onmouseover=alert(3)>村</b>"})  # fmt: skip
        c.execute(text("UPDATE team SET name=:n"), {"n": "<svg onload=alert(4)>"})
    out = tmp_path / "m.html"
    export_webmap(store, out, plan["round"])
    page = out.read_text(encoding="utf-8")
    for raw in (evil, "<script>alert(2)", "<b onmouseover", "<svg onload"):
        assert raw not in page, raw
    # shown as typed: the HTML-escaped text (inside the map's JSON, "&" is written \u0026)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page or "&lt;img src=x onerror" in page
