"""The one save path of the forms: every edit of a row goes through
:func:`gisplanner.access.concurrency.save_action` / :func:`~gisplanner.access.concurrency.save_edit`
(optimistic locking on the version the form showed); a conflict opens
:class:`~gisplanner.ui.conflict_dialog.ConflictDialog` (who, when, what), and the
user keeps theirs, takes the other version or merges. Writes that add rows (a visit, a new
problem) go through :func:`unit_of_work` (scope checks, reconnects).
"""

from __future__ import annotations

from collections.abc import Callable

from gisplanner.access import concurrency as cc
from gisplanner.ui.conflict_dialog import ConflictDialog

snapshot = cc.snapshot  # the row as a form shows it: the `seen` of a later save


def ask(parent, conflict: cc.Conflict, action: str | None = None) -> tuple[str, dict]:
    """Show the conflict; returns (choice, picks). Closing the dialog takes the other version."""
    dlg = ConflictDialog(conflict, action=action, parent=parent)
    dlg.exec()
    return dlg.choice, dlg.picks


def save_edit(parent, store, cls, key, seen: dict, changes: dict) -> int | None:
    """Save form fields; on a conflict ask the user. Returns the new version, None if the user
    took the other version (then reload the form)."""
    while True:
        try:
            return cc.save_edit(store, cls, key, seen, changes)
        except cc.ConflictError as e:
            conflict = e.conflicts[0]
            choice, picks = ask(parent, conflict)
            nxt = cc.resolve(conflict, changes, choice, picks)
            if nxt is None:
                return None
            seen, changes = nxt


def save_action(parent, store, cls, key, seen: dict, action: Callable, *, label: str) -> tuple[bool, object]:
    """Run a workflow step (``action(session, row)``) on the version the user saw; on a conflict
    show the other change and run it again over that version only if the user says so.
    Returns (done, result)."""
    while True:
        try:
            return True, cc.save_action(store, cls, key, seen, action)
        except cc.ConflictError as e:
            conflict = e.conflicts[0]
            choice, _picks = ask(parent, conflict, action=label)
            if choice == cc.TAKE_THEIRS or conflict.their_version is None:
                return False, None
            seen = dict(conflict.current)


def save_changes(parent, store, cls, key, seen: dict, changes: dict, apply: Callable, *, label: str):
    """Save `changes` (field -> the user's value) with a domain function, ``apply(session, row,
    changes)`` (its rules checked), on the version the user `seen`. On a conflict the user keeps
    theirs (all their changes over the other version), takes the other version, or merges field
    by field (:func:`gisplanner.access.concurrency.resolve`). Returns (saved, result)."""
    while True:
        mine = {k: (seen.get(k), v) for k, v in changes.items() if seen.get(k) != v}
        try:
            return True, cc.save_action(
                store, cls, key, seen, lambda s, row, ch=changes: apply(s, row, ch), mine=mine
            )
        except cc.ConflictError as e:
            conflict = e.conflicts[0]
            choice, picks = ask(parent, conflict, action=label)
            if conflict.their_version is None:
                return False, None
            nxt = cc.resolve(conflict, changes, choice, picks)
            if nxt is None:
                return False, None
            seen, changes = nxt


def run(store, work: Callable):
    """A unit of work that adds rows (visits, new problems …): scope checks and reconnects."""
    return cc.unit_of_work(store, work)
