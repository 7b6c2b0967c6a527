"""Map speed: frame times (full extent, zoomed, panning), lasso and rectangle selection, coverage.

    python bench/map_bench.py [--db PATH ...] [--repeat 7]

Without --db it uses the cached demos /tmp/d8k.sqlite, /tmp/d250k.sqlite, /tmp/d2m.sqlite
(``python main.py demo --db /tmp/d250k.sqlite --households 250000``; the 8k one is built
when missing). Goals: ≤ 50 ms per frame at 250,000 households, lasso over 250,000 points
≤ 50 ms. A frame is one synchronous repaint of a 1200 × 800 map (offscreen, software
rendering). Wall times include waiting for other processes on a busy machine, so each figure
also gives this thread's CPU time in brackets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from gisplanner.campaign import coverage as C  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402

DEFAULT_DBS = ["/tmp/d8k.sqlite", "/tmp/d250k.sqlite", "/tmp/d2m.sqlite"]


def timed(fn, repeat: int = 1):
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        out = fn()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
    return statistics.median(wall), statistics.median(cpu), out


def fmt(wall: float, cpu: float) -> str:
    return f"{wall:7.1f} ms ({cpu:6.1f} cpu)"


def lasso_ring(cx: float, cy: float, r: float, n: int = 300) -> np.ndarray:
    """A wobbly freehand loop like a hand draws it."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (1 + 0.25 * np.sin(5 * t) + 0.1 * np.cos(11 * t))
    return np.column_stack([cx + rr * np.cos(t), cy + 0.8 * rr * np.sin(t)])


def frames(app, w, repeat: int, pan: bool = False) -> tuple[float, float]:
    """Median time of a repaint; when panning, moving the view and reloading the points around
    it (the level-of-detail window) are included."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        if pan:
            (x0, x1), (y0, y1) = w.view.viewRange()
            dx = (x1 - x0) * 0.04
            w.view.setRange(xRange=(x0 + dx, x1 + dx), yRange=(y0, y1), padding=0)
        w.frame_ms()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.thread_time() - c) * 1e3)
        app.processEvents()
    return statistics.median(wall), statistics.median(cpu)


def bench(app, path: str, repeat: int) -> None:
    from gisplanner.ui.map.canvas import MapWidget
    from gisplanner.ui.map.data import load_map_data

    name = Path(path).name
    store = Store.open(path)
    lw, lc, data = timed(lambda: load_map_data(store))
    n = len(data.targets)
    print(
        f"{name}: {n:,} targets, {len(data.all_areas)} areas — load map data (off the UI thread) {fmt(lw, lc)}"
    )
    w = MapWidget()
    w.resize(1200, 800)
    w.show()
    app.processEvents()
    sw, sc, _ = timed(lambda: (w.set_data(data), app.processEvents()))
    print(f"  set_data (UI thread)        {fmt(sw, sc)}")
    full = frames(app, w, repeat)
    c = w.counts()
    print(f"  frame, full extent          {fmt(*full)}   points drawn {c['points_loaded']:,}"
          f"{' + density grid' if c['aggregated'] else ''}")  # fmt: skip
    town = data.towns.geometry.iloc[0].centroid if len(data.towns) else None
    cx, cy = (
        (town.x, town.y)
        if town is not None
        else ((data.extent[0] + data.extent[2]) / 2, (data.extent[1] + data.extent[3]) / 2)
    )
    w.zoom_to(cx - 1500, cy - 1000, cx + 1500, cy + 1000, pad=0)
    app.processEvents()
    zoom = frames(app, w, repeat)
    c = w.counts()
    print(f"  frame, zoomed 3 × 2 km      {fmt(*zoom)}   points loaded {c['points_loaded']:,}")
    pan = frames(app, w, repeat, pan=True)
    print(f"  frame, panning zoomed       {fmt(*pan)}   (window reloads included)")
    w.zoom_to(cx - 6000, cy - 4500, cx + 6000, cy + 4500, pad=0)
    app.processEvents()
    town_f = frames(app, w, repeat)
    c = w.counts()
    print(f"  frame, one town 12 × 9 km   {fmt(*town_f)}   points loaded {c['points_loaded']:,}"
          f"{' (aggregated)' if c['aggregated'] else ''}")  # fmt: skip
    pts = data.points
    x0, y0, x1, y1 = data.extent
    r = min(x1 - x0, y1 - y0) / 4
    ring = lasso_ring((x0 + x1) / 2, (y0 + y1) / 2, r)
    lw_, lc_, ids = timed(lambda: pts.in_polygon(ring), repeat)
    print(f"  lasso over all {len(pts):,} points  {fmt(lw_, lc_)}   selected {len(ids):,}")
    big = lasso_ring((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 0.45)
    bw, bc, bids = timed(lambda: pts.in_polygon(big), repeat)
    print(f"  lasso round most of the map {fmt(bw, bc)}   selected {len(bids):,}")
    rw, rc, ids = timed(
        lambda: pts.in_rect((x0 + x1) / 2 - r, (y0 + y1) / 2 - r, (x0 + x1) / 2 + r, (y0 + y1) / 2 + r),
        repeat,
    )
    print(f"  rectangle                   {fmt(rw, rc)}   selected {len(ids):,}")
    w.set_selection_model(_Selection())
    hw, hc, _ = timed(lambda: w.selection_model.select(ids), 1)
    print(f"  highlight {len(ids):,} selected  {fmt(hw, hc)}")
    rid = data.coverage_round[0] if data.coverage_round else None
    iw, ic, inp = timed(lambda: C.load_inputs(store, rid, targets=data.targets))
    cw, cc, _ = timed(lambda: C.compute(inp), repeat)
    print(f"  coverage: read visits {fmt(iw, ic)}, compute {fmt(cw, cc)}")
    w.close()
    w.deleteLater()
    app.processEvents()
    store.close()


class _Selection:
    """A minimal selection model (no undo) for timing the highlight."""

    def __init__(self):
        from PySide6.QtCore import QObject, Signal

        class _S(QObject):
            changed = Signal(object, object)

        self._s = _S()
        self.changed = self._s.changed
        self.ids = np.empty(0, np.int64)

    def __len__(self):
        return len(self.ids)

    def select(self, ids, mode="replace", text=None):
        self.ids = np.asarray(ids, np.int64)
        self.changed.emit(self.ids, np.empty(0, np.int64))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="demo database(s); default: the /tmp demos")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    from gisplanner.ui.application import make_application

    app = make_application()
    dbs = args.db or DEFAULT_DBS
    if not args.db and not Path(DEFAULT_DBS[0]).exists():
        from gisplanner.demo import build_demo

        build_demo(Store.open(DEFAULT_DBS[0]), households=8_000)
    print(
        f"map bench (median of {args.repeat}); {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for db in dbs:
        if Path(db).exists():
            bench(app, db, args.repeat)
        else:
            print(f"{Path(db).name}: missing (python main.py demo --db {db} --households N)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
