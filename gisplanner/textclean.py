"""User-supplied text made safe to store: one function for every importer.

NFKC folds full-width digits and letters to ASCII (１３８ → 138); control characters (NUL,
escape …) and invisible format characters (zero-width space/joiner, BOM, the bidirectional
overrides that make “名字” display reversed) are removed; surrounding blanks stripped. Tabs and
line breaks inside a cell become a space.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_BLANKS = re.compile(r"[\t\r\n]+")


def clean_text(v: object) -> str:
    """The text a user meant: NFKC, no control or invisible format characters, stripped."""
    if v is None:
        return ""
    s = v if isinstance(v, str) else str(v)
    if s.isascii() and s.isprintable():
        return s.strip()
    s = unicodedata.normalize("NFKC", s)
    s = _BLANKS.sub(" ", s)
    return _INVISIBLE.sub("", s).strip()


def has_hidden(v: str) -> bool:
    """Whether the text carries characters `clean_text` removes (for messages)."""
    return bool(_INVISIBLE.search(v))
