"""System libraries the desktop app needs on Linux, found with ldd instead of a guessed list.

Qt's xcb platform plugin links ~20 X11/xcb libraries that a fresh Debian machine may lack; when
one is missing Qt aborts with a misleading hint. This module runs ``ldd`` on the plugin and the Qt
libraries the app loads, turns every ``not found`` soname into its Debian package, and installs
them (as root, with apt) or says exactly what to install.

    python -m gisplanner.sysdeps            # report; exit 1 when something is missing
    python -m gisplanner.sysdeps --install  # as root with apt-get: install what is missing

No Qt import here: this must work exactly when Qt cannot start.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Qt plugins and libraries the app loads at run time (besides what they link themselves).
PLUGIN_GLOBS = ("platforms/libqxcb.so", "xcbglintegrations/*.so", "imageformats/*.so")
QT_LIBS = ("Core", "Gui", "Widgets", "Svg", "OpenGL", "XcbQpa", "DBus", "PrintSupport")

# Debian names that do not follow the soname rule (libfoo.so.N -> libfooN).
PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
}


@dataclass
class Report:
    """What ldd found: the missing sonames and their Debian packages."""

    qt_dir: Path | None
    missing_libs: dict[str, str] = field(default_factory=dict)  # soname -> Debian package
    unknown_libs: list[str] = field(default_factory=list)  # sonames with no package found

    @property
    def packages(self) -> list[str]:
        return sorted(set(self.missing_libs.values()))

    @property
    def ok(self) -> bool:
        return not self.missing_libs and not self.unknown_libs


def qt_dir() -> Path | None:
    """PySide6's Qt folder (inside the virtualenv, or the PyInstaller bundle)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt if qt.is_dir() else None


def files_to_check(qt: Path) -> list[Path]:
    files: list[Path] = []
    for pattern in PLUGIN_GLOBS:
        files += sorted((qt / "plugins").glob(pattern))
    for name in QT_LIBS:
        lib = qt / "lib" / f"libQt6{name}.so.6"
        if lib.exists():
            files.append(lib)
    return files


def not_found(files: list[Path]) -> set[str]:
    """Sonames that ldd reports as ``not found`` for any of the files."""
    missing: set[str] = set()
    for f in files:
        out = subprocess.run(["ldd", str(f)], capture_output=True, text=True).stdout
        missing.update(re.findall(r"^\s*(\S+) => not found", out, flags=re.M))
    # a plugin for a Qt module that PySide6-Essentials does not ship (e.g. the PDF image format
    # needs libQt6Pdf): never used by the app, and no Debian package could supply the right build
    return {soname for soname in missing if not soname.startswith("libQt6")}


def debian_package(soname: str) -> str:
    """Debian's library package for a soname: libxcb-icccm.so.4 -> libxcb-icccm4,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a hyphen when the name ends in a digit)."""
    if soname in PACKAGE_EXCEPTIONS:
        return PACKAGE_EXCEPTIONS[soname]
    m = re.fullmatch(r"(.+?)\.so\.(\d+)(?:\..*)?", soname)
    if not m:
        return soname.lower()
    name, major = m.group(1).lower(), m.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def apt_has(package: str) -> bool:
    if not shutil.which("apt-cache"):
        return True  # cannot check: trust the rule
    out = subprocess.run(["apt-cache", "show", "--no-all-versions", package], capture_output=True)
    return out.returncode == 0 and bool(out.stdout.strip())


def check() -> Report:
    qt = qt_dir()
    report = Report(qt_dir=qt)
    if qt is None or not sys.platform.startswith("linux") or not shutil.which("ldd"):
        return report
    for soname in sorted(not_found(files_to_check(qt))):
        pkg = debian_package(soname)
        if apt_has(pkg):
            report.missing_libs[soname] = pkg
        else:
            report.unknown_libs.append(soname)
    return report


def xcb_ready() -> bool:
    """Fast start-up check (one ldd, ~30 ms): can Qt's xcb platform plugin load?"""
    qt = qt_dir()
    if qt is None or not sys.platform.startswith("linux") or not shutil.which("ldd"):
        return True
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    return not plugin.exists() or not not_found([plugin])


def can_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(packages: list[str]) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def message(report: Report) -> str:
    """The clear message shown instead of Qt's abort: the exact command to run."""
    lines = ["桌面程序缺少系统库 / the desktop app is missing system libraries:"]
    for soname, pkg in sorted(report.missing_libs.items()):
        lines.append(f"  {soname}  (Debian: {pkg})")
    for soname in report.unknown_libs:
        lines.append(f"  {soname}  (no Debian package found by name: install the package that provides it)")
    if report.packages and shutil.which("apt-get"):
        lines.append("请以 root 运行 / run as root:")
        lines.append(f"  apt-get install -y {' '.join(report.packages)}")
    elif report.missing_libs:
        lines.append(
            "请用本系统的软件包管理器安装提供上述库的软件包 / install the packages that provide them"
        )
    return "\n".join(lines)


def ensure(install_missing: bool) -> int:
    """Check (and as root install) the libraries; 0 when the app can start on xcb."""
    if (os.environ.get("QT_QPA_PLATFORM") or "xcb") != "xcb":
        return 0  # offscreen / wayland / vnc: the xcb libraries are not loaded
    report = check()
    if report.ok:
        return 0
    if install_missing and can_install() and report.packages and not report.unknown_libs:
        print(f"installing system libraries for Qt: {' '.join(report.packages)}", file=sys.stderr)
        install(report.packages)
        # a library found now may itself need others that ldd could not see before
        for _ in range(3):
            report = check()
            if report.ok:
                return 0
            if report.unknown_libs or not report.packages:
                break
            install(report.packages)
    print(message(report), file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gisplanner.sysdeps", description=__doc__.splitlines()[0])
    ap.add_argument("--install", action="store_true", help="as root with apt-get: install what is missing")
    args = ap.parse_args(argv)
    return ensure(install_missing=args.install)


if __name__ == "__main__":
    sys.exit(main())
