"""The summary report: the paragraph with known numbers, the tables, CLI text/--json, .xlsx."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_stats_tinydb import build_tiny

from gisplanner.reporting.printouts import summary as sm

ROOT = Path(__file__).resolve().parents[1]
OCT1, OCT31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def tiny(empty_store):
    return empty_store, build_tiny(empty_store)


def test_paragraph_for_a_town_in_october(tiny):
    store, _ = tiny
    r = sm.build_summary(store, "320412101000", OCT1, OCT31)
    assert r.paragraph == (
        "2026年10月1日至10月31日，甲镇累计走访群众家庭3户，收集梳理各类问题4个，帮助解决具体问题2个"
        "（其中当场解决1个）；走访企业1家、收集梳理各类问题1个，帮助解决具体问题0个；"
        "走访名士1位，收集意见建议1条。群众家庭走访覆盖率60.0%（独居老人、残疾、困难家庭等特殊群体33.3%），"
        "各类问题解决率33.3%；截至2026年10月31日，逾期未办结问题2个。"
    )
    f = r.figures
    assert (f["households"], f["special_households"], f["special_visited"]) == (5, 3, 1)
    assert (f["explained"], f["open"], f["overdue"]) == (1, 3, 2)  # open: h2, e1 (closed in Nov), n1
    assert r.title == "甲镇大走访工作情况（2026年10月1日至10月31日）"


def test_whole_database_and_open_ended_ranges(tiny):
    store, _ = tiny
    r = sm.build_summary(store, as_of=dt.date(2026, 11, 25))
    assert r.area_name == "常州市"
    assert r.paragraph.startswith("截至2026年11月25日，常州市累计走访群众家庭4户")
    assert "目前逾期未办结问题2个" in r.paragraph  # h2's housing and h6's health problem
    assert r.figures["enterprise_solved"] == 1  # resolved on 2 November
    since = sm.build_summary(store, date_from=dt.date(2026, 10, 15), as_of=dt.date(2026, 11, 25))
    assert since.paragraph.startswith("2026年10月15日以来，")
    assert since.figures["households_visited"] == 2  # h4 (20 Oct) and h6 (5 Nov)
    with pytest.raises(ValueError, match="晚于"):
        sm.build_summary(store, date_from=OCT31, date_to=OCT1)


def test_tables_add_up_to_the_paragraph(tiny):
    store, _ = tiny
    r = sm.build_summary(store, "320400000000", OCT1, OCT31)
    kinds = r.tables["分类汇总"].set_index("对象")
    assert kinds.loc["合计", "收集问题"] == r.figures["problems"] == 6
    assert kinds.loc["群众家庭", "已走访"] == r.figures["households_visited"] == 3
    areas = r.tables["分区域"].set_index("区域")
    assert list(areas.index) == ["甲镇", "乙镇"]  # the city's single district is skipped
    assert areas["已走访户数"].sum() == r.figures["households_visited"]
    assert areas["收集问题"].sum() == r.figures["problems"]
    assert areas["逾期"].sum() == r.figures["overdue"]
    cats = r.tables["问题类别"].set_index("问题类别")
    assert cats.loc["交通出行", "收集问题"] == 2 and cats.loc["交通出行", "已解决"] == 1
    assert cats.loc["交通出行", "办理时长中位数（天）"] == pytest.approx(2.0)
    text = sm.to_text(r)
    assert r.paragraph in text and "【分区域】" in text and "甲镇" in text


def test_xlsx_export(tiny, tmp_path):
    store, _ = tiny
    r = sm.build_summary(store, "320412101000", OCT1, OCT31)
    path = sm.export_xlsx(r, tmp_path / "总结.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["工作总结", "分类汇总", "分区域", "问题类别"]
    assert wb["工作总结"]["A3"].value == r.paragraph
    ws = wb["分区域"]
    header = [c.value for c in ws[1]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["村一"]["已走访户数"] == 2 and rows["村一"]["覆盖率"] == pytest.approx(2 / 3)


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """The CLI in-process (the same entry point as `python main.py summary …`)."""
    from gisplanner.cli import run

    try:
        rc = run(["summary", *args])
    except SystemExit as e:  # argparse rejects bad arguments
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_json_equals_direct_sql_on_the_demo(demo_db_path, capsys):
    rc, stdout, stderr = run_cli(
        capsys,
        "--db",
        str(demo_db_path),
        "--area",
        "320412101000",
        "--from",
        "2026-10-10",
        "--to",
        "2026-10-20",
        "--json",
    )
    assert rc == 0, stderr
    out = json.loads(stdout)
    con = sqlite3.connect(demo_db_path)

    def one(q):
        return con.execute(q).fetchone()[0]

    rng = "'2026-10-10' AND {c} < '2026-10-21'"
    for kind, visited_key, problems_key, solved_key in (
        ("household", "households_visited", "household_problems", "household_solved"),
        ("enterprise", "enterprises_visited", "enterprise_problems", "enterprise_solved"),
        ("notable", "notables_visited", "notable_suggestions", "notable_suggestions_solved"),
    ):
        assert out[visited_key] == one(
            "SELECT COUNT(DISTINCT v.target_id) FROM visit v JOIN target t ON t.id = v.target_id "
            f"WHERE t.kind = '{kind}' AND v.outcome IN ('met','phone') AND v.visited_at >= "
            + rng.format(c="v.visited_at")
        )
        assert out[problems_key] == one(
            f"SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE t.kind = '{kind}' "
            "AND p.created_at >= " + rng.format(c="p.created_at")
        )
        assert out[solved_key] == one(
            f"SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE t.kind = '{kind}' "
            "AND p.status = 'resolved' AND p.closed_at < '2026-10-21' AND p.created_at >= "
            + rng.format(c="p.created_at")
        )
    assert out["household_solved_on_spot"] == one(
        "SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE t.kind = 'household' "
        "AND p.solved_on_spot AND p.status = 'resolved' AND p.closed_at < '2026-10-21' AND p.created_at >= "
        + rng.format(c="p.created_at")
    )
    assert out["overdue"] == one(
        "SELECT COUNT(*) FROM problem WHERE deadline < '2026-10-20' AND created_at < '2026-10-21' AND NOT "
        "(status IN ('resolved','explained','rectification') AND closed_at < '2026-10-21')"
    )
    con.close()
    assert out["area_name"] == "雪堰镇" and out["households_visited"] > 0
    assert f"累计走访群众家庭{out['households_visited']}户" in out["paragraph"]


def test_cli_text_and_errors(demo_db_path, tmp_path, capsys):
    rc, out, err = run_cli(
        capsys, "--db", str(demo_db_path), "--area", "320412101201", "--xlsx", str(tmp_path / "s.xlsx")
    )
    assert rc == 0, err
    assert "潘家村大走访工作情况" in out and "【分类汇总】" in out
    assert (tmp_path / "s.xlsx").exists()
    rc, _, err = run_cli(capsys, "--db", str(demo_db_path), "--area", "123")
    assert rc == 2 and "找不到行政区划代码 123" in err
    rc, _, err = run_cli(capsys, "--db", str(demo_db_path), "--from", "2026-10-32")
    assert rc == 2 and "YYYY-MM-DD" in err


def test_main_py_runs_the_command(demo_db_path):
    res = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "summary", "--db", str(demo_db_path), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert set(sm.FIGURE_KEYS) <= set(json.loads(res.stdout))
