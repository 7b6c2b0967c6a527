"""Where the user's files live (platformdirs): database, backups, logs, caches."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "gisplanner"


def data_dir() -> Path:
    # GISPLANNER_HOME moves everything (tests, portable installs)
    home = os.environ.get("GISPLANNER_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_database() -> Path:
    return data_dir() / "gisplanner.sqlite"


def backup_dir() -> Path:
    return data_dir() / "backups"


def log_dir() -> Path:
    home = os.environ.get("GISPLANNER_HOME")
    return Path(home) / "logs" if home else Path(platformdirs.user_log_dir(APP, appauthor=False))


def cache_dir() -> Path:
    home = os.environ.get("GISPLANNER_HOME")
    return Path(home) / "cache" if home else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def config_dir() -> Path:
    home = os.environ.get("GISPLANNER_HOME")
    return Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP, appauthor=False))
