<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
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
</context>
</TS>
