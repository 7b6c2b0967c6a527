"""Supervision (督查): areas or units side by side, laggards flagged by the office's thresholds.

Per area (district / town / village, children of a chosen area):
- 户数 households and 覆盖率 coverage = households met in person or by phone / households, and
  特殊群体覆盖率 = special-group households met in person / special-group households — both
  from :mod:`gisplanner.campaign.coverage` (rounds whose dates overlap the range; all rounds when no
  range is given) on households only;
- 问题数 problems collected in the range (every target kind), 每百户问题数 per 100 households,
  已解决 solved and 解决率 resolution rate = solved / collected, 逾期 overdue as of the day
  (definitions in :mod:`gisplanner.reporting.stats`);
- 距上次走访天数 days since the latest visit of any outcome in the area, up to the range end.
Per handling unit (单位): problems handled, solved, resolution rate, overdue, median days.

An area or unit is a laggard (后进) when any threshold (:class:`Thresholds`, kept in the
database's ``setting`` table so every office PC agrees) is missed; the reasons are listed.
Exports go to .xlsx through a temporary file renamed into place (never half-written).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from gisplanner.campaign import coverage as cov
from gisplanner.progress import Progress, check
from gisplanner.reporting import stats as st
from gisplanner.store.database import Store
from gisplanner.store.model import AREA_LEVEL_ZH, Round, Setting
from gisplanner.store.vocab import TargetKind

SETTING_KEY = "supervision.thresholds"


@dataclass(frozen=True)
class Thresholds:
    """督查阈值: an area is flagged when coverage or resolution falls below, or overdue / quiet days exceed."""

    coverage_min: float = 0.90  # 覆盖率下限
    special_coverage_min: float = 0.95  # 特殊群体覆盖率下限
    resolution_rate_min: float = 0.60  # 问题解决率下限
    overdue_max: int = 5  # 逾期问题数上限
    days_since_visit_max: int = 14  # 距上次走访天数上限

    LABELS = {
        "coverage_min": "覆盖率下限",
        "special_coverage_min": "特殊群体覆盖率下限",
        "resolution_rate_min": "问题解决率下限",
        "overdue_max": "逾期问题数上限",
        "days_since_visit_max": "距上次走访天数上限",
    }

    @classmethod
    def load(cls, store: Store) -> Thresholds:
        with store.session() as s:
            raw = s.scalar(select(Setting.value).where(Setting.key == SETTING_KEY))
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ValueError(f"督查阈值设置（setting 表 {SETTING_KEY}）不是有效的 JSON：{e}") from e
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> Thresholds:
        known = {f.name: f.type for f in fields(cls)}
        kw = {}
        for k, v in data.items():
            if k not in known:
                raise ValueError(f"督查阈值：未知的项目 {k!r}")
            try:
                kw[k] = int(v) if k in ("overdue_max", "days_since_visit_max") else float(v)
            except (TypeError, ValueError):
                raise ValueError(f"督查阈值：{cls.LABELS[k]}（{k}）应为数字，实际为 {v!r}") from None
            if kw[k] < 0 or (k.endswith("_min") and kw[k] > 1):
                raise ValueError(f"督查阈值：{cls.LABELS[k]}（{k}）超出范围：{v!r}")
        return cls(**kw)

    def save(self, store: Store) -> None:
        value = json.dumps(asdict(self), ensure_ascii=False)
        with store.session() as s:
            row = s.get(Setting, SETTING_KEY)
            if row is None:
                s.add(Setting(key=SETTING_KEY, value=value))
            else:
                row.value = value


# -- coverage through coverage.py -----------------------------------------------------------
def scope_rounds(store: Store, scope: st.Scope) -> list[int]:
    """The rounds coverage is counted over: those overlapping the range, else all of them."""
    if scope.date_from or scope.date_to:
        return cov.rounds_in_range(store, scope.date_from or dt.date.min, scope.date_to or dt.date.max)
    with store.session() as s:
        return [int(i) for i in s.scalars(select(Round.id).order_by(Round.id))]


def household_targets(targets: pd.DataFrame, scope: st.Scope, tree: st.AreaTree) -> pd.DataFrame:
    """The households of the scope from ``coverage.load_targets``' frame (id, area_id, kind, special)."""
    keep = (targets["kind"] == TargetKind.HOUSEHOLD).to_numpy()
    if scope.target_ids is not None:
        keep = keep & np.isin(targets["id"].to_numpy(), np.fromiter(scope.target_ids, np.int64))
    elif scope.area_code:
        keep = keep & np.isin(targets["area_id"].to_numpy(), tree.leaves_under(tree.id_of(scope.area_code)))
    return targets[keep].reset_index(drop=True)


def household_coverage(
    store: Store, scope: st.Scope, tree: st.AreaTree, targets: pd.DataFrame | None = None
) -> cov.Coverage:
    """coverage.py's per-area counts over the scope's households.

    ``targets``: ``coverage.load_targets(store)`` kept by the caller between refreshes
    (the target list changes far less often than visits), to save reading it again.
    """
    all_t = cov.load_targets(store) if targets is None else targets
    hh = household_targets(all_t, scope, tree)
    inp = cov.load_inputs(store, round_ids=scope_rounds(store, scope), targets=hh)
    return cov.compute(inp, today=scope.overdue_day)


def _ratio(a, b) -> np.ndarray:
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, np.nan)


def compared_ids(scope: st.Scope, tree: st.AreaTree, level: str | None = None) -> list[int]:
    """The areas to put side by side: the scope area's children (or every area of `level` under it)."""
    root = tree.id_of(scope.area_code) if scope.area_code else None
    if level is None:
        return tree.compared_areas(root)
    under = tree.descendants(root) if root is not None else list(tree.frame["id"])
    return [int(a) for a in tree.frame.loc[under].sort_values("code")["id"] if tree.level(int(a)) == level]


def coverage_table(
    c: cov.Coverage, scope: st.Scope, tree: st.AreaTree, area_ids: list[int] | None = None
) -> pd.DataFrame:
    """Coverage per compared area from a households-only coverage result: area_id, code, name,
    level, households, covered (met or phone), coverage, special_households, special_met,
    special_coverage (fractions 0..1)."""
    ids = area_ids if area_ids is not None else compared_ids(scope, tree)
    if scope.target_ids is not None and area_ids is None:
        # a selection: the villages it touches
        touched = c.areas.loc[(c.areas["level"] == "village") & (c.areas["targets"] > 0), "id"]
        ids = [int(i) for i in touched]
    a = c.areas.reindex(ids)
    out = pd.DataFrame(
        {
            "area_id": ids,
            "code": [tree.code(i) for i in ids],
            "name": [tree.name(i) for i in ids],
            "level": [tree.level(i) for i in ids],
            "households": a["targets"].fillna(0).astype("int64").to_numpy(),
            "covered": (a["met"].fillna(0) + a["phone"].fillna(0)).astype("int64").to_numpy(),
            "special_households": a["special_targets"].fillna(0).astype("int64").to_numpy(),
            "special_met": a["special_met"].fillna(0).astype("int64").to_numpy(),
        }
    )
    out["coverage"] = _ratio(out["covered"], out["households"])
    out["special_coverage"] = _ratio(out["special_met"], out["special_households"])
    return out


def coverage_rows(
    store: Store,
    scope: st.Scope,
    tree: st.AreaTree | None = None,
    *,
    area_ids: list[int] | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Coverage per compared area (see :func:`coverage_table`)."""
    tree = tree or st.AreaTree.load(store)
    return coverage_table(household_coverage(store, scope, tree, targets), scope, tree, area_ids)


# -- areas side by side --------------------------------------------------------------------------
AREA_COLUMNS_ZH = {
    "name": "区域",
    "code": "代码",
    "level": "层级",
    "households": "户数",
    "covered": "已走访户数",
    "coverage": "覆盖率",
    "special_households": "特殊群体户数",
    "special_met": "特殊群体已见面",
    "special_coverage": "特殊群体覆盖率",
    "problems": "问题数",
    "problems_per_100": "每百户问题数",
    "solved": "已解决",
    "resolution_rate": "解决率",
    "overdue": "逾期",
    "last_visit": "最近走访",
    "days_since_visit": "距上次走访天数",
    "flags": "督查提示",
}
PERCENT_COLUMNS = ("coverage", "special_coverage", "resolution_rate")


def compare_areas(
    store: Store,
    scope: st.Scope | None = None,
    *,
    level: str | None = None,
    thresholds: Thresholds | None = None,
    sort_by: str | None = None,
    ascending: bool = True,
    targets: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The supervision table for the children of the scope's area (or every area of `level`).

    Sorted laggards first (most reasons first, then lowest coverage) unless `sort_by` names
    a column. Columns: see AREA_COLUMNS_ZH, plus area_id, laggard (bool), flags (list of reasons).
    """
    scope = scope or st.Scope()
    th = thresholds or Thresholds.load(store)
    check(progress, 0.0, "读取区划")
    tree = st.AreaTree.load(store)
    ids = compared_ids(scope, tree, level)
    check(progress, 0.1, "统计覆盖率")
    df = coverage_rows(store, scope, tree, area_ids=ids, targets=targets)
    check(progress, 0.6, "统计问题与走访")
    probs, last = st.run_figures(store, scope, [st.problems_by_area, st.last_visit_by_area])
    pr = st.roll_up(tree, probs, ids)
    lv = st.roll_up(tree, last, ids, how="max")
    df["problems"] = pr["problems"].reindex(ids, fill_value=0).to_numpy()
    df["solved"] = pr["solved"].reindex(ids, fill_value=0).to_numpy()
    df["overdue"] = pr["overdue"].reindex(ids, fill_value=0).to_numpy()
    df["problems_per_100"] = _ratio(df["problems"] * 100, df["households"])
    df["resolution_rate"] = _ratio(df["solved"], df["problems"])
    df["last_visit"] = lv.reindex(ids).to_numpy()
    day = pd.Timestamp(scope.overdue_day)
    df["days_since_visit"] = pd.array(
        [None if pd.isna(t) else int((day - pd.Timestamp(t).normalize()).days) for t in df["last_visit"]],
        dtype="Int64",
    )
    df["level"] = df["level"].map(lambda v: AREA_LEVEL_ZH.get(v, v))
    _flag(df, th)
    check(progress, 1.0, "完成")
    return _sorted(df, sort_by, ascending)


def _flag(df: pd.DataFrame, th: Thresholds) -> None:
    """Add `flags` (reasons in Chinese) and `laggard` to a comparison table."""
    flags: list[list[str]] = []
    for r in df.itertuples(index=False):
        f = []
        cov_ = getattr(r, "coverage", np.nan)
        if "coverage" in df and not pd.isna(cov_) and cov_ < th.coverage_min:
            f.append(f"覆盖率{cov_:.1%}低于{th.coverage_min:.0%}")
        sc = getattr(r, "special_coverage", np.nan)
        if "special_coverage" in df and not pd.isna(sc) and sc < th.special_coverage_min:
            f.append(f"特殊群体覆盖率{sc:.1%}低于{th.special_coverage_min:.0%}")
        rr = r.resolution_rate
        if not pd.isna(rr) and rr < th.resolution_rate_min:
            f.append(f"解决率{rr:.1%}低于{th.resolution_rate_min:.0%}")
        if r.overdue > th.overdue_max:
            f.append(f"逾期{r.overdue}个超过{th.overdue_max}个")
        if "days_since_visit" in df:
            d = r.days_since_visit
            if d is None or pd.isna(d):
                if getattr(r, "households", 0):
                    f.append("尚无走访记录")
            elif d > th.days_since_visit_max:
                f.append(f"已{int(d)}天未走访")
        flags.append(f)
    df["flags"] = flags
    df["laggard"] = [bool(f) for f in flags]


def _sorted(df: pd.DataFrame, sort_by: str | None, ascending: bool) -> pd.DataFrame:
    if sort_by:
        if sort_by not in df.columns:
            raise ValueError(
                f"无法按 {sort_by!r} 排序：可用 {', '.join(c for c in df.columns if c != 'flags')}"
            )
        return df.sort_values([sort_by, "code"] if "code" in df else [sort_by], ascending=ascending,
                              na_position="first", ignore_index=True)  # fmt: skip
    # laggards first, then the lowest coverage first
    cover = df["coverage"].fillna(-1).to_numpy() if "coverage" in df else np.zeros(len(df))
    order = np.lexsort((df["code"].astype(str).to_numpy(), cover, ~df["laggard"].to_numpy(bool)))
    return df.iloc[order].reset_index(drop=True)


# -- units side by side ----------------------------------------------------------------------------
UNIT_COLUMNS_ZH = {
    "unit": "单位",
    "level": "层级",
    "problems": "承办问题数",
    "solved": "已解决",
    "resolution_rate": "解决率",
    "overdue": "逾期",
    "median_days": "办理时长中位数（天）",
    "flags": "督查提示",
}


def compare_units(
    store: Store, scope: st.Scope | None = None, *, thresholds: Thresholds | None = None
) -> pd.DataFrame:
    """Handling units (承办单位) side by side: problems, solved, resolution rate, overdue, median days."""
    scope = scope or st.Scope()
    th = thresholds or Thresholds.load(store)
    (df,) = st.run_figures(store, scope, [st.problems_by_unit])
    df["resolution_rate"] = _ratio(df["solved"], df["problems"])
    df["level"] = df["level"].map(lambda v: AREA_LEVEL_ZH.get(v, v))
    _flag(df, th)
    order = np.lexsort((df["unit"].astype(str), -df["overdue"].to_numpy(), ~df["laggard"].to_numpy(bool)))
    return df.iloc[order].reset_index(drop=True)


# -- export ------------------------------------------------------------------------------------------
def table_for_export(df: pd.DataFrame, columns_zh: dict[str, str]) -> pd.DataFrame:
    """Only the columns people read, with Chinese headers; reasons joined with '；'."""
    cols = [c for c in columns_zh if c in df.columns]
    out = df[cols].copy()
    if "flags" in out:
        out["flags"] = out["flags"].map(lambda f: "；".join(f))
    if "last_visit" in out:
        out["last_visit"] = out["last_visit"].map(
            lambda t: "" if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%d")
        )
    return out.rename(columns=columns_zh)


def write_xlsx(
    path: str | Path,
    sheets: Iterable[tuple[str, pd.DataFrame]],
    *,
    percent_headers: Iterable[str] = (),
    highlight: dict[str, list[bool]] | None = None,
    title_rows: dict[str, list[str]] | None = None,
) -> Path:
    """Write tables to an .xlsx (one sheet each) via a temp file renamed into place.

    ``percent_headers``: headers whose values (fractions) are shown as percentages;
    ``highlight``: per sheet, rows to fill light red (laggards); ``title_rows``: lines above a table.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from gisplanner.io.safe_cells import put

    path = Path(path)
    percent = set(percent_headers)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="FFE0E0")
    for name, df in sheets:
        ws = wb.create_sheet(title=name[:31])
        first = 1
        for line in (title_rows or {}).get(name, []):
            put(ws, first, 1, line).alignment = Alignment(wrap_text=False)
            first += 1
        if first > 1:
            first += 1
        for j, h in enumerate(df.columns, start=1):
            put(ws, first, j, str(h)).font = bold
        marks = (highlight or {}).get(name)
        for i, row in enumerate(df.itertuples(index=False), start=first + 1):
            for j, (h, v) in enumerate(zip(df.columns, row, strict=True), start=1):
                c = put(ws, i, j, _cell(v))
                if h in percent and isinstance(c.value, float):
                    c.number_format = "0.0%"
                elif isinstance(c.value, float):
                    c.number_format = "0.0"
                if marks is not None and marks[i - first - 1]:
                    c.fill = red
        for j, h in enumerate(df.columns, start=1):
            width = max([len(str(h)) * 2] + [len(str(v)) * 2 for v in df.iloc[:, j - 1].head(200)] + [6])
            ws.column_dimensions[get_column_letter(j)].width = min(60, width)
        ws.freeze_panes = ws.cell(row=first + 1, column=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".xlsx.tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _cell(v):
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
        return None if isinstance(v, float) and np.isnan(v) else v
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def export_supervision_xlsx(
    path: str | Path, areas: pd.DataFrame, units: pd.DataFrame | None = None, *, title: str = ""
) -> Path:
    """The supervision tables as .xlsx: 区域对比 (and 单位对比), laggards in light red."""
    sheets = [("区域对比", table_for_export(areas, AREA_COLUMNS_ZH))]
    marks = {"区域对比": list(areas["laggard"])}
    if units is not None:
        sheets.append(("单位对比", table_for_export(units, UNIT_COLUMNS_ZH)))
        marks["单位对比"] = list(units["laggard"])
    pct = [AREA_COLUMNS_ZH[c] for c in PERCENT_COLUMNS]
    titles = {"区域对比": [title]} if title else None
    return write_xlsx(path, sheets, percent_headers=pct, highlight=marks, title_rows=titles)
