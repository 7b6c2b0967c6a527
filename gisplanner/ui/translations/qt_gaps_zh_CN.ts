<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt 6 source strings that qtbase_zh_CN.qm (PySide6) does not translate yet; compiled with
     pyside6-lrelease into qt_gaps_zh_CN.qm and loaded after qtbase (gisplanner.ui.application). -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
