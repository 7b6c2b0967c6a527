"""The selection model: which targets are selected; announces (selected, deselected).

Every change goes through a QUndoCommand on the window's undo stack so Ctrl+Z restores the
previous selection. The map highlight, the attribute table and the panels listen to `changed`.

Scale (a lasso of 179,000 of 250,000 households, or millions in a city): the ids are kept as one
sorted array of unique ids; set operations are merges and binary searches on sorted arrays
(no hashing, no re-sorting of what is already sorted), and an undo command stores only the
change (ids added, ids removed), not two copies of the selection.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

MODES = ("replace", "add", "remove")
_EMPTY = np.empty(0, np.int64)


def sorted_unique(ids) -> np.ndarray:
    """``ids`` as a sorted array of unique int64 (no copy-sort when already so)."""
    a = np.asarray(ids, np.int64).ravel()
    if len(a) < 2:
        return a.copy()
    if np.all(a[1:] > a[:-1]):
        return a
    a = np.sort(a)
    keep = np.empty(len(a), bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def in_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boolean mask: which of ``a`` are in the sorted array ``b``."""
    if not len(b) or not len(a):
        return np.zeros(len(a), bool)
    k = np.searchsorted(b, a)
    k[k == len(b)] = len(b) - 1
    return b[k] == a


def merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The union of two disjoint sorted arrays, sorted (timsort merges the two runs in O(n))."""
    if not len(a):
        return b
    if not len(b):
        return a
    out = np.concatenate([a, b])
    out.sort(kind="stable")
    return out


class SelectionModel(QObject):
    changed = Signal(object, object)  # selected ids, deselected ids (sorted numpy int64 arrays)

    def __init__(self, undo_stack: QUndoStack | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._ids = _EMPTY
        self.undo_stack = undo_stack

    @property
    def ids(self) -> np.ndarray:
        """The selected ids, sorted and unique (do not modify)."""
        return self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def select(self, ids, mode: str = "replace", text: str | None = None) -> None:
        """Change the selection (undoable): replace it, add to it (Shift) or remove from it (Ctrl)."""
        if mode not in MODES:
            raise ValueError(mode)
        ids = sorted_unique(ids)
        old = self._ids
        if mode == "add":
            added, removed = ids[~in_sorted(ids, old)], _EMPTY
        elif mode == "remove":
            added, removed = _EMPTY, ids[in_sorted(ids, old)]
        else:
            added, removed = ids[~in_sorted(ids, old)], old[~in_sorted(old, ids)]
        if not len(added) and not len(removed):
            return
        size = len(old) + len(added) - len(removed)
        if self.undo_stack is None:
            self._apply(added, removed)
        else:
            self.undo_stack.push(_SelectCommand(self, added, removed, text or f"选择 {size} 个对象"))

    def clear(self) -> None:
        self.select([], "replace", "取消选择")

    def _apply(self, added: np.ndarray, removed: np.ndarray) -> None:
        """Add ``added`` (none selected yet) and drop ``removed`` (all selected); announce both."""
        ids = self._ids
        if len(removed):
            ids = ids[~in_sorted(ids, removed)] if len(removed) < len(ids) else _EMPTY
        self._ids = merge_sorted(ids, added)
        self.changed.emit(added, removed)


class _SelectCommand(QUndoCommand):
    """One selection change, stored as its difference (undo applies it the other way)."""

    def __init__(self, model: SelectionModel, added: np.ndarray, removed: np.ndarray, text: str):
        super().__init__(text)
        self.model, self.added, self.removed = model, added, removed

    def redo(self) -> None:
        self.model._apply(self.added, self.removed)  # noqa: SLF001

    def undo(self) -> None:
        self.model._apply(self.removed, self.added)  # noqa: SLF001
