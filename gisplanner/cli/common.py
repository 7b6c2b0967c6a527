"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import json
import sys

from gisplanner.store import Store, StoreError


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite 文件路径或 PostgreSQL 地址 (postgresql://…)；默认：用户数据目录中的数据库",
    )


def open_store(args: argparse.Namespace) -> Store:
    """Open the database; on a shared (PostgreSQL) one, sign in as the login: its role and scope
    then limit what every command reads and writes (gisplanner.roles)."""
    from gisplanner.roles import sign_in

    try:
        store = Store.open(args.db)
        if not store.is_sqlite:
            sign_in(store)
        return store
    except StoreError as e:
        print(f"错误：{e}", file=sys.stderr)
        raise SystemExit(2) from e


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def resolve_round(store: Store, value: str | int | None) -> int:
    """A round id from `--round` (an id or a name); the newest round when not given."""
    from sqlalchemy import select

    from gisplanner.model import Round

    with store.session() as s:
        if value is None:
            rid = s.scalar(select(Round.id).order_by(Round.id.desc()).limit(1))
        elif str(value).isdigit():
            rid = s.scalar(select(Round.id).where(Round.id == int(value)))
        else:
            rid = s.scalar(select(Round.id).where(Round.name == str(value)))
    if rid is None:
        print(f"错误：找不到走访轮次 {value!r}（用 info 查看已有轮次）", file=sys.stderr)
        raise SystemExit(2)
    return rid
