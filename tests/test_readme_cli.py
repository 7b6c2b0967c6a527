"""The README's command table says what the CLI really does (every command, sub-command and flag).

Each row's first cell is a usage line, e.g. ``plan --db PATH --round ROUND [--quick-teams N]``.
The test reads the same argparse parser that prints ``--help``: the command exists, every
alternative of ``a|b|c`` is one of its sub-commands or choices, every flag exists on it (or on the
sub-commands named), and a flag written with a value takes one while a bare flag takes none.
Every command of the CLI has a row.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from gisplanner import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def table_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## 命令行", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)
    return [row.replace("\\|", "|") for row in rows]  # Markdown escapes | inside a table


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {opt: a for a in parser._actions for opt in a.option_strings}  # noqa: SLF001


def first_positional_choices(parser: argparse.ArgumentParser) -> set[str]:
    for a in parser._actions:  # noqa: SLF001
        if not a.option_strings and a.choices and not isinstance(a, argparse._SubParsersAction):  # noqa: SLF001
            return set(a.choices)
    return set()


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


ROWS = table_rows()
COMMANDS = subparsers(cli.build_parser())


def test_readme_has_a_row_for_every_command():
    documented = {row.split()[0] for row in ROWS}
    assert documented, "no command table found under '## 命令行'"
    assert set(COMMANDS) <= documented, f"commands missing from the README: {set(COMMANDS) - documented}"


@pytest.mark.parametrize("row", ROWS)
def test_readme_row_matches_the_parser(row):
    words = row.replace("[", " ").replace("]", " ").split()
    command, rest = words[0], words[1:]
    assert command in COMMANDS, f"README names an unknown command: {command}"
    parser = COMMANDS[command]
    parsers = [parser]
    if rest and not rest[0].startswith("-"):
        names = rest[0].split("|")
        subs, choices = subparsers(parser), first_positional_choices(parser)
        if subs:
            unknown = [n for n in names if n not in subs]
            assert not unknown, f"`{command}` has no sub-command {unknown} (it has {sorted(subs)})"
            parsers = [subs[n] for n in names]
        else:
            unknown = [n for n in names if n not in choices]
            assert not unknown, f"`{command}` does not accept {unknown} (it accepts {sorted(choices)})"
    known: dict[str, argparse.Action] = {}
    for p in parsers:
        known.update(options(p))
    for i, word in enumerate(rest):
        flag = word.split("=")[0]
        if not flag.startswith("--"):
            continue
        for alternative in flag.split("|"):
            assert alternative in known, f"`{command}` has no flag {alternative} (README: {row})"
        action = known[flag.split("|")[0]]
        following = rest[i + 1] if i + 1 < len(rest) else ""
        written_with_value = bool(following) and not following.startswith("-")
        if action.nargs in ("*", "?"):
            continue  # an optional value: written either way
        assert written_with_value == takes_value(action), (
            f"README writes `{flag}` {'with' if written_with_value else 'without'} a value, "
            f"but `{command} --help` has it {'taking' if takes_value(action) else 'not taking'} one"
        )
