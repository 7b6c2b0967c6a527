"""A deterministic demo town (镇) of a Changzhou-like district, scalable to city size.

One town by default: ~14 villages (村) and 4 urban communities (社区) tiling the town, roads,
~8,000 households, ~150 enterprises, ~30 notable persons, ~80 town and 72 village cadres, and one finished round
with visits and problems — so that coverage colours and next-round targets mean something on
the first start. ``households=250_000`` or ``2_000_000`` spreads the households over several
towns in up to six districts (used by every benchmark).

Length: a whole synthetic town (areas, roads, targets, cadres, a finished round) generated from
one seed; the parts depend on each other's random draws, so they stay in one deterministic
sequence.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.ops import unary_union

from gisplanner.campaign.schedule import calendar_sessions, create_sessions
from gisplanner.codes import CREDIT_ALPHABET, credit_code_check_char
from gisplanner.io import crs
from gisplanner.progress import Progress, reporter
from gisplanner.store.database import Store, bulk_insert
from gisplanner.store.model import Area, Cadre, CadreLeave, Round, Team, TeamMember, Unit, VisitSession
from gisplanner.store.vocab import CLOSED_STATUSES, Outcome, RoundKind, RoundStatus, SessionKind, TargetKind
from gisplanner.store.vocab import ProblemStatus as PS

# Local metric CRS: CGCS2000 / 3-degree Gauss-Kruger, central meridian 120°E (Changzhou).
LOCAL_CRS = "EPSG:4549"
TOWN_CENTER_LONLAT = (120.03, 31.49)  # near 雪堰镇, 武进区
HOUSEHOLDS_PER_TOWN = 35_000  # above this the demo grows more towns
TOWN_TILE = (13_000.0, 10_500.0)  # metres between town centres at city scale

CITY = ("320400000000", "常州市")
DISTRICTS = [
    ("320412000000", "武进区"), ("320402000000", "天宁区"), ("320404000000", "钟楼区"),
    ("320411000000", "新北区"), ("320413000000", "金坛区"), ("320481000000", "溧阳市"),
]  # fmt: skip
TOWN_NAMES = [
    "雪堰镇", "前黄镇", "礼嘉镇", "洛阳镇", "遥观镇", "横林镇", "横山桥镇", "湖塘镇", "牛塘镇", "嘉泽镇",
    "湟里镇", "南夏墅街道", "西湖街道", "青龙街道", "茶山街道", "红梅街道", "兰陵街道", "雕庄街道",
    "郑陆镇", "邹区镇", "五星街道", "永红街道", "北港街道", "新闸街道", "南大街街道", "荷花池街道",
    "孟河镇", "薛家镇", "罗溪镇", "西夏墅镇", "奔牛镇", "春江街道", "魏村街道", "龙虎塘街道",
    "金城镇", "儒林镇", "直溪镇", "朱林镇", "薛埠镇", "指前镇", "尧塘街道", "东城街道", "西城街道",
    "溧城街道", "埭头镇", "上黄镇", "戴埠镇", "天目湖镇", "别桥镇", "上兴镇", "竹箦镇", "南渡镇",
    "社渚镇", "昆仑街道", "古渎街道", "江心洲街道", "安家镇", "卜弋街道", "邹家镇", "河海街道",
]  # fmt: skip
VILLAGE_NAMES = [
    "潘家村", "城湾村", "雅浦村", "周桥村", "太滆村", "陆家村", "新康村", "楼村", "南宅村", "漕桥村",
    "灵台村", "分水村", "邵家村", "雪东村",
]  # fmt: skip
COMMUNITY_NAMES = ["雪堰社区", "东方社区", "新城社区", "太湖社区"]
ESTATE_NAMES = ["阳光花园", "滨湖新村", "锦绣苑", "丽景园", "太湖明珠苑", "幸福里", "和平新村", "桃园小区"]
SURNAMES = list("王张陈周吴徐朱蒋钱陆沈刘杨许顾孙黄李何汤胡邵丁缪恽史谢潘庄薛袁承")
SURNAME_W = np.array(
    [9, 8, 8, 1, 7, 7, 6, 6, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1], float
)
GIVEN_CHARS = list(
    "建国伟华明军红霞芳英秀兰志强平刚勇杰丽娟敏静燕玲桂珍海涛亮斌晓东文彬云峰波春梅雪琴浩宇子轩欣怡"
)
PHONE_PREFIXES = ["139", "138", "137", "135", "136", "150", "151", "152", "158", "159", "187", "188", "180", "189", "133", "153", "177", "181"]  # fmt: skip
INDUSTRIES = [
    "机械制造",
    "纺织服装",
    "电子元件",
    "新材料",
    "农副产品加工",
    "物流运输",
    "建材",
    "餐饮服务",
    "商贸零售",
    "化工",
]
ENTERPRISE_SUFFIX = ["机械有限公司", "纺织有限公司", "电子科技有限公司", "新材料有限公司", "食品有限公司",
                     "物流有限公司", "建材有限公司", "餐饮管理有限公司", "商贸有限公司", "化工有限公司"]  # fmt: skip
NOTABLE_TITLES = [
    "退休教师",
    "民营企业家",
    "农业技术专家",
    "退休干部",
    "乡村医生",
    "非遗传承人",
    "返乡创业青年",
]
TOWN_UNITS = [
    "镇党政办",
    "镇农业农村办",
    "镇社会事业局",
    "镇城建办",
    "镇综治办",
    "镇经发局",
    "镇财政所",
    "镇派出所",
]
UPPER_UNITS = [
    ("区交通运输局", "district"), ("区住房和城乡建设局", "district"), ("区民政局", "district"),
    ("区人力资源和社会保障局", "district"), ("区生态环境局", "district"), ("区农业农村局", "district"),
    ("市公安局武进分局", "district"), ("市自然资源和规划局", "city"), ("市市场监督管理局", "city"),
    ("市公交集团", "city"),
]  # fmt: skip
# problem category -> (weight, typical description)
PROBLEM_TEMPLATES = {
    "transport": (
        14,
        ["村里到镇上没有公交，出行不便", "道路破损，雨天积水", "路口缺少红绿灯，孩子上学不安全"],
    ),
    "environment": (12, ["河道有垃圾漂浮，气味大", "附近工厂夜间噪声扰民", "垃圾清运不及时"]),
    "housing": (12, ["老小区想加装电梯", "房屋漏雨需要维修", "路灯坏了很久没人修"]),
    "social_security": (10, ["医保报销流程不清楚", "养老金领取认证不方便"]),
    "poverty_disability": (8, ["残疾人补贴申请进度咨询", "希望申请困难家庭救助"]),
    "employment": (8, ["想找附近的工作，希望有招聘信息", "返乡创业想了解贷款政策"]),
    "agriculture": (10, ["农田灌溉渠道堵塞", "希望有农技人员指导种植", "土地流转租金问题"]),
    "elderly_care": (7, ["独居老人希望有上门助餐", "社区缺少老年活动场所"]),
    "health": (6, ["村卫生室药品不全", "希望定期上门体检"]),
    "education": (4, ["孩子入学政策咨询"]),
    "public_safety": (5, ["废品车辆占道停放，影响出行安全", "夜间有陌生车辆出入"]),
    "talent": (2, ["大学生回乡就业补贴咨询"]),
    "other": (2, ["希望多组织文化活动"]),
}
DEADLINE_DAYS = {"transport": 15, "environment": 7, "housing": 15, "public_safety": 3}  # others: 7


@dataclass
class TownPlan:
    """The generated geometry of one town, in the local metric CRS."""

    code: str
    name: str
    polygon: Polygon
    cells: list[tuple[str, str, bool, Polygon, tuple[float, float]]] = field(default_factory=list)
    roads: list[tuple[str, str, LineString]] = field(default_factory=list)  # (name, kind, line)
    centre: tuple[float, float] = (0.0, 0.0)
    park: Polygon | None = None


def _lonlat(x, y):
    return crs.transform(np.asarray(x, float), np.asarray(y, float), LOCAL_CRS, "EPSG:4326")


def _to_wgs_geom(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_lonlat(xy[:, 0], xy[:, 1])))


# -- geometry --------------------------------------------------------------------------------
def _town_polygon(rng: np.random.Generator, cx: float, cy: float) -> Polygon:
    """An irregular town outline of roughly 11 × 8.5 km."""
    t = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    noise = 1 + 0.08 * np.sin(3 * t + rng.uniform(0, 6)) + 0.05 * np.sin(7 * t + rng.uniform(0, 6))
    x = cx + 5_600 * noise * np.cos(t)
    y = cy + 4_300 * noise * np.sin(t)
    return Polygon(np.column_stack([x, y]))


def _plan_town(rng: np.random.Generator, code: str, name: str, cx: float, cy: float) -> TownPlan:
    town = _town_polygon(rng, cx, cy)
    plan = TownPlan(code=code, name=name, polygon=town, centre=(cx, cy))
    # village seeds spread over the town; community seeds close to the centre (the town seat)
    seeds, minx, miny, maxx, maxy = [], *town.bounds
    while len(seeds) < len(VILLAGE_NAMES):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if town.buffer(-700).contains(Point(x, y)) and math.hypot(x - cx, y - cy) > 1_800:
            if all(math.hypot(x - a, y - b) > 1_700 for a, b in seeds):
                seeds.append((x, y))
    comm = [(cx + dx, cy + dy) for dx, dy in [(-550, 450), (550, 450), (-550, -450), (550, -450)]]
    all_seeds = comm + seeds
    cells = shapely.voronoi_polygons(MultiPoint(all_seeds), extend_to=town.buffer(3_000))
    by_seed = {}
    for cell in cells.geoms:
        for i, (sx, sy) in enumerate(all_seeds):
            if cell.contains(Point(sx, sy)):
                by_seed[i] = cell.intersection(town)
    # the last cell absorbs any sliver left by floating point, so the cells tile the town exactly
    for i, (sx, sy) in enumerate(all_seeds):
        urban = i < len(comm)
        vname = COMMUNITY_NAMES[i] if urban else VILLAGE_NAMES[i - len(comm)]
        vcode = code[:9] + (f"{i + 1:03d}" if urban else f"{200 + i - len(comm) + 1:03d}")
        poly = shapely.make_valid(by_seed[i])
        office = Point(sx + rng.uniform(-120, 120), sy + rng.uniform(-120, 120))
        if not poly.contains(office):
            office = poly.representative_point()
        plan.cells.append((vcode, vname, urban, poly, (office.x, office.y)))
    # the town outline is exactly the union of its villages (no slivers from clipping)
    plan.polygon = unary_union([c[3] for c in plan.cells])
    plan.roads = _plan_roads(rng, plan, all_seeds)
    # an industrial park in the east, beside the east–west main road
    plan.park = Polygon(
        [(cx + 2_300, cy - 700), (cx + 3_800, cy - 700), (cx + 3_800, cy + 300), (cx + 2_300, cy + 300)]
    )
    return plan


def _plan_roads(rng, plan: TownPlan, seeds) -> list[tuple[str, str, LineString]]:
    cx, cy = plan.centre
    town = plan.polygon
    roads: list[tuple[str, str, LineString]] = []

    def add(name, kind, coords):
        line = LineString(coords).intersection(town)
        for part in getattr(line, "geoms", [line]):
            if part.length > 50:
                roads.append((name, kind, part))

    # main roads: east–west, north–south, and a diagonal provincial road through the seat
    add(
        "环湖公路",
        "main",
        [(cx - 7_000, cy + 60), (cx - 2_000, cy - 150), (cx + 2_500, cy + 80), (cx + 7_000, cy - 100)],
    )
    add(
        "雪漕线",
        "main",
        [(cx - 80, cy - 6_000), (cx + 120, cy - 1_500), (cx - 60, cy + 2_000), (cx + 100, cy + 6_000)],
    )
    add("武宜公路", "main", [(cx - 6_000, cy - 4_500), (cx, cy), (cx + 6_000, cy + 4_500)])
    # town-seat street grid at 250 m
    for k in range(-5, 6):
        add(f"镇区{k + 6}号路", "lane", [(cx - 1_300, cy + k * 250), (cx + 1_300, cy + k * 250)])
        add(f"镇区{k + 17}号路", "lane", [(cx + k * 250, cy - 1_300), (cx + k * 250, cy + 1_300)])
    mains = unary_union([g for _, k, g in roads if k == "main"])
    # every village core gets a lane to the nearest main road and a small loop of lanes
    for i, (sx, sy) in enumerate(seeds[4:]):
        vname = VILLAGE_NAMES[i]
        p = Point(sx, sy)
        near = mains.interpolate(mains.project(p))
        add(f"{vname[:-1]}路", "lane", [(sx, sy), (near.x, near.y)])
        for a in range(3):
            ang = rng.uniform(0, 2 * np.pi) + a * 2.1
            r = rng.uniform(500, 900)
            add(f"{vname[:-1]}{a + 1}巷", "lane", [(sx, sy), (sx + r * np.cos(ang), sy + r * np.sin(ang))])
    return roads


# -- people and places ---------------------------------------------------------------------
def _names(rng, n: int) -> np.ndarray:
    sur = rng.choice(SURNAMES, n, p=SURNAME_W / SURNAME_W.sum())
    g1 = rng.choice(GIVEN_CHARS, n)
    g2 = rng.choice(GIVEN_CHARS, n)
    two = rng.random(n) < 0.7
    return np.where(two, np.char.add(np.char.add(sur, g1), g2), np.char.add(sur, g1)).astype(object)


def _phones(rng, n: int) -> np.ndarray:
    pre = rng.choice(PHONE_PREFIXES, n)
    num = rng.integers(0, 10**8, n)
    return np.array([f"{p}{x:08d}" for p, x in zip(pre, num, strict=True)], dtype=object)


def _credit_code(rng, region: str) -> str:
    body = "91" + region[:6] + "".join(rng.choice(list(CREDIT_ALPHABET[:10] + "ABCDEFGH"), 9))
    return body + credit_code_check_char(body)


def _points_near(rng, n, centres, sigma, inside: Polygon) -> np.ndarray:
    """n points scattered around the given centres, kept inside the polygon."""
    out = np.empty((0, 2))
    prepared = shapely.prepared.prep(inside) if hasattr(shapely, "prepared") else inside
    while len(out) < n:
        k = max(16, int((n - len(out)) * 1.3))
        c = np.asarray(centres)[rng.integers(0, len(centres), k)]
        pts = c + rng.normal(0, sigma, (k, 2))
        ok = shapely.contains_xy(inside, pts[:, 0], pts[:, 1])
        out = np.vstack([out, pts[ok]])
    del prepared
    return out[:n]


def _points_along(rng, n, lines: list[LineString], offset: float, inside: Polygon) -> np.ndarray:
    """n points along the lines (ribbon development), at most `offset` metres to either side."""
    lengths = np.array([ln.length for ln in lines])
    out = np.empty((0, 2))
    while len(out) < n:
        k = max(16, int((n - len(out)) * 1.3))
        which = rng.choice(len(lines), k, p=lengths / lengths.sum())
        d = rng.random(k)
        base = np.array(
            [lines[w].interpolate(f, normalized=True).coords[0] for w, f in zip(which, d, strict=True)]
        )
        pts = base + rng.normal(0, offset, (k, 2))
        ok = shapely.contains_xy(inside, pts[:, 0], pts[:, 1])
        out = np.vstack([out, pts[ok]])
    return out[:n]


@dataclass
class _Targets:
    """Column arrays of generated targets (local metric coordinates)."""

    cols: dict[str, list | np.ndarray] = field(default_factory=dict)

    def extend(self, **kw):
        for k, v in kw.items():
            self.cols.setdefault(k, []).append(np.asarray(v, dtype=object))

    def frame(self):
        import pandas as pd

        return pd.DataFrame({k: np.concatenate(v) for k, v in self.cols.items()})


def _households(rng, plan: TownPlan, n: int, town_index: int):
    """Households: apartment blocks in the communities, village cores and ribbons along lanes."""
    urban_cells = [c for c in plan.cells if c[2]]
    rural_cells = [c for c in plan.cells if not c[2]]
    n_urban = int(n * 0.35)
    n_rural = n - n_urban
    t = _Targets()
    # urban: apartment buildings of 12–36 households; several households per building address
    xs, ys, addr, bld, unit = [], [], [], [], []
    count, b_no = 0, 0
    while count < n_urban:
        vcode, vname, _, poly, _ = urban_cells[b_no % len(urban_cells)]
        estate = ESTATE_NAMES[(b_no // len(urban_cells)) % len(ESTATE_NAMES)]
        p = _points_near(rng, 1, [poly.representative_point().coords[0]], 380, poly)[0]
        size = int(min(rng.integers(12, 37), n_urban - count))
        b = b_no // len(urban_cells) + 1
        key = f"{vname}{estate}{b}幢"
        for h in range(size):
            u, room = h // 12 + 1, (h % 12) // 2 + 1
            xs.append(p[0] + rng.normal(0, 4))
            ys.append(p[1] + rng.normal(0, 4))
            addr.append(f"{plan.name}{vname}{estate}{b}幢{u}单元{room}0{h % 2 + 1}室")
            bld.append(key)
            unit.append(f"{u}单元{room}0{h % 2 + 1}室")
        count += size
        b_no += 1
    t.extend(x=xs, y=ys, address=addr, building=bld, unit_no=unit, urban=np.ones(len(xs), bool))
    # rural: 70 % in village cores, 30 % in ribbons along lanes
    lanes = [g for _, k, g in plan.roads if k == "lane"]
    cores = [c[4] for c in rural_cells]
    n_core = int(n_rural * 0.7)
    pts = np.vstack(
        [
            _points_near(rng, n_core, cores, 260, plan.polygon),
            _points_along(rng, n_rural - n_core, lanes, 35, plan.polygon),
        ]
    )
    group = rng.integers(1, 13, n_rural)
    door = rng.integers(1, 120, n_rural)
    t.extend(
        x=pts[:, 0], y=pts[:, 1], address=np.full(n_rural, "", object), building=np.full(n_rural, None, object),
        unit_no=np.full(n_rural, None, object), urban=np.zeros(n_rural, bool),
    )  # fmt: skip
    df = t.frame()
    df["group"] = np.concatenate([np.zeros(n_urban, int), group])
    df["door"] = np.concatenate([np.zeros(n_urban, int), door])
    return df


def _assign_cells(plan: TownPlan, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the cell (village) containing each point; -1 if none."""
    idx = np.full(len(x), -1)
    for i, cell in enumerate(plan.cells):
        poly = cell[3]
        shapely.prepare(poly)
        hit = (idx < 0) & shapely.contains_xy(poly, x, y)
        idx[hit] = i
    return idx


# -- the builder -----------------------------------------------------------------------------
def town_count(households: int) -> int:
    return max(1, math.ceil(households / HOUSEHOLDS_PER_TOWN)) if households > 20_000 else 1


def build_demo(
    store: Store, households: int = 8_000, seed: int = 1, progress: Progress | None = None
) -> dict:
    """Fill an empty database with the demo; returns counts. Deterministic for a seed."""
    if not store.is_empty():
        raise ValueError("演示数据只能写入空数据库")
    rng = np.random.default_rng(seed)
    report = reporter(progress)
    ntowns = town_count(households)
    per_town = np.full(ntowns, households // ntowns)
    per_town[: households % ntowns] += 1
    ndistricts = min(len(DISTRICTS), max(1, math.ceil(ntowns / 10)))
    gx0, gy0 = crs.transform(*TOWN_CENTER_LONLAT, "EPSG:4326", LOCAL_CRS)
    cols = max(1, math.ceil(math.sqrt(ntowns)))
    plans: list[TownPlan] = []
    for k in range(ntowns):
        d = k % ndistricts
        tcode = DISTRICTS[d][0][:6] + f"{100 + k // ndistricts + 1:03d}000"
        name = TOWN_NAMES[k % len(TOWN_NAMES)] + (
            "" if k < len(TOWN_NAMES) else str(k // len(TOWN_NAMES) + 1)
        )
        cx, cy = gx0 + (k % cols) * TOWN_TILE[0], gy0 + (k // cols) * TOWN_TILE[1]
        plans.append(_plan_town(rng, tcode, name, cx, cy))
    report(0.05, "生成行政区划")

    with store.engine.begin() as conn:
        area_ids = _insert_areas(conn, plans, ndistricts)
        _insert_roads(conn, plans, area_ids)
    report(0.1, "生成住户")

    tgt_rows = []
    next_id = 1
    for k, plan in enumerate(plans):
        trng = np.random.default_rng([seed, k])
        cols_ = _town_targets(trng, plan, int(per_town[k]), area_ids, next_id)
        next_id += len(cols_["id"])
        tgt_rows.append(cols_)
        report(0.1 + 0.4 * (k + 1) / ntowns, f"生成住户 {plan.name}")
    import pandas as pd

    targets = pd.concat([pd.DataFrame(c) for c in tgt_rows], ignore_index=True)
    targets["created_at"] = dt.datetime.combine(FIRST_ROUND[1], dt.time()) - dt.timedelta(days=30)
    with store.engine.begin() as conn:
        bulk_insert(conn, "target", targets)
    report(0.6, "生成干部与走访记录")
    _roster_and_rounds(store, rng, plans, area_ids, targets, report, seed)
    report(1.0, "完成")
    return store.counts()


def _insert_areas(conn, plans: list[TownPlan], ndistricts: int) -> dict[str, int]:
    """Areas on four levels; returns code -> id."""
    from sqlalchemy import insert

    ids: dict[str, int] = {}
    town_polys = {p.code: p.polygon for p in plans}
    district_codes = [d[0] for d in DISTRICTS[:ndistricts]]
    dist_polys = {
        dc: unary_union([g for c, g in town_polys.items() if c[:6] == dc[:6]]) for dc in district_codes
    }
    city_poly = unary_union(list(dist_polys.values()))

    def add(code, name, level, parent, poly, urban=False, office=None, office_name=None):
        olon = olat = None
        if office is not None:
            olon, olat = (float(v) for v in _lonlat(*office))
        res = conn.execute(
            insert(Area.__table__).values(
                code=code,
                name=name,
                level=level,
                parent_id=parent,
                urban=urban,
                boundary=shapely.to_wkb(_to_wgs_geom(poly)),
                office_lon=olon,
                office_lat=olat,
                office_name=office_name,
                version=1,
            )  # fmt: skip
        )
        ids[code] = res.inserted_primary_key[0]

    add(CITY[0], CITY[1], "city", None, city_poly)
    for dc in district_codes:
        add(dc, dict(DISTRICTS)[dc], "district", ids[CITY[0]], dist_polys[dc])
    for p in plans:
        seat = p.centre
        add(
            p.code,
            p.name,
            "town",
            ids[p.code[:6] + "000000"],
            p.polygon,
            office=seat,
            office_name=f"{p.name}人民政府",
        )
        for vcode, vname, urban, poly, office in p.cells:
            kind = "居委会" if urban else "村委会"
            add(vcode, vname, "village", ids[p.code], poly, urban, office, f"{vname}{kind}")
    return ids


def _insert_roads(conn, plans, area_ids) -> None:
    from sqlalchemy import insert

    from gisplanner.store.model import Road

    rows = [
        {"name": n, "kind": k, "geometry": shapely.to_wkb(_to_wgs_geom(g)), "area_id": area_ids[p.code]}
        for p in plans
        for n, k, g in p.roads
    ]
    conn.execute(insert(Road.__table__), rows)


def _town_targets(rng, plan: TownPlan, n_households: int, area_ids, first_id: int) -> dict:
    hh = _households(rng, plan, n_households, 0)
    cell = _assign_cells(plan, hh["x"].to_numpy(float), hh["y"].to_numpy(float))
    keep = cell >= 0  # points on the outer edge that escaped every cell (rare): move to the office
    if not keep.all():
        hh.loc[~keep, ["x", "y"]] = [plan.cells[0][4]] * int((~keep).sum())
        cell[~keep] = 0
    n = len(hh)
    vnames = np.array([c[1] for c in plan.cells], dtype=object)
    vcodes = np.array([c[0] for c in plan.cells], dtype=object)
    rural = ~hh["urban"].to_numpy(bool)
    addr = hh["address"].to_numpy(object)
    addr[rural] = [
        f"{plan.name}{v}{g}组{d}号"
        for v, g, d in zip(vnames[cell[rural]], hh["group"][rural], hh["door"][rural], strict=True)
    ]
    r = rng.random((6, n))
    elderly = r[0] < 0.06
    away = (r[3] < 0.062) & rural | (r[3] < 0.028) & ~rural  # rural people run businesses away more
    lon, lat = _lonlat(hh["x"].to_numpy(float), hh["y"].to_numpy(float))
    members = np.where(elderly, 1, rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.08, 0.27, 0.3, 0.2, 0.1, 0.05]))
    ext = [f"H{vc}-{i:06d}" for i, vc in enumerate(vcodes[cell])]
    out = {
        "id": np.arange(first_id, first_id + n), "kind": np.full(n, "household", object), "ext_id": ext,
        "name": _names(rng, n), "address": addr, "building": hh["building"].to_numpy(object),
        "unit_no": hh["unit_no"].to_numpy(object), "phone": _phones(rng, n), "lon": lon, "lat": lat,
        "area_id": np.array([area_ids[c] for c in vcodes[cell]]), "members": members,
        "elderly_alone": elderly, "disabled": r[1] < 0.03, "hardship": r[2] < 0.04, "away_business": away,
        "ex_serviceman": r[4] < 0.02, "new_resident": (r[5] < 0.15) & ~rural,
        "credit_code": np.full(n, None, object), "contact": np.full(n, None, object),
        "industry": np.full(n, None, object), "key_enterprise": np.zeros(n, bool), "title": np.full(n, None, object),
    }  # fmt: skip
    ent = _enterprises(rng, plan, area_ids, vcodes, first_id + n)
    nob = _notables(rng, plan, area_ids, vcodes, first_id + n + len(ent["id"]), out)
    return {
        k: np.concatenate(
            [np.asarray(out[k], object), np.asarray(ent[k], object), np.asarray(nob[k], object)]
        )
        for k in out
    }


def _enterprises(rng, plan, area_ids, vcodes, first_id) -> dict:
    """~150 enterprises: two thirds in the industrial park, the rest along main roads."""
    n_park, n_road = 100, 50
    park = plan.park.intersection(plan.polygon)
    pts = np.vstack(
        [
            _points_near(rng, n_park, [park.centroid.coords[0]], 380, park),
            _points_along(rng, n_road, [g for _, k, g in plan.roads if k == "main"], 60, plan.polygon),
        ]
    )
    n = len(pts)
    cell = _assign_cells(plan, pts[:, 0], pts[:, 1])
    pts[cell < 0] = plan.cells[0][4]
    cell[cell < 0] = 0
    ind = rng.integers(0, len(INDUSTRIES), n)
    brand = np.char.add(
        rng.choice(list("恒金华鑫盛达宏远天瑞新凯博顺"), n), rng.choice(list("源泰丰通力宇诚德利安"), n)
    )
    lon, lat = _lonlat(pts[:, 0], pts[:, 1])
    vnames = {c[0]: c[1] for c in plan.cells}
    return {
        "id": np.arange(first_id, first_id + n), "kind": np.full(n, "enterprise", object),
        "ext_id": [f"E{plan.code[:9]}-{i:04d}" for i in range(n)],
        "name": [f"常州{b}{ENTERPRISE_SUFFIX[i]}" for b, i in zip(brand, ind, strict=True)],
        "address": [f"{plan.name}{vnames[vcodes[c]]}工业园{i + 1}号" if i < n_park else f"{plan.name}{vnames[vcodes[c]]}沿街{i}号"
                    for i, c in enumerate(cell)],
        "building": np.full(n, None, object), "unit_no": np.full(n, None, object), "phone": _phones(rng, n),
        "lon": lon, "lat": lat, "area_id": [area_ids[c] for c in vcodes[cell]], "members": np.full(n, None, object),
        "elderly_alone": np.zeros(n, bool), "disabled": np.zeros(n, bool), "hardship": np.zeros(n, bool),
        "away_business": np.zeros(n, bool), "ex_serviceman": np.zeros(n, bool), "new_resident": np.zeros(n, bool),
        "credit_code": [_credit_code(rng, plan.code) for _ in range(n)], "contact": _names(rng, n),
        "industry": np.array(INDUSTRIES, object)[ind], "key_enterprise": rng.random(n) < 0.12,
        "title": np.full(n, None, object),
    }  # fmt: skip


def _notables(rng, plan, area_ids, vcodes, first_id, households) -> dict:
    """~30 notable persons (名士), living among the households."""
    n = 30
    pick = rng.choice(len(households["id"]), n, replace=False)
    return {
        "id": np.arange(first_id, first_id + n), "kind": np.full(n, "notable", object),
        "ext_id": [f"N{plan.code[:9]}-{i:03d}" for i in range(n)], "name": _names(rng, n),
        "address": np.asarray(households["address"], object)[pick], "building": np.full(n, None, object),
        "unit_no": np.full(n, None, object), "phone": _phones(rng, n),
        "lon": np.asarray(households["lon"])[pick], "lat": np.asarray(households["lat"])[pick],
        "area_id": np.asarray(households["area_id"])[pick], "members": np.full(n, None, object),
        "elderly_alone": np.zeros(n, bool), "disabled": np.zeros(n, bool), "hardship": np.zeros(n, bool),
        "away_business": np.zeros(n, bool), "ex_serviceman": np.zeros(n, bool), "new_resident": np.zeros(n, bool),
        "credit_code": np.full(n, None, object), "contact": np.full(n, None, object), "industry": np.full(n, None, object),
        "key_enterprise": np.zeros(n, bool), "title": rng.choice(NOTABLE_TITLES, n).astype(object),
    }  # fmt: skip


# -- roster, the finished round, visits and problems -----------------------------------------
FIRST_ROUND = ("2026年秋季大走访", dt.date(2026, 10, 10), dt.date(2026, 11, 8))
NEXT_ROUND = ("2026年冬季大走访", dt.date(2026, 12, 5), dt.date(2026, 12, 27))


def _roster_and_rounds(store: Store, rng, plans, area_ids, targets, report, seed: int = 1) -> None:
    import pandas as pd

    with store.session() as s:
        units, village_units = {}, {}
        for p in plans:
            for name in TOWN_UNITS:
                u = Unit(
                    name=f"{p.name}{name[1:]}" if len(plans) > 1 else name,
                    level="town",
                    area_id=area_ids[p.code],
                )
                s.add(u)
                units.setdefault(p.code, []).append(u)
            for vcode, vname, urban, _, _ in p.cells:
                village_units[vcode] = Unit(
                    # village names repeat across towns; unit names are unique
                    name=f"{p.name if len(plans) > 1 else ''}{vname}{'居委会' if urban else '村委会'}",
                    level="village",
                    area_id=area_ids[vcode],
                )
                s.add(village_units[vcode])
        uppers = []
        for name, level in UPPER_UNITS:
            u = Unit(name=name, level=level)
            s.add(u)
            uppers.append(u)
        s.flush()
        # ~80 cadres per town: ~55 % men, ages 24–58, two thirds local
        cadres_by_town = {}
        arng = np.random.default_rng([seed, 14])  # availability: its own stream, the rest unchanged
        for p in plans:
            n = 80
            kinds, leaves = _availability(arng, n)
            village_ids = [area_ids[c[0]] for c in p.cells]
            homes = arng.integers(0, len(village_ids), n)
            gender = np.where(rng.random(n) < 0.56, "M", "F")
            birth = rng.integers(1968, 2003, n)
            local = rng.random(n) < 0.65
            names = _names(rng, n)
            phones = _phones(rng, n)
            rows = []
            for i in range(n):
                c = Cadre(
                    ext_id=f"C{p.code[:9]}-{i:03d}", name=str(names[i]), gender=str(gender[i]), birth_year=int(birth[i]),
                    is_local=bool(local[i]), dialects="常州话" if local[i] else ("常州话" if rng.random() < 0.2 else None),
                    unit_id=units[p.code][i % len(TOWN_UNITS)].id, phone=str(phones[i]), is_leader=bool(rng.random() < 0.12),
                    avail_kinds=kinds[i], area_id=area_ids[p.code],
                    home_area_id=village_ids[homes[i]] if local[i] else None,
                )  # fmt: skip
                rng.random(), rng.random()  # the draws the two old availability flags took
                c.leaves = [CadreLeave(start_date=a, end_date=b) for a, b in leaves.get(i, [])]
                s.add(c)
                rows.append(c)
            cadres_by_town[p.code] = rows
            _village_cadres(
                s, np.random.default_rng([seed, 15, len(cadres_by_town)]), p, area_ids, village_units
            )
        s.flush()
        town_id = area_ids[plans[0].code] if len(plans) == 1 else area_ids[CITY[0]]
        r1 = Round(name=FIRST_ROUND[0], kind=RoundKind.REGULAR, status=RoundStatus.CLOSED, scope_area_id=town_id,
                   start_date=FIRST_ROUND[1], end_date=FIRST_ROUND[2])  # fmt: skip
        r2 = Round(name=NEXT_ROUND[0], kind=RoundKind.REGULAR, status=RoundStatus.PLANNING, scope_area_id=town_id,
                   start_date=NEXT_ROUND[1], end_date=NEXT_ROUND[2])  # fmt: skip
        s.add_all([r1, r2])
        s.flush()
        _sessions(s, r1, FIRST_ROUND[1], FIRST_ROUND[2])
        # the winter round: the session templates over its whole dates (evenings, weekends, working
        # hours), on the official holiday calendar
        create_sessions(s, r2.id, calendar_sessions(NEXT_ROUND[1], NEXT_ROUND[2]))
        # last round's teams: pairs within each town, one per two cadres, based at a village office
        teams_by_town = {}
        for p in plans:
            cs = cadres_by_town[p.code]
            order = rng.permutation(len(cs))
            teams = []
            for t in range(len(cs) // 2):
                cell = p.cells[t % len(p.cells)]
                team = Team(round_id=r1.id, name=f"{p.name}第{t + 1}组", office_area_id=area_ids[cell[0]])
                team.members = [
                    TeamMember(cadre_id=cs[order[2 * t]].id, role="leader"),
                    TeamMember(cadre_id=cs[order[2 * t + 1]].id, role="member"),
                ]
                s.add(team)
                teams.append(team)
            teams_by_town[p.code] = teams
        s.flush()
        r1_id, r2_id = r1.id, r2.id
        team_ids = {code: [t.id for t in ts] for code, ts in teams_by_town.items()}
        upper_ids = [u.id for u in uppers]
        town_unit_ids = {code: [u.id for u in us] for code, us in units.items()}

    report(0.7, "生成走访记录")
    # coverage differs by village so the map shows complete / partial / not started areas
    village_ids = targets["area_id"].to_numpy()
    uniq = np.unique(village_ids)
    reach = dict(
        zip(
            uniq,
            rng.choice([0.0, 0.45, 0.7, 0.9, 1.0], len(uniq), p=[0.08, 0.17, 0.3, 0.3, 0.15]),
            strict=True,
        )
    )
    attempt_p = np.array([reach[v] for v in village_ids])
    attempted = rng.random(len(targets)) < attempt_p
    town_of_area = _town_of_area(store)
    visits, problems, events, assigns = [], [], [], []
    days = (FIRST_ROUND[2] - FIRST_ROUND[1]).days
    special = targets[["elderly_alone", "disabled", "hardship"]].to_numpy(bool).any(axis=1)
    kinds = targets["kind"].to_numpy()
    tids = targets["id"].to_numpy()
    for i in np.flatnonzero(attempted):
        tid = int(tids[i])
        tcode = town_of_area[int(village_ids[i])]
        team = int(team_ids[tcode][rng.integers(0, len(team_ids[tcode]))])
        assigns.append((r1_id, tid, team, 0, None))
        when = _visit_time(rng, FIRST_ROUND[1], days, kinds[i])
        u = rng.random()
        outcome = Outcome.MET if u < 0.74 else Outcome.NOT_HOME if u < 0.93 else Outcome.REFUSED
        if special[i] and outcome != Outcome.MET and rng.random() < 0.4:
            outcome = Outcome.MET
        visits.append((r1_id, tid, team, when, outcome))
        if outcome == Outcome.NOT_HOME and rng.random() < 0.5:  # second attempt a few days later
            when2 = when + dt.timedelta(days=int(rng.integers(2, 7)))
            if when2.date() <= FIRST_ROUND[2]:
                visits.append(
                    (r1_id, tid, team, when2, Outcome.MET if rng.random() < 0.6 else Outcome.NOT_HOME)
                )
        if visits[-1][4] == Outcome.MET and rng.random() < (
            0.25 if kinds[i] != TargetKind.ENTERPRISE else 0.4
        ):
            for _ in range(1 if rng.random() < 0.8 else 2):
                problems.append(_problem(rng, tid, visits[-1][3], r1_id, tcode, town_unit_ids, upper_ids))
    with store.engine.begin() as conn:
        vdf = pd.DataFrame(visits, columns=["round_id", "target_id", "team_id", "visited_at", "outcome"])
        vdf.insert(0, "id", np.arange(1, len(vdf) + 1))
        vdf["planned"] = True
        vdf["entered_by"] = "演示数据"
        vdf["created_at"] = vdf["visited_at"]
        bulk_insert(conn, "visit", vdf)
        adf = pd.DataFrame(assigns, columns=["round_id", "target_id", "team_id", "priority", "reason"])
        bulk_insert(conn, "assignment", adf)
        # the next round (planning) covers every target of the scope, teams not yet formed
        nxt = pd.DataFrame(
            {"round_id": r2_id, "target_id": tids, "team_id": None, "priority": 0, "reason": None}
        )
        bulk_insert(conn, "assignment", nxt)
        report(0.85, "生成问题")
        pdf = pd.DataFrame([p[0] for p in problems])
        if len(pdf):
            pdf.insert(0, "id", np.arange(1, len(pdf) + 1))
            bulk_insert(conn, "problem", pdf)
            for pid, (_, evs) in enumerate(problems, start=1):
                for e in evs:
                    events.append({"problem_id": pid, **e})
            bulk_insert(conn, "problem_event", pd.DataFrame(events))


def _town_of_area(store: Store) -> dict[int, str]:
    a = store.read_frame(
        "SELECT v.id, t.code FROM area v JOIN area t ON v.parent_id = t.id WHERE v.level='village'"
    )
    return dict(zip(a["id"], a["code"], strict=True))


VILLAGE_CADRES = 4  # 村/社区干部 per village who join the town's visiting teams


def _village_cadres(s, rng, plan, area_ids: dict, village_units: dict) -> None:
    """村/社区干部: a few per village join the round's teams (the town's ~80 cadres alone cannot
    visit every household of a winter round in three weeks of evenings and weekends). Local, based
    in their own village, on their own random stream so the rest of the demo stays as it was."""
    for vcode, _vname, _urban, _, _ in plan.cells:
        n = VILLAGE_CADRES
        kinds, leaves = _availability(rng, n)
        names, phones = _names(rng, n), _phones(rng, n)
        for i in range(n):
            c = Cadre(
                ext_id=f"V{vcode}-{i:02d}", name=str(names[i]), gender="M" if rng.random() < 0.5 else "F",
                birth_year=int(rng.integers(1966, 2000)), is_local=True, dialects="常州话",
                unit_id=village_units[vcode].id, phone=str(phones[i]), is_leader=False, avail_kinds=kinds[i],
                area_id=area_ids[plan.code], home_area_id=area_ids[vcode],
            )  # fmt: skip
            c.leaves = [CadreLeave(start_date=a, end_date=b) for a, b in leaves.get(i, [])]
            s.add(c)


def _availability(rng, n: int) -> tuple[list[str], dict[int, list[tuple[dt.date, dt.date]]]]:
    """Cadres' session kinds and leave (请假) in the winter round: most can do everything, some
    only evenings (a day job elsewhere), some only weekends, some not working hours; a few are
    on leave for a few days."""
    options = ["evening,weekend,workday", "evening,weekend", "evening", "weekend", "weekend,workday"]
    pick = rng.choice(len(options), n, p=[0.6, 0.14, 0.1, 0.1, 0.06])
    kinds = [options[k] for k in pick]
    leaves: dict[int, list[tuple[dt.date, dt.date]]] = {}
    span = (NEXT_ROUND[2] - NEXT_ROUND[1]).days
    for i in np.flatnonzero(rng.random(n) < 0.06):
        first = NEXT_ROUND[1] + dt.timedelta(days=int(rng.integers(0, span - 3)))
        leaves[int(i)] = [(first, first + dt.timedelta(days=int(rng.integers(2, 7))))]
    return kinds, leaves


def _sessions(s, rnd: Round, first: dt.date, last: dt.date, weeks: int | None = None) -> None:
    """The usual staggered sessions: weekday evenings and weekend mornings/afternoons."""
    day = first
    while day <= last:
        wd = day.weekday()
        slots = (
            [("周末上午", (9, 0), (11, 30)), ("周末下午", (14, 30), (17, 30))]
            if wd >= 5
            else [("工作日晚上", (19, 0), (21, 0))]
        )
        if wd in (0, 2, 5, 6):
            for label, a, b in slots:
                s.add(VisitSession(round_id=rnd.id, label=label, start=dt.datetime.combine(day, dt.time(*a)),
                                   end=dt.datetime.combine(day, dt.time(*b)), holiday=False,
                                   kind=SessionKind.WEEKEND if wd >= 5 else SessionKind.EVENING))  # fmt: skip
        day += dt.timedelta(days=1)


def _visit_time(rng, first: dt.date, days: int, kind: str) -> dt.datetime:
    day = first + dt.timedelta(days=int(rng.integers(0, days + 1)))
    if kind == TargetKind.ENTERPRISE:  # working hours on a weekday
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(int(rng.integers(9, 16)), int(rng.integers(0, 60))))
    if day.weekday() >= 5:
        return dt.datetime.combine(
            day, dt.time(int(rng.choice([9, 10, 14, 15, 16])), int(rng.integers(0, 60)))
        )
    return dt.datetime.combine(day, dt.time(int(rng.choice([19, 20])), int(rng.integers(0, 60))))


def _problem(rng, tid, when: dt.datetime, round_id, tcode, town_units, upper_units):
    cats = list(PROBLEM_TEMPLATES)
    w = np.array([PROBLEM_TEMPLATES[c][0] for c in cats], float)
    cat = cats[rng.choice(len(cats), p=w / w.sum())]
    desc = str(rng.choice(PROBLEM_TEMPLATES[cat][1]))
    created = when
    deadline = (when + dt.timedelta(days=DEADLINE_DAYS.get(cat, 7) * 7 // 5)).date()
    u = rng.random()
    on_spot = u < 0.22
    handling, level, unit = "self", "village", None
    if not on_spot:
        if rng.random() < 0.3:
            handling, level, unit = "delegate", "district", int(rng.choice(upper_units))
        else:
            handling, level, unit = "assign", "town", int(rng.choice(town_units[tcode]))
    path = [PS.OPEN]
    if on_spot:
        path.append(PS.RESOLVED)
    else:
        v = rng.random()
        path.append(PS.ASSIGNED)
        if v < 0.5:
            path += [PS.IN_PROGRESS, PS.RESOLVED]
        elif v < 0.62:
            path.append(PS.EXPLAINED)
        elif v < 0.67:
            path.append(PS.RECTIFICATION)
        elif v < 0.85:
            path.append(PS.IN_PROGRESS)
    status = path[-1]
    closed = status in CLOSED_STATUSES
    t = created
    events = [
        {
            "at": t,
            "actor": "演示数据",
            "action": "create",
            "from_status": None,
            "to_status": PS.OPEN,
            "note": desc,
        }
    ]
    for a, b in zip(path, path[1:], strict=False):
        t = t + dt.timedelta(hours=int(rng.integers(1, 24 * (1 if on_spot else 6))))
        events.append(
            {"at": t, "actor": "演示数据", "action": "status", "from_status": a, "to_status": b, "note": None}
        )
    callback = None
    sat = None
    if closed and rng.random() < 0.6:
        callback = t + dt.timedelta(days=int(rng.integers(1, 5)))
        sat = str(rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"], p=[0.5, 0.2, 0.2, 0.1]))
        events.append({"at": callback, "actor": "演示数据", "action": "callback", "from_status": status, "to_status": status,
                       "note": f"电话回访：{sat}"})  # fmt: skip
    row = {
        "target_id": tid, "visit_id": None, "round_id": round_id, "category": cat, "description": desc,
        "handling": handling, "level": level, "unit_id": unit, "status": status, "deadline": deadline,
        "reply": "已答复群众" if closed else None, "solved_on_spot": on_spot, "callback_at": callback,
        "satisfaction": sat, "escalations": 0, "created_at": created, "closed_at": t if closed else None, "version": 1,
    }  # fmt: skip
    return row, events
