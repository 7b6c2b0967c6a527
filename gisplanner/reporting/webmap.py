"""A shareable web map (网页地图) that works with no internet: one self-contained HTML file.

folium builds the map; Leaflet and jQuery come from the PyPI packages XStatic-Leaflet and
XStatic-jQuery and are inlined (with Leaflet's images as data: URIs), and nothing else from a
CDN is used (no bootstrap, no awesome-markers, no tiles). Layers: village coverage choropleth
(from :mod:`gisplanner.campaign.coverage`), households and enterprises as circle markers with masked
popups, the routes of a round, and a legend.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select

from gisplanner import palette
from gisplanner.campaign.coverage import STATUS_ZH, coverage
from gisplanner.codes import mask_phone
from gisplanner.progress import Progress, check
from gisplanner.store.database import Store
from gisplanner.store.model import (
    HOUSEHOLD_TAGS,
    OUTCOME_ZH,
    Round,
    Route,
    RouteStop,
    Target,
    Team,
    VisitSession,
)
from gisplanner.store.vocab import TargetKind

INLINE = "gisplanner-inline://"
# Coverage classes by the share of targets met in person (见面率), light to dark green.
# the GUI's colour-blind-safe palettes (gisplanner.palette), not red → green
CLASSES = palette.COVERAGE_CLASSES
NO_TARGETS = palette.NO_TARGETS
HOUSEHOLD_COLOR = "#3b6fb6"
SPECIAL_COLOR = "#8e44ad"
ENTERPRISE_COLOR = "#e67e22"
ROUTE_COLORS = tuple(palette.ROUTE_COLORS)


class WebMapError(RuntimeError):
    pass


def class_color(rate: float | None) -> str:
    if rate is None or rate != rate:
        return NO_TARGETS
    for lo, hi, color in CLASSES:
        if lo <= rate < hi:
            return color
    return CLASSES[-1][2]


def build_webmap(
    store: Store, round_id: int | None = None, *, unmasked: bool = False, progress: Progress | None = None
):
    """The folium map (not yet written): coverage, households, enterprises, routes, legend."""
    check(progress, 0.05, "统计覆盖情况")
    with store.session() as s:
        all_rounds = list(s.scalars(select(Round.id).order_by(Round.id)))
    # one round's coverage, or (no round given) every round's visits together
    cov = coverage(store, round_id) if round_id is not None else coverage(store, round_ids=all_rounds)
    areas = store.areas_gdf(level="village")
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty]
    if areas.empty:
        raise WebMapError("数据库里没有村（社区）边界，无法生成网页地图")
    minx, miny, maxx, maxy = areas.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=13,
                   control_scale=True, prefer_canvas=False)  # fmt: skip
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    _offline_assets(m)
    title = "全部轮次 · 走访覆盖"
    if round_id is not None:
        with store.session() as s:
            r = s.get(Round, round_id)
            title = f"{r.name} · 走访覆盖" if r else title
    _coverage_layer(m, areas, cov.areas)
    check(progress, 0.35, "走访对象")
    targets = store.targets_frame(kinds=["household", "enterprise"])
    _points_layer(m, targets[targets["kind"] == TargetKind.HOUSEHOLD], "群众家庭", unmasked)
    _points_layer(m, targets[targets["kind"] == TargetKind.ENTERPRISE], "企业", unmasked)
    n_routes = n_stops = 0
    if round_id is not None:
        check(progress, 0.7, "路线")
        n_routes, n_stops = _routes_layer(m, store, round_id)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, title)
    m._gisplanner_counts = {  # noqa: SLF001 - what export_webmap reports
        "areas": len(areas),
        "households": int((targets["kind"] == TargetKind.HOUSEHOLD).sum()),
        "enterprises": int((targets["kind"] == TargetKind.ENTERPRISE).sum()),
        "routes": n_routes,
        "stops": n_stops,
    }
    return m


def _offline_assets(m: folium.Map) -> None:
    """Only Leaflet (+ jQuery, which folium's templates expect) — placeholders inlined on save."""
    m.default_js = [("leaflet", INLINE + "leaflet.js"), ("jquery", INLINE + "jquery.js")]
    m.default_css = [("leaflet_css", INLINE + "leaflet.css")]


def _coverage_layer(m, areas, cov: pd.DataFrame) -> None:
    feats = []
    for row in areas.itertuples():
        c = cov.loc[row.id] if row.id in cov.index else None
        rate = None if c is None or not c["targets"] else float(c["met"]) / float(c["targets"])
        props = {
            "name": _h(row.name),
            "code": row.code,
            "targets": int(c["targets"]) if c is not None else 0,
            "visited": int(c["visited"]) if c is not None else 0,
            "met": int(c["met"]) if c is not None else 0,
            "met_rate": "—" if rate is None else f"{rate:.0%}",
            "status": _h(STATUS_ZH.get(str(c["status"]), "")) if c is not None else "",
            "open_problems": int(c["open_problems"]) if c is not None else 0,
            "color": class_color(rate),
        }
        feats.append(
            {"type": "Feature", "geometry": shapely.geometry.mapping(row.geometry), "properties": props}
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name="走访覆盖（村/社区）",
        style_function=lambda f: {
            "fillColor": f["properties"]["color"],
            "color": "#555555",
            "weight": 1.2,
            "fillOpacity": 0.55,
        },  # fmt: skip
        highlight_function=lambda f: {"weight": 3, "color": "#222222"},  # noqa: ARG005
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "status", "met_rate", "targets", "visited", "met", "open_problems"],
            aliases=["村/社区", "状态", "见面率", "走访对象", "已走访", "已见面", "未办结问题"],
        ),
    ).add_to(m)


def _h(v) -> str:
    """Text for a folium popup/tooltip field (rendered as HTML): escaped, so a name such as
    ``<img src=x onerror=…>`` shows as typed instead of running."""
    return html.escape("" if v is None or (isinstance(v, float) and v != v) else str(v), quote=True)


def _points_layer(m, df: pd.DataFrame, name: str, unmasked: bool) -> None:
    if df.empty:
        return
    feats = []
    tag_cols = [c for c in HOUSEHOLD_TAGS if c in df.columns]
    for row in df.itertuples(index=False):
        tags = "、".join(HOUSEHOLD_TAGS[c] for c in tag_cols if bool(getattr(row, c)))
        if getattr(row, "key_enterprise", False):
            tags = "重点企业"
        phone = row.phone if isinstance(row.phone, str) else ""
        last = OUTCOME_ZH.get(row.last_outcome, "未走访") if isinstance(row.last_outcome, str) else "未走访"
        special = any(
            bool(getattr(row, c)) for c in ("elderly_alone", "disabled", "hardship") if c in tag_cols
        )
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(row.lon), 6), round(float(row.lat), 6)]},
            "properties": {
                # popups and tooltips render their values as HTML: every user text is escaped
                "name": _h(row.name), "address": _h(row.address or ""),
                "phone": _h(phone if unmasked else mask_phone(phone)),
                "tags": _h(tags or "—"), "last": _h(last), "problems": int(row.open_problems),
                "color": ENTERPRISE_COLOR if row.kind == TargetKind.ENTERPRISE else (SPECIAL_COLOR if special else HOUSEHOLD_COLOR),
            },
        })  # fmt: skip
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name=name,
        marker=folium.CircleMarker(radius=4 if name == "企业" else 3, weight=1, fill=True, fill_opacity=0.85),
        style_function=lambda f: {"color": f["properties"]["color"], "fillColor": f["properties"]["color"]},
        popup=folium.GeoJsonPopup(
            fields=["name", "address", "phone", "tags", "last", "problems"],
            aliases=["名称" if name == "企业" else "户主", "地址", "电话", "标签", "最近走访", "未办结问题"],
        ),
    ).add_to(m)


def _routes_layer(m, store: Store, round_id: int) -> tuple[int, int]:
    with store.session() as s:
        rows = s.execute(
            select(Route.id, Team.name, VisitSession.start, RouteStop.seq, RouteStop.code, Target.name,
                   Target.lon, Target.lat)
            .join(Team, Team.id == Route.team_id)
            .join(VisitSession, VisitSession.id == Route.session_id)
            .join(RouteStop, RouteStop.route_id == Route.id)
            .join(Target, Target.id == RouteStop.target_id)
            .where(Route.round_id == round_id)
            .order_by(VisitSession.start, Route.team_id, Route.id, RouteStop.seq)
        ).all()  # fmt: skip
    if not rows:
        return 0, 0
    group = folium.FeatureGroup(name="走访路线")
    routes: dict[int, list] = {}
    for r in rows:
        routes.setdefault(r[0], []).append(r)
    # the legs follow the roads (office → stops → office), as planned
    from gisplanner.planning.route_legs import round_legs

    paths: dict[int, list] = {}
    for leg in round_legs(store, round_id):
        xy = np.asarray(leg.geometry.coords)
        pts = paths.setdefault(leg.route_id, [])
        pts.extend([[float(y), float(x)] for x, y in (xy[1:] if pts else xy)])
    for i, (rid, stops) in enumerate(routes.items()):
        color = ROUTE_COLORS[i % len(ROUTE_COLORS)]
        team, start = stops[0][1], stops[0][2]
        label = f"{team} {start:%m-%d %H:%M}"
        line = paths.get(rid) or [[st[7], st[6]] for st in stops]
        folium.PolyLine(line, color=color, weight=3, opacity=0.8, tooltip=html.escape(label)).add_to(group)
        for st in stops:
            folium.CircleMarker(
                [st[7], st[6]], radius=6, color="white", weight=1.5, fill=True, fill_color=color, fill_opacity=1,
                tooltip=html.escape(f"{label} 第{st[3]}站 {st[4] or ''}"),
            ).add_to(group)  # fmt: skip
    group.add_to(m)
    return len(routes), len(rows)


def _legend(m, title: str) -> None:
    items = "".join(
        f'<div><span style="background:{c}"></span>{lo:.0%}–{min(hi, 1.0):.0%}</div>' for lo, hi, c in CLASSES
    )
    points = (
        f'<div><i style="background:{HOUSEHOLD_COLOR}"></i>群众家庭</div>'
        f'<div><i style="background:{SPECIAL_COLOR}"></i>独居老人/残疾/困难家庭</div>'
        f'<div><i style="background:{ENTERPRISE_COLOR}"></i>企业</div>'
    )
    legend = f"""
<div id="gp-legend" style="position:fixed;bottom:28px;right:12px;z-index:1000;background:#fff;padding:8px 10px;
 border:1px solid #999;border-radius:4px;font:12px/1.5 'Microsoft YaHei','WenQuanYi Micro Hei',sans-serif">
<b>{html.escape(title)}</b><div style="color:#555">见面率（村/社区）</div>{items}
<div><span style="background:{NO_TARGETS}"></span>无走访对象</div><hr style="margin:4px 0">{points}
<style>#gp-legend span{{display:inline-block;width:14px;height:10px;margin-right:6px;border:1px solid #777}}
#gp-legend i{{display:inline-block;width:9px;height:9px;border-radius:50%;margin:0 7px 0 2px}}</style></div>"""
    m.get_root().html.add_child(folium.Element(legend))


# -- writing --------------------------------------------------------------------------------------
def _asset_dir(pkg: str) -> Path:
    import importlib

    return Path(importlib.import_module(f"xstatic.pkg.{pkg}").BASE_DIR)


def _leaflet_css() -> str:
    """Leaflet's CSS with its images (layer switcher, marker icons) as data: URIs."""
    base = _asset_dir("leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match) -> str:
        path = base / match.group(1)
        if not path.exists():
            return match.group(0)
        mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
        return f"url(data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()})"

    return re.sub(r"url\(\s*['\"]?(images/[^)'\"]+)['\"]?\s*\)", data_uri, css)


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def inline_assets(page: str) -> str:
    """Replace the placeholder <script src>/<link href> tags with the packaged files' content."""
    leaflet = _asset_dir("leaflet") / "leaflet.js"
    jquery_dir = _asset_dir("jquery")
    jquery = next(p for p in (jquery_dir / "jquery.min.js", jquery_dir / "jquery.js") if p.exists())
    assets = {
        "leaflet.js": _script(leaflet.read_text(encoding="utf-8")),
        "jquery.js": _script(jquery.read_text(encoding="utf-8")),
        "leaflet.css": "<style>" + _leaflet_css() + "</style>",
    }
    page = re.sub(
        rf'<script src="{re.escape(INLINE)}([^"]+)"></script>', lambda mt: assets[mt.group(1)], page
    )
    page = re.sub(
        rf'<link rel="stylesheet" href="{re.escape(INLINE)}([^"]+)"\s*/?>',
        lambda mt: assets[mt.group(1)],
        page,
    )
    if INLINE in page:
        raise WebMapError("网页地图的离线资源未能全部内嵌")
    return page


def external_urls(page: str) -> list[str]:
    """Every http(s) address the page would load: script/img/iframe src and stylesheet href.

    (Plain links such as Leaflet's attribution are not loads.)"""
    loads = re.findall(r'<(?:script|img|iframe)\b[^>]*\ssrc\s*=\s*["\'](https?://[^"\']+)', page)
    loads += re.findall(r'<link\b[^>]*\shref\s*=\s*["\'](https?://[^"\']+)', page)
    loads += re.findall(r'url\(\s*["\']?(https?://[^)"\']+)', page)
    return loads


def export_webmap(
    store: Store,
    out: str | Path,
    round_id: int | None = None,
    *,
    unmasked: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Write the map as one self-contained HTML file; returns what it holds."""
    if unmasked:  # full phone numbers: 负责人 / 管理员 only (gisplanner.access.roles)
        from gisplanner.access.roles import require

        require(store, "export.unmasked")
    m = build_webmap(store, round_id, unmasked=unmasked, progress=progress)
    check(progress, 0.85, "写出网页")
    page = inline_assets(m.get_root().render())
    loads = external_urls(page)
    if loads:
        raise WebMapError(f"网页地图仍引用外部资源：{loads[0]}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    from gisplanner.io.atomic import part_path

    tmp = part_path(out)
    tmp.write_text(page, encoding="utf-8")
    if unmasked:  # recorded before the file is in place: no unlogged copy of every phone number
        from gisplanner.access.audit import log_disclosure

        counts = m._gisplanner_counts  # noqa: SLF001
        log_disclosure(
            store, f"导出网页地图（电话未隐藏）→ {out.name}", counts["households"] + counts["enterprises"]
        )
    tmp.replace(out)
    check(progress, 1.0, "完成")
    return {"out": str(out), "bytes": out.stat().st_size, "round": round_id, "unmasked": unmasked,
            **m._gisplanner_counts}  # fmt: skip  # noqa: SLF001


def feature_count(info: dict) -> int:
    """How many vector features Leaflet draws for an exported map (areas, points, route lines, stops)."""
    return int(
        info["areas"] + info["households"] + info["enterprises"] + info["routes"] + info.get("stops", 0)
    )
