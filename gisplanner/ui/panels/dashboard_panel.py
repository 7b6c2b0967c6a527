"""The dashboard (统计图表): progress charts for the map selection or a chosen area.

Charts (pyqtgraph, Chinese labels): cumulative households visited / problems collected /
solved; coverage by area (sortable, special-group coverage beside overall, the supervision
threshold as a line); problems by category and status; time to resolution (distribution and
median per category); overdue problems by unit; visits per team and per session.
The figures come from :func:`gisplanner.reporting.stats.dashboard_figures`, run off the UI thread with
``ctx.run_task``; refreshes that arrive while one runs are coalesced into one more.

Length: eight charts, each a short drawing function over the same figures; one panel, one module.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gisplanner.printing.canvas import cjk_family
from gisplanner.reporting import dashboard as dash
from gisplanner.reporting import stats as st
from gisplanner.store.model import AREA_LEVEL_ZH
from gisplanner.ui.context import PanelContext
from gisplanner.ui.vocab_text import vocab

log = logging.getLogger(__name__)

PALETTE = ["#2f6db5", "#e07b39", "#3a9a5b", "#c23b3b", "#8a62b8", "#8c6d46", "#d16ba5", "#7f7f7f", "#b5a12f"]
STATUS_COLORS = {
    "待处理": "#c23b3b", "已交办": "#e07b39", "办理中": "#e8b33a",
    "已解决": "#3a9a5b", "已解释说明": "#2f6db5", "纳入集中整治": "#8a62b8",
}  # fmt: skip
SORTS = {  # the key is the sort's name (shown translated, context DashboardPanel)
    QT_TRANSLATE_NOOP("DashboardPanel", "覆盖率从低到高"): ("coverage", True),
    QT_TRANSLATE_NOOP("DashboardPanel", "覆盖率从高到低"): ("coverage", False),
    QT_TRANSLATE_NOOP("DashboardPanel", "特殊群体覆盖率从低到高"): ("special_coverage", True),
    QT_TRANSLATE_NOOP("DashboardPanel", "按区划代码"): ("code", True),
}
TOP_N = 15


def chart_font(size: int = 9) -> QFont:
    return QFont(cjk_family(), size)


# -- the scope controls (shared with the supervision panel) -------------------------------------
class ScopeBar(QWidget):
    """Area (any level) and an optional date range; emits scopeChanged."""

    scopeChanged = Signal()

    def __init__(self, parent=None, *, follow_selection: bool = False):
        super().__init__(parent)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.follow = QCheckBox(self.tr("跟随地图选择"))
        self.follow.setChecked(True)
        self.follow.setToolTip(self.tr("地图上有选择时，统计所选对象；否则统计下面选定的区域"))
        self.follow.setVisible(follow_selection)
        self._follow_enabled = follow_selection
        self.area = QComboBox()
        self.area.setMinimumContentsLength(8)
        self.area.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.use_dates = QCheckBox(self.tr("时段"))
        self.date_from = QDateEdit(calendarPopup=True)
        self.date_to = QDateEdit(calendarPopup=True)
        for d in (self.date_from, self.date_to):
            d.setDisplayFormat("yyyy-MM-dd")
            d.setEnabled(False)
        today = QDate.currentDate()
        self.date_from.setDate(today.addDays(-30))
        self.date_to.setDate(today)
        # two short rows, so that the dock can be narrow
        area_row = QHBoxLayout()
        area_row.addWidget(self.follow)
        area_row.addWidget(QLabel(self.tr("区域")))
        area_row.addWidget(self.area, 1)
        date_row = QHBoxLayout()
        date_row.addWidget(self.use_dates)
        date_row.addWidget(self.date_from, 1)
        date_row.addWidget(QLabel(self.tr("至")))
        date_row.addWidget(self.date_to, 1)
        lay.addLayout(area_row, 0, 0)
        lay.addLayout(date_row, 1, 0)
        self.use_dates.toggled.connect(self._dates_toggled)
        for sig in (self.area.currentIndexChanged, self.date_from.dateChanged, self.date_to.dateChanged):
            sig.connect(lambda *_: self.scopeChanged.emit())
        self.follow.toggled.connect(lambda *_: self.scopeChanged.emit())

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.scopeChanged.emit()

    def load_areas(self, store) -> None:
        """Fill the area list: 全部区域, then every area indented by level."""
        keep = self.area.currentData()
        tree = st.AreaTree.load(store)
        self.area.blockSignals(True)
        self.area.clear()
        bound = store.bound_scope  # signed in: "all" is the user's own area
        self.area.addItem(self.tr("全部区域"), None if bound is None else tree.code(bound.area_id))
        depth = {"city": 0, "district": 1, "town": 2, "village": 3}

        def add(aid: int) -> None:
            lvl = tree.level(aid)
            level = vocab(AREA_LEVEL_ZH.get(lvl, lvl))
            label = "　" * depth.get(lvl, 0) + self.tr("{name}（{level}）").format(
                name=tree.name(aid), level=level
            )
            self.area.addItem(label, tree.code(aid))
            for k in tree.kids(aid):
                add(k)

        for r in tree.roots():
            add(r)
        i = self.area.findData(keep)
        self.area.setCurrentIndex(max(0, i))
        self.area.blockSignals(False)

    def set_area(self, code: str | None) -> None:
        i = self.area.findData(code)
        if i >= 0:
            self.area.setCurrentIndex(i)

    def set_dates(self, date_from: dt.date | None, date_to: dt.date | None) -> None:
        self.use_dates.setChecked(bool(date_from or date_to))
        if date_from:
            self.date_from.setDate(QDate(date_from.year, date_from.month, date_from.day))
        if date_to:
            self.date_to.setDate(QDate(date_to.year, date_to.month, date_to.day))

    def scope(self, selection=None) -> st.Scope:
        dates = {}
        if self.use_dates.isChecked():
            dates = {"date_from": self.date_from.date().toPython(), "date_to": self.date_to.date().toPython()}
        if self._follow_enabled and self.follow.isChecked() and selection is not None and len(selection):
            return st.Scope(target_ids=tuple(int(i) for i in selection), **dates)
        return st.Scope(area_code=self.area.currentData(), **dates)


# -- the charts ------------------------------------------------------------------------------------
def _plot(title: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w")
    w.setMinimumHeight(250)
    w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    p = w.getPlotItem()
    p.setTitle(f'<span style="font-family:{cjk_family()}; font-size:11pt; color:#222">{title}</span>')
    for name in ("left", "bottom"):
        ax = p.getAxis(name)
        ax.setTickFont(chart_font(8))
        ax.setPen(pg.mkPen("#666"))
        ax.setTextPen(pg.mkPen("#333"))
    p.showGrid(x=True, y=True, alpha=0.15)
    p.setMenuEnabled(False)
    return w


def _label(plot: pg.PlotWidget, side: str, text: str) -> None:
    plot.getPlotItem().setLabel(
        side, f'<span style="font-family:{cjk_family()}; font-size:9pt">{text}</span>'
    )


def _legend(plot: pg.PlotWidget, offset=(-10, 10)) -> pg.LegendItem:
    """The plot's legend, emptied (one per plot, reused across refreshes)."""
    p = plot.getPlotItem()
    if p.legend is None:
        p.addLegend(offset=offset, labelTextSize="8pt", labelTextColor="#222")
        p.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
    p.legend.clear()
    return p.legend


def _legend_font(leg: pg.LegendItem) -> None:
    for _sample, label in leg.items:
        label.item.setFont(chart_font(8))


def _hbars(plot: pg.PlotWidget, labels: list[str], values, *, color: str, offset=0.0, height=0.7, name=None):
    """Horizontal bars, first label on top."""
    y = np.arange(len(labels), dtype=float) + offset
    item = pg.BarGraphItem(x0=0, y=y, height=height, width=np.asarray(values, float),
                           brush=pg.mkBrush(color), pen=pg.mkPen(None), name=name)  # fmt: skip
    plot.addItem(item)
    _category_axis(plot, labels)
    return item


def _category_axis(plot: pg.PlotWidget, labels: list[str]) -> None:
    """Every label on the left axis (none dropped), the plot tall enough to hold them."""
    p = plot.getPlotItem()
    ax = p.getAxis("left")
    ax.setTicks([[(i, s) for i, s in enumerate(labels)]])
    ax.setStyle(textFillLimits=[(0, 1.0)], autoExpandTextSpace=True)
    ax.setWidth(min(200, 14 + 12 * max((len(s) for s in labels), default=2)))
    p.invertY(True)
    p.setYRange(-0.6, len(labels) - 0.4, padding=0)
    plot.setMinimumHeight(max(250, 20 * len(labels) + 90))


def _bar_text(plot: pg.PlotWidget, xs, ys, texts, anchor=(0, 0.5)) -> None:
    for x, y, t in zip(xs, ys, texts, strict=True):
        ti = pg.TextItem(t, color="#333", anchor=anchor)
        ti.setFont(chart_font(7))
        ti.setPos(float(x), float(y))
        plot.addItem(ti)


class DashboardCharts(QWidget):
    """The chart grid; :meth:`show_figures` draws a :class:`~gisplanner.reporting.stats.DashboardFigures`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.figures: dash.DashboardFigures | None = None
        self.coverage_threshold: float | None = None
        self.sort_key = "覆盖率从低到高"
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        self.cumulative = _plot(self.tr("累计进度"))
        self.coverage = _plot(self.tr("各区域走访覆盖率（%）"))
        self.categories = _plot(self.tr("问题类别与办理状态"))
        self.resolution = _plot(self.tr("办理时长分布（已解决问题）"))
        self.medians = _plot(self.tr("各类问题办理时长中位数（天）"))
        self.overdue = _plot(self.tr("逾期问题（按承办单位）"))
        self.teams = _plot(self.tr("各走访小组走访量"))
        self.sessions = _plot(self.tr("各走访时段走访量"))
        order = [self.cumulative, self.coverage, self.categories, self.overdue,
                 self.resolution, self.medians, self.teams, self.sessions]  # fmt: skip
        for k, w in enumerate(order):
            grid.addWidget(w, k // 2, k % 2)

    # -- drawing -------------------------------------------------------------------------
    def show_figures(self, figs: dash.DashboardFigures) -> None:
        self.figures = figs
        for draw in (self._draw_cumulative, self._draw_coverage, self._draw_categories, self._draw_resolution,
                     self._draw_overdue, self._draw_teams, self._draw_sessions):  # fmt: skip
            try:
                draw(figs)
            except Exception:  # one chart failing must not blank the others; logged for a fix
                log.exception("dashboard chart %s failed", draw.__name__)

    def set_sort(self, key: str) -> None:
        self.sort_key = key
        if self.figures is not None:
            self._draw_coverage(self.figures)

    def _reset(self, w: pg.PlotWidget) -> None:
        p = w.getPlotItem()
        p.clear()
        if p.legend is not None:
            p.legend.clear()
        p.invertY(False)
        for name in ("left", "bottom"):
            p.getAxis(name).setTicks(None)
        p.getAxis("left").setWidth(None)
        w.setMinimumHeight(250)

    def _empty(self, w: pg.PlotWidget, text: str = "") -> None:
        text = text or self.tr("暂无数据")
        ti = pg.TextItem(text, color="#888", anchor=(0.5, 0.5))
        ti.setFont(chart_font(10))
        w.addItem(ti)
        ti.setPos(0.5, 0.5)
        w.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1))

    def _draw_cumulative(self, f: dash.DashboardFigures) -> None:
        w = self.cumulative
        self._reset(w)
        c = f.cumulative
        if c.empty:
            self._empty(w)
            return
        x = np.array([(d - c["day"].iloc[0]).days for d in c["day"]], float)
        leg = _legend(w, offset=(10, 10))
        series = [("cum_households_visited", self.tr("走访群众家庭（户）"), PALETTE[0]),
                  ("cum_problems_collected", self.tr("收集问题（个）"), PALETTE[1]),
                  ("cum_problems_solved", self.tr("解决问题（个）"), PALETTE[2])]  # fmt: skip
        for col, name, color in series:
            w.plot(x, c[col].to_numpy(float), pen=pg.mkPen(color, width=2), name=name, stepMode=None)
        _legend_font(leg)
        step = max(1, len(x) // 3)  # about four short dates ("10/16"): longer ones ran together
        ticks = [(x[i], f"{c['day'].iloc[i].month}/{c['day'].iloc[i].day}") for i in range(0, len(x), step)]
        w.getPlotItem().getAxis("bottom").setTicks([ticks])
        _label(w, "left", self.tr("累计数"))
        w.getPlotItem().enableAutoRange()

    def _draw_coverage(self, f: dash.DashboardFigures) -> None:
        w = self.coverage
        self._reset(w)
        cov = f.coverage
        if cov.empty:
            self._empty(w)
            return
        col, asc = SORTS.get(self.sort_key, ("coverage", True))
        cov = cov.sort_values([col, "code"], ascending=[asc, True], na_position="first")
        labels = cov["name"].tolist()
        overall = (cov["coverage"].fillna(0) * 100).to_numpy()
        special = (cov["special_coverage"].fillna(0) * 100).to_numpy()
        leg = _legend(w)
        _hbars(w, labels, overall, color=PALETTE[0], offset=-0.19, height=0.36, name=self.tr("全部户"))
        _hbars(w, labels, special, color=PALETTE[1], offset=0.19, height=0.36, name=self.tr("特殊群体"))
        _legend_font(leg)
        _bar_text(w, overall + 1, np.arange(len(labels)) - 0.19, [f"{v:.0f}%" for v in overall])
        if self.coverage_threshold is not None:
            line = pg.InfiniteLine(self.coverage_threshold * 100, angle=90,
                                   pen=pg.mkPen("#c23b3b", width=1, style=Qt.PenStyle.DashLine))  # fmt: skip
            w.addItem(line)
        w.getPlotItem().setXRange(0, 112, padding=0)
        _label(w, "bottom", self.tr("覆盖率（%）"))

    def _draw_categories(self, f: dash.DashboardFigures) -> None:
        w = self.categories
        self._reset(w)
        t = f.by_category_status
        if t.empty:
            self._empty(w)
            return
        t = t.loc[t.sum(axis=1).sort_values(ascending=False).index]
        labels = [vocab(c) for c in t.index]  # problem categories
        left = np.zeros(len(labels))
        leg = _legend(w)
        for k, status in enumerate(t.columns):
            vals = t[status].to_numpy(float)
            if not vals.any():
                continue
            item = pg.BarGraphItem(x0=left, y=np.arange(len(labels)), height=0.7, width=vals,
                                   brush=pg.mkBrush(STATUS_COLORS.get(status, PALETTE[k % len(PALETTE)])),
                                   pen=pg.mkPen(None), name=vocab(status))  # fmt: skip
            w.addItem(item)
            left = left + vals
        _legend_font(leg)
        _category_axis(w, labels)
        w.getPlotItem().setXRange(0, left.max() * 1.35, padding=0)
        _label(w, "bottom", self.tr("问题数（个）"))

    def _draw_resolution(self, f: dash.DashboardFigures) -> None:
        w = self.resolution
        self._reset(w)
        hist = st.resolution_histogram(f.resolution)
        if hist["count"].sum() == 0:
            self._empty(w)
        else:
            x = np.arange(len(hist))
            w.addItem(pg.BarGraphItem(x=x, height=hist["count"].to_numpy(float), width=0.7,
                                      brush=pg.mkBrush(PALETTE[2]), pen=pg.mkPen(None)))  # fmt: skip
            w.getPlotItem().getAxis("bottom").setTicks([list(enumerate(hist["label"]))])
            _bar_text(w, x, hist["count"].to_numpy(float), [str(v) for v in hist["count"]], anchor=(0.5, 1))
            _label(w, "left", self.tr("问题数（个）"))
            w.getPlotItem().enableAutoRange()
        m = self.medians
        self._reset(m)
        med = f.resolution_median
        if med.empty:
            self._empty(m)
            return
        vals = med["median_days"].to_numpy(float)
        _hbars(m, med["category"].tolist(), vals, color=PALETTE[4])
        _bar_text(
            m,
            vals + 0.1,
            np.arange(len(vals)),
            [f"{v:.1f}天（{n}个）" for v, n in zip(vals, med["count"], strict=True)],
        )
        m.getPlotItem().setXRange(0, max(vals.max() * 1.45, 1), padding=0)
        _label(m, "bottom", self.tr("中位数（天）"))

    def _draw_overdue(self, f: dash.DashboardFigures) -> None:
        w = self.overdue
        self._reset(w)
        od = f.overdue.head(TOP_N)
        if od.empty:
            self._empty(w, self.tr("无逾期问题"))
            return
        vals = od["overdue"].to_numpy(float)
        _hbars(w, od["unit"].tolist(), vals, color=PALETTE[3])
        _bar_text(w, vals + vals.max() * 0.01, np.arange(len(vals)), [str(int(v)) for v in vals])
        w.getPlotItem().setXRange(0, vals.max() * 1.15, padding=0)
        more = len(f.overdue) - len(od)
        _label(w, "bottom", "逾期问题数（个）" + (f"　另有{more}个单位未列出" if more > 0 else ""))

    def _draw_teams(self, f: dash.DashboardFigures) -> None:
        w = self.teams
        self._reset(w)
        t = f.teams.head(TOP_N)
        if t.empty:
            self._empty(w)
            return
        leg = _legend(w)
        _hbars(w, t["team"].tolist(), t["visits"].to_numpy(float), color="#9db8dc", name=self.tr("走访次数"))
        _hbars(
            w,
            t["team"].tolist(),
            t["visited"].to_numpy(float),
            color=PALETTE[0],
            height=0.45,
            name="见面或电话",
        )
        _legend_font(leg)
        w.getPlotItem().setXRange(0, t["visits"].max() * 1.3, padding=0)
        more = len(f.teams) - len(t)
        _label(w, "bottom", "走访次数" + (f"　（前{TOP_N}组，共{len(f.teams)}组）" if more > 0 else ""))

    def _draw_sessions(self, f: dash.DashboardFigures) -> None:
        w = self.sessions
        self._reset(w)
        s = f.sessions
        inside = s[s["session_id"].notna()]
        outside = int(s.loc[s["session_id"].isna(), "visits"].sum())
        if inside.empty:
            self._empty(w, f"没有落在走访时段内的走访（其他时段 {outside} 次）" if outside else "暂无数据")
            return
        x = np.arange(len(inside))
        colors = {"周末上午": PALETTE[5], "周末下午": PALETTE[6], "工作日晚上": PALETTE[4]}
        brushes = [pg.mkBrush(colors.get(lbl, PALETTE[7])) for lbl in inside["label"]]
        w.addItem(pg.BarGraphItem(x=x, height=inside["visits"].to_numpy(float), width=0.75,
                                  brushes=brushes, pen=pg.mkPen(None)))  # fmt: skip
        starts = [pd.Timestamp(t) for t in inside["start"]]
        step = max(1, len(x) // 6)
        ticks = [(int(i), f"{starts[i].month}月{starts[i].day}日") for i in range(0, len(x), step)]
        w.getPlotItem().getAxis("bottom").setTicks([ticks])
        leg = _legend(w)
        for lbl, c in colors.items():
            if lbl in set(inside["label"]):
                leg.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=pg.mkBrush(c)), lbl)
        _legend_font(leg)
        _label(w, "left", self.tr("走访次数"))
        _label(w, "bottom", f"时段（另有 {outside} 次走访不在任何时段内）" if outside else "时段")
        w.getPlotItem().enableAutoRange()


# -- the dock ------------------------------------------------------------------------------------------
class DashboardPanel(QWidget):
    """Controls + charts; follows the map selection or the chosen area."""

    refreshed = Signal(object)  # DashboardFigures

    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.ctx = ctx
        self._running = False
        self._pending = False
        self._stale = False
        self._targets_cache = None  # coverage.load_targets(store), dropped when data changes
        lay = QVBoxLayout(self)
        self.scope_bar = ScopeBar(self, follow_selection=True)
        lay.addWidget(self.scope_bar)
        row = QHBoxLayout()
        self.sort_combo = QComboBox()
        for key in SORTS:
            self.sort_combo.addItem(self.tr(key), key)
        self.refresh_button = QPushButton(self.tr("刷新"))
        row.addWidget(QLabel(self.tr("覆盖率排序")))
        row.addWidget(self.sort_combo, 1)
        row.addWidget(self.refresh_button)
        lay.addLayout(row)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.headline)
        self.charts = DashboardCharts(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.charts)
        lay.addWidget(scroll, 1)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.refresh)
        self.scope_bar.scopeChanged.connect(self.schedule)
        self.sort_combo.currentIndexChanged.connect(
            lambda _i: self.charts.set_sort(self.sort_combo.currentData())
        )
        self.refresh_button.clicked.connect(self.refresh)

    def schedule(self) -> None:
        self._debounce.start()

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.schedule()

    def data_changed(self) -> None:
        self._targets_cache = None
        if self.ctx.store is not None:
            self.scope_bar.load_areas(self.ctx.store)
        self.schedule()

    def current_scope(self) -> st.Scope:
        sel = self.ctx.selection
        return self.scope_bar.scope(None if sel is None else sel.ids)

    def refresh(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        if not self.isVisible():  # a closed dock costs nothing; it catches up when shown
            self._stale = True
            return
        if self._running:
            self._pending = True
            return
        self._running = True
        self.headline.setText(self.tr("正在统计……"))
        try:
            from gisplanner.reporting.supervision import Thresholds

            self.charts.coverage_threshold = Thresholds.load(store).coverage_min
        except Exception:  # a bad threshold setting must not stop the charts; supervision reports it
            self.charts.coverage_threshold = None
        self.ctx.run_task(
            _compute, store, self.current_scope(), self._targets_cache,
            title="刷新统计图表", on_result=self._show, on_error=self._failed,
        )  # fmt: skip

    def _failed(self, message: str) -> None:
        self._running = False
        self.headline.setText(f"统计失败：{message}")
        self._again()

    def _show(self, result) -> None:
        figs, targets = result
        self._targets_cache = targets
        self._running = False
        self.charts.show_figures(figs)
        self.headline.setText(headline(figs))
        self.refreshed.emit(figs)
        self._again()

    def _again(self) -> None:
        if self._pending:
            self._pending = False
            self.refresh()


def _compute(store, scope, targets, progress=None):
    """Worker: figures plus the target list to keep for the next refresh."""
    from gisplanner.campaign import coverage as cov

    if targets is None:
        targets = cov.load_targets(store)
    return dash.dashboard_figures(store, scope, progress, targets=targets), targets


def headline(f: dash.DashboardFigures) -> str:
    t = f.totals
    rate = t["households_visited"] / t["households"] if t["households"] else float("nan")
    sp = t["special_visited"] / t["special_households"] if t["special_households"] else float("nan")
    last = f.cumulative.iloc[-1] if len(f.cumulative) else None
    collected = int(last["cum_problems_collected"]) if last is not None else 0
    solved = int(last["cum_problems_solved"]) if last is not None else 0
    what = (
        QCoreApplication.translate("DashboardPanel", "所选 {n} 个对象").format(n=len(f.scope.target_ids))
        if f.scope.target_ids is not None
        else QCoreApplication.translate("DashboardPanel", "统计范围")
    )
    return (
        QCoreApplication.translate(
            "DashboardPanel",
            "{what}：群众家庭 {hh} 户，已走访 {visited} 户（{rate}），特殊群体 {special}；"
            "收集问题 {collected} 个，解决 {solved} 个，逾期 {overdue} 个。　统计用时 {seconds} 秒",
        )
        .format(
            what=what,
            hh=t["households"],
            visited=t["households_visited"],
            rate=f"{rate:.1%}",
            special=f"{sp:.1%}",
            collected=collected,
            solved=solved,
            overdue=int(f.overdue["overdue"].sum()),
            seconds=f"{f.seconds:.2f}",
        )
        .replace("nan%", "—")
    )


def install(ctx: PanelContext) -> None:
    panel = DashboardPanel(ctx)
    ctx.panels.dashboard = panel
    ctx.add_dock(panel, "统计图表", Qt.DockWidgetArea.RightDockWidgetArea)
    ctx.data_changed.connect(panel.data_changed)
    ctx.selection.changed.connect(lambda *_: panel.schedule() if panel.scope_bar.follow.isChecked() else None)
    if ctx.store is not None:
        panel.data_changed()
