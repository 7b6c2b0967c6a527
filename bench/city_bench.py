"""City scale on both backends: two million households in ~60 towns.

Prints, for SQLite and PostgreSQL:
- opening one town (its areas, its targets with latest outcome and open problems, its roads)
  as a town official does — target ≤ 2 s;
- city-wide coverage by district, aggregated in SQL — target ≤ 2 s;
- a district's coverage by town, a lasso (polygon) filter in one town (PostGIS when present);
- bulk insert speed (200,000 target rows: executemany on SQLite, COPY on PostgreSQL).

    .venv/bin/python bench/city_bench.py [--sqlite /tmp/d2m.sqlite] [--pg URL] [--build]

The databases come from `main.py demo --households 2000000` (SQLite) and the same on the
PostgreSQL server of .ci/services.sh (database gisplanner_city); `--build` builds what is
missing. Timings: first run (cold) and the best of three.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import Point
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gisplanner.access.scope import UserScope, rollup  # noqa: E402
from gisplanner.store import pg  # noqa: E402
from gisplanner.store.area_tree import AreaTree
from gisplanner.store.database import Store, bulk_insert, resolve_url  # noqa: E402

PG_URL_FILE = Path("/tmp/gisplanner-pg-url")


def default_pg_url() -> str | None:
    if not PG_URL_FILE.exists():
        return None
    u = resolve_url(PG_URL_FILE.read_text().strip())
    return u.rsplit("/", 1)[0] + "/gisplanner_city"


class CpuClock:
    """CPU seconds spent for the work: this process, plus the PostgreSQL backend when local.

    On a shared machine wall-clock time mostly measures the other processes; CPU time is what
    the same work takes on an idle machine (single-threaded: parallel query is off here).
    """

    def __init__(self, store: Store | None = None):
        self.pid = None
        if store is not None and pg.is_postgresql(store.engine):
            with store.engine.connect() as conn:
                pid = conn.scalar(text("SELECT pg_backend_pid()"))
            if Path(f"/proc/{pid}/stat").exists():
                self.pid = pid

    def server(self) -> float:
        if self.pid is None:
            return 0.0
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def now(self) -> float:
        return time.process_time() + self.server()


CLOCK = CpuClock()


def timed(fn, repeat: int = 3):
    """(result, wall seconds per run, CPU seconds per run)."""
    times, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), CLOCK.now()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(CLOCK.now() - c0)
    return result, times, cpus


def fmt(t, c) -> str:
    return f"wall first {t[0]:.2f} s, best {min(t):.2f} s; CPU best {min(c):.2f} s"


def open_town(store: Store, town_id: int, index: AreaTree):
    """What the app loads when a town official opens their town."""
    scope = UserScope.for_area(store, town_id, tree=index)
    areas = store.areas_gdf(scope=scope)
    targets = store.targets_frame(scope=scope)
    roads = store.read_frame("SELECT id, name, kind, geometry FROM road WHERE area_id = :a", {"a": town_id})
    return scope, areas, targets, roads


def ensure_built(url: str, households: int, build: bool) -> Store | None:
    store = Store.open(url)
    if store.is_empty():
        if not build:
            print(
                f"  {store.describe()} is empty: run with --build (or main.py demo --households {households})"
            )
            return None
        from gisplanner.demo import build_demo

        t0 = time.perf_counter()
        build_demo(store, households=households, seed=1)
        print(f"  built the demo in {time.perf_counter() - t0:.0f} s")
    if pg.is_postgresql(store.engine):
        pg.ensure_spatial_index(store.engine)
        with store.engine.begin() as conn:  # fresh planner statistics after the bulk load
            conn.execute(text("ANALYZE"))
    return store


def bench_backend(label: str, store: Store) -> dict:
    global CLOCK
    CLOCK = CpuClock(store)
    c = store.counts()
    print(f"\n== {label}: {store.describe()}")
    print(
        f"  {c['households']:,} households, {c['enterprises']:,} enterprises, {c['areas']['town']} towns, "
        f"{c['areas']['district']} districts, {c['areas']['village']} villages, {c['visits']:,} visits, "
        f"{c['problems']:,} problems; server {pg.server_version(store.engine)}"
        + (", PostGIS" if pg.has_postgis(store.engine) else "")
    )
    idx = AreaTree.load(store, whole=True)
    towns = idx.frame.index[idx.frame["level"] == "town"].tolist()
    city = int(idx.frame.index[idx.frame["level"] == "city"][0])
    town = int(towns[len(towns) // 2])
    out = {}

    (scope, areas, targets, roads), t, cpu = timed(lambda: open_town(store, town, idx))
    out["open_town"] = (t, cpu)
    name = idx.frame.at[town, "name"]
    print(f"  open one town ({name}: {len(areas)} areas, {len(targets):,} targets, {len(roads)} roads)")
    print(f"    {fmt(t, cpu)}")

    city_scope = UserScope.for_area(store, city, tree=idx)
    by_district, t, cpu = timed(lambda: rollup(store, city_scope))
    out["city_by_district"] = (t, cpu)
    cov = ", ".join(f"{r.name} {r.coverage:.0%}" for r in by_district.itertuples())
    print(f"  city-wide coverage by district ({len(by_district)} districts): {fmt(t, cpu)}")
    print(f"    {cov}; {int(by_district['targets'].sum()):,} targets in all")

    district = int(by_district["area_id"].iloc[0])
    by_town, t, cpu = timed(lambda: rollup(store, UserScope.for_area(store, district, tree=idx)))
    out["district_by_town"] = (t, cpu)
    print(f"  one district's coverage by town ({len(by_town)} towns): {fmt(t, cpu)}")

    # a 1.5 km lasso around the town's median household, limited to the town official's scope
    lon, lat = float(targets["lon"].median()), float(targets["lat"].median())
    lasso = Point(lon, lat).buffer(0.015, 32)
    ids, t, cpu = timed(lambda: pg.target_ids_in_polygon(store.engine, lasso, scope.sorted_villages()))
    out["lasso"] = (t, cpu)
    how = "PostGIS ST_Contains" if pg.has_postgis(store.engine) else "bbox in SQL + shapely"
    print(f"  lasso in the town ({how}): {len(ids):,} targets, {fmt(t, cpu)}")
    return out


def bench_bulk(url_maker, n: int = 200_000) -> float:
    """Seconds to bulk-insert n target rows into a fresh database (one transaction)."""
    url, cleanup = url_maker()
    try:
        store = Store.open(url)
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO area (id, code, name, level, urban, version) VALUES (1, 'v', '村', 'village', false, 1)"
                )
            )
        rng = np.random.default_rng(1)
        df = pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "kind": "household",
                "name": [f"住户{i}" for i in range(n)],
                "address": "雪堰镇潘家村",
                "phone": "13900000000",
                "lon": 120 + rng.random(n) * 0.1,
                "lat": 31.4 + rng.random(n) * 0.1,
                "area_id": 1,
                "members": rng.integers(1, 6, n),
                "elderly_alone": rng.random(n) < 0.05,
                "created_at": pd.Timestamp("2026-09-01"),
            }
        )
        t0 = time.perf_counter()
        with store.engine.begin() as conn:
            bulk_insert(conn, "target", df)
        secs = time.perf_counter() - t0
        store.close()
        return secs
    finally:
        cleanup()


def sqlite_scratch():
    import tempfile

    d = tempfile.mkdtemp(prefix="gisplanner-bulk-")
    path = Path(d) / "bulk.sqlite"
    return f"sqlite:///{path}", lambda: [p.unlink() for p in Path(d).glob("*")]


def pg_scratch(base: str):
    def make():
        name = f"bulk_{uuid.uuid4().hex[:8]}"
        eng = create_engine(base)
        with eng.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))

        def drop():
            with eng.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
            eng.dispose()

        return f"{base}?options=-csearch_path%3D{name},public", drop

    return make


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", default="/tmp/d2m.sqlite")
    ap.add_argument("--pg", default=default_pg_url(), help="PostgreSQL URL of the city database")
    ap.add_argument("--households", type=int, default=2_000_000)
    ap.add_argument("--build", action="store_true", help="build missing demo databases (minutes)")
    ap.add_argument("--skip-bulk", action="store_true")
    args = ap.parse_args()

    results = {}
    if args.pg and "options=" not in args.pg:  # one backend process: its CPU time is the whole cost
        args.pg += ("&" if "?" in args.pg else "?") + "options=-cmax_parallel_workers_per_gather%3D0"
    s = ensure_built(args.sqlite, args.households, args.build)
    if s is not None:
        results["SQLite"] = bench_backend("SQLite", s)
        s.close()
    if args.pg:
        p = ensure_built(args.pg, args.households, args.build)
        if p is not None:
            results["PostgreSQL"] = bench_backend("PostgreSQL", p)
            p.close()
    else:
        print("\nno PostgreSQL server (run `bash .ci/services.sh` or pass --pg URL)")

    if not args.skip_bulk:
        n = 200_000
        print(f"\n== bulk insert of {n:,} target rows")
        secs = bench_bulk(sqlite_scratch, n)
        print(f"  SQLite executemany: {secs:.1f} s ({n / secs:,.0f} rows/s)")
        if args.pg:
            base = args.pg.split("?")[0].rsplit("/", 1)[0] + "/gisplanner_test"
            secs = bench_bulk(pg_scratch(base), n)
            print(f"  PostgreSQL COPY:    {secs:.1f} s ({n / secs:,.0f} rows/s)")

    load = os.getloadavg()[0]
    print(f"\n== summary (best of 3; target ≤ 2 s; load average {load:.1f} on {os.cpu_count()} CPUs)")
    for label, r in results.items():
        (tw, tc), (cw, cc) = r["open_town"], r["city_by_district"]
        print(
            f"  {label:<11} open one town: wall {min(tw):5.2f} s, CPU {min(tc):5.2f} s "
            f"{'ok' if min(tc) <= 2 else 'SLOW'};  city coverage by district: wall {min(cw):5.2f} s, "
            f"CPU {min(cc):5.2f} s {'ok' if min(cc) <= 2 else 'SLOW'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
