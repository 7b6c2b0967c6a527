"""Supervision: areas and units side by side, laggards flagged by stored thresholds, .xlsx export."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from openpyxl import load_workbook
from test_stats_tinydb import OCT, TODAY, build_tiny

from gisplanner.reporting import stats as st
from gisplanner.reporting import supervision as sv


@pytest.fixture
def tiny(empty_store):
    return empty_store, build_tiny(empty_store)


def test_villages_side_by_side_with_known_numbers(tiny):
    store, ids = tiny
    scope = st.Scope(area_code="320412101000", date_from=OCT.date_from, date_to=OCT.date_to)
    df = sv.compare_areas(store, scope, thresholds=sv.Thresholds()).set_index("name")
    one, two = df.loc["村一"], df.loc["村二"]
    # 村一: h1 met, h2 met, h3 refused → 2 of 3; special: h1 met, h3 not → 1 of 2
    assert (one.households, one.covered, one.special_households, one.special_met) == (3, 2, 2, 1)
    # 村二: h4 phone then met, h5 never → 1 of 2; special h5 not met
    assert (two.households, two.covered, two.special_households, two.special_met) == (2, 1, 1, 0)
    # problems in October: 村一 h1 ×2, h2, e1 → 4, solved 2; overdue on 31 Oct: h2's and e1's
    assert (one.problems, one.solved, one.overdue) == (4, 2, 2)
    assert one.problems_per_100 == pytest.approx(400 / 3)
    assert one.resolution_rate == pytest.approx(0.5)
    # 村二: h4's (explained) and n1's suggestion → 2, none solved, none overdue
    assert (two.problems, two.solved, two.overdue) == (2, 0, 0)
    # the latest visits up to 31 October: 村一 10 Oct, 村二 20 Oct
    assert (one.days_since_visit, two.days_since_visit) == (21, 11)
    assert one["flags"] == [
        "覆盖率66.7%低于90%",
        "特殊群体覆盖率50.0%低于95%",
        "解决率50.0%低于60%",
        "已21天未走访",
    ]
    assert df.index[0] == "村二"  # both laggards; the lower coverage first


def test_thresholds_are_kept_in_the_database_and_change_the_flags(tiny):
    store, _ = tiny
    assert sv.Thresholds.load(store) == sv.Thresholds()
    lenient = sv.Thresholds(coverage_min=0.5, special_coverage_min=0.0, resolution_rate_min=0.0,
                            overdue_max=5, days_since_visit_max=30)  # fmt: skip
    lenient.save(store)
    assert sv.Thresholds.load(store) == lenient
    scope = st.Scope(area_code="320412101000", date_from=OCT.date_from, date_to=OCT.date_to)
    df = sv.compare_areas(store, scope).set_index("name")  # thresholds read from the database
    assert not df["laggard"].any()
    with pytest.raises(ValueError, match="覆盖率下限"):
        sv.Thresholds.from_dict({"coverage_min": "很多"})
    with pytest.raises(ValueError, match="未知的项目"):
        sv.Thresholds.from_dict({"coverge_min": 0.5})


def test_towns_and_levels(tiny):
    store, _ = tiny
    towns = sv.compare_areas(store, st.Scope(as_of=TODAY)).set_index("name")
    assert list(sorted(towns.index)) == ["乙镇", "甲镇"]
    assert towns.loc["甲镇", "households"] == 5 and towns.loc["乙镇", "covered"] == 1
    villages = sv.compare_areas(store, st.Scope(as_of=TODAY), level="village")
    assert sorted(villages["name"]) == ["村一", "村三", "村二"]
    assert villages["households"].sum() == 6


def test_units_side_by_side(tiny):
    store, _ = tiny
    df = sv.compare_units(store, OCT, thresholds=sv.Thresholds()).set_index("unit")
    assert (df.loc["镇城建办", "problems"], df.loc["镇城建办", "solved"], df.loc["镇城建办", "overdue"]) == (
        2,
        1,
        1,
    )
    assert df.loc["镇城建办", "median_days"] == pytest.approx(2.0)
    assert (df.loc["区交通运输局", "problems"], df.loc["区交通运输局", "solved"]) == (1, 0)
    assert df.loc["区交通运输局", "laggard"]


def test_export_xlsx_is_complete_and_marks_laggards(tiny, tmp_path):
    store, _ = tiny
    scope = st.Scope(area_code="320412101000", date_from=OCT.date_from, date_to=OCT.date_to)
    areas = sv.compare_areas(store, scope, thresholds=sv.Thresholds())
    units = sv.compare_units(store, scope, thresholds=sv.Thresholds())
    path = sv.export_supervision_xlsx(tmp_path / "督查.xlsx", areas, units, title="甲镇督查")
    assert not list(tmp_path.glob("*.tmp"))  # the temporary file was renamed into place
    wb = load_workbook(path)
    ws = wb["区域对比"]
    assert ws["A1"].value == "甲镇督查"
    header = [c.value for c in ws[3]]
    assert header[:4] == ["区域", "代码", "层级", "户数"] and "覆盖率" in header and "督查提示" in header
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["村一"]["覆盖率"] == pytest.approx(2 / 3)
    assert ws.cell(row=4, column=header.index("覆盖率") + 1).number_format == "0.0%"
    assert ws.cell(row=4, column=1).fill.fgColor.rgb.endswith("FFE0E0")
    assert "覆盖率" in rows["村一"]["督查提示"]
    assert wb["单位对比"].max_row == len(units) + 1


def test_demo_comparison_equals_direct_sql(demo_store, demo_db_path, demo_facts):
    scope = st.Scope(area_code="320412101000", date_from=dt.date(2026, 10, 10), date_to=dt.date(2026, 10, 31))
    df = sv.compare_areas(demo_store, scope, thresholds=sv.Thresholds()).set_index("area_id")
    con = sqlite3.connect(demo_db_path)
    per_village = {
        a: (n, s)
        for a, n, s in con.execute(
            "SELECT t.area_id, COUNT(*), SUM(p.status='resolved' AND p.closed_at < '2026-11-01') "
            "FROM problem p JOIN target t ON t.id = p.target_id "
            "WHERE p.created_at >= '2026-10-10' AND p.created_at < '2026-11-01' GROUP BY t.area_id"
        )
    }
    last = dict(
        con.execute(
            "SELECT t.area_id, date(MAX(v.visited_at)) FROM visit v JOIN target t ON t.id = v.target_id "
            "WHERE v.visited_at < '2026-11-01' GROUP BY t.area_id"
        ).fetchall()
    )
    households = dict(con.execute("SELECT area_id, COUNT(*) FROM target WHERE kind='household' GROUP BY 1"))
    con.close()
    assert len(df) == demo_facts.villages
    for aid, r in df.iterrows():
        n, s = per_village.get(aid, (0, 0))
        assert (r.problems, r.solved, r.households) == (n, s, households[aid])
        if aid in last:
            assert r.days_since_visit == (dt.date(2026, 10, 31) - dt.date.fromisoformat(last[aid])).days
    # coverage (from coverage.py, over the rounds overlapping the range): a household counts when
    # its strongest outcome in those rounds is met, or phone with no met / moved / refused
    con = sqlite3.connect(demo_db_path)
    rounds = ",".join(str(r) for r in sv.scope_rounds(demo_store, scope))
    covered = dict(
        con.execute(
            "SELECT t.area_id, COUNT(DISTINCT t.id) FROM target t JOIN visit v ON v.target_id = t.id "
            f"WHERE t.kind = 'household' AND v.round_id IN ({rounds}) AND (v.outcome = 'met' OR "
            "(v.outcome = 'phone' AND NOT EXISTS (SELECT 1 FROM visit w WHERE w.target_id = t.id "
            f"AND w.round_id IN ({rounds}) AND w.outcome IN ('met','moved','refused')))) GROUP BY 1"
        ).fetchall()
    )
    special_met = dict(
        con.execute(
            "SELECT t.area_id, COUNT(DISTINCT t.id) FROM target t JOIN visit v ON v.target_id = t.id "
            f"WHERE t.kind = 'household' AND v.round_id IN ({rounds}) AND v.outcome = 'met' "
            "AND (t.elderly_alone OR t.disabled OR t.hardship) GROUP BY 1"
        ).fetchall()
    )
    con.close()
    assert sum(covered.values()) > 0
    for aid, r in df.iterrows():
        assert (r.covered, r.special_met) == (covered.get(aid, 0), special_met.get(aid, 0))
