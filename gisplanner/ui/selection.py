"""The selection model: which targets are selected; announces (selected, deselected).

Every change goes through a QUndoCommand on the window's undo stack so Ctrl+Z restores the
previous selection. The map highlight, the attribute table and the panels listen to `changed`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

MODES = ("replace", "add", "remove")


class SelectionModel(QObject):
    changed = Signal(object, object)  # selected ids, deselected ids (numpy int64 arrays)

    def __init__(self, undo_stack: QUndoStack | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._ids = np.empty(0, np.int64)
        self.undo_stack = undo_stack

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def select(self, ids, mode: str = "replace", text: str | None = None) -> None:
        """Change the selection (undoable): replace it, add to it (Shift) or remove from it (Ctrl)."""
        ids = np.unique(np.asarray(ids, np.int64))
        if mode == "add":
            new = np.union1d(self._ids, ids)
        elif mode == "remove":
            new = np.setdiff1d(self._ids, ids)
        elif mode == "replace":
            new = ids
        else:
            raise ValueError(mode)
        if np.array_equal(new, self._ids):
            return
        if self.undo_stack is None:
            self._set(new)
        else:
            self.undo_stack.push(_SelectCommand(self, self._ids, new, text or f"选择 {len(new)} 个对象"))

    def clear(self) -> None:
        self.select([], "replace", "取消选择")

    def _set(self, new: np.ndarray) -> None:
        old = self._ids
        self._ids = new
        self.changed.emit(np.setdiff1d(new, old), np.setdiff1d(old, new))


class _SelectCommand(QUndoCommand):
    def __init__(self, model: SelectionModel, old: np.ndarray, new: np.ndarray, text: str):
        super().__init__(text)
        self.model, self.old, self.new = model, old, new

    def redo(self) -> None:
        self.model._set(self.new)  # noqa: SLF001

    def undo(self) -> None:
        self.model._set(self.old)  # noqa: SLF001
