"""The command line: `python main.py COMMAND` / `gisplanner COMMAND`.

Every module in this package that defines ``register(subparsers)`` adds its commands; the
handler set with ``parser.set_defaults(func=...)`` returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gisplanner", description="大走访规划 GIS 的命令行")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def command_names() -> set[str]:
    parser = build_parser()
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return set(action.choices)
    return set()


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    from gisplanner.store.area_tree import AreaTreeError

    try:
        return int(args.func(args) or 0)
    except AreaTreeError as e:  # a tree broken before the invariants were enforced
        import sys

        print(f"错误：{e}", file=sys.stderr)
        return 2
    except Exception as e:
        code = _database_damaged(args, e)
        if code is None:
            raise
        return code


def _database_damaged(args, exc: BaseException) -> int | None:
    """A database that turns out damaged mid-command: a message naming the file and its newest good
    backup (exit 2) instead of a traceback. Other errors are not this function's business."""
    import sqlite3
    import sys

    from sqlalchemy.exc import DBAPIError

    # through SQLAlchemy, or straight from the driver (the columnar reads use the raw cursor)
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.DatabaseError):
        return None
    if not any(w in str(orig) for w in ("malformed", "not a database", "corrupt")):
        return None
    from gisplanner.store.database import resolve_url, unreadable_message

    print(f"错误：{unreadable_message(resolve_url(getattr(args, 'db', None)), exc)}", file=sys.stderr)
    return 2
