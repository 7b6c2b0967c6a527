"""The sample files under maps/demo/ import into an empty database, in the order a new user
would: town, villages, then the rosters — and the GCJ-02 GBK sample lands on the same points."""

import sqlite3
from pathlib import Path

import pytest

from gisplanner.cli import run

DEMO = Path(__file__).resolve().parents[1] / "maps" / "demo"


def counts(db):
    with sqlite3.connect(db) as c:
        kinds = dict(c.execute("SELECT kind, COUNT(*) FROM target GROUP BY kind").fetchall())
        levels = dict(c.execute("SELECT level, COUNT(*) FROM area GROUP BY level").fetchall())
        cadres = c.execute("SELECT COUNT(*) FROM cadre").fetchone()[0]
        return kinds, levels, cadres


@pytest.mark.skipif(not (DEMO / "households.xlsx").exists(), reason="run python -m gisplanner.demo_file")
def test_demo_files_import_into_an_empty_store(empty_store, capsys, demo_facts):
    db = str(empty_store.sqlite_path)
    empty_store.close()
    steps = [
        ["import", "areas", str(DEMO / "town.geojson"), "--level", "town"],
        ["import", "areas", str(DEMO / "villages.gpkg"), "--level", "village"],
        ["import", "households", str(DEMO / "households.xlsx")],
        ["import", "enterprises", str(DEMO / "enterprises.xlsx")],
        ["import", "notables", str(DEMO / "notables.xlsx")],
        ["import", "cadres", str(DEMO / "cadres.xlsx")],
    ]
    for argv in steps:
        assert run([*argv, "--db", db]) == 0, argv
        out = capsys.readouterr().out
        assert "未导入 0 行" in out or argv[1] == "areas", out
    kinds, levels, cadres = counts(db)
    assert levels == {"town": 1, "village": demo_facts.villages}
    assert kinds == {
        "household": demo_facts.households,
        "enterprise": demo_facts.enterprises,
        "notable": demo_facts.notables,
    }
    assert cadres == demo_facts.cadres  # the shipped files are the demo town's (same households and seed)
    with sqlite3.connect(db) as c:
        # villages hang under the town, with their offices from the point layer
        assert (
            c.execute("SELECT COUNT(*) FROM area WHERE level='village' AND parent_id IS NULL").fetchone()[0]
            == 0
        )
        assert (
            c.execute("SELECT COUNT(*) FROM area WHERE office_name LIKE '%委会'").fetchone()[0]
            == demo_facts.villages
        )

    # the same villages as a Gauss-Kruger Shapefile and as GeoJSON: nothing changes
    for f in ("villages_4549.shp", "villages.geojson"):
        assert run(["import", "areas", str(DEMO / f), "--db", db, "--level", "village"]) == 0
        assert "新增 0，更新 0，未变 18" in capsys.readouterr().out, f
    # the GBK sample in Gaode coordinates names the same households: converted back to WGS84
    # they are within millimetres of the stored points, so nothing changes
    assert run(["import", "households", str(DEMO / "households_gbk.csv"), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "新增 0，更新 0，未变 400，未导入 0 行" in out, out
