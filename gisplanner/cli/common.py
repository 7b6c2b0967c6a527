"""Helpers shared by the CLI commands.

A command with actions (`backup list|restore|now`) is wired the same way everywhere::

    acts = add_actions(sub.add_parser("backup", help=…), "action")
    add_subcommand(acts, "list", run_list, help=…)            # --db, --json
    with subcommand(acts, "restore", run_restore, help=…) as rs:
        rs.add_argument("--from", dest="source")              # between --db and --json

so every (sub-)command takes `--db` first and `--json` last, and `func` runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator

from gisplanner.store.database import Store, StoreError


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite 文件路径或 PostgreSQL 地址 (postgresql://…)；默认：用户数据目录中的数据库",
    )


def add_actions(parser: argparse.ArgumentParser, dest: str, metavar: str = "ACTION", required: bool = True):
    """The sub-commands of a command; `args.<dest>` names the one given."""
    return parser.add_subparsers(dest=dest, metavar=metavar, required=required)


@contextlib.contextmanager
def subcommand(
    actions,
    name: str,
    run: Callable[[argparse.Namespace], int],
    *,
    db: bool = True,
    json: bool = True,
    json_help: str | None = None,
    **parser_options,
) -> Iterator[argparse.ArgumentParser]:
    """A (sub-)command: `--db` first, the options the `with` block adds, `--json` last (unless
    `json=False`); `run(args)` returns the exit code. `parser_options` go to add_parser (help=…)."""
    p = actions.add_parser(name, **parser_options)
    if db:
        add_db_argument(p)
    yield p
    if json:
        p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=run)


def add_subcommand(
    actions, name: str, run: Callable[[argparse.Namespace], int], **options
) -> argparse.ArgumentParser:
    """A sub-command with no options of its own (see :func:`subcommand`)."""
    with subcommand(actions, name, run, **options) as p:
        return p


def open_store(args: argparse.Namespace) -> Store:
    """Open the database; on a shared (PostgreSQL) one, sign in as the login: its role and scope
    then limit what every command reads and writes (gisplanner.access.roles)."""
    from gisplanner.access.roles import sign_in

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

    from gisplanner.store.model import Round

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
