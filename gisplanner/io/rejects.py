"""The rejects file: the rows that were not imported, as they were, with the reason beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gisplanner.io.atomic import atomic_path
from gisplanner.io.readers import RawTable

ROW_COLUMN = "原行号"
REASON_COLUMN = "错误原因"


def default_rejects_path(source: str | Path) -> Path:
    """`households.xlsx` → `households.rejects.xlsx` (a CSV gets a CSV) beside the source."""
    source = Path(source)
    suffix = ".csv" if source.suffix.lower() in (".csv", ".txt", ".tsv") else ".xlsx"
    return source.with_name(f"{source.stem}.rejects{suffix}")


def rejects_frame(table: RawTable, bad_positions, reasons: dict[int, str]) -> pd.DataFrame:
    """Original cells of the bad rows, their Excel row numbers first and the reason last."""
    frame = table.frame.iloc[list(bad_positions)].copy()
    rows = table.rows[list(bad_positions)]
    frame.insert(0, ROW_COLUMN, rows)
    frame[REASON_COLUMN] = [reasons.get(int(r), "") for r in rows]
    return frame.reset_index(drop=True)


def write_rejects(frame: pd.DataFrame, dest: str | Path, encoding: str | None = None) -> Path:
    """Write the rejects (xlsx or csv by suffix) atomically; returns the path written."""
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        write_rejects_to(frame, tmp, as_csv=dest.suffix.lower() == ".csv", encoding=encoding)
    return dest


def write_rejects_to(frame: pd.DataFrame, path: Path, *, as_csv: bool, encoding: str | None = None) -> None:
    """Write the rejects to exactly `path` (the caller renames it into place)."""
    if as_csv:
        # GBK in, GBK out (the office's Excel opens it); otherwise UTF-8 with BOM for Excel
        enc = encoding if encoding in ("gbk", "gb18030") else "utf-8-sig"
        frame.to_csv(path, index=False, encoding=enc, errors="replace")
    else:
        _write_xlsx(frame, path)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from gisplanner.io.xlsx_writer import write_xlsx

    write_xlsx(path, [("未导入的行", frame)], highlight_last_column=True, widths={len(frame.columns) - 1: 60})
