"""The domain's words (outcomes, statuses, kinds, tags, problem categories …) in the UI language.

The core keeps one Chinese label per value (:mod:`gisplanner.store.vocab` and the label tables of
the model); the UI shows them through :func:`vocab`, which looks the label up in the "Vocab"
translation context (resources/translations/make_ts.py lists every label with its English).
Printed paper and exports stay in Chinese: they are for the town.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def vocab(label: str) -> str:
    """A Chinese vocabulary label in the language the UI speaks (unchanged in Chinese)."""
    return QCoreApplication.translate("Vocab", label) if label else label
