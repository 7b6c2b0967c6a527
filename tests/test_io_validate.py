"""Row checks: each bad cell reported with its Excel row, its column header and a Chinese reason."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gisplanner.codes import credit_code_check_char
from gisplanner.io import crs, headers
from gisplanner.io.readers import RawTable
from gisplanner.io.validate import parse_birth, validate

TODAY = dt.date(2026, 11, 25)


def table(rows, start_row=2):
    h = rows[0]
    frame = pd.DataFrame(rows[1:], columns=h, dtype=object)
    return RawTable(Path("名册.xlsx"), h, frame, np.arange(start_row, start_row + len(rows) - 1))


def check(kind, rows, **kw):
    t = table(rows)
    return validate(t, kind, headers.guess_mapping(kind, t.headers), today=TODAY, **kw)


def reasons(c):
    return {(i.row, i.field): i.message for i in c.issues}


HH = ["户号", "户主", "手机号码", "经度", "纬度", "家庭人口", "标签", "独居老人", "常年在外经商"]


def test_good_household_rows_become_typed_values():
    c = check(
        "households",
        [HH, ["H1", "张三", "138 1234 5678", "119.951", "31.781", "3", "残疾、困难家庭", "是", ""]],
    )
    assert c.good.tolist() == [True] and not c.issues
    v = c.values.iloc[0]
    assert v["phone"] == "13812345678"
    assert v["lon"] == 119.951 and v["lat"] == 31.781
    assert v["members"] == 3
    assert v["elderly_alone"] and v["disabled"] and v["hardship"] and not v["away_business"]
    assert v["ext_id"] == "H1"


def test_each_bad_cell_is_reported_with_row_and_header():
    c = check(
        "households",
        [
            HH,
            ["H1", "张三", "13812345678", "119.951", "31.781", "3", "", "", ""],  # row 2 good
            ["H2", "", "1381234567", "abc", "", "0", "外星人", "也许", ""],  # row 3 bad everywhere
            ["H1", "李四", "", "31.78", "119.95", "", "", "", ""],  # row 4: dup id, swapped coords
        ],
    )
    assert c.good.tolist() == [False, False, False]  # H1 duplicated: both rows rejected
    r = reasons(c)
    assert r[(3, "户主")] == "户主姓名不能为空"
    assert "1381234567" in r[(3, "手机号码")] and "11位" in r[(3, "手机号码")]
    assert r[(3, "经度")] == "经度“abc”不是数字"
    assert r[(3, "纬度")] == "缺少纬度"
    assert "1–30" in r[(3, "家庭人口")]
    assert "外星人" in r[(3, "标签")]
    assert "也许" in r[(3, "独居老人")]
    assert r[(4, "经度")] == "经度和纬度好像填反了"
    assert r[(2, "户号")] == r[(4, "户号")] == "编号“H1”在文件中重复（第2、4行）"
    assert "户主" in c.reasons()[3] and "；" in c.reasons()[3]


def test_points_outside_the_town_are_rejected():
    town = shapely.box(119.9, 31.7, 120.0, 31.8)
    c = check(
        "households",
        [
            HH,
            ["H1", "张三", "", "119.95", "31.75", "", "", "", ""],
            ["H2", "李四", "", "121.5", "31.2", "", "", "", ""],
        ],
        inside_town=lambda x, y: shapely.contains_xy(town, x, y),
    )
    assert c.good.tolist() == [True, False]
    assert "本镇范围之外" in reasons(c)[(3, "经度")]


def test_gcj02_coordinates_are_converted_to_wgs84():
    glon, glat = crs.wgs84_to_gcj02(119.95, 31.78)
    c = check("households", [HH, ["H1", "张三", "", str(glon), str(glat), "", "", "", ""]], crs="gcj02")
    v = c.values.iloc[0]
    assert crs.haversine_m(v["lon"], v["lat"], 119.95, 31.78) < 0.5


def test_gauss_kruger_metres_are_converted():
    x, y = crs.from_wgs84(119.95, 31.78, 4549)
    c = check("households", [HH, ["H1", "张三", "", f"{x:.3f}", f"{y:.3f}", "", "", "", ""]], crs=4549)
    assert c.good.all()
    assert abs(c.values.iloc[0]["lon"] - 119.95) < 1e-6


def test_enterprise_credit_codes_checked_and_used_as_id():
    first17 = "91320412MA1XYW12K"
    good = first17 + credit_code_check_char(first17)
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    c = check(
        "enterprises",
        [
            ["企业名称", "统一社会信用代码", "重点企业", "经度", "纬度"],
            ["常州某钢铁有限公司", good.lower(), "是", "119.95", "31.78"],
            ["某某机械厂", wrong, "否", "119.95", "31.78"],
            ["某某小店", "", "", "119.95", "31.78"],
            ["某某厂", "123", "重点", "119.95", "31.78"],
        ],
    )
    assert c.good.tolist() == [True, False, True, False]
    assert "校验位" in reasons(c)[(3, "统一社会信用代码")]
    assert "18位" in reasons(c)[(5, "统一社会信用代码")]
    assert c.values["ext_id"].iloc[0] == good  # upper-cased code is the id
    assert c.values["ext_id"].iloc[2].startswith("auto-")
    assert c.values["key_enterprise"].tolist() == [True, False, False, True]


def test_cadre_rows():
    c = check(
        "cadres",
        [
            ["姓名", "性别", "出生年月", "是否本地", "方言", "职务", "工作日晚上可走访", "周末可走访"],
            ["王五", "男", "1985.06", "是", "常州话、普通话", "队长", "否", ""],
            ["赵六", "X", "2030", "外地", "", "", "", ""],
            ["钱七", "女", "1985-02-30", "?", "", "", "", ""],
            ["孙八", "女", "1999年3月", "否", "", "组员", "是", "否"],
        ],
    )
    assert c.good.tolist() == [True, False, False, True]
    r = reasons(c)
    assert "男 或 女" in r[(3, "性别")]
    assert "2030" in r[(3, "出生年月")]
    assert "不存在" in r[(4, "出生年月")]
    assert "?" in r[(4, "是否本地")]
    v = c.values
    assert v["gender"].tolist()[:1] == ["M"] and v["birth_year"].iloc[3] == 1999
    assert v["is_leader"].tolist() == [True, False, False, False]
    assert v["avail_weekday_evening"].tolist() == [False, True, True, True]
    assert v["avail_weekend"].tolist() == [True, True, True, False]
    assert v["dialects"].iloc[0] == "常州话,普通话"
    assert v["is_local"].iloc[3] is np.False_ or not v["is_local"].iloc[3]


def test_birth_parsing():
    assert parse_birth("1985", TODAY) == (1985, None)
    assert parse_birth("198506", TODAY) == (1985, None)
    assert parse_birth("1985年6月", TODAY) == (1985, None)
    assert parse_birth("1985-06-01", TODAY) == (1985, None)
    assert parse_birth("1985.13", TODAY)[1] == "出生年月“1985.13”的月份不存在"
    assert "16–90" in parse_birth("1900", TODAY)[1]
    assert "16–90" in parse_birth("2015", TODAY)[1]
    assert parse_birth("", TODAY)[1] == "出生年月不能为空"
    assert "无法识别" in parse_birth("八五年", TODAY)[1]


def test_rows_without_id_column_get_a_stable_content_id():
    rows = [["户主", "经度", "纬度"], ["张三", "119.95", "31.78"], ["李四", "119.95", "31.78"]]
    a = check("households", rows).values["ext_id"].tolist()
    b = check("households", rows).values["ext_id"].tolist()
    assert a == b and a[0] != a[1] and all(x.startswith("auto-") for x in a)


def test_non_ascii_digits_are_not_a_phone_number():
    c = check("households", [HH, ["H1", "张三", "13৫12345678", "119.95", "31.78", "", "", "", ""]])
    assert not c.good.any() and "格式不正确" in reasons(c)[(2, "手机号码")]
