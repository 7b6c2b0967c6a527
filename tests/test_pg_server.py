"""PostgreSQL server features: PostGIS filters, row-level security, lost connections."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from gisplanner.access.concurrency import ConnectionLostError, unit_of_work
from gisplanner.access.scope import UserScope
from gisplanner.store import pg
from gisplanner.store.model import Area, Household

only_pg = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def _postgis_installable(store) -> bool:
    with store.engine.connect() as conn:
        return conn.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")) is not None


def test_targets_in_a_polygon(two_towns, backend):
    store, ids = two_towns
    if backend == "postgresql" and _postgis_installable(store):
        assert pg.has_postgis(store.engine)  # the server-side path is the one under test
    with store.session() as s:
        a1 = shapely.from_wkb(s.scalar(select(Area.boundary).where(Area.id == ids["A1"])))
    got = pg.target_ids_in_polygon(store.engine, a1)
    assert got.tolist() == sorted(ids["targets_A"][:3])  # the three households of village A1
    # a polygon over both towns, limited to town B's villages by the scope
    everything = box(119.9, 31.3, 120.2, 31.5)
    scope_b = UserScope.for_area(store, ids["B"])
    assert pg.target_ids_in_polygon(store.engine, everything, scope_b.sorted_villages()).tolist() == sorted(
        ids["targets_B"]
    )
    assert pg.target_ids_in_polygon(store.engine, everything, []).size == 0


def test_polygon_filter_matches_shapely_on_the_city(backend_city_store, backend, monkeypatch):
    store = backend_city_store
    frame = store.targets_frame()
    cx, cy = frame["lon"].median(), frame["lat"].median()
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    r = 0.03 * (1 + 0.4 * np.sin(3 * t))  # a star-ish lasso around the middle of the towns
    lasso = Polygon(np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)]))
    expected = np.sort(frame["id"].to_numpy()[shapely.contains_xy(lasso, frame["lon"], frame["lat"])])
    assert expected.size > 100
    assert np.array_equal(pg.target_ids_in_polygon(store.engine, lasso), expected)
    if backend == "postgresql" and pg.ensure_spatial_index(store.engine):
        assert np.array_equal(pg.target_ids_in_polygon(store.engine, lasso), expected)
        monkeypatch.setattr(pg, "has_postgis", lambda _bind: False)  # plain PostgreSQL path
        assert np.array_equal(pg.target_ids_in_polygon(store.engine, lasso), expected)


@only_pg
def test_row_level_security_limits_a_town_role(two_towns):
    store, ids = two_towns
    role = f"gp_town_{uuid.uuid4().hex[:8]}"
    pg.enable_row_level_security(store.engine)
    assert pg.row_level_security_enabled(store.engine)
    pg.grant_official(store.engine, role, ids["A"], create=True)
    with store.engine.begin() as conn:
        conn.execute(text(f"GRANT {role} TO CURRENT_USER"))
    try:
        with store.engine.connect() as conn:
            conn.execute(text(f"SET ROLE {role}"))
            assert sorted(conn.scalars(text("SELECT id FROM target")).all()) == sorted(ids["targets_A"])
            visited = set(conn.scalars(text("SELECT target_id FROM visit")).all())
            assert visited == set(ids["targets_A"])
            assert conn.scalars(text("SELECT id FROM problem")).all() == [ids["problem_A"]]
            # the other town's problem cannot even be updated: zero rows match
            res = conn.execute(
                text("UPDATE problem SET status = 'resolved' WHERE id = :p"), {"p": ids["problem_B"]}
            )
            assert res.rowcount == 0
            # and a household cannot be created in the other town
            with pytest.raises(DBAPIError, match="row-level security"):
                conn.execute(
                    text("INSERT INTO target (kind, name, lon, lat, area_id, created_at, version, elderly_alone, "
                         "disabled, hardship, away_business, ex_serviceman, new_resident, key_enterprise) "
                         "VALUES ('household', '外镇', 120.1, 31.4, :v, now(), 1, false, false, false, false, "
                         "false, false, false)"),
                    {"v": ids["B1"]},
                )  # fmt: skip
            conn.rollback()
        # the owner (administrator) still sees everything
        with store.engine.connect() as conn:
            assert len(conn.scalars(text("SELECT id FROM target")).all()) == len(ids["targets_A"]) + len(
                ids["targets_B"]
            )
            assert (
                conn.scalar(text("SELECT status FROM problem WHERE id = :p"), {"p": ids["problem_B"]})
                == "open"
            )
    finally:
        with store.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
    pg.disable_row_level_security(store.engine)
    assert not pg.row_level_security_enabled(store.engine)


def test_role_names_are_checked(two_towns, backend):
    store, ids = two_towns
    if backend == "sqlite":
        with pytest.raises(ValueError, match="PostgreSQL"):
            pg.enable_row_level_security(store.engine)
        return
    with pytest.raises(ValueError, match="角色名"):
        pg.grant_official(store.engine, "x; DROP TABLE target", ids["A"])


def _kill(url: str, pid: int) -> None:
    eng = create_engine(url)
    with eng.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    eng.dispose()


@only_pg
def test_lost_connection_is_retried_without_losing_the_input(two_towns):
    store, ids = two_towns
    url = store.engine.url.render_as_string(hide_password=False)
    attempts = []

    def save(s):
        attempts.append(s.scalar(text("SELECT pg_backend_pid()")))
        if len(attempts) == 1:
            _kill(url, attempts[0])  # the server drops this connection mid-save
        s.add(Household(name="重连后保存", area_id=ids["A1"], lon=120.003, lat=31.405))
        s.flush()
        return "saved"

    assert unit_of_work(store, save, wait=0) == "saved"
    assert len(attempts) == 2 and attempts[0] != attempts[1]
    with store.session() as s:
        assert s.scalars(select(Household.id).where(Household.name == "重连后保存")).all() != []


@only_pg
def test_connection_lost_for_good_is_reported(two_towns):
    store, ids = two_towns
    url = store.engine.url.render_as_string(hide_password=False)

    def save(s):
        _kill(url, s.scalar(text("SELECT pg_backend_pid()")))
        s.add(Household(name="不会保存", area_id=ids["A1"], lon=120.003, lat=31.405))
        s.flush()

    with pytest.raises(ConnectionLostError, match="填写的内容仍保留"):
        unit_of_work(store, save, retries=1, wait=0)
    with store.session() as s:
        assert s.scalars(select(Household.id).where(Household.name == "不会保存")).all() == []
