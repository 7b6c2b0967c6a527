"""A small, fast .xlsx writer for plain tables (exports, rejects files, sample files).

openpyxl without lxml spends ~0.1 ms per cell writing, which is minutes for a 250,000-row
export. A table needs none of its features: this writes the sheet XML directly (inline
strings, numbers, a bold header, a frozen first row, one highlight style) into the zip.
Text stays text: a roster cell “=1+1” or “0519…” is written as a string, never a formula
or a number.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from gisplanner.io.safe_cells import needs_quote

# characters XML 1.0 forbids (Excel refuses the file if they appear)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STYLE_NORMAL, STYLE_HEADER, STYLE_HIGHLIGHT = 0, 1, 2
# the same styles with Excel's quote prefix: text that looks like a formula stays text
_QUOTED = {STYLE_NORMAL: 3, STYLE_HIGHLIGHT: 4, STYLE_HEADER: STYLE_HEADER}

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
{sheets}
</Types>"""
_SHEET_CT = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets>
</workbook>"""
_WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{rels}
<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1" quotePrefix="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{dim}"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>{cols}<sheetData>'
)


def column_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _text(v: str) -> str:
    return escape(_ILLEGAL.sub("", v))


class _Strings:
    """The shared-strings table: what Excel itself writes, and what readers parse fastest."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.count = 0

    def ref(self, text: str) -> int:
        self.count += 1
        idx = self.index.get(text)
        if idx is None:
            idx = self.index[text] = len(self.index)
        return idx

    def xml(self) -> str:
        items = []
        for t in self.index:
            e = _text(t)
            space = ' xml:space="preserve"' if e[:1].isspace() or e[-1:].isspace() else ""
            items.append(f"<si><t{space}>{e}</t></si>")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">' + "".join(items) + "</sst>"
        )


def _cell(ref: str, v, style: int, sst: _Strings) -> str:
    s = f' s="{style}"' if style else ""
    if v is None or v is pd.NA or v is pd.NaT:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(v, (bool, np.bool_)):
        v = "是" if v else "否"
    elif isinstance(v, (int, np.integer)):
        return f'<c r="{ref}"{s}><v>{int(v)}</v></c>'
    elif isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            return f'<c r="{ref}"{s}/>' if style else ""
        return f'<c r="{ref}"{s}><v>{float(v)!r}</v></c>'
    text = str(v)
    if needs_quote(text):
        s = f' s="{_QUOTED.get(style, style)}"'
    return f'<c r="{ref}"{s} t="s"><v>{sst.ref(text)}</v></c>'


def _sheet_xml(df: pd.DataFrame, highlight_last: bool, widths: dict[int, float] | None, sst: _Strings):
    letters = [column_letter(i) for i in range(len(df.columns))]
    cols = ""
    if widths:
        cols = (
            "<cols>"
            + "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                for i, w in sorted(widths.items())
            )
            + "</cols>"
        )
    dim = f"A1:{letters[-1] if letters else 'A'}{len(df) + 1}"
    yield _SHEET_HEAD.format(cols=cols, dim=dim)
    yield (
        '<row r="1">'
        + "".join(_cell(f"{c}1", str(h), STYLE_HEADER, sst) for c, h in zip(letters, df.columns, strict=True))
        + "</row>"
    )
    last = len(letters) - 1
    obj = df.astype(object).where(df.notna(), None)
    for r, values in enumerate(obj.itertuples(index=False, name=None), start=2):
        cells = [
            _cell(f"{c}{r}", v, STYLE_HIGHLIGHT if highlight_last and i == last else STYLE_NORMAL, sst)
            for i, (c, v) in enumerate(zip(letters, values, strict=True))
        ]
        yield f'<row r="{r}">' + "".join(cells) + "</row>"
    yield "</sheetData></worksheet>"


def write_xlsx(
    path: str | Path,
    sheets: list[tuple[str, pd.DataFrame]],
    *,
    highlight_last_column: bool = False,
    widths: dict[int, float] | None = None,
    on_rows=None,
) -> None:
    """Write DataFrames as sheets (name, frame). `on_rows(n)` is called every 5,000 rows."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        _put(
            z,
            "[Content_Types].xml",
            _CONTENT_TYPES.format(sheets="".join(_SHEET_CT.format(n=i + 1) for i in range(len(sheets)))),
        )
        _put(z, "_rels/.rels", _RELS)
        names = "".join(
            f'<sheet name="{_text(_sheet_name(t))}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, (t, _) in enumerate(sheets)
        )
        _put(z, "xl/workbook.xml", _WORKBOOK.format(sheets=names))
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        _put(z, "xl/_rels/workbook.xml.rels", _WB_RELS.format(rels=rels))
        _put(z, "xl/styles.xml", _STYLES)
        done = 0
        sst = _Strings()
        for i, (_, df) in enumerate(sheets):
            with z.open(_info(f"xl/worksheets/sheet{i + 1}.xml"), "w", force_zip64=True) as f:
                buf: list[str] = []
                for n, part in enumerate(_sheet_xml(df, highlight_last_column, widths, sst)):
                    buf.append(part)
                    if len(buf) >= 2000:
                        f.write("".join(buf).encode("utf-8"))
                        buf.clear()
                    if on_rows is not None and n and n % 5000 == 0:
                        on_rows(done + n)
                f.write("".join(buf).encode("utf-8"))
            done += len(df)
        _put(z, "xl/sharedStrings.xml", sst.xml())


def _info(name: str) -> zipfile.ZipInfo:
    # a fixed timestamp: the same table gives the same bytes (sample files under git)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _put(z: zipfile.ZipFile, name: str, text: str) -> None:
    z.writestr(_info(name), text, compresslevel=1)


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet"
