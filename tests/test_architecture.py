"""The import rules of DESIGN.md.

import-linter checks the contracts in pyproject.toml (`[tool.importlinter]`: the layers, the core
never importing the UI/CLI/printing, Qt only in the UI and printing, routing without the ORM, no
import cycles); `make test` runs `lint-imports` and so does this file, so `pytest` alone checks
them too. What import-linter cannot say is checked here: printing paints with QtGui/QtCore and
never imports widgets (import-linter only forbids whole external packages), and no module imports
another by a string, which no import graph sees.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "gisplanner"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = [
    c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
]

needs_import_linter = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[test]')"
)


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under `root` (it puts its working directory first on sys.path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT / BROKEN from lint-imports' summary (long names wrap over lines)."""
    flat = " ".join(output.split())
    found = {}
    for name in CONTRACTS:
        for verdict in ("KEPT", "BROKEN"):
            if f"{' '.join(name.split())} {verdict}" in flat:
                found[name] = verdict
    return found


@needs_import_linter
def test_the_import_contracts_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert verdicts(run.stdout) == dict.fromkeys(CONTRACTS, "KEPT"), run.stdout


@needs_import_linter
def test_each_contract_catches_the_import_it_forbids(tmp_path):
    """A copy of the package with one offending import per contract: every contract breaks."""
    shutil.copytree(PKG, tmp_path / "gisplanner", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    planted = {
        "printing/canvas.py": "from gisplanner.ui import file_dialogs",  # printing reaching up
        "geo/spatial.py": "from gisplanner.cli import common",  # the core importing the CLI
        "campaign/coverage.py": "import pyqtgraph",  # Qt in the core
        "routing/__init__.py": "from gisplanner.store import database",  # routing on the ORM
        "store/errors.py": "from gisplanner.store import database",  # database -> errors -> database
        "store/bulk.py": "from gisplanner.campaign import coverage",  # the store reaching up a layer
    }
    for rel, line in planted.items():
        path = tmp_path / "gisplanner" / rel
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted\n", encoding="utf-8")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    assert verdicts(run.stdout) == dict.fromkeys(CONTRACTS, "BROKEN"), run.stdout


# -- what import-linter cannot express --------------------------------------------------------
QT = ("PySide6", "shiboken6", "pyqtgraph")
PRINTING_QT = ("PySide6.QtCore", "PySide6.QtGui")  # the painter and the PDF writer; no widgets


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (`from PySide6 import QtWidgets` names PySide6.QtWidgets)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
            if node.module in QT:
                mods.update(f"{node.module}.{a.name}" for a in node.names)
    return mods


def qt_beyond_the_painter(files) -> list[str]:
    bad = []
    for f in files:
        for m in sorted(imported_modules(f)):
            if m.split(".")[0] in QT and m not in QT and m not in PRINTING_QT:
                bad.append(f"{f.name} imports {m}")
            elif m in ("pyqtgraph", "shiboken6"):
                bad.append(f"{f.name} imports {m}")
    return bad


def test_printing_paints_without_widgets():
    files = list((PKG / "printing").rglob("*.py"))
    assert len(files) >= 6
    assert qt_beyond_the_painter(files) == []


def test_the_widget_check_catches_a_widget_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from PySide6.QtGui import QPainter\nfrom PySide6 import QtWidgets\nimport os\n")
    assert qt_beyond_the_painter([f]) == ["x.py imports PySide6.QtWidgets"]


# what the contracts keep apart: a string import of one of these hides an edge from them
GUARDED = ("gisplanner.app", "gisplanner.ui", "gisplanner.cli", "gisplanner.printing", *QT)


def string_imports(path: Path) -> list[str]:
    """Modules a file imports by a string (`importlib.import_module("…")`, `__import__("…")`):
    the text before the first placeholder of an f-string, or the whole literal."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
        if name not in ("import_module", "__import__"):
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            head = ""
            for part in arg.values:
                if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                    break
                head += part.value
            found.append(head)
    return found


def named_around_the_rules(files) -> list[str]:
    """String imports of a guarded module (the UI, the CLI, printing, the app, Qt) from outside it:
    those belong in an import statement, where import-linter sees them. A package discovering its
    own plug-ins (`f"{__name__}.{mod.name}"`, `f"gisplanner.cli.{mod.name}"` in cli/) is fine."""
    bad = []
    for f in files:
        own = ".".join(f.relative_to(ROOT).with_suffix("").parts) if f.is_relative_to(ROOT) else ""
        for target in string_imports(f):
            for g in GUARDED:
                if (target == g or target.startswith(g + ".")) and not (own == g or own.startswith(g + ".")):
                    bad.append(f"{own or f.name}: {target!r}")
    return bad


def test_nothing_is_imported_by_a_string_around_the_contracts():
    files = list(PKG.rglob("*.py"))
    assert len(files) > 100
    assert named_around_the_rules(files) == []


def test_the_string_check_catches_a_string_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text(
        "import importlib\n"
        'batch = importlib.import_module("gisplanner.printing.batch")\n'
        'qt = __import__("PySide6.QtWidgets")\n'
        'mod = importlib.import_module(f"gisplanner.ui.{name}")\n'
        'plugin = importlib.import_module(f"{__name__}.{name}")\n'
        'other = importlib.import_module("xstatic.pkg.leaflet")\n'
    )
    assert string_imports(f) == [
        "gisplanner.printing.batch",
        "PySide6.QtWidgets",
        "gisplanner.ui.",
        "",
        "xstatic.pkg.leaflet",
    ]
    assert named_around_the_rules([f]) == [
        "x.py: 'gisplanner.printing.batch'",
        "x.py: 'PySide6.QtWidgets'",
        "x.py: 'gisplanner.ui.'",
    ]


def test_the_cli_starts_without_qt():
    """Every command but `print` runs where Qt cannot load (a server): building the parser and
    importing the command modules loads no Qt; `print` imports gisplanner.printing when it runs."""
    code = (
        "import sys\n"
        "from gisplanner import cli\n"
        "cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout.strip() == "[]"
