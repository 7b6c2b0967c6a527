"""`demo` builds into a temporary file and renames it into place: an interrupted build leaves no
half-built database, and the next run (or the next first start) simply builds it (issue 15, item 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gisplanner.demo_file import build_demo_database
from gisplanner.store.database import Store

ROOT = Path(__file__).resolve().parents[1]


def test_an_interrupted_build_leaves_nothing_and_the_next_build_completes(tmp_path):
    db = tmp_path / "demo.sqlite"
    calls = []

    def cancel_halfway(frac, msg):
        calls.append(frac)
        return frac < 0.5

    with pytest.raises(InterruptedError):
        build_demo_database(db, households=600, progress=cancel_halfway)
    assert calls and not db.exists()
    assert not list(tmp_path.glob("demo.sqlite*"))
    counts = build_demo_database(db, households=600)
    assert counts["households"] == 600
    store = Store.open(db)
    assert store.counts()["households"] == 600
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("demo.sqlite")) in (
        ["demo.sqlite"],
        ["demo.sqlite", "demo.sqlite-shm", "demo.sqlite-wal"],
    )


def test_kill_9_during_demo_leaves_no_partial_database(tmp_path):
    db = tmp_path / "killed.sqlite"
    env = dict(os.environ, GISPLANNER_HOME=str(tmp_path / "home"))
    p = subprocess.Popen(
        [sys.executable, "main.py", "demo", "--db", str(db), "--households", "20000"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    # wait until the build has started writing (the temporary file exists), then kill -9
    deadline = time.monotonic() + 120
    while not (tmp_path / "killed.sqlite.building").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not db.exists()
    # the next run discards the leftover and builds the database completely
    rc = subprocess.run(
        [sys.executable, "main.py", "demo", "--db", str(db), "--households", "600"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert rc.returncode == 0, rc.stderr
    assert not (tmp_path / "killed.sqlite.building").exists()
    store = Store.open(db)
    assert store.counts()["households"] == 600
    store.close()


def test_demo_refuses_a_database_with_data(demo_db_path, capsys):
    from gisplanner.cli import run

    assert run(["demo", "--db", str(demo_db_path)]) == 2
    assert "已有数据" in capsys.readouterr().err
