"""The selection model keeps sorted unique ids; undo and redo restore exactly the selection before
and after, for replace, add and remove, and listeners hear exactly what changed (issue 21)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def model(qtbot):  # noqa: ARG001 - a QApplication
    from PySide6.QtGui import QUndoStack

    from gisplanner.ui.selection import SelectionModel

    stack = QUndoStack()
    m = SelectionModel(stack)
    heard = []
    m.changed.connect(lambda sel, desel: heard.append((sel.tolist(), desel.tolist())))
    return m, stack, heard


def test_replace_add_remove_and_their_undo(model):
    m, stack, heard = model
    m.select([5, 3, 3, 9, 1])
    assert m.ids.tolist() == [1, 3, 5, 9]
    m.select([9, 2, 7], "add")
    assert m.ids.tolist() == [1, 2, 3, 5, 7, 9]
    assert heard[-1] == ([2, 7], [])
    m.select([3, 7, 100], "remove")
    assert m.ids.tolist() == [1, 2, 5, 9]
    assert heard[-1] == ([], [3, 7])
    m.select([9, 4])
    assert m.ids.tolist() == [4, 9]
    assert heard[-1] == ([4], [1, 2, 5])
    states = [[1, 2, 5, 9], [1, 2, 3, 5, 7, 9], [1, 3, 5, 9], []]
    for want in states:
        stack.undo()
        assert m.ids.tolist() == want
    for want in reversed([[4, 9], *states[:-1]]):
        stack.redo()
        assert m.ids.tolist() == want


def test_no_change_makes_no_undo_step(model):
    m, stack, heard = model
    m.select([1, 2])
    n = stack.count()
    m.select([2, 1])
    m.select([2], "add")
    m.select([7], "remove")
    assert stack.count() == n and len(heard) == 1


def test_large_random_selections_match_set_arithmetic(model):
    m, stack, _ = model
    rng = np.random.default_rng(7)
    current: set[int] = set()
    history = [set()]
    for step in range(30):
        ids = rng.integers(0, 50_000, rng.integers(0, 20_000))
        mode = ("replace", "add", "remove")[step % 3]
        m.select(ids, mode)
        s = set(ids.tolist())
        current = s if mode == "replace" else current | s if mode == "add" else current - s
        assert m.ids.tolist() == sorted(current)
        if current != history[-1]:  # an unchanged selection is no undo step
            history.append(set(current))
    for want in reversed(history[:-1]):
        stack.undo()
        assert m.ids.tolist() == sorted(want)
