"""User-supplied text made safe to store: one function for every importer.

NFKC folds full-width digits and letters to ASCII (１３８ → 138); control characters (NUL,
escape …) and invisible format characters (zero-width space/joiner, BOM, the bidirectional
overrides that make “名字” display reversed) are removed; surrounding blanks stripped. Tabs and
line breaks inside a cell become a space.
"""

from __future__ import annotations

import re
import unicodedata

# control characters (all but tab/newline/return) and invisible format characters: zero-width
# space/joiners, LRM/RLM, the bidirectional embeddings/overrides/isolates, word joiner, BOM …
_GONE_CLASS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_GONE = re.compile(f"[{_GONE_CLASS}]")
_BLANKS = re.compile("[\t\n\r]")
#: any character clean_text removes or replaces (one C-speed search decides whether to clean)
HIDDEN = re.compile(f"[{_GONE_CLASS}\t\n\r]")


def _scrub(s: str) -> str:
    return _GONE.sub("", _BLANKS.sub(" ", s))


def clean_text(v: object) -> str:
    """The text a user meant: NFKC, no control or invisible format characters, stripped."""
    if v is None:
        return ""
    s = v if isinstance(v, str) else str(v)
    if s.isascii():
        return (s if s.isprintable() else _scrub(s)).strip()
    if not unicodedata.is_normalized("NFKC", s):
        s = unicodedata.normalize("NFKC", s)
    return (_scrub(s) if HIDDEN.search(s) else s).strip()


def has_hidden(v: str) -> bool:
    """Whether the text carries characters `clean_text` removes (for messages)."""
    return bool(HIDDEN.search(v))
