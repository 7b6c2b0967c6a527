"""Backups survive a damaged database and belong to one database; restore from the CLI and from
the app when a database cannot be opened (issue 15, item 4)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gisplanner.cli import run
from gisplanner.store import backup
from gisplanner.store.database import Store, StoreError, backup_sqlite, list_backups


def copy_db(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as s, sqlite3.connect(dest) as d:
        s.backup(d)
    return dest


def damage_one_page(db: Path) -> None:
    """Overwrite one page in the middle of the target table's data with garbage."""
    with sqlite3.connect(db) as c:
        page = c.execute("PRAGMA page_size").fetchone()[0]
        root = c.execute("SELECT rootpage FROM sqlite_master WHERE name='target'").fetchone()[0]
        c.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(db.read_bytes())
    n = len(data) // page
    victim = max(root + 3, n // 2)
    data[victim * page + 8 : victim * page + page - 8] = b"\xa5" * (page - 16)
    db.write_bytes(bytes(data))


def damage_a_target_page(db: Path) -> None:
    """Overwrite a leaf page of the target table itself (every read of the targets meets it)."""
    with sqlite3.connect(db) as c:
        page = c.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            p for (p,) in c.execute("SELECT pageno FROM dbstat WHERE name = 'target' AND pagetype = 'leaf'")
        ]
        c.execute("PRAGMA journal_mode=DELETE")
    victim = leaves[len(leaves) // 2] - 1  # dbstat numbers pages from 1
    data = bytearray(db.read_bytes())
    data[victim * page + 8 : victim * page + page - 8] = b"\xa5" * (page - 16)
    db.write_bytes(bytes(data))


def test_a_damaged_database_is_never_backed_up_over_good_backups(demo_db_path, tmp_path, gisplanner_home):
    db = copy_db(demo_db_path, tmp_path / "town" / "gisplanner.sqlite")
    store = Store.open(db)
    good = backup_sqlite(store)
    store.close()
    damage_one_page(db)
    assert backup.quick_check(db) is not None
    for _ in range(8):  # every open of the app used to back it up: after 7 only bad copies were left
        try:
            store = Store.open(db)
        except StoreError:
            continue
        with pytest.raises(StoreError) as e:
            backup_sqlite(store)
        store.close()
        assert "已损坏" in str(e.value) and str(good) in str(e.value)
    assert [b.path for b in backup.list_backups(db)] == [good]
    assert backup.newest_good_backup(db) == good


def test_backups_are_per_database_not_per_file_name(demo_db_path, tmp_path, gisplanner_home):
    a = copy_db(demo_db_path, tmp_path / "a" / "gisplanner.sqlite")
    b = copy_db(demo_db_path, tmp_path / "b" / "gisplanner.sqlite")
    for db in (a, b, b):
        s = Store.open(db)
        backup_sqlite(s)
        s.close()
    sa, sb = Store.open(a), Store.open(b)
    assert len(list_backups(sa)) == 1 and len(list_backups(sb)) == 2
    assert not set(list_backups(sa)) & set(list_backups(sb))
    sa.close()
    sb.close()


def test_rotation_keeps_the_newest_good_backups(demo_db_path, tmp_path, gisplanner_home):
    db = copy_db(demo_db_path, tmp_path / "x.sqlite")
    made = [backup.backup(db, keep=3) for _ in range(5)]
    assert [b.path for b in backup.list_backups(db)] == made[:1:-1]


def test_cli_restores_a_database_that_cannot_be_opened(
    demo_db_path, tmp_path, gisplanner_home, capsys, demo_facts
):
    db = copy_db(demo_db_path, tmp_path / "gisplanner.sqlite")
    assert run(["backup", "now", "--db", str(db)]) == 0
    capsys.readouterr()
    db.write_bytes(b"\x00garbage\x00" * 500)  # the file is destroyed
    with pytest.raises(StoreError) as e:
        Store.open(db)
    assert str(db) in str(e.value) and "完好备份" in str(e.value) and "backup restore" in str(e.value)
    with pytest.raises(SystemExit) as e:
        run(["info", "--db", str(db)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "完好备份" in err
    assert run(["backup", "list", "--db", str(db), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["backups"]
    assert len(listed) == 1 and listed[0]["problem"] is None
    assert run(["backup", "restore", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "已从" in out and ".damaged-" in out
    assert run(["info", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["households"] == demo_facts.households
    # a file that is not a backup of ours is refused, naming it
    bad = tmp_path / "notes.sqlite"
    bad.write_text("hello")
    assert run(["backup", "restore", "--db", str(db), "--from", str(bad)]) == 2
    assert "notes.sqlite" in capsys.readouterr().err


def test_the_app_offers_a_restore_when_the_database_cannot_be_opened(
    demo_db_path, demo_facts, tmp_path, gisplanner_home, monkeypatch, qtbot
):
    pytest.importorskip("pytestqt")
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from gisplanner.ui.application import StartupBackup, make_application, open_or_offer_restore
    from gisplanner.ui.main_window import MainWindow

    make_application()
    db = copy_db(demo_db_path, tmp_path / "gisplanner.sqlite")
    good = backup.backup(db)
    damage_one_page(db)
    shown = []

    def click_restore(box):
        shown.append(box.text())
        box.setProperty("_clicked", True)
        restore = next(b for b in box.buttons() if "恢复" in b.text())
        monkeypatch.setattr(box, "clickedButton", lambda: restore)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click_restore)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (a[3][0], True))
    # the window opens at once; the start-up backup (off the UI thread) finds the damage, copies
    # nothing over the good backup, and offers to restore it
    opened = open_or_offer_restore(str(db))
    assert opened is not None
    store, _ = opened
    window = MainWindow()
    qtbot.addWidget(window)
    window.store = store
    reopened = []
    monkeypatch.setattr(window, "_switch_to", reopened.append)
    check = StartupBackup(window, store)
    check.start()
    qtbot.waitUntil(lambda: check.done, timeout=60_000)
    assert check.outcome == "failed"
    assert shown and str(db) in shown[0] and str(good) in shown[0]
    assert reopened == [str(db)]
    assert [b.path for b in backup.list_backups(db)][-1] == good
    restored = Store.open(db)
    assert restored.counts()["households"] == demo_facts.households
    assert backup.quick_check(db) is None
    restored.close()


def test_a_damage_found_mid_command_is_a_message_with_the_backup(
    demo_db_path, tmp_path, gisplanner_home, capsys
):
    db = copy_db(demo_db_path, tmp_path / "gisplanner.sqlite")
    good = backup.backup(db)
    damage_a_target_page(db)
    rc = run(["export", "targets", "--db", str(db), "--out", str(tmp_path / "t.xlsx")])
    err = capsys.readouterr().err
    assert rc == 2 and str(db) in err and str(good) in err and "Traceback" not in err
    assert not (tmp_path / "t.xlsx").exists()


def test_the_start_up_backup_copies_only_a_changed_database(demo_db_path, tmp_path, gisplanner_home):
    """Issue 21: an unchanged database is not copied again at start; any write is."""
    db = copy_db(demo_db_path, tmp_path / "town" / "gisplanner.sqlite")
    first, written = backup.backup_if_changed(db)
    assert written and first.exists()
    assert backup.backup_if_changed(db) == (first, False)
    c = sqlite3.connect(db)
    with c:
        c.execute("UPDATE target SET name = name || '（改）' WHERE id = (SELECT MIN(id) FROM target)")
    c.close()
    second, written = backup.backup_if_changed(db)
    assert written and second != first
    c = sqlite3.connect(f"file:{second}?mode=ro", uri=True)
    assert c.execute("SELECT name FROM target ORDER BY id LIMIT 1").fetchone()[0].endswith("（改）")
    c.close()
    second.unlink()  # the newest backup gone: the next start makes one again
    third, written = backup.backup_if_changed(db)
    assert written and third.exists()
    damage_one_page(db)
    with pytest.raises(backup.BackupError):
        backup.backup_if_changed(db)
    assert {b.path for b in backup.list_backups(db)} == {first, third}
