"""Reading roster files: encodings, header variants, title rows, Excel row numbers, bad files."""

import datetime as dt

import openpyxl
import pytest

from gisplanner.io import headers
from gisplanner.io.encoding import EncodingError, detect_encoding
from gisplanner.io.readers import ReadError, read_table

ROWS = [
    ["户号", "户主", "手机号码", "经度", "纬度", "详细地址"],
    ["H001", "张建国", "13812345678", "119.951", "31.781", "雪堰镇桥北村3组12号"],
    ["H002", "李秀英", "13912345678", "119.952", "31.782", "雪堰镇桥北村3组15号"],
]


def test_detect_encodings():
    text = "户主姓名,联系电话\n张三,138\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gbk")) == "gbk"
    assert detect_encoding("䶮,𠀀\n".encode("gb18030")) == "gb18030"  # outside GBK
    assert detect_encoding(text.encode("utf-16")) == "utf-16"
    with pytest.raises(EncodingError):
        detect_encoding(b"PK\x03\x04\x00\x00binary")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path, encoding):
    path = tmp_path / "roster.csv"
    path.write_bytes("\n".join(",".join(r) for r in ROWS).encode(encoding))
    t = read_table(path, kind="households")
    assert t.headers == ROWS[0]
    assert t.frame["户主"].tolist() == ["张建国", "李秀英"]
    assert t.frame["详细地址"].iloc[0] == "雪堰镇桥北村3组12号"
    assert t.rows.tolist() == [2, 3]


def test_xlsx_with_title_row_numbers_and_cell_types(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["桥北村户籍信息表（2026年）"])
    ws.append([])
    ws.append(ROWS[0] + ["出生年月"])
    ws.append(["H001", "张建国", 13812345678, 119.951, 31.781, "桥北村3组12号", dt.datetime(1985, 6, 1)])
    ws.append([])  # a blank row in the middle keeps later row numbers right
    ws.append(["H002", "李秀英", 13912345678, 119.952, 31.782, "桥北村3组15号", 1990])
    wb.save(tmp_path / "r.xlsx")
    t = read_table(tmp_path / "r.xlsx", kind="households")
    assert t.header_row == 3
    assert t.rows.tolist() == [4, 6]
    assert t.frame["手机号码"].tolist() == ["13812345678", "13912345678"]  # not 1.38e10
    assert t.frame["经度"].iloc[0] == "119.951"
    assert t.frame["出生年月"].tolist() == ["1985-06-01", "1990"]


def test_corrupt_and_unsupported_files_raise_one_clear_error(tmp_path):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ReadError, match="坏文件.xlsx"):
        read_table(bad)
    with pytest.raises(ReadError, match="不存在"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match="xls"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ReadError, match="空"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ReadError, match="bin.csv"):
        read_table(tmp_path / "bin.csv")


def test_tab_separated_and_ragged_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("户主\t经度\t纬度\n张三\t119.9\t31.7\t多余\n李四\t119.8\n", encoding="utf-8")
    t = read_table(path)
    assert len(t) == 2
    assert t.frame["户主"].tolist() == ["张三", "李四"]
    assert t.frame["纬度"].tolist() == ["31.7", ""]


def test_header_variants_map_to_canonical_fields():
    m = headers.guess_mapping(
        "households",
        [
            "序号",
            "户主姓名*",
            "手机号码",
            "经度（高德）",
            "纬 度",
            "家庭住址",
            "楼栋",
            "单元",
            "家庭人口数",
            "独居老人",
            "是否残疾",
        ],
    )
    assert m["name"] == "户主姓名*" and m["phone"] == "手机号码" and m["address"] == "家庭住址"
    assert m["lon"] == "经度（高德）" and m["lat"] == "纬 度"
    assert m["building"] == "楼栋" and m["unit_no"] == "单元" and m["members"] == "家庭人口数"
    assert m["elderly_alone"] == "独居老人" and m["disabled"] == "是否残疾"
    assert headers.crs_hint(["经度（高德）"]) == "gcj02"
    assert headers.crs_hint(["经度(百度坐标)"]) == "bd09"

    e = headers.guess_mapping(
        "enterprises", ["企业名称", "统一社会信用代码", "联系人", "所属行业", "是否重点企业"]
    )
    assert e == {
        "name": "企业名称",
        "credit_code": "统一社会信用代码",
        "contact": "联系人",
        "industry": "所属行业",
        "key_enterprise": "是否重点企业",
    }
    c = headers.guess_mapping(
        "cadres",
        [
            "姓名",
            "性别",
            "出生年份",
            "是否本地",
            "方言",
            "工作单位",
            "是否队长",
            "联系电话",
            "工作日晚上",
            "周末",
        ],
    )
    assert set(c) == {
        "name", "gender", "birth", "is_local", "dialects", "unit", "is_leader", "phone",
        "avail_weekday_evening", "avail_weekend",
    }  # fmt: skip
    assert headers.missing_required("cadres", {"name": "姓名"}) == ["性别", "出生年月"]


def test_layout_key_ignores_cosmetic_header_differences():
    a = headers.layout_key("households", ["户主", "经度", "纬度"])
    assert a == headers.layout_key("households", [" 户主 ", "经度", "纬度"])
    assert a != headers.layout_key("households", ["经度", "户主", "纬度"])
    assert a != headers.layout_key("enterprises", ["户主", "经度", "纬度"])


def test_fast_xlsx_reader_agrees_with_openpyxl(tmp_path):
    from gisplanner.io.readers import _read_xlsx_openpyxl, read_xlsx

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["户主", "出生日期", "人口", "经度", "是否", "公式", "备注"])
    ws.append(["张三", dt.date(1985, 6, 1), 3, 119.951234567, True, "=1+2", "  前后空格 "])
    ws.append([])
    ws.append(["李四", dt.datetime(1990, 1, 2, 8, 30), 2.5, -0.5, False, None, "0519-1234"])
    ws["C6"] = 7  # a lone cell further down, after Excel-omitted rows
    ws["B2"].number_format = "yyyy年m月d日"
    wb.create_sheet("第二页").append(["x"])
    wb.save(tmp_path / "a.xlsx")
    fast = read_xlsx(tmp_path / "a.xlsx")
    ref = _read_xlsx_openpyxl(tmp_path / "a.xlsx")
    assert fast.headers == ref.headers and fast.rows.tolist() == ref.rows.tolist() == [2, 4, 6]
    assert fast.frame.fillna("").values.tolist() == ref.frame.fillna("").values.tolist()
    assert fast.frame["出生日期"].tolist()[:2] == ["1985-06-01", "1990-01-02 08:30:00"]
    assert fast.sheets == ["名册", "第二页"]
    assert read_xlsx(tmp_path / "a.xlsx", sheet="第二页").headers == ["x"]


def test_our_xlsx_writer_round_trips_through_both_readers(tmp_path):
    import pandas as pd

    from gisplanner.io.readers import _read_xlsx_openpyxl, read_xlsx
    from gisplanner.io.xlsx_writer import write_xlsx

    df = pd.DataFrame(
        {
            "文本": ["=1+1", "0519", "a<b&c", " x ", None],
            "数": [1, 2.5, None, -3, 1e20],
            "是否": [True, False, None, True, False],
        }
    )
    write_xlsx(tmp_path / "w.xlsx", [("表", df)])
    for reader in (read_xlsx, _read_xlsx_openpyxl):
        t = reader(tmp_path / "w.xlsx")
        assert t.frame["文本"].tolist() == ["=1+1", "0519", "a<b&c", "x", ""]
        assert t.frame["数"].tolist() == ["1", "2.5", "", "-3", "1e+20"]
        assert t.frame["是否"].tolist() == ["是", "否", "", "是", "否"]
