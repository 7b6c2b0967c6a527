"""Which text encoding a CSV file is in: UTF-8 (with or without BOM), GBK/GB18030, UTF-16.

Offices save CSV from Excel on Chinese Windows, which writes GBK ("ANSI" code page 936);
WPS and newer Excel write UTF-8 with a BOM; "Unicode text" is UTF-16 with a BOM.
Strict decoding decides: valid UTF-8 is almost never valid by accident for Chinese text,
and GB18030 (a superset of GBK) is tried after it.
"""

from __future__ import annotations

import codecs
from pathlib import Path

ENCODING_ZH = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带BOM）",
    "gbk": "GBK",
    "gb18030": "GB18030",
    "utf-16": "UTF-16",
}


class EncodingError(ValueError):
    """The bytes are not text in any encoding we know."""


def detect_encoding(data: bytes) -> str:
    """The Python codec name for `data`: 'utf-8-sig', 'utf-16', 'utf-8', 'gbk' or 'gb18030'.

    Raises EncodingError when none decodes the bytes strictly (a binary file, say).
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise EncodingError("文件含有二进制数据，不是文本文件")
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    raise EncodingError("无法识别文件编码（不是UTF-8、GBK或GB18030）")


def detect_file_encoding(path: str | Path) -> str:
    return detect_encoding(Path(path).read_bytes())


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) — the text decoded with the detected encoding."""
    enc = detect_encoding(data)
    return data.decode(enc), enc
