"""Undo commands of the panels (编辑 → 撤销): assigning targets to a team, and replacing actions
(territory split, team formation, route plan) undone by restoring a snapshot."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from gisplanner.teams.territory import assign_targets, restore_assignment
from gisplanner.ui import saving
from gisplanner.ui.context import PanelContext


class AssignTargetsCommand(QUndoCommand):
    """Give targets of a round to a team; undo puts every target back with its former team.
    ``panel``: the TeamsPanel (its ``ctx``, the ``assigned`` map the user saw, ``reload``)."""

    def __init__(self, panel: QWidget, round_id: int, target_ids, team_id: int | None, text: str):
        super().__init__(text)
        self.panel, self.round_id, self.team_id = panel, round_id, team_id
        self.target_ids = [int(t) for t in target_ids]
        self.previous: dict[int, int | None] | None = None

    def redo(self) -> None:
        store = self.panel.ctx.store
        if self.previous is None:  # the first time: only over the assignments the user saw
            before = self._assign_checked(store)
            if before is None:  # the user took the other planner's assignments
                self.previous = {}
                self.setObsolete(True)
                self.panel.reload()
                return
        else:
            before = assign_targets(store, self.round_id, self.target_ids, self.team_id)
        if self.previous is None:
            self.previous = before
        self.panel.reload()

    def _assign_checked(self, store) -> dict | None:
        """Assign through the optimistic check; a conflict is shown (keep mine / theirs / merge)."""
        from gisplanner.access import concurrency as cc

        seen = {t: self.panel.assigned.get(t) for t in self.target_ids}
        try:
            return assign_targets(store, self.round_id, self.target_ids, self.team_id, expected=seen)
        except cc.ConflictError as e:
            conflict = e.conflicts[0]
            choice, picks = saving.ask(self.panel, conflict)
            if choice == cc.TAKE_THEIRS:
                return None
            ids = self.target_ids
            if choice == cc.MERGE:  # their targets stay theirs unless the user picked them back
                theirs_kept = {k for k, who in picks.items() if who == cc.TAKE_THEIRS}
                changed = set(conflict.current["changed"])
                keys = {k: t for k, t in zip(conflict.theirs, conflict.current["changed"], strict=False)}
                keep_theirs = {t for k, t in keys.items() if k in theirs_kept} | (
                    changed - set(keys.values())
                )
                ids = [t for t in ids if t not in keep_theirs]
            self.target_ids = ids
            return assign_targets(store, self.round_id, ids, self.team_id)

    def undo(self) -> None:
        if self.previous is not None:
            restore_assignment(self.panel.ctx.store, self.round_id, self.previous)
        self.panel.reload()


class SnapshotCommand(QUndoCommand):
    """A replacing action already done (split, formation, plan): undo restores the snapshot taken
    before it, redo the one taken after it (gisplanner.planning.snapshots)."""

    def __init__(self, ctx: PanelContext, text: str, restore, before, after, done=None):
        super().__init__(text)
        self.ctx, self.restore, self.before, self.after = ctx, restore, before, after
        self.done = done  # called after undo/redo (reload what shows the data)
        self._applied = True  # the first redo (push) finds the action already done

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.restore(self.ctx.store, self.after)
        self._finish()

    def undo(self) -> None:
        self.restore(self.ctx.store, self.before)
        self._finish()

    def _finish(self) -> None:
        if self.done is not None:
            self.done()
        self.ctx.data_changed.emit()
