"""Importing real roster files into a database: counts, rejects with reasons, idempotence,
remembered mappings, unreadable files, and nothing half-written."""

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from gisplanner.codes import credit_code_check_char
from gisplanner.io import crs
from gisplanner.io.readers import ReadError
from gisplanner.io.roster_import import MappingError, import_roster, preview_roster
from gisplanner.progress import Cancelled
from gisplanner.store.model import Cadre, Target, Unit

ROOT = Path(__file__).resolve().parents[1]
HH_HEADER = ["户号", "户主姓名", "联系电话", "经度", "纬度", "详细地址", "家庭人口", "标签", "独居老人"]


def village_points(store, n, seed=0):
    """n WGS84 points inside the store's villages, with the village id of each."""
    rng = np.random.default_rng(seed)
    v = store.areas_gdf(level="village")
    pts, ids = [], []
    while len(pts) < n:
        i = rng.integers(len(v))
        g = v.geometry.iloc[i]
        x0, y0, x1, y1 = g.bounds
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        # keep away from borders so GCJ/BD round trips cannot flip the village
        if g.buffer(-0.0005).contains(shapely.Point(x, y)):
            pts.append((x, y))
            ids.append(int(v["id"].iloc[i]))
    return np.array(pts), np.array(ids)


def write_xlsx(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def households_rows(store, n=40, crs_name="wgs84", seed=0):
    pts, ids = village_points(store, n, seed)
    x, y = crs.from_wgs84(pts[:, 0], pts[:, 1], crs_name)
    rows = [HH_HEADER]
    for i in range(n):
        rows.append(
            [
                f"T{i:04d}",
                f"住户{i}",
                f"139{i:08d}",
                float(x[i]),
                float(y[i]),
                f"某村{i}号",
                3,
                "残疾" if i % 5 == 0 else "",
                "是" if i % 7 == 0 else "",
            ]
        )
    return rows, pts, ids


def count(store, model, **where):
    with store.session() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def snapshot(db: Path):
    with sqlite3.connect(db) as c:
        return {
            t: c.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("target", "cadre", "unit", "area", "setting")
        }


def test_xlsx_households_counts_rejects_and_idempotent_reimport(demo_store_copy, tmp_path):
    store = demo_store_copy
    before = count(store, Target, kind="household")
    rows, pts, ids = households_rows(store, 40)
    rows.append(["T9001", "", "13900000000", 119.95, 31.5, "", "", "", ""])  # no name
    rows.append(["T9002", "坏电话", "1390000", float(pts[0, 0]), float(pts[0, 1]), "", "", "", ""])
    rows.append(["T9003", "外地", "13900000001", 121.47, 31.23, "", "", "", ""])  # Shanghai: outside
    rows.append(["T0001", "重号", "13900000002", float(pts[1, 0]), float(pts[1, 1]), "", "", "", ""])
    rows.append(["T9004", "标签错", "", float(pts[2, 0]), float(pts[2, 1]), "", "", "外星人", ""])
    path = write_xlsx(tmp_path / "住户.xlsx", rows, title="某镇住户名册")

    preview = preview_roster(store, path, "households")
    assert (preview.total, preview.good_count, preview.bad_count) == (45, 39, 6)
    result = import_roster(store, preview)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (39, 0, 0, 6)
    assert count(store, Target, kind="household") == before + 39

    # every good row landed in the right village with its tags
    tf = store.targets_frame(kinds=["household"]).set_index("ext_id")
    got = tf.loc[[f"T{i:04d}" for i in range(2, 40)]]
    assert got["area_id"].tolist() == ids[2:40].tolist()
    assert got["disabled"].tolist() == [i % 5 == 0 for i in range(2, 40)]
    assert got["elderly_alone"].tolist() == [i % 7 == 0 for i in range(2, 40)]

    # the rejects file has the rows as they were, with Excel row numbers and reasons
    rej = pd.read_excel(result.rejects_path, dtype=str)
    assert result.rejects_path == tmp_path / "住户.rejects.xlsx"
    # title row 1, header row 2, T0000 on row 3: T0001 (row 4) is duplicated on row 46
    assert rej["原行号"].astype(int).tolist() == [4, 43, 44, 45, 46, 47]
    reasons = dict(zip(rej["原行号"].astype(int), rej["错误原因"], strict=True))
    assert "户主姓名不能为空" in reasons[43]
    assert "1390000" in reasons[44]
    assert "本镇范围之外" in reasons[45]
    assert "重复（第4、46行）" in reasons[4] and "重复" in reasons[46]
    assert "外星人" in reasons[47]
    assert rej.loc[rej["原行号"] == "44", "联系电话"].iloc[0] == "1390000"  # the cell as it was

    # the same file again: nothing changes, not even versions
    snap = snapshot(store.sqlite_path)
    again = import_roster(store, preview_roster(store, path, "households"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 39)
    assert snapshot(store.sqlite_path)["target"] == snap["target"]


def test_changed_rows_are_updated_and_unmapped_columns_kept(demo_store_copy, tmp_path):
    store = demo_store_copy
    rows, _, _ = households_rows(store, 10)
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    import_roster(store, preview_roster(store, path, "households"))
    with store.session() as s:
        t = s.scalars(select(Target).where(Target.ext_id == "T0003")).one()
        t.note = "在应用里写的备注"
    rows[4][1] = "改了名字"
    write_xlsx(path, rows)
    r = import_roster(store, preview_roster(store, path, "households"))
    assert (r.inserted, r.updated, r.unchanged) == (0, 1, 9)
    with store.session() as s:
        t = s.scalars(select(Target).where(Target.ext_id == "T0003")).one()
        assert (
            t.name == "改了名字" and t.note == "在应用里写的备注" and t.version == 3
        )  # app edit, then import


@pytest.mark.parametrize("crs_name", ["gcj02", "bd09", "cgcs2000"])
def test_gbk_csv_with_offset_coordinates(demo_store_copy, tmp_path, crs_name):
    store = demo_store_copy
    rows, pts, ids = households_rows(store, 25, crs_name=crs_name, seed=3)
    path = tmp_path / "住户.csv"
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False, encoding="gbk")
    preview = preview_roster(store, path, "households", crs=crs_name)
    assert preview.table.encoding == "gbk" and preview.bad_count == 0
    import_roster(store, preview)
    tf = store.targets_frame(kinds=["household"]).set_index("ext_id").loc[[f"T{i:04d}" for i in range(25)]]
    d = crs.haversine_m(tf["lon"].to_numpy(), tf["lat"].to_numpy(), pts[:, 0], pts[:, 1])
    assert d.max() < 1.0
    assert tf["area_id"].tolist() == ids.tolist()


def test_crs_hint_in_header_and_remembered_mapping(demo_store_copy, tmp_path):
    store = demo_store_copy
    rows, pts, _ = households_rows(store, 5, crs_name="gcj02")
    rows[0] = ["编号", "户主名", "手机", "X（高德）", "Y（高德）", "住址", "人口", "特殊群体", "独居"]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    with pytest.raises(MappingError, match="经度"):
        preview_roster(store, path, "households")  # X/Y are not recognised as lon/lat
    mapping = {"ext_id": "编号", "name": "户主名", "phone": "手机", "lon": "X（高德）", "lat": "Y（高德）"}
    p = preview_roster(store, path, "households", mapping=mapping)
    assert p.crs == "gcj02" and p.good_count == 5
    import_roster(store, p)
    # the next file with the same layout gets the confirmed mapping without asking
    write_xlsx(tmp_path / "b.xlsx", rows)
    p2 = preview_roster(store, tmp_path / "b.xlsx", "households")
    assert p2.remembered and p2.mapping == mapping and p2.crs == "gcj02"


def test_enterprises_and_cadres(demo_store_copy, tmp_path):
    store = demo_store_copy
    pts, _ = village_points(store, 3)
    codes = []
    for i in range(3):
        first17 = f"9132041200000{i:03d}X"
        codes.append(first17 + credit_code_check_char(first17))
    ent = [
        ["企业名称", "统一社会信用代码", "联系人", "联系电话", "行业", "重点企业", "经度", "纬度"],
        *[
            [
                f"企业{i}",
                codes[i],
                "王经理",
                "13812340000",
                "机械制造",
                "是" if i == 0 else "否",
                pts[i, 0],
                pts[i, 1],
            ]
            for i in range(3)
        ],
        [
            "坏代码公司",
            codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1"),
            "",
            "",
            "",
            "",
            pts[0, 0],
            pts[0, 1],
        ],
    ]
    r = import_roster(store, preview_roster(store, write_xlsx(tmp_path / "e.xlsx", ent), "enterprises"))
    assert (r.inserted, r.rejected) == (3, 1)
    with store.session() as s:
        e = s.scalars(select(Target).where(Target.ext_id == codes[0])).one()
        assert e.kind == "enterprise" and e.key_enterprise and e.credit_code == codes[0]

    cad = [
        [
            "姓名",
            "性别",
            "出生年月",
            "是否本地",
            "方言",
            "单位",
            "职务",
            "联系电话",
            "工作日晚上可走访",
            "周末可走访",
        ],
        ["新干部甲", "男", "1980.05", "是", "常州话", "新设单位一", "队长", "13700000001", "否", "是"],
        ["新干部乙", "女", "1995-10-01", "否", "", "新设单位一", "", "13700000002", "是", "是"],
        ["年龄错", "女", "1850", "否", "", "", "", "", "", ""],
    ]
    units_before = count(store, Unit)
    path = write_xlsx(tmp_path / "c.xlsx", cad)
    r = import_roster(store, preview_roster(store, path, "cadres"))
    assert (r.inserted, r.rejected, r.units_created) == (2, 1, 1)
    assert count(store, Unit) == units_before + 1
    with store.session() as s:
        a = s.scalars(select(Cadre).where(Cadre.name == "新干部甲")).one()
        assert (a.gender, a.birth_year, a.is_leader, a.avail_weekday_evening, a.unit.name) == (
            "M",
            1980,
            True,
            False,
            "新设单位一",
        )
        b = s.scalars(select(Cadre).where(Cadre.name == "新干部乙")).one()
        assert not b.is_local and b.area_id == a.area_id and a.area_id is not None
    again = import_roster(store, preview_roster(store, path, "cadres"))
    assert (again.inserted, again.updated, again.unchanged, again.units_created) == (0, 0, 2, 0)


def test_area_code_column_wins_over_the_point(demo_store_copy, tmp_path):
    store = demo_store_copy
    v = store.areas_gdf(level="village")
    pts, ids = village_points(store, 2)
    other = v.loc[v["id"] != ids[0], "code"].iloc[0]
    rows = [
        ["户号", "户主", "经度", "纬度", "村社区代码"],
        ["A1", "甲", pts[0, 0], pts[0, 1], other],
        ["A2", "乙", pts[1, 0], pts[1, 1], "999999999999"],
    ]
    p = preview_roster(store, write_xlsx(tmp_path / "a.xlsx", rows), "households")
    assert p.checked.good.tolist() == [True, False]
    assert "999999999999" in p.checked.reasons()[3]
    import_roster(store, p)
    tf = store.targets_frame(kinds=["household"]).set_index("ext_id")
    assert tf.loc["A1", "area_id"] == int(v.loc[v["code"] == other, "id"].iloc[0])


def test_empty_store_without_villages_rejects_every_row_clearly(empty_store, tmp_path):
    rows = [["户号", "户主", "经度", "纬度"], ["A1", "甲", 119.95, 31.5]]
    p = preview_roster(empty_store, write_xlsx(tmp_path / "a.xlsx", rows), "households")
    assert p.bad_count == 1 and "请先导入村界" in p.checked.reasons()[2]


def test_unreadable_file_raises_and_writes_nothing(demo_store_copy, tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    snap = snapshot(demo_store_copy.sqlite_path)
    with pytest.raises(ReadError, match="坏.xlsx"):
        preview_roster(demo_store_copy, bad, "households")
    assert snapshot(demo_store_copy.sqlite_path) == snap
    assert not list(tmp_path.glob("*.rejects.*"))


def test_cancel_rolls_back(demo_store_copy, tmp_path):
    store = demo_store_copy
    rows, _, _ = households_rows(store, 50)
    p = preview_roster(store, write_xlsx(tmp_path / "a.xlsx", rows), "households")
    snap = snapshot(store.sqlite_path)
    calls = []

    def progress(frac, msg):
        calls.append(frac)
        return len(calls) < 3  # cancel after the second chunk

    with pytest.raises(Cancelled):
        import_roster(store, p, progress=progress, chunk=10)
    assert snapshot(store.sqlite_path) == snap


def test_cli_exit_codes_and_stdout(demo_store_copy, tmp_path, capsys):
    from gisplanner.cli import run

    db = demo_store_copy.sqlite_path
    rows, _, _ = households_rows(demo_store_copy, 12)
    demo_store_copy.close()
    rows.append(["X1", "坏", "123", "", "", "", "", "", ""])
    path = write_xlsx(tmp_path / "h.xlsx", rows)
    code = run(["import", "households", str(path), "--db", str(db), "--rejects", str(tmp_path / "r.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "新增 12" in out and "未导入 1 行" in out and "第14行" in out
    rej = pd.read_csv(tmp_path / "r.csv", dtype=str, encoding="utf-8-sig")
    assert rej["原行号"].tolist() == ["14"] and "缺少经度" in rej["错误原因"].iloc[0]

    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a spreadsheet")
    snap = snapshot(db)
    assert run(["import", "households", str(bad), "--db", str(db)]) == 2
    assert "bad.xlsx" in capsys.readouterr().err
    assert snapshot(db) == snap


KILL_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from gisplanner.store.database import Store
    from gisplanner.io.roster_import import preview_roster, import_roster
    db, path, marker = sys.argv[1:4]
    store = Store.open(db)
    p = preview_roster(store, path, "households")
    def progress(frac, msg):
        if frac > 0.3:
            Path(marker).write_text("mid-import")
            time.sleep(60)  # the parent kills us here, inside the transaction
        return True
    import_roster(store, p, progress=progress, chunk=500)
    """
)


def test_killed_import_leaves_database_exactly_as_before(demo_store_copy, tmp_path):
    store = demo_store_copy
    rows, _, _ = households_rows(store, 3000)
    path = tmp_path / "big.csv"
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False, encoding="utf-8")
    db = store.sqlite_path
    store.close()
    snap = snapshot(db)
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, str(db), str(path), str(marker)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the middle of the import"
    child.kill()
    child.wait()
    # rows were inserted (uncommitted) before the kill; none of them may survive
    assert snapshot(db) == snap
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
