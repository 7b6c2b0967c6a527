"""识别: a feature's attributes for the identify tool, read from the map's data (no SQL).

``describe_target(data, pos)`` and ``describe_area(data, area_id, coverage)`` return
``dict(kind, id, title, rows=[(field, value), …])``; field names go through Qt's translator
(context ``Identify``), values are data and stay as stored (phones masked).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication

from gisplanner.store.model import OUTCOME_ZH, TARGET_KIND_ZH, Outcome


def _tr(text: str) -> str:
    return QCoreApplication.translate("Identify", text)


FIELDS = [  # column of data.targets, label
    ("kind", ("类型")),
    ("name", ("名称/户主")),
    ("address", ("地址")),
    ("phone", ("电话")),
    ("members", ("人口")),
    ("industry", ("行业")),
    ("title", ("身份")),
    ("last_outcome", ("最近走访结果")),
    ("last_visit", ("最近走访时间")),
    ("open_problems", ("未办结问题")),
    ("ext_id", ("编号")),
]
TAGS = [
    ("elderly_alone", ("独居老人")),
    ("disabled", ("残疾")),
    ("hardship", ("困难")),
    ("away_business", ("外出经商")),
    ("ex_serviceman", ("退役军人")),
    ("new_resident", ("新居民")),
    ("key_enterprise", ("重点企业")),
]


def mask_phone(phone: str) -> str:
    p = str(phone)
    return p[:3] + "****" + p[-4:] if len(p) >= 8 else p


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("", "NaT", "nan", "None")


def describe_target(data, pos: int) -> dict:
    row = data.targets.iloc[pos]
    rows = []
    for col, label in FIELDS:
        if col not in row.index or _blank(row[col]):
            continue
        v = row[col]
        if col == "kind":
            v = TARGET_KIND_ZH.get(v, v)
        elif col == "last_outcome":
            v = OUTCOME_ZH.get(v, v)
        elif col == "phone":
            v = mask_phone(v)
        elif col == "members" or col == "open_problems":
            v = int(v)
        rows.append((_tr(label), str(v)))
    tags = [_tr(label) for col, label in TAGS if col in row.index and not _blank(row[col]) and bool(row[col])]
    if tags:
        rows.append((_tr("标签"), "、".join(tags)))
    area = _area_name(data, row.get("area_id"))
    if area:
        rows.insert(1, (_tr("村/社区"), area))
    rows.append((_tr("经纬度"), f"{float(row['lon']):.6f}, {float(row['lat']):.6f}"))
    return {"kind": "target", "id": int(row["id"]), "title": str(row.get("name") or ""), "rows": rows}


def _area_name(data, area_id) -> str:
    if _blank(area_id):
        return ""
    a = data.all_areas if getattr(data, "all_areas", None) is not None else data.areas
    hit = a[a["id"] == int(area_id)]
    return str(hit["name"].iloc[0]) if len(hit) else ""


def describe_area(data, area_id: int, coverage=None) -> dict:
    a = data.all_areas if getattr(data, "all_areas", None) is not None else data.areas
    hit = a[a["id"] == int(area_id)]
    if not len(hit):
        return {"kind": "area", "id": int(area_id), "title": "", "rows": []}
    r = hit.iloc[0]
    levels = {"city": _tr("市"), "district": _tr("区县"), "town": _tr("镇/街道"), "village": _tr("村/社区")}
    rows = [(_tr("名称"), str(r["name"])), (_tr("级别"), levels.get(r["level"], str(r["level"])))]
    if "code" in r.index and not _blank(r["code"]):
        rows.append((_tr("代码"), str(r["code"])))
    t = data.targets
    inside = t[t["area_id"] == int(area_id)]
    if len(inside):
        met = int((inside["last_outcome"] == Outcome.MET).sum()) if "last_outcome" in inside else 0
        rows.append((_tr("走访对象"), str(len(inside))))
        rows.append((_tr("已见面"), f"{met}（{met / len(inside):.0%}）"))
    return {"kind": "area", "id": int(area_id), "title": str(r["name"]), "rows": rows}
