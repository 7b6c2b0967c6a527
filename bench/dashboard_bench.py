"""Dashboard refresh time at 250k households (goal ≤ 500 ms), plus supervision and summary.

    .venv/bin/python bench/dashboard_bench.py [--db /tmp/d250k.sqlite] [--repeat 3]

The database comes from `python main.py demo --db /tmp/d250k.sqlite --households 250000`
(built here when missing). A refresh computes every dashboard figure for the whole database
and for one town: cumulative curves, coverage by area (coverage.py), problems by category and
status, time to resolution, overdue by unit, visits per team and session.
Printed: the first (cold: target list read) and the best warm refresh (target list kept, as the
dock does between refreshes), with one and with several connections, wall and CPU time, and
the time of each figure; then the supervision table and the summary report.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gisplanner.campaign import coverage as cov  # noqa: E402
from gisplanner.reporting import dashboard as dash  # noqa: E402
from gisplanner.reporting import stats as st  # noqa: E402
from gisplanner.reporting import supervision as sv  # noqa: E402
from gisplanner.reporting.printouts import summary as sm  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402

GOAL_MS = 500


def ensure_db(path: Path, households: int) -> None:
    """Build the demo when missing; when another process is building it, wait for `info` to work."""
    info = [sys.executable, str(ROOT / "main.py"), "info", "--db", str(path)]
    if path.exists():
        for _ in range(120):
            ok = subprocess.run(info, capture_output=True, text=True)
            if ok.returncode == 0 and f"群众家庭 {households} 户" in ok.stdout:
                return
            time.sleep(10)
        raise SystemExit(f"{path} 存在但 info 不成功（是否仍在生成？）")
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "demo", "--db", str(path), "--households", str(households)],
        check=True,
    )


def timed(fn, *args, **kw):
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def refresh(store, scope, targets, workers):
    if targets is None:
        targets = cov.load_targets(store)
    return dash.dashboard_figures(store, scope, targets=targets, workers=workers)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/tmp/d250k.sqlite")
    ap.add_argument("--households", type=int, default=250_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = Path(args.db)
    ensure_db(path, args.households)
    store = Store.open(path)
    c = store.counts()
    print(f"database {path}: {c['households']} households, {c['visits']} visits, {c['problems']} problems; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    town = store.read_frame("SELECT code, name FROM area WHERE level='town' ORDER BY code LIMIT 1").iloc[0]
    workers = min(4, os.cpu_count() or 1)
    for label, scope in (
        ("whole city", st.Scope()),
        (f"one town ({town['name']})", st.Scope(area_code=town["code"])),
    ):
        print(f"\n== dashboard refresh, {label}")
        for w in (1, workers) if workers > 1 else (1,):
            figs, cold_ms, cold_cpu = timed(refresh, store, scope, None, w)
            targets = cov.load_targets(store)
            runs = [timed(refresh, store, scope, targets, w) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r[1])
            figs = best[0]
            verdict = "OK" if best[1] <= GOAL_MS else "over goal"
            print(f"  {w} connection(s): cold {cold_ms:.0f} ms (cpu {cold_cpu:.0f}); "
                  f"warm best {best[1]:.0f} ms (cpu {best[2]:.0f}) — goal ≤ {GOAL_MS} ms: {verdict}")  # fmt: skip
            parts = ", ".join(
                f"{k} {v * 1000:.0f}" for k, v in sorted(figs.timings.items(), key=lambda kv: -kv[1])
            )
            print(f"    per figure (ms): {parts}")
        t = figs.totals
        print(f"    figures: households {t['households']}, visited {t['households_visited']}, "
              f"areas {len(figs.coverage)}, teams {len(figs.teams)}, sessions {len(figs.sessions)}, "
              f"overdue units {len(figs.overdue)}")  # fmt: skip
    print("\n== supervision (districts side by side, whole city)")
    df, ms, cpu = timed(sv.compare_areas, store, st.Scope(), thresholds=sv.Thresholds())
    print(
        f"  compare_areas: {ms:.0f} ms (cpu {cpu:.0f}), {len(df)} areas, {int(df['laggard'].sum())} laggards"
    )
    df, ms, cpu = timed(sv.compare_areas, store, st.Scope(), level="village", thresholds=sv.Thresholds())
    print(f"  compare_areas (every village): {ms:.0f} ms (cpu {cpu:.0f}), {len(df)} villages")
    df, ms, cpu = timed(sv.compare_units, store, st.Scope(), thresholds=sv.Thresholds())
    print(f"  compare_units: {ms:.0f} ms (cpu {cpu:.0f}), {len(df)} units")
    print("\n== summary report")
    r, ms, cpu = timed(sm.build_summary, store)
    print(f"  whole city: {ms:.0f} ms (cpu {cpu:.0f}): {r.paragraph[:60]}…")
    r, ms, cpu = timed(sm.build_summary, store, town["code"])
    print(f"  one town: {ms:.0f} ms (cpu {cpu:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
