"""`settings contact --db DB [--area CODE] --name N --phone P [--village-phone P] [--url U] [--wechat ID]`:
the contact printed (and carried by the QR code) on contact cards, once per area.

Without --name/--phone it shows the stored contacts.

`settings leader-copy --db DB --round R on|off`: the round's route sheets come with each team
leader's call-ahead list (full phones, logged as an unmasked print); door copies stay masked.
"""

from __future__ import annotations

import sys

from gisplanner.cli.common import add_actions, open_store, print_json, subcommand


def register(sub) -> None:
    p = sub.add_parser("settings", help="设置：走访联系卡上的联系方式等")
    ssub = add_actions(p, "settings_command", metavar="WHAT")
    with subcommand(
        ssub, "contact", run_contact,
        help="走访联系卡的联系方式（按区划设置，二维码中携带）",
        description="设置走访联系卡上印的联系单位、电话、网址（二维码为 MECARD 名片）。不带 --name/--phone 时列出已设置的联系方式。",
    ) as c:  # fmt: skip
        c.add_argument("--area", default=None, help="区划代码（默认：整个数据库通用）")
        c.add_argument("--name", default=None, help="联系单位，如 雪堰镇大走访办公室")
        c.add_argument("--phone", default=None, help="办公电话")
        c.add_argument("--village-phone", default="", help="村（居）委会电话")
        c.add_argument("--url", default="", help="网址（可选，须以 http:// 或 https:// 开头）")
        c.add_argument("--wechat", default="", help="微信号（可选）")
    with subcommand(ssub, "leader-copy", run_leader_copy, json=False,
                    help="本轮路线单是否附组长电话预约联系单（含完整电话，记入打印日志）") as lc:  # fmt: skip
        lc.add_argument("--round", default=None, help="轮次编号或名称（默认最新）")
        lc.add_argument(
            "state", choices=("on", "off"), nargs="?", help="on 打开 / off 关闭；省略时显示当前设置"
        )


def run_leader_copy(args) -> int:
    from gisplanner.cli.common import resolve_round
    from gisplanner.reporting.printouts.common import leader_copy_setting, set_leader_copy

    store = open_store(args)
    round_id = resolve_round(store, args.round)
    if args.state:
        set_leader_copy(store, round_id, args.state == "on")
    on = leader_copy_setting(store, round_id)
    print(f"轮次 {round_id}：路线单{'附' if on else '不附'}组长电话预约联系单")
    return 0


def run_contact(args) -> int:
    from dataclasses import asdict

    from gisplanner.reporting.printouts.contact import (
        ANY_AREA,
        Contact,
        ContactError,
        all_contacts,
        set_contact,
    )

    store = open_store(args)
    if args.name is None and args.phone is None:
        rows = [asdict(c) for c in all_contacts(store)]
        if args.json:
            print_json({"contacts": rows})
        elif not rows:
            print("还没有设置联系方式")
        for r in [] if args.json else rows:
            print(
                f"{r['area_code']}：{r['name']} {r['phone']} {r['village_phone']} {r['url']} {r['wechat']}".strip()
            )
        return 0
    try:
        c = set_contact(
            store,
            Contact(
                name=args.name or "", phone=args.phone or "", village_phone=args.village_phone, url=args.url,
                wechat=args.wechat, area_code=args.area or ANY_AREA,
            ),
        )  # fmt: skip
    except ContactError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    if args.json:
        print_json({"ok": True, "contact": asdict(c), "qr": c.qr_text()})
    else:
        where = "全部区划" if c.area_code == ANY_AREA else f"区划 {c.area_code}"
        print(f"已设置{where}的联系方式：{c.name} {c.phone}" + (f" {c.url}" if c.url else ""))
    return 0
