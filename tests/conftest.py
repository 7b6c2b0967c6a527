"""Shared fixtures. Qt runs offscreen; user files go to a temporary GISPLANNER_HOME."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GISPLANNER_HOME", tempfile.mkdtemp(prefix="gisplanner-test-home-"))


@pytest.fixture(autouse=True)
def _background_tasks_end_with_their_test():
    """A window's background task (a capacity check, a map load) must not run on into the next
    test, whose fixtures close and delete the databases it reads: cancel it and wait."""
    yield
    workers = sys.modules.get("gisplanner.ui.workers")
    if workers is None or not workers.active():
        return
    from PySide6.QtCore import QCoreApplication

    workers.cancel_all()
    deadline = time.monotonic() + 120
    while workers.active() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    QCoreApplication.processEvents()  # deliver their last signals while the test's objects exist


DEMO_HOUSEHOLDS = 8_000  # the demo town every demo_* fixture builds (seed DEMO_SEED)
DEMO_SEED = 1
CITY_HOUSEHOLDS = 36_000  # the two-town demo of backend_city_url


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A demo town database built once per test run (DEMO_HOUSEHOLDS households, DEMO_SEED)."""
    from gisplanner.demo import build_demo
    from gisplanner.store.database import Store

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store.open(path)
    build_demo(store, households=DEMO_HOUSEHOLDS, seed=DEMO_SEED)
    store.close()
    return path


@dataclasses.dataclass(frozen=True)
class DemoFacts:
    """What the demo town holds, counted with plain SQL on the file the fixture built (the
    numbers depend on the seed: tests read them here instead of typing them in)."""

    households: int
    enterprises: int
    notables: int
    targets: int  # every kind
    located: int  # targets with a position (map points)
    villages: int
    areas: int
    cadres: int  # active
    planning_round: int  # id of the round being planned (the winter round)
    planning_targets: int  # targets of that round


@pytest.fixture(scope="session")
def demo_facts(demo_db_path) -> DemoFacts:
    with contextlib.closing(sqlite3.connect(demo_db_path)) as con:

        def one(sql: str) -> int:
            return int(con.execute(sql).fetchone()[0])

        kinds = dict(con.execute("SELECT kind, COUNT(*) FROM target GROUP BY kind").fetchall())
        rid = one("SELECT id FROM round WHERE status = 'planning' ORDER BY id DESC LIMIT 1")
        return DemoFacts(
            households=kinds.get("household", 0),
            enterprises=kinds.get("enterprise", 0),
            notables=kinds.get("notable", 0),
            targets=sum(kinds.values()),
            located=one("SELECT COUNT(*) FROM target WHERE lon IS NOT NULL AND lat IS NOT NULL"),
            villages=one("SELECT COUNT(*) FROM area WHERE level = 'village'"),
            areas=one("SELECT COUNT(*) FROM area"),
            cadres=one("SELECT COUNT(*) FROM cadre WHERE active"),
            planning_round=rid,
            planning_targets=one(f"SELECT COUNT(*) FROM assignment WHERE round_id = {rid}"),
        )


@pytest.fixture
def demo_store(demo_db_path):
    """The shared demo database: READ-ONLY by convention (use demo_store_copy to change data)."""
    from gisplanner.store.database import Store

    store = Store.open(demo_db_path)
    yield store
    store.close()


@pytest.fixture
def demo_store_copy(demo_db_path, tmp_path):
    """A private copy of the demo database that a test may change."""
    from gisplanner.store.database import Store

    dest = tmp_path / "demo-copy.sqlite"
    with sqlite3.connect(demo_db_path) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    store = Store.open(dest)
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path):
    from gisplanner.store.database import Store

    store = Store.open(tmp_path / "empty.sqlite")
    yield store
    store.close()


@pytest.fixture
def gisplanner_home(tmp_path, monkeypatch) -> Path:
    """A fresh user directory for tests that look at backups, logs or settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GISPLANNER_HOME", str(home))
    return home


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None


# -- both backends: SQLite and PostgreSQL ------------------------------------------------------------
# The PostgreSQL server comes from GISPLANNER_TEST_PG_URL, or from the file .ci/services.sh writes.
# Each test gets its own schema (search_path), so tests never see each other's rows. Under CI=true
# a missing server FAILS the PostgreSQL tests; locally they skip with the reason.
PG_URL_FILE = Path(os.environ.get("GISPLANNER_PG_URL_FILE", "/tmp/gisplanner-pg-url"))
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_pg_probe: list = []


def _probe_postgres() -> tuple[str | None, str]:
    if _pg_probe:
        return _pg_probe[0]
    url = os.environ.get("GISPLANNER_TEST_PG_URL")
    if not url and PG_URL_FILE.exists():
        url = PG_URL_FILE.read_text().strip()
    result: tuple[str | None, str] = (None, "")
    if not url:
        result = (
            None,
            f"no PostgreSQL server: set GISPLANNER_TEST_PG_URL or run `bash .ci/services.sh` (writes {PG_URL_FILE})",
        )
    else:
        from sqlalchemy import create_engine, text

        from gisplanner.store.database import resolve_url

        url = resolve_url(url)
        try:
            eng = create_engine(url, connect_args={"connect_timeout": 5})
            with eng.connect() as conn:
                conn.execute(text("SELECT 1"))
            eng.dispose()
            result = (url, "")
        except Exception as e:  # noqa: BLE001 - any failure means: no server
            result = (
                None,
                f"PostgreSQL at {url} unreachable: {e.__class__.__name__}: {str(e).splitlines()[0]}",
            )
    _pg_probe.append(result)
    return result


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test PostgreSQL server's URL (its public schema: create your own schema to write)."""
    url, reason = _probe_postgres()
    if url is None:
        if _in_ci():
            pytest.fail(f"CI=true but the PostgreSQL tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    return url


def pg_schema_url(base_url: str, schema: str) -> str:
    """The URL of one schema of the test database (PostGIS stays reachable through public)."""
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}options=-csearch_path%3D{schema},public"


@contextlib.contextmanager
def pg_scratch_schema(base_url: str, prefix: str = "t"):
    """A fresh schema for one test or one session, dropped afterwards; yields its URL."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    eng = create_engine(base_url)
    with eng.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield pg_schema_url(base_url, name)
    finally:
        with eng.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        eng.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """'sqlite' or 'postgresql': database tests that take it run on both."""
    return request.param


@pytest.fixture
def backend_url(backend, request, tmp_path):
    """The URL of a fresh, empty database on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    with pg_scratch_schema(request.getfixturevalue("pg_url")) as url:
        yield url


@pytest.fixture
def backend_store(backend_url):
    """An empty Store (schema upgraded) on the backend under test."""
    from gisplanner.store.database import Store

    store = Store.open(backend_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def backend_city_url(backend, request, tmp_path_factory):
    """A two-town demo (CITY_HOUSEHOLDS households, DEMO_SEED) on the backend under test: READ-ONLY."""
    from gisplanner.demo import build_demo
    from gisplanner.store.database import Store

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.sqlite'}"
        store = Store.open(url)
        build_demo(store, households=CITY_HOUSEHOLDS, seed=DEMO_SEED)
        store.close()
        yield url
        return
    with pg_scratch_schema(request.getfixturevalue("pg_url"), "city") as url:
        store = Store.open(url)
        build_demo(store, households=CITY_HOUSEHOLDS, seed=DEMO_SEED)
        store.close()
        yield url


@pytest.fixture
def backend_city_store(backend_city_url):
    from gisplanner.store.database import Store

    store = Store.open(backend_city_url)
    yield store
    store.close()


def _square(x0: float, y0: float, d: float = 0.01) -> bytes:
    import shapely
    from shapely.geometry import box

    return shapely.to_wkb(box(x0, y0, x0 + d, y0 + d))


@pytest.fixture
def two_towns(backend_store):
    """A tiny city on the backend under test: towns A (villages A1, A2) and B (village B1).

    Returns (store, ids) where ids maps names ('city', 'district', 'A', 'A1', 'B1', …, and
    'targets_A' / 'targets_B', 'problem_A' / 'problem_B') to ids. Each village's households lie
    inside its square boundary.
    """
    import datetime as dt

    from gisplanner.store.model import Area, Household, Problem, ProblemEvent, Visit

    store = backend_store
    ids: dict = {}
    with store.session() as s:
        city = Area(code="320400000000", name="常州市", level="city")
        dist = Area(code="320412000000", name="武进区", level="district", parent=city)
        a = Area(code="320412101000", name="雪堰镇", level="town", parent=dist)
        b = Area(code="320412102000", name="前黄镇", level="town", parent=dist)
        villages = {
            "A1": Area(
                code="320412101201", name="潘家村", level="village", parent=a, boundary=_square(120.0, 31.4)
            ),
            "A2": Area(
                code="320412101202", name="城湾村", level="village", parent=a, boundary=_square(120.02, 31.4)
            ),
            "B1": Area(
                code="320412102201", name="前黄村", level="village", parent=b, boundary=_square(120.1, 31.4)
            ),
        }
        s.add_all([city, dist, a, b, *villages.values()])
        s.flush()
        ids.update(city=city.id, district=dist.id, A=a.id, B=b.id, **{k: v.id for k, v in villages.items()})
        people = {
            "A1": ["王建国", "张秀兰", "陈志强"],
            "A2": ["周伟", "吴敏"],
            "B1": ["徐芳", "朱明", "蒋丽"],
        }
        targets = {"A": [], "B": []}
        for vname, names in people.items():
            v = villages[vname]
            for k, name in enumerate(names):
                base = {"A1": 120.0, "A2": 120.02, "B1": 120.1}[vname]
                h = Household(name=name, area_id=v.id, lon=base + 0.002 * (k + 1), lat=31.405, members=3,
                              phone=f"1390000{len(targets['A']) + len(targets['B']):04d}")  # fmt: skip
                s.add(h)
                s.flush()
                targets[vname[0]].append(h.id)
                s.add(Visit(target_id=h.id, visited_at=dt.datetime(2026, 10, 1, 19, k), outcome="met"))
        ids["targets_A"], ids["targets_B"] = targets["A"], targets["B"]
        for town in ("A", "B"):
            p = Problem(target_id=targets[town][0], category="transport", description=f"{town} 镇道路破损",
                        status="open")  # fmt: skip
            s.add(p)
            s.flush()
            s.add(ProblemEvent(problem_id=p.id, actor="测试", action="create", to_status="open"))
            ids[f"problem_{town}"] = p.id
    return store, ids


def raise_panel(panel) -> None:
    """Bring a panel's dock tab to the front (panels behind another tab load only when shown)."""
    from PySide6.QtWidgets import QDockWidget

    dock = panel.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    assert dock is not None, "the panel is not in a dock"
    dock.show()
    dock.raise_()


# -- the main window ---------------------------------------------------------------------------------
@pytest.fixture
def open_window(qtbot):
    """Open the main window, shown, on a store; returns it once its map (and the panels named in
    ``loaded``, fields of ``w.panels``) have loaded. ``front``: panels whose dock tab is raised
    first (panels behind a tab load only when shown); ``before``: called with the window before it
    is shown."""

    def open_(
        store, *, size=None, lang=None, front=(), loaded=(), before=None, exposed=False, timeout=60_000
    ):
        from gisplanner.ui.application import make_application
        from gisplanner.ui.main_window import MainWindow

        make_application(lang=lang)
        w = MainWindow()
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
        if before is not None:
            before(w)
        w.show()
        if exposed:
            qtbot.waitExposed(w)
        for name in front:
            raise_panel(getattr(w.panels, name))
        with qtbot.waitSignals(
            [w.mapLoaded, *(getattr(w.panels, n).loaded for n in loaded)], timeout=timeout
        ):
            w.set_store(store)
        return w

    return open_


@pytest.fixture
def window(open_window, demo_store_copy):
    """The main window on a private copy of the demo town (a test may change its data)."""
    return open_window(demo_store_copy)
