"""Batch printing speed: all route sheets of a round in one PDF (target: 60 sheets with legs,
road names and landmarks in ≤ 10 s).

Builds the demo town, writes a plan of 30 teams × 2 sessions × 12 stops (plain rows, as `plan`
would), then prints route sheets, contact cards and survey forms, and prints the times.
Run: .venv/bin/python bench/print_bench.py [--teams 30] [--sessions 2] [--stops 12]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_reports_fixture import write_plan  # noqa: E402

from gisplanner.demo import build_demo  # noqa: E402
from gisplanner.printing.batch import ensure_app, print_to_pdf  # noqa: E402
from gisplanner.reporting.printouts.contact import Contact, set_contact  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--teams", type=int, default=30)
    ap.add_argument("--sessions", type=int, default=2)
    ap.add_argument("--stops", type=int, default=12)
    ap.add_argument("--keep", help="directory to keep the PDFs in")
    args = ap.parse_args()
    ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(args.keep or tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(Path(tmp) / "bench.sqlite")
        build_demo(store, households=8_000, seed=1)
        plan = write_plan(store, teams=args.teams, sessions=args.sessions, stops=args.stops)
        set_contact(
            store, Contact(name="雪堰镇大走访办公室", phone="0519-86541234", url="https://example.cn/zf")
        )
        print(f"plan: {len(plan['routes'])} routes, {args.stops} stops each")
        # route sheets: legs along the demo's roads (the walking graph, built once per print job),
        # road names and landmarks on every map
        for kind in ("route-sheets", "contact-cards", "survey-forms"):
            t0 = time.perf_counter()
            r = print_to_pdf(store, kind, plan["round"], out_dir / f"{kind}.pdf")
            secs = time.perf_counter() - t0
            size = (out_dir / f"{kind}.pdf").stat().st_size / 1e6
            print(f"{kind:14s} {r.items:5d} items {r.pages:5d} pages {secs:6.2f} s  {size:5.1f} MB"
                  f"  ({secs / max(r.items, 1) * 1000:.1f} ms/item)")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
