"""The demo town: areas tile the town, targets lie in their areas, realistic shares, determinism."""

from __future__ import annotations

import itertools
import sqlite3

import numpy as np
import pytest
import shapely
from conftest import DEMO_HOUSEHOLDS

from gisplanner.codes import credit_code_problem, is_mobile
from gisplanner.demo import LOCAL_CRS, build_demo
from gisplanner.store.database import Store


def test_villages_tile_the_town(demo_store):
    areas = demo_store.areas_gdf().to_crs(LOCAL_CRS)
    town = areas[areas.level == "town"].geometry.iloc[0]
    villages = areas[areas.level == "village"]
    assert len(villages) == 18 and villages.urban.sum() == 4
    union = shapely.union_all(villages.geometry.values)
    assert union.symmetric_difference(town).area < 1.0  # m²
    for a, b in itertools.combinations(villages.geometry.values, 2):
        assert a.intersection(b).area < 1.0
    # every village has its office inside it
    for row in demo_store.areas_gdf(level="village").itertuples():
        assert row.geometry.contains(shapely.Point(row.office_lon, row.office_lat)), row.name


def test_every_target_lies_in_its_area(demo_store):
    areas = demo_store.areas_gdf(level="village").set_index("id")
    t = demo_store.targets_frame()
    inside = np.zeros(len(t), bool)
    for area_id, grp in t.groupby("area_id"):
        inside[grp.index] = shapely.contains_xy(areas.geometry[area_id], grp.lon, grp.lat)
    assert inside.all(), t[~inside][["name", "address"]].head()


def test_counts_and_tag_shares(demo_store):
    c = demo_store.counts()
    assert c["households"] == DEMO_HOUSEHOLDS  # as built
    assert 140 <= c["enterprises"] <= 160 and 25 <= c["notable_persons"] <= 35
    assert 140 <= c["cadres"] <= 160  # ~80 town cadres and 4 per village (18 villages)
    hh = demo_store.targets_frame(kinds=["household"])
    for col, share in {
        "elderly_alone": 0.06,
        "disabled": 0.03,
        "hardship": 0.04,
        "away_business": 0.05,
    }.items():
        assert abs(hh[col].mean() - share) <= 0.01, col


def test_targets_look_real(demo_store):
    t = demo_store.targets_frame()
    ent = t[t.kind == "enterprise"]
    assert all(credit_code_problem(c) is None for c in ent.credit_code)
    assert all(is_mobile(p) for p in t.phone)
    urban = t[t.building.notna()]
    assert urban.groupby("building").size().max() >= 12  # apartment blocks hold many households
    assert all("单元" in a for a in urban.address)


def test_previous_round_gives_coverage_and_problems(demo_store):
    c = demo_store.counts()
    assert [r["status"] for r in c["round_list"]] == ["closed", "planning"]
    t = demo_store.targets_frame()
    outcomes = t.last_outcome.value_counts(dropna=False)
    assert outcomes["met"] > 3000 and outcomes["not_home"] > 300 and outcomes["refused"] > 50
    assert t.last_outcome.isna().sum() > 500  # some villages not reached yet
    p = demo_store.read_frame("SELECT status, deadline FROM problem")
    assert {"resolved", "explained", "in_progress", "assigned"} <= set(p.status)


def test_same_seed_same_database(tmp_path):
    def dump(path):
        with sqlite3.connect(path) as c:
            return [
                c.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("area", "target", "cadre", "visit", "problem", "problem_event")
            ]

    dumps = []
    for i in range(2):
        p = tmp_path / f"d{i}.sqlite"
        build_demo(Store.open(p), households=1500, seed=7)
        dumps.append(dump(p))
    assert dumps[0] == dumps[1]


def test_demo_refuses_a_database_with_data(demo_store):
    with pytest.raises(ValueError):
        build_demo(demo_store, households=10)
