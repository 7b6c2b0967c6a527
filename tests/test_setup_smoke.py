"""Fresh-machine set-up: the system-library check behind `make run`, and `main.py --smoke`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gisplanner import sysdeps

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_sonames_map_to_debian_packages(soname, package):
    assert sysdeps.debian_package(soname) == package


@pytest.mark.skipif(not (shutil.which("ldd") and shutil.which("gcc")), reason="needs ldd and gcc")
def test_ldd_not_found_lines_become_the_install_command(tmp_path):
    """A library linked against one that is not installed is reported by soname and package."""
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp_path / "user.c").write_text("int gone(void);\nint user(void) { return gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "libxcb-gone.so.3",
                    "-Wl,-soname,libxcb-gone.so.3", tmp_path / "gone.c"], check=True)  # fmt: skip
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "libuser.so", tmp_path / "user.c",
                    tmp_path / "libxcb-gone.so.3"], check=True)  # fmt: skip
    (tmp_path / "libxcb-gone.so.3").unlink()
    missing = sysdeps.not_found([tmp_path / "libuser.so"])
    assert missing == {"libxcb-gone.so.3"}
    report = sysdeps.Report(qt_dir=None, missing_libs={s: sysdeps.debian_package(s) for s in missing})
    text = sysdeps.message(report)
    assert "libxcb-gone.so.3" in text and "libxcb-gone3" in text


def run_smoke(tmp_path, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", GISPLANNER_HOME=str(tmp_path / "home"), **(env_extra or {}))
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--smoke", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_smoke_opens_the_demo_on_first_start_and_reports_the_drawn_map(tmp_path):
    proc = run_smoke(tmp_path)
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ok")]
    assert line and "window" in line[0] and "map" in line[0], proc.stdout
    assert (tmp_path / "home" / "gisplanner.sqlite").exists()  # the demo was built


def test_smoke_fails_with_the_reason_on_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not SQLite" * 100)
    proc = run_smoke(tmp_path, "--db", str(bad))
    assert proc.returncode != 0
    assert "smoke failed" in proc.stderr and str(bad) in proc.stderr


def test_app_without_display_says_so_instead_of_aborting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["GISPLANNER_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--smoke"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and "DISPLAY" in proc.stderr
