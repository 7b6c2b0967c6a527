"""Column headers of Chinese rosters → the canonical fields of each roster kind.

Offices name the same column many ways (户主 / 户主姓名, 联系电话 / 手机号码 …), add marks
(“姓名*”, “经度（高德）”), full-width characters and spaces. `guess_mapping` normalises the
headers and matches them against the known variants; the user confirms or corrects the
mapping in the import wizard, and a confirmed mapping is remembered for the next file with
the same layout (see `layout_key`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from gisplanner.store.model import HOUSEHOLD_TAGS

ROSTER_KINDS = ("households", "enterprises", "notables", "cadres")
ROSTER_KIND_ZH = {"households": "群众家庭", "enterprises": "企业", "notables": "名士", "cadres": "干部"}
#: roster kind → Target.kind (cadres are not targets)
TARGET_KIND = {"households": "household", "enterprises": "enterprise", "notables": "notable"}


@dataclass(frozen=True)
class Field:
    """A canonical field: its key, Chinese label, header variants, and whether it is required."""

    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


_ID = Field("ext_id", "编号", ("编号", "序号id", "id", "编码", "唯一编号", "系统编号"))
_LON = Field("lon", "经度", ("经度", "lon", "lng", "longitude", "x坐标", "东经"), True)
_LAT = Field("lat", "纬度", ("纬度", "lat", "latitude", "y坐标", "北纬"), True)
_PHONE = Field(
    "phone",
    "联系电话",
    ("联系电话", "手机号码", "手机号", "手机", "电话", "联系方式", "电话号码", "联系手机"),
)
_ADDRESS = Field("address", "地址", ("地址", "详细地址", "家庭住址", "住址", "现住址", "居住地址"))
_AREA_CODE = Field(
    "area_code",
    "村/社区代码",
    ("村社区代码", "区划代码", "村代码", "社区代码", "统计用区划代码", "行政区划代码"),
)
_AREA_NAME = Field(
    "area_name", "所属村/社区", ("所属村社区", "村社区", "所属村", "所属社区", "村名", "村", "社区")
)
_NOTE = Field("note", "备注", ("备注", "说明"))
_TARGET_COMMON = (_LON, _LAT, _PHONE, _ADDRESS, _AREA_CODE, _AREA_NAME, _NOTE)

HOUSEHOLD_FIELDS = (
    Field("ext_id", "户编号", ("户编号", "户号", "家庭编号", "户籍编号", *_ID.aliases)),
    Field("name", "户主姓名", ("户主姓名", "户主", "户主名", "姓名"), True),
    *_TARGET_COMMON,
    Field("building", "门牌/楼栋", ("门牌", "门牌号", "门牌编号", "楼栋", "楼栋号", "楼号", "幢", "栋")),
    Field("unit_no", "单元/室", ("单元", "单元室", "室", "房号", "单元号", "门牌室号")),
    Field(
        "members", "家庭人口", ("家庭人口", "家庭人口数", "人口", "人口数", "户人口", "家庭人数", "在册人口")
    ),
    Field("tags", "标签", ("标签", "特殊群体", "人员类别", "家庭类别", "类别", "重点人群")),
    Field("elderly_alone", "独居老人", ("独居老人", "是否独居老人", "独居")),
    Field("disabled", "残疾", ("残疾", "残疾人", "是否残疾", "残疾家庭")),
    Field("hardship", "困难家庭", ("困难家庭", "是否困难家庭", "困难户", "低保户")),
    Field("away_business", "常年在外经商", ("常年在外经商", "在外经商", "是否在外经商", "外出经商")),
    Field("ex_serviceman", "退役军人", ("退役军人", "是否退役军人", "军属退役军人")),
    Field("new_resident", "新居民", ("新居民", "是否新居民", "外来人口", "新市民")),
)

ENTERPRISE_FIELDS = (
    Field("ext_id", "企业编号", ("企业编号", *_ID.aliases)),
    Field("name", "企业名称", ("企业名称", "单位名称", "企业", "名称", "公司名称"), True),
    Field("credit_code", "统一社会信用代码", ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码")),
    Field("contact", "联系人", ("联系人", "负责人", "法定代表人", "法人代表", "企业联系人")),
    *_TARGET_COMMON,
    Field("industry", "行业", ("行业", "所属行业", "行业类别", "行业分类")),
    Field("key_enterprise", "重点企业", ("重点企业", "是否重点企业", "重点")),
)

NOTABLE_FIELDS = (
    Field("ext_id", "编号", _ID.aliases),
    Field("name", "姓名", ("姓名", "名士姓名", "名字"), True),
    Field("title", "身份/职务", ("身份", "职务", "职称", "头衔", "简介", "名士类别", "类别", "身份职务")),
    *_TARGET_COMMON,
)

CADRE_FIELDS = (
    Field("ext_id", "编号", ("工号", "干部编号", *_ID.aliases)),
    Field("name", "姓名", ("姓名", "干部姓名", "名字"), True),
    Field("gender", "性别", ("性别",), True),
    Field("birth", "出生年月", ("出生年月", "出生年份", "出生日期", "出生年", "生日", "出生年月日"), True),
    Field("is_local", "是否本地", ("是否本地", "本地", "是否本地人", "本地人", "本地干部")),
    Field("dialects", "方言", ("方言", "会说方言", "掌握方言", "方言能力")),
    Field("unit", "单位", ("单位", "工作单位", "所在单位", "部门", "所在部门")),
    Field("position", "职务", ("职务", "职位")),
    Field("is_leader", "是否队长", ("是否队长", "队长", "组长", "是否组长")),
    Field("phone", "联系电话", _PHONE.aliases),
    Field(
        "avail_weekday_evening",
        "工作日晚上可走访",
        ("工作日晚上可走访", "工作日晚上", "晚上可走访", "工作日晚间"),
    ),
    Field("avail_weekend", "周末可走访", ("周末可走访", "周末", "双休日可走访", "双休日")),
    Field("avail_kinds", "可走访时段", ("可走访时段", "走访时段", "可走访时间", "可参加时段", "空闲时段")),
    Field("leave", "请假日期", ("请假日期", "请假", "请假时间", "休假日期", "休假", "不能参加日期")),
    Field(
        "home_village",
        "所在村/社区",
        ("所在村", "所在村社区", "居住村", "家住村", "熟悉村", "联系村", "包村"),
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "households": HOUSEHOLD_FIELDS,
    "enterprises": ENTERPRISE_FIELDS,
    "notables": NOTABLE_FIELDS,
    "cadres": CADRE_FIELDS,
}

#: yes/no tag columns of households (the keys of HOUSEHOLD_TAGS)
TAG_FIELDS = tuple(HOUSEHOLD_TAGS)
#: words in a tag column → tag key (the Chinese labels plus common variants)
TAG_WORDS: dict[str, str] = {
    **{zh: key for key, zh in HOUSEHOLD_TAGS.items()},
    **{key: key for key in HOUSEHOLD_TAGS},
    "独居": "elderly_alone",
    "空巢老人": "elderly_alone",
    "残疾人": "disabled",
    "残疾家庭": "disabled",
    "困难户": "hardship",
    "低保": "hardship",
    "低保户": "hardship",
    "在外经商": "away_business",
    "外出经商": "away_business",
    "军人": "ex_serviceman",
    "退伍军人": "ex_serviceman",
    "新市民": "new_resident",
    "外来人口": "new_resident",
}

_PAREN = re.compile(r"[(（\[【].*?[)）\]】]")
_NOISE = re.compile(r"[\s*＊:：/／、_\-—·.。]")


def normalise(header: object) -> str:
    """Header text reduced for matching: NFKC, no bracketed notes, no spaces/marks, lower case."""
    s = unicodedata.normalize("NFKC", str(header or "")).strip()
    s = _PAREN.sub("", s)
    return _NOISE.sub("", s).lower()


def fields(kind: str) -> tuple[Field, ...]:
    if kind not in FIELDS:
        raise ValueError(f"未知的名册类型“{kind}”，应为 {'/'.join(ROSTER_KINDS)}")
    return FIELDS[kind]


def field_labels(kind: str) -> dict[str, str]:
    return {f.key: f.label for f in fields(kind)}


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """field key → the file's header, for the fields we recognise.

    Exact matches of the normalised header win; then a header that contains a variant
    (e.g. “户主姓名（必填）”, “手机号码1”) — the longest variant first. Each header is used once.
    """
    norm = {h: normalise(h) for h in headers if str(h or "").strip()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for f in fields(kind):
        aliases = {normalise(a) for a in f.aliases}
        for h, n in norm.items():
            if h not in used and n in aliases:
                mapping[f.key] = h
                used.add(h)
                break
    candidates = []
    for f in fields(kind):
        if f.key in mapping:
            continue
        for a in f.aliases:
            na = normalise(a)
            if len(na) < 2:
                continue
            for h, n in norm.items():
                if h not in used and na in n:
                    candidates.append((len(na), f.key, h))
    for _, key, h in sorted(candidates, key=lambda c: -c[0]):
        if key not in mapping and h not in used:
            mapping[key] = h
            used.add(h)
    return mapping


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    """Chinese labels of the required fields the mapping does not cover."""
    return [f.label for f in fields(kind) if f.required and not mapping.get(f.key)]


def header_score(kind: str, row: list[object]) -> int:
    """How many cells of `row` look like headers of `kind` (to find the header row under a title)."""
    return len(guess_mapping(kind, [str(c) for c in row if c not in (None, "")]))


def layout_key(kind: str, headers: list[str]) -> str:
    """A key for 'a file with this layout': kind + the normalised headers in order."""
    text = kind + "\x1f" + "\x1f".join(normalise(h) for h in headers)
    return "import_mapping:" + kind + ":" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def crs_hint(headers: list[str]) -> str | None:
    """A coordinate system named in the headers, e.g. “经度（高德）” → 'gcj02', “经度(百度)” → 'bd09'."""
    text = unicodedata.normalize("NFKC", " ".join(str(h) for h in headers)).lower()
    if "百度" in text or "bd09" in text or "bd-09" in text:
        return "bd09"
    if any(w in text for w in ("高德", "腾讯", "gcj", "火星")):
        return "gcj02"
    if "2000" in text or "cgcs" in text:
        return "cgcs2000"
    if "wgs" in text or "gps" in text:
        return "wgs84"
    return None
