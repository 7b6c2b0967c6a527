"""Write gisplanner_en.ts (English for the Chinese UI strings) and compile it to .qm.

    python resources/translations/make_ts.py   # needs pyside6-lrelease (PySide6)

The UI is written in Chinese (the default); this table gives English. Context = the Qt class
whose ``self.tr()`` translates the string.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
QM_DIR = HERE.parents[1] / "gisplanner" / "ui" / "translations"

EN = {
    "MainWindow": {
        "大走访规划 GIS": "Door-to-door Visit Planner GIS",
        "文件": "File", "编辑": "Edit", "视图": "View", "走访轮次": "Rounds", "工具": "Tools", "帮助": "Help",
        "打开数据库…": "Open database…", "新建演示数据库…": "New demo database…", "立即备份": "Back up now",
        "从备份恢复…": "Restore from backup…", "打开日志目录": "Open log folder", "退出": "Quit",
        "撤销": "Undo", "重做": "Redo", "全图": "Full extent", "关于": "About", "界面语言": "Language",
        "主工具栏": "Main toolbar", " 走访轮次：": " Round: ", "取消": "Cancel", "数据库：": "Database: ",
        "加载地图": "Loading map", "生成演示镇": "Building demo town",
        "住户 {h} · 企业 {e} · 名士 {n} · 走访 {v} · 问题 {p}":
            "Households {h} · Enterprises {e} · Notables {n} · Visits {v} · Problems {p}",
        "部分功能面板加载失败，详见日志：": "Some panels failed to load, see the log: ",
        "打开数据库": "Open database", "SQLite 数据库 (*.sqlite *.db);;所有文件 (*)": "SQLite database (*.sqlite *.db);;All files (*)",
        "新建演示数据库": "New demo database", "SQLite 数据库 (*.sqlite)": "SQLite database (*.sqlite)",
        "备份": "Backup", "共享数据库（PostgreSQL）由服务器备份。": "A shared PostgreSQL database is backed up by its server.",
        "已备份到 ": "Backed up to ", "还没有备份。": "No backups yet.",
        "选择备份（当前数据会先自动备份）：": "Choose a backup (the current data is backed up first):",
        "大走访规划 GIS {v}\n走访对象上图、三搭配组队、错时路线、打印走访单、问题跟踪到底。\n日志：{log}":
            "Visit Planner GIS {v}\nMap households, form mixed teams, plan staggered routes, print route sheets, "
            "follow every problem to the end.\nLog: {log}",
    },
}  # fmt: skip


def write_ts(path: Path) -> None:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1" language="en_US" sourcelanguage="zh_CN">',
    ]
    for ctx, table in EN.items():
        out.append(f"<context>\n  <name>{ctx}</name>")
        for src, tr in table.items():
            out.append(
                f"  <message>\n    <source>{escape(src)}</source>\n    <translation>{escape(tr)}</translation>\n  </message>"
            )
        out.append("</context>")
    out.append("</TS>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> int:
    ts = HERE / "gisplanner_en.ts"
    write_ts(ts)
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    QM_DIR.mkdir(parents=True, exist_ok=True)
    return subprocess.call([lrelease, str(ts), "-qm", str(QM_DIR / "gisplanner_en.qm")])


if __name__ == "__main__":
    sys.exit(main())
