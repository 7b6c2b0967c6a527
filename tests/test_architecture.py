"""The import rules of DESIGN.md: the core never imports Qt; routing never imports the ORM."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "gisplanner"
QT = ("PySide6", "pyqtgraph", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
    return mods


def offenders(files, forbidden) -> list[str]:
    bad = []
    for f in files:
        for m in imported_modules(f):
            if any(m == p or m.startswith(p + ".") for p in forbidden):
                bad.append(f"{f.relative_to(PKG.parent)} imports {m}")
    return bad


def test_core_never_imports_qt():
    # app.py is the composition root (the console script): it starts the UI, nothing imports it
    core = [f for f in PKG.rglob("*.py") if f.relative_to(PKG).parts[0] not in ("ui", "app.py")]
    assert len(core) > 5
    assert offenders(core, QT + ("gisplanner.ui",)) == []


def test_routing_takes_arrays_not_the_orm():
    files = list((PKG / "routing").rglob("*.py"))
    assert (
        offenders(files, QT + ("sqlalchemy", "gisplanner.model", "gisplanner.store", "gisplanner.ui")) == []
    )


def test_the_checker_catches_a_qt_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from PySide6.QtCore import QObject\nimport os\n")
    assert imported_modules(f) == {"PySide6.QtCore", "os"}
