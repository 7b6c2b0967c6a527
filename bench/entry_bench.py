"""How long does it take to type a round's returned route sheets back in?

Builds a round of SHEETS route sheets × STOPS stops on a temporary database, then drives the
real results-entry panel of the main window (offscreen) key by key, sheet after sheet, in
sheet order, with a realistic mix: 74 % met, 19 % not home, 7 % refused; a diary note on 30 %
of the stops; a problem raised at 25 % of the met stops. Prints keystrokes per stop (keys and
Chinese characters separately), the program's own time per stop (key handling + saving in
one transaction), an estimate of a clerk's time, and the time of the .xlsx bulk path for the
same sheets.

    .venv/bin/python bench/entry_bench.py [--sheets 40] [--stops 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOTES = ["家中老人身体健康", "孩子在外地读书", "对道路改造满意", "希望多开展文化活动", "夫妻二人务农"]
PROBLEMS = [
    ("9", "村里到镇上没有公交"),
    ("10", "河道有垃圾漂浮"),
    ("12", "路灯坏了很久没人修"),
    ("7", "养老金认证不方便"),
]
# a clerk's speed: keys on the number pad / Enter / Tab, and Chinese through a pinyin IME
SEC_PER_KEY = 0.35
SEC_PER_HANZI = 1.0
SEC_READ_SHEET_ROW = 1.0  # finding the ticked box on the paper row


def build(store, sheets: int, stops: int) -> tuple[int, list[int]]:
    import shapely
    from shapely.geometry import box

    from gisplanner.store.model import (
        Area,
        Assignment,
        Household,
        Round,
        Route,
        RouteStop,
        Team,
        VisitSession,
    )

    sat = dt.datetime.combine(dt.date.today() - dt.timedelta(days=3), dt.time(9, 0))  # sheets come back after
    with store.session() as s:
        town = Area(
            code="320412100000",
            name="雪堰镇",
            level="town",
            boundary=shapely.to_wkb(box(119.9, 31.4, 120.1, 31.6)),
        )
        s.add(town)
        s.flush()
        vil = Area(code="320412100201", name="潘家村", level="village", parent_id=town.id,
                   boundary=shapely.to_wkb(box(119.9, 31.4, 120.1, 31.6)))  # fmt: skip
        s.add(vil)
        s.flush()
        rnd = Round(name="冬季大走访", status="active", scope_area_id=town.id)
        s.add(rnd)
        s.flush()
        routes = []
        for k in range(sheets):
            sess = VisitSession(round_id=rnd.id, label="周末上午", start=sat + dt.timedelta(days=k // 8),
                                end=sat + dt.timedelta(days=k // 8, hours=3))  # fmt: skip
            team = Team(round_id=rnd.id, name=f"第{k + 1}组")
            s.add_all([sess, team])
            s.flush()
            route = Route(round_id=rnd.id, team_id=team.id, session_id=sess.id)
            s.add(route)
            s.flush()
            for i in range(1, stops + 1):
                h = Household(
                    name=f"户{k + 1}-{i}", lon=120.0 + i * 1e-4, lat=31.5 + k * 1e-4, area_id=vil.id
                )
                s.add(h)
                s.flush()
                s.add(Assignment(round_id=rnd.id, target_id=h.id, team_id=team.id))
                s.add(RouteStop(route_id=route.id, seq=i, target_id=h.id, eta=sess.start + dt.timedelta(minutes=15 * i),
                                code=f"S{k + 1:02d}-{i:02d}"))  # fmt: skip
            routes.append(route.id)
    return rnd.id, routes


def plan(rng, n: int) -> list[tuple[str, str, tuple | None]]:
    out = []
    for _ in range(n):
        u = rng.random()
        key = "1" if u < 0.74 else "2" if u < 0.93 else "3"
        note = NOTES[rng.integers(len(NOTES))] if rng.random() < 0.3 else ""
        prob = PROBLEMS[rng.integers(len(PROBLEMS))] if key == "1" and rng.random() < 0.25 else None
        out.append((key, note, prob))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=40)
    ap.add_argument("--stops", type=int, default=10)
    args = ap.parse_args()

    import numpy as np
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from gisplanner.store.database import Store
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp(prefix="entry-bench-"))
    store = Store.open(tmp / "bench.sqlite")
    round_id, routes = build(store, args.sheets, args.stops)
    app = make_application()
    w = MainWindow()
    w.show()
    w.set_store(store)
    while w._tasks:
        app.processEvents()
    w.select_round(round_id)
    panel = w.panels.results
    keys = hanzi = 0

    def key(widget, k) -> None:
        nonlocal keys
        keys += 1
        QTest.keyClick(widget, k)

    def text(widget, t: str) -> None:
        nonlocal keys, hanzi
        for ch in t:
            if ch.isascii():
                key(widget, ch)
            else:  # what a pinyin input method commits
                hanzi += 1
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))

    rng = np.random.default_rng(1)
    per_stop, sheet_end, counts = [], [], {"problems": 0, "notes": 0}
    t_all = time.perf_counter()
    for rid in routes:
        panel.select_route(rid)
        for outcome, note, prob in plan(rng, args.stops):
            t0 = time.perf_counter()
            key(panel.outcome_edit, outcome)
            if note:
                text(panel.note_edit, note)
                counts["notes"] += 1
            if prob:
                key(panel.note_edit, Qt.Key.Key_Tab)
                text(panel.cat_edit, prob[0])
                key(panel.cat_edit, Qt.Key.Key_Tab)
                text(panel.desc_edit, prob[1])
                key(panel.desc_edit, Qt.Key.Key_Return)
                key(panel.desc_edit, Qt.Key.Key_Return)
                counts["problems"] += 1
            else:
                key(panel.note_edit, Qt.Key.Key_Return)
            (per_stop if panel.current is not None else sheet_end).append(time.perf_counter() - t0)
        if panel.current is not None:
            raise SystemExit(f"sheet {rid} not finished: {panel.message.text()}")
    t_all = time.perf_counter() - t_all
    n = len(per_stop) + len(sheet_end)
    from sqlalchemy import func, select

    from gisplanner.store.model import Problem, Visit

    with store.session() as s:
        visits = s.scalar(select(func.count()).select_from(Visit))
        problems = s.scalar(select(func.count()).select_from(Problem))
    assert visits == n and problems == counts["problems"], (visits, problems)

    human = n * SEC_READ_SHEET_ROW + keys * SEC_PER_KEY + hanzi * SEC_PER_HANZI
    print(
        f"sheets {args.sheets} × stops {args.stops} = {n} stops; notes {counts['notes']}, problems {problems}"
    )
    print(
        f"keystrokes: {keys} keys ({keys / n:.2f}/stop) + {hanzi} Chinese characters ({hanzi / n:.1f}/stop)"
    )
    print("  minimal stop (outcome + Enter): 2 keys; stop with a problem: 6 keys + category digits + text")
    p95 = sorted(per_stop)[int(0.95 * len(per_stop))]
    print(f"program time per stop: median {statistics.median(per_stop) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; "
          f"last stop of a sheet (starts the map/panel refresh): median {statistics.median(sheet_end) * 1000:.0f} ms; "
          f"whole round {t_all:.1f} s")  # fmt: skip
    print(f"estimated clerk time ({SEC_PER_KEY}s/key, {SEC_PER_HANZI}s/汉字, {SEC_READ_SHEET_ROW}s reading a row): "
          f"{human / 60:.0f} min for the round, {human / n:.1f} s/stop, {human / args.sheets / 60:.1f} min/sheet")  # fmt: skip

    # the same sheets as returned .xlsx files, entered in bulk
    import openpyxl

    from gisplanner.campaign import results as rs

    store2 = Store.open(tmp / "bench-xlsx.sqlite")
    _, routes2 = build(store2, args.sheets, args.stops)
    rng = np.random.default_rng(1)
    files = []
    for rid in routes2:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["路线单编号", rid])
        ws.append(["序号", "走访结果", "民情日记", "问题类别", "反映问题"])
        for i, (outcome, note, prob) in enumerate(plan(rng, args.stops), start=1):
            ws.append([i, outcome, note, prob[0] if prob else "", prob[1] if prob else ""])
        f = tmp / f"sheet-{rid}.xlsx"
        wb.save(f)
        files.append(f)
    # category numbers are the entry screen's shortcut; the sheet takes names
    from gisplanner.ui.panels.results_panel import parse_category_key

    for f in files:
        wb = openpyxl.load_workbook(f)
        ws = wb.active
        for row in ws.iter_rows(min_row=3):
            if row[3].value:
                row[3].value = parse_category_key(str(row[3].value))
        wb.save(f)
    t0 = time.perf_counter()
    total = 0
    for f in files:
        total += rs.import_sheet(store2, f, actor="录入员").visits
    dt_x = time.perf_counter() - t0
    print(
        f"bulk .xlsx: {len(files)} sheets, {total} visits in {dt_x:.2f} s ({dt_x / len(files) * 1000:.0f} ms/sheet)"
    )
    w.close()
    store.close()
    store2.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
