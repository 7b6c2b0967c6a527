"""Digitising tools (区域编辑): draw, reshape, split and merge area polygons, with snapping and undo.

As in QGIS: a left click adds a vertex (snapped to the nearest vertex of the areas on the map
within ``SNAP_PX`` pixels — a magenta square shows where), a right click, a double click, Enter
or a click on the first vertex finishes, Backspace takes the last vertex back. The tools are
small objects like the selection tools (``tools.MapTool``) and turn gestures into ONE geometry;
:class:`AreaEditor` turns that into a planned edit of ``gisplanner.geo.area_edit`` (checked, an
invalid polygon gets a clear message) and pushes it on the window's QUndoStack as an
:class:`AreaEditCommand`, which writes the after/before state in one transaction.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPolygonF, QUndoCommand
from PySide6.QtWidgets import QGraphicsPathItem
from shapely.geometry import LineString, MultiPolygon, Polygon

from gisplanner.geo import area_edit as E
from gisplanner.store.model import AREA_LEVEL_ZH
from gisplanner.ui.map.style import brush, pen
from gisplanner.ui.map.tools import MapTool

SNAP_PX = 12
PARENT_LEVEL = {"village": "town", "town": "district", "district": "city"}
EDIT_COLOR = "#d81b60"


class AreaEditCommand(QUndoCommand):
    """One edit on the undo stack: redo writes ``edit.after``, undo ``edit.before``."""

    def __init__(self, editor: AreaEditor, edit: E.Edit, applied: bool = True, versions=None):
        super().__init__(edit.label)
        self.editor, self.edit = editor, edit
        self._skip_first_redo = applied  # already written when it was pushed
        # the areas' versions as this command left them: undo / redo write only over these
        self.versions = dict(versions) if versions is not None else dict(edit.versions)

    def _write(self, to: E.State, frm: E.State, label: str) -> None:
        own = self.editor.own_versions  # this window's later edits of the same areas
        expected = {aid: own.get(aid, v) if aid in own else v for aid, v in self.versions.items()}
        versions = self.editor.write(to, frm, expected, label)
        if versions is None:  # refused, or the user took the other official's version
            self.setObsolete(True)
        else:
            self.versions = versions

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._write(self.edit.after, self.edit.before, self.text())

    def undo(self) -> None:
        self._write(self.edit.before, self.edit.after, "撤销：" + self.text())


class AreaEditor(QObject):
    """Turns the tools' geometries into saved, undoable area edits.

    ``store`` and ``undo_stack`` come from the window; ``changed`` fires after every write
    (the window reloads the map); ``failed(message)`` when an edit is refused. ``ask_name``
    (level, default) → name or None is a dialog in the app, replaced in tests.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, canvas, undo_stack, store=None, parent=None):
        super().__init__(parent)
        self.canvas, self.undo_stack, self.store = canvas, undo_stack, store
        self.level = "village"
        self.ask_name = lambda level, default: default
        self.last_error = ""
        self.own_versions: dict[int, int | None] = {}  # area versions this window's edits left
        self._own_data = None
        self._snapper = None
        self._snap_data = None
        self.snap_item = pg.ScatterPlotItem(
            symbol="s", size=12, pen=pen(EDIT_COLOR, 2), brush=brush("#ffffff", 0)
        )
        self.snap_item.setZValue(2001)
        self.snap_item.setVisible(False)
        canvas.view.addItem(self.snap_item, ignoreBounds=True)
        scene = canvas.plot.scene()
        scene.sigMouseMoved.connect(self._moved)
        scene.sigMouseClicked.connect(self._clicked)

    # -- snapping -------------------------------------------------------------------------------------
    def snapper(self) -> E.VertexSnapper:
        d = self.canvas.data
        if self._snapper is None or self._snap_data is not d:
            geoms = [] if d is None else list((d.all_areas if d.all_areas is not None else d.areas).geometry)
            self._snapper, self._snap_data = E.VertexSnapper(geoms), d
        return self._snapper

    def snap(
        self, x: float, y: float, extra: list[tuple[float, float]] | None = None
    ) -> tuple[float, float, bool]:
        tol = SNAP_PX * self.canvas.metres_per_pixel()
        sx, sy, ok = self.snapper().snap(x, y, tol)
        best = np.hypot(sx - x, sy - y) if ok else np.inf
        for ex, ey in extra or []:
            d = np.hypot(ex - x, ey - y)
            if d <= tol and d < best:
                sx, sy, ok, best = ex, ey, True, d
        return (sx, sy, True) if ok else (x, y, False)

    def show_snap(self, x: float | None, y: float | None) -> None:
        if x is None:
            self.snap_item.setVisible(False)
        else:
            self.snap_item.setData([x], [y])
            self.snap_item.setVisible(True)

    # -- events the canvas does not route ----------------------------------------------------------
    def _tool(self):
        tool = self.canvas.tool
        return tool if isinstance(tool, EditTool) else None

    def _moved(self, scene_pos) -> None:
        tool = self._tool()
        if tool is not None and self.canvas.data is not None:
            tool.hover(self.canvas.view.mapSceneToView(scene_pos))

    def _clicked(self, ev) -> None:
        tool = self._tool()
        if tool is None:
            return
        if ev.button() == Qt.MouseButton.RightButton or (
            ev.button() == Qt.MouseButton.LeftButton and ev.double()
        ):
            tool.finish()

    # -- coordinates --------------------------------------------------------------------------------
    def to_lonlat(self, geom):
        proj = self.canvas.data.projection

        def inv(xy):
            lon, lat = proj.inverse(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        return shapely.transform(geom, inv)

    def area_at(self, x: float, y: float, levels=("village", "town")) -> int | None:
        d = self.canvas.data
        if d is None or d.area_index is None:
            return None
        for level in levels:
            aid = d.area_index.area_at(x, y, level=level)
            if aid is not None:
                return int(aid)
        return None

    def area_row(self, area_id: int):
        a = self.canvas.data.all_areas
        return a[a["id"] == area_id].iloc[0]

    # -- edits ---------------------------------------------------------------------------------------
    def _run(self, plan, shown: bool = False) -> E.Edit | None:
        if self.store is None:
            self._fail("没有打开数据库")
            return None
        try:
            edit = plan()
        except E.AreaEditError as e:
            self._fail(str(e))
            return None
        # an edit of the shape the map shows checks the version the map showed; the others are
        # computed from the rows as planned and check those
        expected = self.opened_versions(edit) if shown else dict(edit.versions)
        versions = self.write(edit.after, edit.before, expected, edit.label)
        if versions is None:
            return None
        self.last_error = ""
        self.undo_stack.push(AreaEditCommand(self, edit, applied=True, versions=versions))
        return edit

    def opened_versions(self, edit: E.Edit) -> dict:
        """The versions of the edited areas as the map showed them (what the user edited), else
        as the edit was planned; new areas must not exist yet."""
        a = self.canvas.data.all_areas if self.canvas.data is not None else None
        shown = {}
        if a is not None and "version" in a:
            shown = dict(zip(a["id"].to_numpy().tolist(), a["version"].tolist(), strict=True))
        own = self.own_versions if self._own_data is self.canvas.data else {}
        shown.update({k: v for k, v in own.items() if v is not None})  # saved here, map not yet reloaded
        return {aid: (None if v is None else int(shown.get(aid, v))) for aid, v in edit.versions.items()}

    def write(self, to: E.State, frm: E.State | None = None, expected=None, label: str = "") -> dict | None:
        """Write `to` over the versions `expected` (the one save path's optimistic check); on a
        conflict show it (who, when, what) and let the user keep theirs, take the other version
        or merge. Returns the versions after the write, None when nothing was written."""
        from gisplanner.access import concurrency as cc
        from gisplanner.ui import saving

        expected = dict(expected or {})
        frm = frm if frm is not None else E.State()
        while True:
            try:
                versions = E.apply(self.store, to, expected=expected, frm=frm)
                break
            except E.AreaEditError as e:
                self._fail(str(e))
                return None
            except cc.ConflictError as e:
                if not e.conflicts:
                    self._fail(str(e))
                    return None
                for c in e.conflicts:
                    choice, picks = saving.ask(self.canvas, c, action=label)
                    if not E.rebase(to, frm, expected, c, choice, picks):
                        self._fail(f"未保存「{label}」：{c.label}已被其他人修改，地图现在显示对方的版本")
                        self.changed.emit()  # reload: the map shows their version
                        return None
        self.own_versions.update(versions)
        self._own_data = self.canvas.data
        self.changed.emit()
        return versions

    def _fail(self, message: str) -> None:
        self.last_error = message
        self.failed.emit(message)

    def add_polygon(self, xy: list[tuple[float, float]]) -> E.Edit | None:
        poly = Polygon(xy)
        try:
            E.check_polygon(poly, "绘制的多边形", projected=True)
        except E.AreaEditError as e:
            self._fail(str(e))
            return None
        level = self.level
        rp = poly.representative_point()
        parent_level = PARENT_LEVEL[level]
        parent = self.area_at(rp.x, rp.y, (parent_level,))
        if parent is None:
            self._fail(
                f"请在{AREA_LEVEL_ZH.get(parent_level, parent_level)}的边界内绘制{AREA_LEVEL_ZH.get(level)}"
            )
            return None
        n = 1 + int((self.canvas.data.all_areas["level"] == level).sum())
        name = self.ask_name(level, f"新{AREA_LEVEL_ZH.get(level, level).split('/')[0]}{n}")
        if not name:
            return None
        geom = self.to_lonlat(poly)
        return self._run(lambda: E.plan_add(self.store, geom, level=level, name=name, parent_id=parent))

    def split_with(self, xy: list[tuple[float, float]]) -> E.Edit | None:
        if len(xy) < 2:
            self._fail("分割线至少需要 2 个点")
            return None
        line = LineString(xy)
        d = self.canvas.data
        for level in ("village", "town"):
            for aid in d.area_index.intersecting(line, level=level):
                g = d.area_index.geometry(int(aid))
                try:
                    E.split_polygon(g, line, projected=True)
                except E.AreaEditError:
                    continue
                geom = self.to_lonlat(line)
                return self._run(lambda aid=aid, geom=geom: E.plan_split(self.store, int(aid), geom))
        self._fail("分割线没有把任何区域分开：线要从区域外穿过区域到另一侧的区域外")
        return None

    def merge(self, keep_id: int, other_id: int) -> E.Edit | None:
        return self._run(lambda: E.plan_merge(self.store, keep_id, other_id))

    def reshape(self, area_id: int, geom_xy) -> E.Edit | None:
        geom = self.to_lonlat(geom_xy)

        def plan() -> E.Edit:
            edit = E.plan_reshape(self.store, area_id, geom)
            if self.opened_versions(edit).get(area_id) != edit.versions.get(area_id):
                # saved by someone else since the map was drawn: the conflict compares with
                # what the map showed (the rows as planned already hold their change)
                row = self.area_row(area_id)
                shape = self.to_lonlat(self.canvas.data.area_index.geometry(area_id))
                edit.before.areas[area_id] = dict(
                    edit.before.areas[area_id],
                    name=row["name"],
                    code=row["code"],
                    boundary=shapely.to_wkb(shape),
                )
            return edit

        return self._run(plan, shown=True)


class EditTool(MapTool):
    """Base of the digitising tools: a rubber band, vertices in map coordinates, snapping."""

    cursor = Qt.CursorShape.CrossCursor
    closed = True  # polygon (True) or line (False)

    def __init__(self, canvas, editor: AreaEditor):
        super().__init__(canvas)
        self.editor = editor
        self.xy: list[tuple[float, float]] = []
        self.cursor_xy: tuple[float, float] | None = None
        self.item = QGraphicsPathItem()
        self.item.setPen(pen(EDIT_COLOR, 2.0))
        self.item.setBrush(brush(EDIT_COLOR, 40 if self.closed else 0))
        self.item.setZValue(2000)
        canvas.view.addItem(self.item, ignoreBounds=True)
        self.item.setVisible(False)

    def click(self, pos, modifiers) -> None:
        x, y, _ = self.editor.snap(pos.x(), pos.y(), self.xy[:1] if self.closed else None)
        if self.closed and len(self.xy) >= 3 and (x, y) == self.xy[0]:
            self.finish()  # a click on the first vertex closes the ring
            return
        if self.xy and (x, y) == self.xy[-1]:
            return  # the second click of a double click
        self.xy.append((x, y))
        self._redraw()

    def hover(self, pos) -> None:
        x, y, ok = self.editor.snap(pos.x(), pos.y(), self.xy[:1] if self.closed else None)
        self.editor.show_snap(x if ok else None, y)
        self.cursor_xy = (x, y)
        if self.xy:
            self._redraw()

    def undo_vertex(self) -> None:
        if self.xy:
            self.xy.pop()
            self._redraw()

    def _redraw(self) -> None:
        pts = list(self.xy) + ([self.cursor_xy] if self.cursor_xy is not None else [])
        path = QPainterPath()
        if pts:
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
            if self.closed and len(pts) >= 3:
                path.closeSubpath()
        self.item.setPath(path)
        self.item.setVisible(bool(self.xy))

    def finish(self) -> None:
        xy, self.xy, self.cursor_xy = self.xy, [], None
        self._redraw()
        self.editor.show_snap(None, None)
        if xy:
            self.done(xy)

    def done(self, xy) -> None:
        raise NotImplementedError

    def deactivate(self) -> None:
        self.xy, self.cursor_xy = [], None
        self._redraw()
        self.editor.show_snap(None, None)


class DrawAreaTool(EditTool):
    name = "draw_area"
    title = "绘制区域"

    def done(self, xy) -> None:
        if len(xy) < 3:
            self.editor._fail("多边形至少需要 3 个顶点")
            return
        self.editor.add_polygon(xy)


class SplitAreaTool(EditTool):
    name = "split_area"
    title = "分割区域"
    closed = False

    def done(self, xy) -> None:
        self.editor.split_with(xy)


class MergeAreaTool(EditTool):
    """Click the area to keep, then the neighbour to merge into it."""

    name = "merge_area"
    title = "合并区域"
    cursor = Qt.CursorShape.PointingHandCursor

    def __init__(self, canvas, editor):
        super().__init__(canvas, editor)
        self.first: int | None = None

    def click(self, pos, modifiers) -> None:
        aid = self.editor.area_at(pos.x(), pos.y())
        if aid is None:
            return
        if self.first is None or self.first == aid:
            self.first = aid
            self._outline(aid)
            return
        first, self.first = self.first, None
        self.item.setVisible(False)
        self.editor.merge(first, aid)

    def _outline(self, aid: int) -> None:
        from gisplanner.ui.map.paint import polygon_path

        self.item.setPath(polygon_path([self.canvas.data.area_index.geometry(aid)]))
        self.item.setVisible(True)

    def hover(self, pos) -> None:
        pass

    def finish(self) -> None:
        self.deactivate()

    def deactivate(self) -> None:
        self.first = None
        self.item.setVisible(False)


class EditVerticesTool(EditTool):
    """Click an area to show its vertices; drag a vertex (snapped) to move it; Ctrl+click deletes it."""

    name = "edit_vertices"
    title = "编辑顶点"
    handles_drag = True

    def __init__(self, canvas, editor):
        super().__init__(canvas, editor)
        self.area_id: int | None = None
        self.geom: Polygon | None = None
        self._drag: tuple[int, int] | None = None  # (part, vertex index)
        self.handles = pg.ScatterPlotItem(
            symbol="s", size=8, pen=pen(EDIT_COLOR, 1.5), brush=brush("#ffffff")
        )
        self.handles.setZValue(2002)
        canvas.view.addItem(self.handles, ignoreBounds=True)
        self.handles.setVisible(False)

    def _parts(self) -> list[Polygon]:
        return list(getattr(self.geom, "geoms", [self.geom])) if self.geom is not None else []

    def _show(self) -> None:
        from gisplanner.ui.map.paint import polygon_path

        if self.geom is None:
            self.handles.setVisible(False)
            self.item.setVisible(False)
            return
        xy = np.vstack([np.asarray(p.exterior.coords)[:-1] for p in self._parts()])
        self.handles.setData(xy[:, 0], xy[:, 1])
        self.handles.setVisible(True)
        self.item.setPath(polygon_path([self.geom]))
        self.item.setVisible(True)

    def _vertex_near(self, x: float, y: float) -> tuple[int, int] | None:
        tol = 8 * self.canvas.metres_per_pixel()
        best, where = tol, None
        for k, p in enumerate(self._parts()):
            ring = np.asarray(p.exterior.coords)[:-1]
            d = np.hypot(ring[:, 0] - x, ring[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= best:
                best, where = d[i], (k, i)
        return where

    def _moved_geom(self, part: int, i: int, xy: tuple[float, float] | None):
        parts = self._parts()
        ring = [tuple(c) for c in np.asarray(parts[part].exterior.coords)[:-1]]
        if xy is None:
            ring.pop(i)
        else:
            ring[i] = xy
        parts[part] = Polygon(ring, [list(r.coords) for r in parts[part].interiors])
        return parts[0] if len(parts) == 1 else MultiPolygon(parts)

    def click(self, pos, modifiers) -> None:
        if self.geom is not None and modifiers & Qt.KeyboardModifier.ControlModifier:
            hit = self._vertex_near(pos.x(), pos.y())
            if hit is not None:
                self._commit(self._moved_geom(*hit, None))
                return
        aid = self.editor.area_at(pos.x(), pos.y())
        self.select(aid)

    def select(self, aid: int | None) -> None:
        self.area_id = aid
        self.geom = self.canvas.data.area_index.geometry(aid) if aid is not None else None
        self._show()

    def drag(self, start, pos, modifiers, phase) -> None:
        if phase == "start":
            self._drag = self._vertex_near(start.x(), start.y()) if self.geom is not None else None
        if self._drag is None:
            return
        x, y, ok = self.editor.snap(pos.x(), pos.y())
        self.editor.show_snap(x if ok else None, y)
        moved = self._moved_geom(*self._drag, (x, y))
        if phase != "finish":
            from gisplanner.ui.map.paint import polygon_path

            self.item.setPath(polygon_path([moved]))
            return
        self._drag = None
        self.editor.show_snap(None, None)
        self._commit(moved)

    def _commit(self, geom) -> None:
        aid = self.area_id
        if self.editor.reshape(aid, geom) is None:
            self._show()  # refused: back to the stored shape
        # after the reload the selection is refreshed by the editor's changed signal

    def refresh(self) -> None:
        if self.area_id is not None and self.canvas.data is not None:
            ids = self.canvas.data.all_areas["id"].to_numpy()
            self.select(self.area_id if self.area_id in ids else None)

    def hover(self, pos) -> None:
        pass

    def finish(self) -> None:
        pass

    def deactivate(self) -> None:
        if self.canvas.data is not None:
            self.select(None)
        self.editor.show_snap(None, None)


EDIT_TOOLS = (DrawAreaTool, EditVerticesTool, SplitAreaTool, MergeAreaTool)


def install_edit_tools(canvas, undo_stack, store=None) -> AreaEditor:
    """Create the editor and register the tools with the canvas (``canvas.set_tool(name)``)."""
    editor = AreaEditor(canvas, undo_stack, store)
    for cls in EDIT_TOOLS:
        canvas.tools[cls.name] = cls(canvas, editor)
    canvas.area_editor = editor
    return editor
