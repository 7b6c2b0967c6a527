"""Issue 15, item 12: the smaller ways bad input got in (each reproduced first)."""

from __future__ import annotations

import sqlite3

import openpyxl
import pytest

from gisplanner.cli import run


def cli(capsys, *argv):
    try:
        rc = run(list(argv))
    except SystemExit as e:
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def db(demo_store_copy):
    path = str(demo_store_copy.sqlite_path)
    inside = demo_store_copy.areas_gdf(level="village").geometry.iloc[0].representative_point()
    demo_store_copy.close()
    return path, inside


def write_csv(path, rows, header=("户号", "户主", "联系电话", "经度", "纬度")):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def test_unknown_town_code_is_refused(db, capsys, tmp_path):
    path, p = db
    f = write_csv(tmp_path / "h.csv", [["S1", "张三", "13812345678", str(p.x), str(p.y)]])
    rc, _, err = cli(capsys, "import", "households", str(f), "--db", path, "--town", "999999999999")
    assert rc == 2 and "999999999999" in err and "雪堰镇" in err


def test_unknown_crs_is_a_message_not_a_traceback(db, capsys, tmp_path):
    path, p = db
    f = write_csv(tmp_path / "h.csv", [["S1", "张三", "13812345678", str(p.x), str(p.y)]])
    rc, _, err = cli(capsys, "import", "households", str(f), "--db", path, "--crs", "foo")
    assert rc == 2 and "foo" in err and "Traceback" not in err
    rc, _, err = cli(capsys, "import", "households", str(f), "--db", path, "--crs", "EPSG:99999999")
    assert rc == 2 and "EPSG:99999999" in err


def test_nul_invisible_characters_and_full_width_phones(db, capsys, tmp_path):
    path, p = db
    nul = write_csv(tmp_path / "nul.csv", [["S0", "张\x00三", "13812345678", str(p.x), str(p.y)]])
    rc, _, err = cli(capsys, "import", "households", str(nul), "--db", path)
    assert rc == 2 and "nul.csv" in err  # refused as a whole, nothing stored
    rows = [
        ["S1", "张\x01三\x7f", "13812345678", str(p.x), str(p.y)],
        ["S2", "\ufeff\u200b李四\u200d", "１３８１２３４５６７９", str(p.x), str(p.y)],
        ["S3", "\u202e王五\u202c", "138-1234-5670", str(p.x), str(p.y)],
    ]
    f = write_csv(tmp_path / "h.csv", rows)
    rc, out, err = cli(capsys, "import", "households", str(f), "--db", path)
    assert rc == 0, err
    assert "新增 3" in out and "未导入 0 行" in out, out
    with sqlite3.connect(path) as c:
        got = dict(
            c.execute("SELECT ext_id, name || '|' || phone FROM target WHERE ext_id LIKE 'S%'").fetchall()
        )
    assert got == {"S1": "张三|13812345678", "S2": "李四|13812345679", "S3": "王五|13812345670"}


def test_formula_cells_without_a_cached_value_are_named(db, capsys, tmp_path):
    path, p = db
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "户主", "联系电话", "经度", "纬度"])
    ws.append(["F1", '=CONCAT("张","三")', "13812345678", p.x, p.y])  # openpyxl stores no result
    f = tmp_path / "公式.xlsx"
    wb.save(f)
    rc, out, err = cli(capsys, "import", "households", str(f), "--db", path)
    assert rc == 0 and "未导入 1 行" in out, out + err
    assert "B2" in out and "公式" in out and "保存" in out


def test_scope_bind_refuses_names_no_login_can_have(db, capsys):
    path, _ = db
    for bad in ["a b", "x;DROP TABLE setting", "\u202eadmin", "名字\u200b", "a" * 64, "%"]:
        rc, _, err = cli(capsys, "scope", "bind", bad, "--area", "320412101000", "--db", path)
        assert rc == 2 and "不合规" in err, bad
    rc, out, _ = cli(capsys, "scope", "bind", "zhang.san", "--area", "320412101000", "--db", path)
    assert rc == 0 and "zhang.san" in out


def test_database_errors_never_print_the_rows(demo_store_copy):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as e, demo_store_copy.engine.begin() as c:
        c.execute(text("INSERT INTO area (id, code, name, level, version) VALUES (1, :c, :n, 'x', 1)"),
                  {"c": "13812345678", "n": "张三 13812345678"})  # fmt: skip
    assert "13812345678" not in str(e.value)


def test_what_a_killed_writer_left_is_removed_by_the_next_one(tmp_path):
    import os
    import subprocess
    import sys

    from gisplanner.io.atomic import part_path

    out = tmp_path / "OUT.pdf"
    # a writer killed mid-write: its part file stays behind
    code = (
        "import os, sys; sys.path.insert(0, os.getcwd()); from gisplanner.io.atomic import part_path; "
        f"p = part_path({str(out)!r}); p.write_bytes(b'%PDF-half'); print(p); os.kill(os.getpid(), 9)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=os.getcwd())
    left = tmp_path / proc.stdout.strip().rsplit("/", 1)[-1]
    assert left.exists() and left.name.startswith("OUT.pdf.") and left.name.endswith(".part")
    tmp = part_path(out)  # the next print
    assert not left.exists()
    assert tmp.name == f"OUT.pdf.{os.getpid()}.part"


def test_a_killed_export_leaves_no_hidden_part_for_good(tmp_path):
    import os
    import subprocess
    import sys

    from gisplanner.io.atomic import atomic_path

    out = tmp_path / "走访对象.xlsx"
    code = (
        "import os, sys; sys.path.insert(0, os.getcwd()); from gisplanner.io.atomic import atomic_path\n"
        f"with atomic_path({str(out)!r}) as p:\n    p.write_bytes(b'PK-half'); os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=os.getcwd())
    left = [p for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].name.startswith(".走访对象.") and not out.exists()
    with atomic_path(out) as p:
        p.write_bytes(b"whole")
    assert [p.name for p in tmp_path.iterdir()] == ["走访对象.xlsx"]


def test_a_nul_byte_past_the_first_4_kb_is_not_stored(backend_store, capsys, tmp_path):
    """On SQLite the NUL was stored; on PostgreSQL the import aborted with raw rows on stderr."""
    from sqlalchemy import text

    from gisplanner.io.roster_import import import_roster, preview_roster
    from gisplanner.store.model import Area

    store = backend_store
    with store.session() as s:
        s.add(Area(code="320412101201", name="潘家村", level="village"))
    lines = ["户号,户主,联系电话,经度,纬度,村社区代码"]
    lines += [f"N{i},张三{i},13812345678,120.03,31.49,320412101201" for i in range(400)]
    lines[300] = "N299,张\x00三,13812345678,120.03,31.49,320412101201"
    f = tmp_path / "nul.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    preview = preview_roster(store, f, "households")
    result = import_roster(store, preview)
    assert result.inserted == 400
    with store.engine.connect() as c:
        assert c.scalar(text("SELECT name FROM target WHERE ext_id = 'N299'")) == "张三"
