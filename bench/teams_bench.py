"""Team formation time (三搭配) for 50 / 200 / 1,000 cadres, and territory split balance on the demo town.

    .venv/bin/python bench/teams_bench.py                 # formation + split
    .venv/bin/python bench/teams_bench.py --no-split      # formation only
    .venv/bin/python bench/teams_bench.py --sizes 200 --repeat 3
    .venv/bin/python bench/teams_bench.py --sizes 50 --teams 10 20 40 --db /tmp/demo.sqlite

The split part builds the 8,000-household demo town (or uses --db) and, for 10/20/40 teams, splits
the round being planned town-wide (--area TOWN) and village by village (teams shared out by
workload, largest remainder), printing the hour balance (max/min) and compactness.

Rosters are random but realistic (seeded): ~60 % men, ~65 % local, ages 23-59, ~15 % leaders;
for keep / rotate, last round's teams come from a previous formation of the same roster with
~10 % of the cadres now unavailable.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gisplanner.teams.formation import MIXED, CadreInfo, FormationRules, form_teams  # noqa: E402

YEAR = 2026


def roster(n: int, seed: int) -> list[CadreInfo]:
    r = random.Random(seed)
    return [
        CadreInfo(
            i + 1,
            f"干部{i + 1}",
            "M" if r.random() < 0.6 else "F",
            YEAR - r.randint(23, 59),
            r.random() < 0.65,
            ("常州话",),
            r.random() < 0.15,
            None,
        )
        for i in range(n)
    ]


def with_previous(cadres: list[CadreInfo], seed: int) -> list[CadreInfo]:
    """Give the roster last round's teams (a formation of a slightly different roster)."""
    r = random.Random(seed)
    last = form_teams(cadres, FormationRules(size=3, w_leader=1.0, reference_year=YEAR))
    prev = {c.id: t for t, team in enumerate(last.teams) for c in team.members}
    shuffled = [replace(c, previous_team=prev[c.id]) for c in cadres]
    return [c for c in shuffled if r.random() > 0.1]


def bench_formation(sizes: list[int], repeat: int) -> None:
    print(f"== team formation (best of {repeat} runs) ==")
    print(
        f"{'cadres':>7} {'size':>18} {'previous':>8} {'teams':>6} {'seconds':>8} {'method':>10} {'optimal':>8}  unmet"
    )
    for n in sizes:
        base = roster(n, seed=n)
        prev = with_previous(base, seed=n + 1)
        for size in (2, 3, MIXED):
            for mode in ("ignore", "keep", "rotate"):
                cadres = base if mode == "ignore" else prev
                rules = FormationRules(size=size, previous=mode, w_leader=1.0, reference_year=YEAR)
                best = float("inf")
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    result = form_teams(cadres, rules)
                    best = min(best, time.perf_counter() - t0)
                unmet = ", ".join(f"{u.rule}:{u.teams_failing}" for u in result.unmet) or "-"
                print(
                    f"{len(cadres):>7} {size!s:>18} {mode:>8} {len(result.teams):>6} {best:>8.3f} "
                    f"{result.method:>10} {result.proven_optimal!s:>8}  {unmet}"
                )


def bench_split(team_counts: list[int], db: str | None) -> None:
    """Split the demo town's next round for k teams: town-wide and village by village."""
    import tempfile

    from sqlalchemy import delete, select

    from gisplanner.demo import build_demo
    from gisplanner.store.database import Store
    from gisplanner.store.model import Area, Round, Team
    from gisplanner.teams.formation import delete_round_teams
    from gisplanner.teams.territory import split_round

    path = Path(db) if db else Path(tempfile.mkdtemp(prefix="teams-bench-")) / "demo.sqlite"
    store = Store.open(path)
    if store.is_empty():
        build_demo(store, households=8000, seed=1)
    with store.session() as s:
        rid = s.scalar(select(Round.id).where(Round.status == "planning").order_by(Round.id))
        town = s.scalar(select(Area.code).where(Area.level == "town"))
    print(f"\n== territory split, demo town ({path}) round {rid} ==")
    print(
        f"{'teams':>6} {'scope':>10} {'seconds':>8} {'max h':>7} {'min h':>7} {'max/min':>8} {'mean m to centre':>17} {'hull overlap':>13}"
    )
    for k in team_counts:
        for scope in ("town", "villages"):
            with store.session() as s:
                delete_round_teams(s, rid)
                s.add_all([Team(round_id=rid, name=f"第{i + 1}组") for i in range(k)])
            t0 = time.perf_counter()
            split = split_round(store, rid, area_code=town if scope == "town" else None)
            dt = time.perf_counter() - t0
            hours = [w.hours for w in split.workloads if w.team_id is not None and w.hours > 0]
            print(
                f"{k:>6} {scope:>10} {dt:>8.2f} {max(hours):>7.1f} {min(hours):>7.1f} {split.balance:>8.2f} "
                f"{split.mean_dist_to_centroid:>17.0f} {split.hull_overlap:>13.1%}"
            )
    with store.session() as s:
        s.execute(delete(Team).where(Team.round_id == rid))
    store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-split", action="store_true", help="skip the territory split part")
    ap.add_argument("--teams", type=int, nargs="+", default=[10, 20, 40])
    ap.add_argument("--db", default=None, help="demo database to use (default: build one in a temp dir)")
    args = ap.parse_args(argv)
    bench_formation(args.sizes, args.repeat)
    if not args.no_split:
        bench_split(args.teams, args.db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
