"""Coverage timing: load (SQLite → arrays) and compute (arrays → per-area table).

    python bench/coverage_bench.py [--db PATH ...] [--repeat 5]

Without --db it uses the cached demos /tmp/d8k.sqlite, /tmp/d250k.sqlite, /tmp/d2m.sqlite,
building the 8k one when missing (build the others with
``python main.py demo --db /tmp/d250k.sqlite --households 250000``). The map reuses its
targets frame, so "with its read" (``coverage.coverage(store, round, targets=frame)``: the
round's visits and problems read, then computed) is what a refresh costs in the app; goals
(issue 21): ≤ 300 ms at 250,000 households, ≤ 1 s at 2,000,000. "load", "load (targets
reused)" and "compute" are its parts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gisplanner.campaign import coverage as C  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402

DEFAULT_DBS = ["/tmp/d8k.sqlite", "/tmp/d250k.sqlite", "/tmp/d2m.sqlite"]


def _ms(fn, repeat: int) -> tuple[str, object]:
    """Median wall time and, in brackets, this thread's CPU time (other processes don't count)."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        out = fn()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
    return f"{statistics.median(wall):6.0f} ms ({statistics.median(cpu):5.0f} cpu)", out


def bench(path: str, repeat: int) -> None:
    store = Store.open(path)
    rounds = store.counts()["round_list"]
    if not rounds:
        print(f"{Path(path).name:>16}  no rounds yet (still being built?)")
        return
    rid = rounds[0]["id"]
    load_ms, inp = _ms(lambda: C.load_inputs(store, rid), max(1, repeat // 2))
    targets = C.load_targets(store)
    visits_ms, _ = _ms(lambda: C.load_inputs(store, rid, targets=targets), repeat)
    compute_ms, cov = _ms(lambda: C.compute(inp), repeat)
    whole_ms, _ = _ms(lambda: C.coverage(store, rid, targets=targets), repeat)
    city = cov.areas[cov.areas["parent_id"].isna()].iloc[0]
    print(
        f"{Path(path).name:>16}  targets {len(inp.targets):>9,}  visits {len(inp.visits):>9,}  "
        f"areas {len(cov.areas):>5}  met {city['met_rate']:.1%}\n"
        f"{'':>18}coverage with its read (targets reused) {whole_ms}   "
        f"(goal ≤ 300 ms at 250k, ≤ 1 s at 2M)\n"
        f"{'':>18}parts: load {load_ms}  load (targets reused) {visits_ms}  compute {compute_ms}"
    )
    store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="demo database(s); default: the /tmp demos")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    dbs = args.db or DEFAULT_DBS
    if not args.db and not Path(DEFAULT_DBS[0]).exists():
        from gisplanner.demo import build_demo

        build_demo(Store.open(DEFAULT_DBS[0]), households=8_000)
    print(f"coverage per area (median of {args.repeat}); goal with the read: ≤ 300 ms at 250k, ≤ 1 s at 2M")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (wall times grow with it)")
    for db in dbs:
        if Path(db).exists():
            bench(db, args.repeat)
        else:
            print(f"{Path(db).name:>16}  missing (python main.py demo --db {db} --households N)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
