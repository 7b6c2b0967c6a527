"""Team formation time (三搭配) for 50 / 200 / 1,000 cadres, and territory split balance on the demo town.

    .venv/bin/python bench/teams_bench.py                 # formation + split
    .venv/bin/python bench/teams_bench.py --no-split      # formation only
    .venv/bin/python bench/teams_bench.py --sizes 200 --repeat 3

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

from gisplanner.teams import MIXED, CadreInfo, FormationRules, form_teams  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-split", action="store_true", help="skip the territory split part")
    ap.add_argument("--teams", type=int, nargs="+", default=[10, 20, 40])
    args = ap.parse_args(argv)
    bench_formation(args.sizes, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
