"""Reading a roster file (.xlsx or .csv) into a table of text cells, with Excel row numbers.

Every cell becomes text the way the user sees it (13812345678, not 1.3812345678e10; a date
as 1985-06-01), so that validation and messages talk about what is in the file. A title row
above the header (“某某村户籍信息表”) is skipped by looking for the row that reads most like
a header. A file that cannot be read at all raises one ReadError naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gisplanner.io import headers as hdr
from gisplanner.io.encoding import EncodingError, detect_encoding

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
HEADER_SEARCH_ROWS = 10


class ReadError(Exception):
    """The file cannot be read at all (corrupt, wrong format, empty). The message names the file."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"无法读取文件“{self.path.name}”：{reason}")


@dataclass
class RawTable:
    """A roster as text: `frame` columns are the file's headers (made unique), all str."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame
    rows: np.ndarray  # Excel row number of each data row (the header row is `header_row`)
    header_row: int = 1
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    # cells whose value the file does not hold (formulas never calculated): (row, header) → why
    uncomputed: dict[tuple[int, str], str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)


def cell_text(v: object) -> str:
    """A cell value as the text a user would type for it."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _excel_column(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _unique_headers(raw: list[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(raw):
        name = h or f"（{_excel_column(i)}列）"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _find_header(rows: list[list[str]], kind: str | None) -> int:
    """Index of the header row among the first rows: the one most like headers of `kind`."""
    first_filled = next((i for i, r in enumerate(rows) if sum(1 for c in r if c) >= 2), 0)
    if kind is None:
        return first_filled
    best, best_score = first_filled, 1
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = hdr.header_score(kind, r)
        if score > best_score:
            best, best_score = i, score
    return best


def _grid(records: list[list[str]]) -> pd.DataFrame:
    """Ragged rows padded with empty cells."""
    width = max((len(r) for r in records), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) if len(r) < width else r for r in records], dtype=object)


def _table(path: Path, grid: pd.DataFrame, kind: str | None, **extra) -> RawTable:
    """Header detection and blank-row dropping on a grid of text cells (record i = row i+1)."""
    grid = grid.fillna("").astype(object).reset_index(drop=True)
    grid.columns = range(grid.shape[1])
    filled = grid.ne("").to_numpy()
    if not filled.any():
        raise ReadError(path, "文件中没有数据（是空的）")
    h = _find_header(grid.head(HEADER_SEARCH_ROWS).values.tolist(), kind)
    raw_headers = [str(c).strip() for c in grid.iloc[h].tolist()]
    has_data = filled[h + 1 :].any(axis=0)
    width = len(raw_headers)
    # drop trailing columns with neither header nor data
    while width and not raw_headers[width - 1] and not has_data[width - 1]:
        width -= 1
    headers = _unique_headers(raw_headers[:width])
    keep = filled[h + 1 :, :width].any(axis=1)
    body = grid.iloc[h + 1 :, :width][keep]
    numbers = body.index.to_numpy(dtype=np.int64) + 1
    frame = body.set_axis(headers, axis=1).reset_index(drop=True)
    return RawTable(path, headers, frame, numbers, header_row=h + 1, **extra)


def read_xlsx(path: str | Path, *, kind: str | None = None, sheet: str | None = None) -> RawTable:
    """The fast streaming reader first; openpyxl (the reference) when it cannot cope."""
    path = Path(path)
    from gisplanner.io.xlsx_reader import UncomputedFormula, XlsxBook

    try:
        book = XlsxBook(path)
    except Exception:  # noqa: BLE001 - openpyxl below gives the user-facing message
        return _read_xlsx_openpyxl(path, kind=kind, sheet=sheet)
    try:
        names = [n for n, _ in book.sheets]
        if sheet is not None and sheet not in names:
            raise ReadError(path, f"没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
        formulas: list[tuple[int, int, str]] = []
        records = []
        for i, row in enumerate(book.rows(sheet)):
            for j, v in enumerate(row):
                if isinstance(v, UncomputedFormula):
                    formulas.append(
                        (i, j, f"单元格 {v.ref} 是公式（={v.formula[:40]}），但文件中没有它的计算结果")
                    )
            records.append([cell_text(v) for v in row])
        title = sheet or names[0]
    except ReadError:
        raise
    except Exception:  # noqa: BLE001
        return _read_xlsx_openpyxl(path, kind=kind, sheet=sheet)
    finally:
        book.close()
    table = _table(path, _grid(records), kind, sheet=title, sheets=names)
    table.uncomputed = _place(table, formulas)
    return table


def _place(table: RawTable, cells: list[tuple[int, int, str]]) -> dict[tuple[int, str], str]:
    """(data row index, header) → message, for cells given by (record index, column index)."""
    if not cells:
        return {}
    pos = {int(n) - 1: i for i, n in enumerate(table.rows)}  # record index → data row index
    out = {}
    for r, c, msg in cells:
        if r in pos and c < len(table.headers):
            out[(pos[r], table.headers[c])] = msg
    return out


def _read_xlsx_openpyxl(path: Path, *, kind: str | None = None, sheet: str | None = None) -> RawTable:
    import openpyxl  # imported here: only needed for Excel files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ReadError(path, f"不是有效的Excel文件（{type(exc).__name__}）") from exc
    try:
        names = wb.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise ReadError(path, f"没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0] if wb.worksheets else None
            if ws is None:
                raise ReadError(path, "文件中没有工作表")
        try:
            records = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        except ReadError:
            raise
        except Exception as exc:  # a damaged sheet part inside a valid zip
            raise ReadError(path, f"工作表“{ws.title}”已损坏（{type(exc).__name__}）") from exc
        return _table(path, _grid(records), kind, sheet=ws.title, sheets=list(names))
    finally:
        wb.close()


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|", "，")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(path: str | Path, *, kind: str | None = None, encoding: str | None = None) -> RawTable:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"文件打不开（{exc.strerror or exc}）") from exc
    try:
        enc = encoding or detect_encoding(data)
        text = data.decode(enc)
    except (EncodingError, UnicodeDecodeError, LookupError) as exc:
        raise ReadError(
            path, str(exc) if isinstance(exc, EncodingError) else f"编码{encoding}无法解码"
        ) from exc
    if not text.strip("\ufeff \r\n\t"):
        raise ReadError(path, "文件中没有数据（是空的）")
    delimiter = _sniff_delimiter(text)
    try:
        # the C parser decodes and splits (one row per record; blank lines kept so row
        # numbers stay true); cells are stripped later, by the checks that read them
        grid = pd.read_csv(
            io.BytesIO(data), encoding=enc, sep=delimiter, header=None, dtype=object,
            keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - ragged rows or an odd delimiter: the csv module copes
        try:
            records = list(
                csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
            )
        except csv.Error as exc:
            raise ReadError(path, f"CSV格式错误（{exc}）") from exc
        grid = _grid(records)
    return _table(path, grid, kind, encoding=enc)


def read_table(path: str | Path, *, kind: str | None = None, sheet: str | None = None) -> RawTable:
    """Read an .xlsx or .csv roster; `kind` helps find the header row under a title."""
    path = Path(path)
    if not path.exists():
        raise ReadError(path, "文件不存在")
    if path.is_dir():
        raise ReadError(path, "这是一个文件夹，不是文件")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_xlsx(path, kind=kind, sheet=sheet)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, kind=kind)
    if suffix == ".xls":
        raise ReadError(path, "不支持旧版 .xls 格式，请在Excel中“另存为” .xlsx 或 CSV")
    raise ReadError(path, f"不支持的文件类型“{path.suffix}”（支持 .xlsx、.csv）")
