"""`backup list|restore|now --db DB [--from FILE]`: the SQLite file's checked backups.

`restore` works on a database that cannot be opened any more (it never opens it through the
store); the current content is backed up first, or kept beside as `*.damaged-<time>` when damaged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gisplanner.cli.common import add_actions, add_subcommand, print_json, subcommand


def register(sub) -> None:
    acts = add_actions(sub.add_parser("backup", help="SQLite 数据库的备份：列出、恢复、立即备份"), "action")
    add_subcommand(acts, "list", run_list, help="列出该数据库的备份（最新的在前）并检查每个备份")
    with subcommand(acts, "restore", run_restore, help="从备份恢复（默认：最新的完好备份）") as rs:
        rs.add_argument("--from", dest="source", default=None, help="备份文件（默认：最新的完好备份）")
    add_subcommand(acts, "now", run_now, help="立即备份（先检查数据库是否完好）")


def _sqlite_path(args) -> Path | None:
    from gisplanner.store.database import resolve_url

    url = resolve_url(args.db)
    if not url.startswith("sqlite:///"):
        print("错误：共享数据库（PostgreSQL）由服务器备份，这里只管理本地 SQLite 文件", file=sys.stderr)
        return None
    return Path(url.removeprefix("sqlite:///"))


def run_list(args) -> int:
    from gisplanner.store import backup

    db = _sqlite_path(args)
    if db is None:
        return 2
    items = [b.as_dict(with_check=True) for b in backup.list_backups(db)]
    if args.json:
        print_json({"database": str(db), "folder": str(backup.folder_for(db)), "backups": items})
        return 0
    print(f"{db} 的备份（{backup.folder_for(db)}）：")
    if not items:
        print("  还没有备份")
    for b in items:
        state = "完好" if b["problem"] is None else f"损坏：{b['problem']}"
        print(f"  {b['time']}  {b['bytes'] / 1e6:8.1f} MB  {state}  {b['file']}")
    return 0


def run_restore(args) -> int:
    from gisplanner.store import backup

    db = _sqlite_path(args)
    if db is None:
        return 2
    try:
        used, previous = backup.restore(db, Path(args.source) if args.source else None)
    except backup.BackupError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json({"database": str(db), "restored_from": str(used), "previous": previous and str(previous)})
    else:
        print(f"已从 {used} 恢复 {db}")
        if previous is not None:
            print(f"恢复前的内容保存在 {previous}")
    return 0


def run_now(args) -> int:
    from gisplanner.store import backup

    db = _sqlite_path(args)
    if db is None:
        return 2
    if not db.exists():
        print(f"错误：数据库文件“{db}”不存在", file=sys.stderr)
        return 2
    try:
        dest = backup.backup(db)
    except backup.BackupError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json({"database": str(db), "backup": str(dest)})
    else:
        print(f"已备份到 {dest}")
    return 0
