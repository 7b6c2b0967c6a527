"""A town official on a shared city database (issue 20): time to a drawn map and peak memory.

Each case runs in a fresh process (so the peak memory is its own): the main window opens the
PostgreSQL database and draws the map —
- ``town``: signed in as a town official (规划员, scope = one town): only the town is read;
- ``city``: the database owner with no scope (everything), for comparison.

    .venv/bin/python bench/offices_bench.py [--pg URL] [--town CODE] [--cases town,city]

Build the database first, e.g. in its own schema:
    main.py demo --db 'postgresql+psycopg://…/db?options=-csearch_path%3Doffices_bench,public' --households 250000
Prints seconds from opening the store to the map's first drawing (mapLoaded) and the peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT_URL_FILE = Path("/tmp/offices-bench-url")


def child(url: str, case: str, town: str | None) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from sqlalchemy import select

    from gisplanner.access import roles
    from gisplanner.access.scope import UserScope
    from gisplanner.store.database import Store
    from gisplanner.store.model import Area
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    make_application()
    t0 = time.perf_counter()
    store = Store.open(url)
    label = "城市（所有者，不限范围）"
    if case == "town":
        with store.session() as s:
            q = select(Area.id).where(Area.level == "town").order_by(Area.code)
            aid = s.scalar(select(Area.id).where(Area.code == town)) if town else s.scalar(q.limit(1))
        scope = UserScope.for_area(store, aid)
        store.binding = roles.Binding("bench_town", "planner", scope)
        label = f"镇用户 {scope.label}（{len(scope.village_ids)} 个村/社区）"
    w = MainWindow()
    w.show()
    loop = QEventLoop()
    w.mapLoaded.connect(loop.quit)
    QTimer.singleShot(900_000, loop.quit)
    w.set_store(store)
    loop.exec()
    seconds = time.perf_counter() - t0
    n = 0 if w.map_widget.data is None else len(w.map_widget.data.targets)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<40} 对象 {n:>9,}  到地图绘出 {seconds:7.2f} s  峰值内存 {peak:8.0f} MB", flush=True)
    w.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--pg", default=DEFAULT_URL_FILE.read_text().strip() if DEFAULT_URL_FILE.exists() else None
    )
    ap.add_argument("--town", default=None, help="区划代码（默认：第一个镇）")
    ap.add_argument("--cases", default="town,city")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.pg:
        print("需要 --pg URL（或 /tmp/offices-bench-url）", file=sys.stderr)
        return 2
    if args.child:
        child(args.pg, args.child, args.town)
        return 0
    from sqlalchemy import create_engine, text

    eng = create_engine(args.pg)
    with eng.connect() as conn:
        n = conn.scalar(text("SELECT count(*) FROM target WHERE kind = 'household'"))
    eng.dispose()
    print(f"数据库：{n:,} 户")
    for case in args.cases.split(","):
        cmd = [sys.executable, __file__, "--pg", args.pg, "--child", case]
        if args.town:
            cmd += ["--town", args.town]
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
