"""Shared fixtures. Qt runs offscreen; user files go to a temporary GISPLANNER_HOME."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GISPLANNER_HOME", tempfile.mkdtemp(prefix="gisplanner-test-home-"))


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A demo town database built once per test run (8,000 households, seed 1)."""
    from gisplanner.demo import build_demo
    from gisplanner.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store.open(path)
    build_demo(store, households=8_000, seed=1)
    store.close()
    return path


@pytest.fixture
def demo_store(demo_db_path):
    """The shared demo database: READ-ONLY by convention (use demo_store_copy to change data)."""
    from gisplanner.store import Store

    store = Store.open(demo_db_path)
    yield store
    store.close()


@pytest.fixture
def demo_store_copy(demo_db_path, tmp_path):
    """A private copy of the demo database that a test may change."""
    from gisplanner.store import Store

    dest = tmp_path / "demo-copy.sqlite"
    with sqlite3.connect(demo_db_path) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)
    store = Store.open(dest)
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path):
    from gisplanner.store import Store

    store = Store.open(tmp_path / "empty.sqlite")
    yield store
    store.close()


@pytest.fixture
def gisplanner_home(tmp_path, monkeypatch) -> Path:
    """A fresh user directory for tests that look at backups, logs or settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GISPLANNER_HOME", str(home))
    return home


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None
