"""One rule for every spreadsheet cell the project writes from user-supplied text.

Text that a spreadsheet would take for a formula — starting with ``= + - @`` or a control
character (tab, carriage return … the CSV-injection variants) — is written as a string cell
with Excel's quote prefix, so it shows as typed and stays text when the cell is edited; the
characters XML 1.0 forbids are dropped (Excel refuses such a file, openpyxl raises).
Used by gisplanner.io.xlsx_writer (the fast writer) and by every openpyxl writer via :func:`put`
and :func:`append`.
"""

from __future__ import annotations

import re
import unicodedata

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_START = frozenset("=+-@＝＋－＠")


def needs_quote(s: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or a DDE/CSV payload)."""
    if not s:
        return False
    first = s[0]
    return first in FORMULA_START or unicodedata.category(first) == "Cc"


def clean(s: str) -> str:
    """Text without the characters an .xlsx may not contain."""
    return _ILLEGAL.sub("", s)


def put(ws, row: int, column: int, value):
    """ws.cell(row, column, value) with user text kept as text (openpyxl would make '=…' a formula)."""
    if isinstance(value, str):
        text = clean(value)
        cell = ws.cell(row=row, column=column)
        cell.value = text
        if needs_quote(text):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    return ws.cell(row=row, column=column, value=value)


def append(ws, values) -> int:
    """ws.append(values) with the same rule; returns the row number written."""
    row = ws.max_row + 1 if (ws.max_row > 1 or ws.cell(row=1, column=1).value is not None) else 1
    for j, v in enumerate(values, start=1):
        if v is not None:
            put(ws, row, j, v)
    return row
