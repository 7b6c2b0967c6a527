"""Start-up as the user waits for it: process launch → window shown → map drawn → panels ready.

Each run is a fresh process that starts the app through ``run_app`` exactly as ``main.py`` does
(database opened, backup scheduled, maximised window, every panel installed), on Xvfb when it
is there (a 1920×1080 screen), else Qt's offscreen platform. Printed per database:

- window shown, map drawn (the map widget holds the targets and has painted), panels ready
  (map drawn and no background task queued or running for 0.3 s), backup done (the start-up
  backup runs in a worker thread after the window is shown; "skipped" when the database did not
  change since its last good backup);
- the longest event-loop stall (a 10 ms QTimer heartbeat: the largest gap minus 10 ms, from the
  window shown until the end), the peak resident memory and the process's CPU time.

    python bench/startup_bench.py --db /tmp/scale-250k.sqlite --db /tmp/scale-2m.sqlite
    python bench/startup_bench.py            # builds the 8k demo into a temporary folder first

``--fresh-backups`` gives each run an empty backup folder (so the start-up backup really runs);
by default the user's own folder is used, where an unchanged database is not copied again.
The goals (issue 21): 250k map ≤ 3 s, panels ≤ 5 s; 2M map ≤ 10 s, RSS ≤ 2 GB; stall ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_S = 0.3  # no background task for this long after the map: panels ready
LIMIT_S = 600


def child(db: str) -> None:
    """Runs inside the measured process: the app via run_app with a probe instead of SmokeWatch."""
    sys.path.insert(0, str(ROOT))
    import resource

    from PySide6.QtCore import QObject, QTimer

    from gisplanner.app import seconds_since_start
    from gisplanner.ui import smoke, workers
    from gisplanner.ui.application import run_app

    marks: dict[str, float] = {}

    def cpu() -> float:
        t = os.times()
        return t.user + t.system

    def mark(name: str, value: float) -> None:
        if name not in marks:
            marks[name] = value
            marks[name + "_cpu"] = cpu()

    class Probe(QObject):
        def __init__(self, app, window, elapsed) -> None:
            super().__init__(app)
            self.app, self.window, self.elapsed = app, window, elapsed
            self.last = time.perf_counter()
            self.stall = 0.0
            self.idle_since: float | None = None
            self.beat = QTimer(self)
            self.beat.setInterval(10)
            self.beat.timeout.connect(self._beat)
            self.beat.start()
            window.mapLoaded.connect(lambda: QTimer.singleShot(0, self._map))
            QTimer.singleShot(0, self._shown)
            QTimer.singleShot(LIMIT_S * 1000, self._end)

        def _shown(self) -> None:
            mark("window", self.elapsed())
            self.last = time.perf_counter()

        def _beat(self) -> None:
            now = time.perf_counter()
            self.stall = max(self.stall, now - self.last - 0.010)
            self.last = now
            if "map" in marks:
                busy = workers.active() > 0
                if busy:
                    self.idle_since = None
                elif self.idle_since is None:
                    self.idle_since = self.elapsed()
                elif "panels" not in marks and self.elapsed() - self.idle_since >= IDLE_S:
                    mark("panels", self.idle_since)
                backup = getattr(self.window, "startup_backup", None)
                if backup is not None and backup.done and "backup" not in marks:
                    mark("backup", self.elapsed())
                    marks["backup_result"] = backup.outcome
                if "panels" in marks and (backup is None or backup.done):
                    self._end()

        def _map(self) -> None:
            self.window.map_widget.repaint()
            mark("map", self.elapsed())

        def _end(self) -> None:
            self.beat.stop()
            marks["stall_ms"] = self.stall * 1000
            marks["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            marks["cpu_s"] = cpu()
            marks["screen"] = f"{self.window.width()}x{self.window.height()}"
            marks["targets"] = int(len(getattr(self.window.map_widget, "data", None).targets))
            print("STARTUP " + json.dumps(marks), flush=True)
            self.app.exit(0)

    smoke.SmokeWatch = Probe  # run_app builds it in smoke mode (no dialogs; errors exit non-zero)
    sys.exit(run_app(db=db, smoke=seconds_since_start))


def run_one(db: str, fresh_backups: bool) -> dict:
    env = dict(os.environ)
    home = None
    if fresh_backups:
        home = tempfile.mkdtemp(prefix="startup-bench-")
        env["GISPLANNER_HOME"] = home
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", db]
    if os.environ.get("QT_QPA_PLATFORM") is None and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *cmd]
    else:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=LIMIT_S + 60)
    if home:
        shutil.rmtree(home, ignore_errors=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("STARTUP ")]
    if not line:
        raise SystemExit(f"start-up failed on {db} (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(line[-1][len("STARTUP ") :])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", action="append", help="an existing database (repeatable); default: the 8k demo")
    ap.add_argument("--fresh-backups", action="store_true", help="an empty backup folder per run")
    args = ap.parse_args()
    dbs = args.db
    if not dbs:
        from gisplanner.demo import build_demo
        from gisplanner.store.database import Store

        db = str(Path(tempfile.mkdtemp()) / "demo.sqlite")
        build_demo(Store.open(db))
        dbs = [db]
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for db in dbs:
        t = time.perf_counter()
        m = run_one(db, args.fresh_backups)
        backup = f"{m['backup']:6.2f} s ({m['backup_result']})" if "backup" in m else "   n/a"
        print(
            f"{Path(db).name}: {m['targets']} targets, window {m['screen']}, outer {time.perf_counter() - t:.1f} s"
        )
        nan = float("nan")
        print("  (wall clock since launch; the process's CPU time so far in brackets)")
        print(f"  window shown   {m.get('window', nan):6.2f} s  [{m.get('window_cpu', nan):5.1f} s CPU]")
        print(
            f"  map drawn      {m.get('map', nan):6.2f} s  [{m.get('map_cpu', nan):5.1f} s CPU]"
            "  (goal ≤ 3 s at 250k, ≤ 10 s at 2M)"
        )
        print(
            f"  panels ready   {m.get('panels', nan):6.2f} s  [{m.get('panels_cpu', nan):5.1f} s CPU]"
            "  (goal ≤ 5 s at 250k)"
        )
        print(f"  backup done    {backup}")
        print(f"  longest stall  {m['stall_ms']:6.0f} ms  (goal ≤ 100 ms)")
        print(f"  peak RSS       {m['rss_mb']:6.0f} MB  (goal ≤ 2048 MB at 2M)")
        print(f"  CPU time       {m['cpu_s']:6.1f} s")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
