"""Survey forms (入户调查表, 村/社区调查表), problem lists (问题清单), 交办单 and 委托办理单."""

from __future__ import annotations

from gisplanner.printing.canvas import CENTER, MARGIN, PageCanvas
from gisplanner.printing.table import Drawn, Table
from gisplanner.reporting.printouts.problem_forms import ProblemForm
from gisplanner.reporting.printouts.problem_list import ProblemList
from gisplanner.reporting.printouts.survey_forms import (
    HOUSEHOLD_QUESTIONS,
    SATISFACTION,
    HouseholdForm,
    VillageForm,
)
from gisplanner.store.model import OUTCOME_ZH

LABEL_FILL = "#f1f4f8"


def _title(c: PageCanvas, title: str, subtitle: str = "") -> float:
    y = c.body_top
    c.text(MARGIN, y, c.body_width, 9, title, 16, bold=True, align=CENTER)
    y += 10
    if subtitle:
        c.text(MARGIN, y, c.body_width, 5, subtitle, 9, align=CENTER, color="#333333")
        y += 6
    return y + 1


def _grid(c: PageCanvas, y: float, rows: list[list[tuple[str, str, float]]], pt: float = 9.0) -> float:
    """Rows of (label, value, width in mm) cells; widths of a row add up to the body width."""
    for row in rows:
        label_ws = [max(16.0, c.text_width(lbl, pt, True) + 4) if lbl else 0.0 for lbl, _, _ in row]
        h = 7.0
        for (_, value, w), lw in zip(row, label_ws, strict=True):
            h = max(h, c.text_height(value, w - lw - 3, pt) + 2.5)
        x = MARGIN
        for (label, value, w), lw in zip(row, label_ws, strict=True):
            if label:
                c.box(x, y, lw, h, 0.2, fill=LABEL_FILL)
                c.text(x, y, lw, h, label, pt, bold=True, align=CENTER)
            c.box(x + lw, y, w - lw, h, 0.2)
            c.text(x + lw + 1.5, y, w - lw - 3, h, value, pt, wrap=True)
            x += w
        y += h
    return y


def _section(c: PageCanvas, y: float, title: str) -> float:
    c.box(MARGIN, y, c.body_width, 6.5, 0.2, fill="#e3e9f1")
    c.text(MARGIN + 2, y, c.body_width - 4, 6.5, title, 9.5, bold=True)
    return y + 6.5


def _question(c: PageCanvas, y: float, q: str, lines: int = 2) -> float:
    h = 6 + 6.5 * lines
    c.box(MARGIN, y, c.body_width, h, 0.2)
    c.text(MARGIN + 2, y + 0.5, c.body_width - 4, 5.5, q, 9)
    c.writing_lines(MARGIN + 3, y + 4.5, c.body_width - 6, h - 5, gap=6.5)
    return y + h


def _boxes(c: PageCanvas, y: float, label: str, items, pt: float = 9.0) -> float:
    """A row of tick boxes that wraps onto more lines when it is long."""
    lw = c.text_width(label, pt, True) + 4
    x, yy, lines = MARGIN + lw + 1, y, 1
    for item in items:
        need = 3.2 + 2 + c.text_width(item, pt) + 4
        if x + need > MARGIN + c.body_width - 1:
            x, yy, lines = MARGIN + lw + 1, yy + 6, lines + 1
        x += c.checkbox(x, yy + 1.6, item, size=3.0, pt=pt) + 4
    h = 6.0 * lines + 0.5
    c.box(MARGIN, y, lw, h, 0.2, fill=LABEL_FILL)
    c.text(MARGIN, y, lw, h, label, pt, bold=True, align=CENTER)
    c.box(MARGIN + lw, y, c.body_width - lw, h, 0.2)
    return y + h


def _signatures(c: PageCanvas, y: float, text: str) -> float:
    c.text(MARGIN, y + 2, c.body_width, 6, text, 9)
    return y + 9


# -- survey forms ------------------------------------------------------------------------------
def paint_survey_forms(c: PageCanvas, forms: list[VillageForm | HouseholdForm]) -> None:
    for i, f in enumerate(forms):
        if i:
            c.new_page()
        if isinstance(f, VillageForm):
            paint_village_form(c, f)
        else:
            paint_household_form(c, f)


def paint_household_form(c: PageCanvas, f: HouseholdForm) -> None:
    t = f.target
    bw = c.body_width
    y = _title(c, "入户调查表", f"{f.round_name} · {f.team_name} · 第 {f.seq} 户")
    who = "户主" if t.kind == "household" else ("单位名称" if t.kind == "enterprise" else "姓名")
    rows = [
        [(who, t.name, bw * 0.4), ("户码", f.code, bw * 0.25), ("所属村（社区）", t.area_name, bw * 0.35)],
        [("地址", t.full_address, bw * 0.65), ("联系电话", t.phone or "—", bw * 0.35)],
        [
            ("家庭人口", f"{t.members} 人" if t.members else "", bw * 0.25),
            ("类别标签", "、".join(t.tags) or "无", bw * 0.75),
        ],  # fmt: skip
        [
            ("既往走访", "；".join(f.history) or "无记录", bw * 0.4),
            ("未办结问题", "；".join(f.open_problems) or "无", bw * 0.6),
        ],  # fmt: skip
    ]
    if t.kind == "enterprise":
        rows.insert(
            2,
            [
                ("联系人", t.contact, bw * 0.3),
                ("行业", t.industry, bw * 0.3),
                ("信用代码", t.credit_code, bw * 0.4),
            ],
        )
    y = _grid(c, y, rows) + 2
    y = _boxes(c, y, "走访结果", list(OUTCOME_ZH.values()))
    y = _boxes(c, y, "走访时间", ["工作日晚上", "周末上午", "周末下午", "其他：______"])
    for section, questions in HOUSEHOLD_QUESTIONS:
        y = _section(c, y + 1.5, section)
        for q in questions:
            y = _question(c, y, q, lines=1 if section != "意见建议" else 2)
    y = _section(c, y + 1.5, "反映的问题（请勾选类别并简述）")
    y = _boxes(c, y, "问题类别", list(f.categories), pt=9)
    y = _question(c, y, "问题描述、当场解决情况", lines=2)
    if f.open_problems:
        y = _boxes(c, y, "对已办问题", list(SATISFACTION))
    _signatures(c, y + 1, "走访人签字：______________    群众签字：______________    日期：____年__月__日")


def paint_village_form(c: PageCanvas, f: VillageForm) -> None:
    bw = c.body_width
    y = _title(
        c, f"{f.kind_zh}调查表" if f.kind_zh == "村" else "社区调查表", f"{f.round_name} · {f.town_name}"
    )
    tags = "；".join(f"{k} {v}" for k, v in f.tag_counts.items())
    problems = "；".join(f"{k} {v}" for k, v in f.open_problems.items()) or "无"
    y = _grid(
        c,
        y,
        [
            [
                ("名称", f"{f.area_name}（{f.kind_zh}）", bw * 0.4),
                ("区划代码", f.area_code, bw * 0.3),
                ("走访小组", "、".join(f.teams), bw * 0.3),
            ],
            [
                ("村（居）委会", f.office_name, bw * 0.5),
                ("本轮走访对象", f"{f.round_targets} 户（家）", bw * 0.5),
            ],
            [
                ("群众家庭", f"{f.households} 户", bw / 3),
                ("企业", f"{f.enterprises} 家", bw / 3),
                ("名士", f"{f.notables} 位", bw / 3),
            ],
            [("重点人群", tags, bw)],
            [
                ("已见面走访", f"{f.visited_last_round} 户（家）", bw * 0.35),
                ("未办结问题", problems, bw * 0.65),
            ],
        ],  # fmt: skip
    )
    y = _section(c, y + 2, "调查内容（由走访小组与村（居）委会共同填写）")
    for q in f.questions:
        y = _question(c, y, q, lines=4)
    _signatures(
        c, y + 1, "村（居）委会负责人：______________    走访组长：______________    日期：____年__月__日"
    )


# -- problem lists ---------------------------------------------------------------------------------
PROBLEM_COLUMNS = [
    ("序号", 8.0), ("户码", 12.0), ("户主/单位", 18.0), ("类别", 16.0), ("问题描述", 52.0),
    ("状态", 15.0), ("办理方式 · 单位", 28.0), ("期限", 17.0), ("当场答复", 20.0),
]  # fmt: skip


def paint_problem_lists(c: PageCanvas, lists: list[ProblemList]) -> None:
    for i, pl in enumerate(lists):
        if i:
            c.new_page()
        paint_problem_list(c, pl)


def paint_problem_list(c: PageCanvas, pl: ProblemList) -> None:
    y = _title(
        c,
        "问题清单",
        f"{pl.round_name} · {pl.team.name} · 走访 {pl.households} 户 · 在办问题 {len(pl.rows)} 个",
    )
    members = "；".join(f"{m.role} {m.name} {m.phone}" for m in pl.team.members) or "（未配成员）"
    y = _grid(c, y, [[("小组成员", members, c.body_width)]]) + 2

    def continued() -> float:
        c.text(MARGIN, c.body_top, c.body_width, 7, f"问题清单（续） {pl.team.name}", 10, bold=True)
        return c.body_top + 8

    table = Table(c, PROBLEM_COLUMNS, pt=9.0, on_new_page=continued)
    y = table.header(y)
    tick = Drawn(lambda x, yy, w, h: c.checkbox(x + 2, yy + h / 2 - 1.5, "是", size=3.0, pt=9.0), 5.0)
    for r in pl.rows:
        y = table.row(
            y,
            [str(r.no), r.code, r.target_name, r.category, r.description, r.status,
             f"{r.handling} {r.unit}".strip(), r.deadline, tick],
            min_h=7.0,
        )  # fmt: skip
    for k in range(pl.blank_rows):
        y = table.row(y, [str(len(pl.rows) + k + 1), "", "", "", "", "", "", "", tick], min_h=9.0)
    _signatures(c, y + 2, "填表人：______________    组长签字：______________    日期：____年__月__日")


# -- 交办单 / 委托办理单 -------------------------------------------------------------------------------
def paint_problem_forms(c: PageCanvas, forms: list[ProblemForm]) -> None:
    for i, f in enumerate(forms):
        if i:
            c.new_page()
        paint_problem_form(c, f)


def paint_problem_form(c: PageCanvas, f: ProblemForm) -> None:
    bw = c.body_width
    y = _title(c, f.title, f"编号：{f.number}")
    deadline = f"{f.deadline:%Y年%m月%d日}" if f.deadline else "按规定时限"
    y = _grid(
        c,
        y,
        [
            [
                ("反映人", f.target_name, bw * 0.4),
                ("联系电话", f.phone or "—", bw * 0.3),
                ("反映日期", f"{f.raised_on:%Y-%m-%d}", bw * 0.3),
            ],
            [("地址", f.address, bw * 0.65), ("所属村（社区）", f.area_name, bw * 0.35)],
            [
                ("问题类别", f.category, bw * 0.4),
                ("当前状态", f.status, bw * 0.3),
                ("交办人", f.issued_by, bw * 0.3),
            ],
            [("问题描述", f.description, bw)],
            [
                ("承办单位", f.unit or "（待定）", bw * 0.45),
                ("单位层级", f.level, bw * 0.25),
                ("办理时限", deadline, bw * 0.3),
            ],
            [("办理要求", f.requirement, bw)],
        ],  # fmt: skip
    )
    y = _section(c, y + 2, "办理结果（承办单位填写）")
    y = _question(c, y, "办理情况及答复群众内容" + (f"（已有答复：{f.reply}）" if f.reply else ""), lines=6)
    y = _boxes(c, y, "办结方式", ["已解决", "解释说明", "纳入集中整治"])
    y = _boxes(c, y, "群众满意度（电话回访）", list(SATISFACTION))
    y += 4
    issuer = "委托单位（盖章）" if f.kind == "delegate" else "交办单位（盖章）"
    c.text(MARGIN, y, bw / 2, 6, f"{issuer}：", 9.5)
    c.text(MARGIN + bw / 2, y, bw / 2, 6, "承办单位签收：______________", 9.5)
    c.text(MARGIN, y + 14, bw / 2, 6, "日期：____年__月__日", 9.5)
    c.text(MARGIN + bw / 2, y + 14, bw / 2, 6, "签收日期：____年__月__日", 9.5)
