"""The summary report (工作总结): the paragraph an office writes, with its supporting tables.

For any area (code of any level; the whole database when none) and date range it reads like
the campaign office's one-month summary:

    2026年10月10日至11月8日，雪堰镇累计走访群众家庭4294户，收集梳理各类问题1304个，帮助解决具体
    问题815个（其中当场解决290个）；走访企业70家、收集梳理各类问题30个，帮助解决具体问题19个；
    走访名士13位，收集意见建议6条。……

What counts (the same definitions as :mod:`gisplanner.reporting.stats`, recountable by SQL):
- 走访群众家庭 N 户 / 企业 … 家 / 名士 … 位: distinct targets of that kind in the area with at
  least one visit in the range whose outcome is met (见面) or phone (电话走访);
- 收集梳理各类问题 M 个 / 收集意见建议 … 条: problems of those kinds' targets created in the range
  (for 名士 the problems are their suggestions, 意见建议);
- 帮助解决具体问题 K 个: of those, the ones with status resolved (已解决) closed by the end of the
  range; 当场解决 S (solved on the spot) is part of K and shown in brackets. Problems explained
  to the household (解释说明) or sent to concentrated rectification (集中整治) are not "solved";
- 覆盖率 = households visited / households in the area; 特殊群体 likewise for households tagged
  elderly living alone, disabled or hardship; 逾期 = overdue as of the range end (or today).

Supporting tables: 分类汇总 (per target kind), 分区域 (per child area; the rows add up to the
paragraph), 问题类别 (per category: collected, solved, median days to resolution).
Output as text, .xlsx, or PDF (``gisplanner.printing.summary_pdf``, Qt).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gisplanner.progress import Progress, check
from gisplanner.reporting import stats as st
from gisplanner.store.database import Store
from gisplanner.store.model import AREA_LEVEL_ZH, TARGET_KIND_ZH

# the keys of SummaryReport.figures (also the CLI's --json keys), in print order
FIGURE_KEYS = (
    "households", "households_visited", "household_coverage", "special_households", "special_visited",
    "special_coverage", "household_problems", "household_solved", "household_solved_on_spot",
    "enterprises", "enterprises_visited", "enterprise_problems", "enterprise_solved",
    "notables", "notables_visited", "notable_suggestions", "notable_suggestions_solved",
    "problems", "solved", "solved_on_spot", "explained", "rectification", "open", "resolution_rate",
    "overdue",
)  # fmt: skip


@dataclass
class SummaryReport:
    """The figures, the paragraph and the supporting tables for one area and date range."""

    area_code: str | None
    area_name: str
    date_from: dt.date | None
    date_to: dt.date | None
    as_of: dt.date
    figures: dict
    paragraph: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.area_name}大走访工作情况（{period_text(self.date_from, self.date_to, self.as_of)}）"

    def as_json(self) -> dict:
        return {
            "area_code": self.area_code,
            "area_name": self.area_name,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "as_of": self.as_of.isoformat(),
            **{k: _json_value(self.figures[k]) for k in FIGURE_KEYS},
            "paragraph": self.paragraph,
        }


def _json_value(v):
    if isinstance(v, float):
        return None if np.isnan(v) else round(v, 4)
    return v


def _zh_date(d: dt.date, with_year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


def period_text(date_from: dt.date | None, date_to: dt.date | None, as_of: dt.date) -> str:
    """'2026年10月10日至11月8日', '2026年10月10日以来', '截至2026年11月8日'."""
    if date_from and date_to:
        return f"{_zh_date(date_from)}至{_zh_date(date_to, date_to.year != date_from.year)}"
    if date_from:
        return f"{_zh_date(date_from)}以来"
    return f"截至{_zh_date(date_to or as_of)}"


def _pct(x: float) -> str:
    return "—" if x is None or np.isnan(x) else f"{x * 100:.1f}%"


def _rate(a: int, b: int) -> float:
    return a / b if b else float("nan")


def build_summary(
    store: Store,
    area_code: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> SummaryReport:
    """Count everything for the area and range, write the paragraph, build the tables."""
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"起始日期 {date_from} 晚于截止日期 {date_to}")
    scope = st.Scope(area_code=area_code, date_from=date_from, date_to=date_to, as_of=as_of)
    check(progress, 0.0, "读取区划")
    tree = st.AreaTree.load(store)
    area_id = tree.id_of(area_code) if area_code else None
    if area_id is not None:
        area_name = tree.name(area_id)
    else:
        roots = tree.roots()
        area_name = tree.name(roots[0]) if len(roots) == 1 else "全部区域"
    check(progress, 0.1, "统计走访与问题")
    kinds, hh_areas, probs_areas, pf = st.run_figures(
        store, scope, [st.kind_totals, st.households_by_area, st.problems_by_area, st.problem_figures]
    )
    cats, res = _category_table(pf), pf["resolution"]
    check(progress, 0.8, "整理表格")
    f = _figures(kinds, hh_areas, probs_areas)
    report = SummaryReport(
        area_code=area_code,
        area_name=area_name,
        date_from=date_from,
        date_to=date_to,
        as_of=scope.overdue_day,
        figures=f,
        paragraph="",
    )
    report.paragraph = paragraph(report)
    report.tables = {
        "分类汇总": _kind_table(kinds),
        "分区域": _area_table(tree, area_id, hh_areas, probs_areas),
        "问题类别": _with_medians(cats, res),
    }
    check(progress, 1.0, "完成")
    return report


def _figures(kinds: pd.DataFrame, hh_areas: pd.DataFrame, probs_areas: pd.DataFrame) -> dict:
    h, e, n = kinds.loc["household"], kinds.loc["enterprise"], kinds.loc["notable"]
    special = int(hh_areas["special_households"].sum())
    special_visited = int(hh_areas["special_visited"].sum())
    total = kinds.sum()
    f = {
        "households": int(h["targets"]),
        "households_visited": int(h["visited"]),
        "household_coverage": _rate(int(h["visited"]), int(h["targets"])),
        "special_households": special,
        "special_visited": special_visited,
        "special_coverage": _rate(special_visited, special),
        "household_problems": int(h["problems"]),
        "household_solved": int(h["solved"]),
        "household_solved_on_spot": int(h["solved_on_spot"]),
        "enterprises": int(e["targets"]),
        "enterprises_visited": int(e["visited"]),
        "enterprise_problems": int(e["problems"]),
        "enterprise_solved": int(e["solved"]),
        "notables": int(n["targets"]),
        "notables_visited": int(n["visited"]),
        "notable_suggestions": int(n["problems"]),
        "notable_suggestions_solved": int(n["solved"]),
        "problems": int(total["problems"]),
        "solved": int(total["solved"]),
        "solved_on_spot": int(total["solved_on_spot"]),
        "explained": int(total["explained"]),
        "rectification": int(total["rectification"]),
        "open": int(total["open"]),
        "resolution_rate": _rate(int(total["solved"]), int(total["problems"])),
        "overdue": int(probs_areas["overdue"].sum()),
    }
    assert set(f) == set(FIGURE_KEYS)
    return f


def paragraph(r: SummaryReport) -> str:
    """The office's sentence, in the seed report's wording."""
    f = r.figures
    period = period_text(r.date_from, r.date_to, r.as_of)
    text = (
        f"{period}，{r.area_name}累计走访群众家庭{f['households_visited']}户，"
        f"收集梳理各类问题{f['household_problems']}个，帮助解决具体问题{f['household_solved']}个"
        f"（其中当场解决{f['household_solved_on_spot']}个）；"
        f"走访企业{f['enterprises_visited']}家、收集梳理各类问题{f['enterprise_problems']}个，"
        f"帮助解决具体问题{f['enterprise_solved']}个；"
        f"走访名士{f['notables_visited']}位，收集意见建议{f['notable_suggestions']}条。"
    )
    text += (
        f"群众家庭走访覆盖率{_pct(f['household_coverage'])}"
        f"（独居老人、残疾、困难家庭等特殊群体{_pct(f['special_coverage'])}），"
        f"各类问题解决率{_pct(f['resolution_rate'])}；"
        + (f"截至{_zh_date(r.as_of)}，" if r.date_from or r.date_to else "目前")
        + f"逾期未办结问题{f['overdue']}个。"
    )
    return text


def _kind_table(kinds: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for k, r in kinds.iterrows():
        rows.append(
            {
                "对象": TARGET_KIND_ZH[k],
                "总数": int(r["targets"]),
                "已走访": int(r["visited"]),
                "覆盖率": _rate(int(r["visited"]), int(r["targets"])),
                "收集问题": int(r["problems"]),
                "已解决": int(r["solved"]),
                "其中当场解决": int(r["solved_on_spot"]),
                "解释说明": int(r["explained"]),
                "集中整治": int(r["rectification"]),
                "未办结": int(r["open"]),
            }
        )
    df = pd.DataFrame(rows)
    total = df.drop(columns=["对象", "覆盖率"]).sum()
    df.loc[len(df)] = {"对象": "合计", **total.to_dict(), "覆盖率": _rate(total["已走访"], total["总数"])}
    return df


def _area_table(
    tree: st.AreaTree, area_id: int | None, hh: pd.DataFrame, probs: pd.DataFrame
) -> pd.DataFrame:
    ids = tree.compared_areas(area_id)
    h = st.roll_up(tree, hh, ids)
    p = st.roll_up(tree, probs, ids)
    df = pd.DataFrame(
        {
            "区域": [tree.name(i) for i in ids],
            "层级": [AREA_LEVEL_ZH.get(tree.level(i), tree.level(i)) for i in ids],
            "户数": h["households"].to_numpy(),
            "已走访户数": h["visited"].to_numpy(),
            "覆盖率": [_rate(a, b) for a, b in zip(h["visited"], h["households"], strict=True)],
            "特殊群体覆盖率": [
                _rate(a, b) for a, b in zip(h["special_visited"], h["special_households"], strict=True)
            ],
            "收集问题": p["problems"].to_numpy(),
            "已解决": p["solved"].to_numpy(),
            "解决率": [_rate(a, b) for a, b in zip(p["solved"], p["problems"], strict=True)],
            "逾期": p["overdue"].to_numpy(),
        }
    )
    return df


def _category_table(pf: dict) -> pd.DataFrame:
    """Problems collected and solved per category (from :func:`stats.problem_figures`)."""
    table, solved = pf["by_category_status"], pf["solved_by_category"]
    out = pd.DataFrame({"问题类别": table.index, "收集问题": table.sum(axis=1).to_numpy()})
    out["已解决"] = out["问题类别"].map(solved).fillna(0).astype("int64")
    out["解决率"] = [_rate(a, b) for a, b in zip(out["已解决"], out["收集问题"], strict=True)]
    return out


def _with_medians(cats: pd.DataFrame, res: pd.DataFrame) -> pd.DataFrame:
    med = st.resolution_medians(res).set_index("category")["median_days"]
    out = cats.copy()
    out["办理时长中位数（天）"] = out["问题类别"].map(med)
    return out.sort_values(["收集问题", "问题类别"], ascending=[False, True], ignore_index=True)


PERCENT_HEADERS = ("覆盖率", "特殊群体覆盖率", "解决率")


# -- output ------------------------------------------------------------------------------------
def _fmt(v, header: str) -> str:
    if isinstance(v, float | np.floating):
        if np.isnan(v):
            return "—"
        return _pct(float(v)) if header in PERCENT_HEADERS else f"{v:.1f}"
    return str(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def table_text(df: pd.DataFrame) -> str:
    """A table as aligned plain text (CJK-aware padding)."""
    cells = [[str(h) for h in df.columns]]
    cells += [
        [_fmt(v, h) for v, h in zip(row, df.columns, strict=True)] for row in df.itertuples(index=False)
    ]
    widths = [max(_width(r[j]) for r in cells) for j in range(len(df.columns))]
    lines = []
    for i, r in enumerate(cells):
        parts = [c + " " * (w - _width(c)) if j == 0 else " " * (w - _width(c)) + c
                 for j, (c, w) in enumerate(zip(r, widths, strict=True))]  # fmt: skip
        lines.append("  ".join(parts).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_text(r: SummaryReport) -> str:
    parts = [r.title, "", r.paragraph]
    for name, df in r.tables.items():
        parts += ["", f"【{name}】", table_text(df)]
    return "\n".join(parts) + "\n"


def export_xlsx(r: SummaryReport, path: str | Path) -> Path:
    """The paragraph on the first sheet, each table on its own sheet (temp file + rename)."""
    from gisplanner.reporting.supervision import write_xlsx

    sheets = [("工作总结", pd.DataFrame({"内容": [r.title, r.paragraph]}))]
    sheets += list(r.tables.items())
    return write_xlsx(path, sheets, percent_headers=PERCENT_HEADERS)
