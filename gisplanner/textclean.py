"""User-supplied text made safe to store: one function for every importer.

NFKC folds full-width digits and letters to ASCII (１３８ → 138); control characters (NUL,
escape …) and invisible format characters (zero-width space/joiner, BOM, the bidirectional
overrides that make “名字” display reversed) are removed; surrounding blanks stripped. Tabs and
line breaks inside a cell become a space.
"""

from __future__ import annotations

import unicodedata

_REMOVED = [
    *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0x00AD, 0x061C, 0x180E,
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070),
    0xFEFF, *range(0xFFF9, 0xFFFC),
]  # fmt: skip
_TABLE = {c: None for c in _REMOVED} | {0x09: " ", 0x0A: " ", 0x0D: " "}


def clean_text(v: object) -> str:
    """The text a user meant: NFKC, no control or invisible format characters, stripped."""
    if v is None:
        return ""
    s = v if isinstance(v, str) else str(v)
    if s.isascii():
        return (s if s.isprintable() else s.translate(_TABLE)).strip()
    return unicodedata.normalize("NFKC", s).translate(_TABLE).strip()


def has_hidden(v: str) -> bool:
    """Whether the text carries characters `clean_text` removes (for messages)."""
    return v.translate(_TABLE) != v
