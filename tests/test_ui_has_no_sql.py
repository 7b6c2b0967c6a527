"""The UI runs no SQL: it calls functions of the core (issue 16, the query layer).

Every module under ``gisplanner/ui/`` is scanned as text for the ways SQL gets in: a
SQLAlchemy import, ``select(`` / ``text(`` (the SQL builders, not ``x.select(``), a session,
engine, connection or cursor, ``execute`` / ``scalar(s)`` / ``query``, the store's raw-SQL
readers (``read_frame`` / ``read_columns``) and SQL keywords in string literals.
"""

from __future__ import annotations

import re
from pathlib import Path

import gisplanner.ui

UI = Path(gisplanner.ui.__file__).parent

PATTERNS = {
    "sqlalchemy import": re.compile(r"^\s*(from|import)\s+sqlalchemy\b", re.M),
    "select(": re.compile(r"(?<![\w.])(?<!def )select\("),
    "text(": re.compile(r"(?<![\w.])(?<!def )text\("),
    "exec_driver_sql": re.compile(r"exec_driver_sql"),
    "execute(": re.compile(r"\.execute\("),
    "scalar(s)(": re.compile(r"\.scalars?\("),
    "query(": re.compile(r"\.query\("),
    "session()": re.compile(r"\.session\(\)|\bsessionmaker\b|\bSession\("),
    "engine": re.compile(r"\.engine\b"),
    "cursor": re.compile(r"\.cursor\(|\.cursor\.fetch|\bsqlite3\b|\bpsycopg"),
    "raw SQL reader": re.compile(r"\.read_(frame|columns)\(|\bread_sql"),
    "SQL in a string": re.compile(r"[\"'f]\s*(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b"),
}


# Modules another refactoring of issue 16 moves out of the UI; each must still hold SQL (so
# the list shrinks as they move: an entry without SQL left fails below and is to be deleted).
def sql_in(source: str) -> list[tuple[int, str, str]]:
    """(line, pattern name, line text) for every SQL-looking spot in `source`."""
    hits = []
    for name, rx in PATTERNS.items():
        for m in rx.finditer(source):
            line = source.count("\n", 0, m.start()) + 1
            hits.append((line, name, source.splitlines()[line - 1].strip()))
    return sorted(hits)


def test_the_scan_finds_sql_written_in_the_ui_ways():
    samples = [
        "from sqlalchemy import select",
        "import sqlalchemy as sa",
        "rows = s.scalars(select(Route.id).where(Route.round_id == rid))",
        "conn.exec_driver_sql('VACUUM')",
        "with self.store.session() as s:\n    pass",
        "store.engine.dispose()",
        "rows = result.cursor.fetchmany(100)",
        "df = store.read_frame('SELECT id FROM target')",
        "q = text('DELETE FROM visit')",
        "n = s.scalar(stmt)",
        "s.query(Target).all()",
        'sql = "SELECT target_id, team_id FROM assignment"',
    ]
    for code in samples:
        assert sql_in(code), code
    clean = (
        "self.selection.select([tid], 'replace', text='x')\n"
        "label = self.name.text().strip()\n"
        "def select(self, aid):\n    pass\n"
        "def text(self) -> str:\n    return ''\n"
        "rows = rounds.read_sessions(self.store, rid)\n"
        "self.setWindowTitle(self.tr('选择文件'))\n"
    )
    assert sql_in(clean) == []


def test_no_sql_under_gisplanner_ui():
    found = []
    for path in sorted(UI.rglob("*.py")):
        rel = path.relative_to(UI).as_posix()
        found += [f"ui/{rel}:{line}: {name}: {code}" for line, name, code in sql_in(path.read_text("utf-8"))]
    assert found == [], "SQL in the UI (move it into a core function):\n" + "\n".join(found)


def test_panels_do_not_shadow_qwidget_window():
    """Panels keep the main window as ``self.main``: ``self.window`` would hide ``QWidget.window()``."""
    rx = re.compile(r"\bself\.window_?\s*=")
    found = [
        f"{p.name}:{source.count(chr(10), 0, m.start()) + 1}"
        for p in sorted((UI / "panels").glob("*.py"))
        for source in [p.read_text("utf-8")]
        for m in rx.finditer(source)
    ]
    assert found == []
