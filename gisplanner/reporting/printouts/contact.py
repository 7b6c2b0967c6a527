"""The contact printed on contact cards (走访联系卡), set once per area in the settings.

The organisation's contact — a name (e.g. 雪堰镇大走访办公室), its office phone, the village's
村委会 phone, a URL or WeChat ID — is kept in the database's ``setting`` table under
``contact.<area code>`` (``contact.*`` for the whole database). A card takes the contact of its
team's village, else of the nearest area above it, else the database-wide one. There is no
default: printing cards without a contact is refused with a message saying how to set one.
The QR code on a card carries the contact as a MECARD (phones and URL readable by any phone's
camera), never an address the program made up.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from sqlalchemy import select

from gisplanner.reporting.printouts.common import ReportError
from gisplanner.store.database import Store
from gisplanner.store.model import Area, Setting

KEY_PREFIX = "contact."
ANY_AREA = "*"
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


class ContactError(ValueError):
    """A contact that cannot be stored, explained in Chinese (names the field)."""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    village_phone: str = ""  # 村委会/居委会 phone
    url: str = ""
    wechat: str = ""
    area_code: str = ANY_AREA

    def qr_text(self) -> str:
        """MECARD: name, phones, URL, WeChat ID as a note (what a phone camera turns into a contact)."""
        import segno.helpers

        phones = [p for p in (self.phone, self.village_phone) if p]
        memo = f"微信 {self.wechat}" if self.wechat else None
        return segno.helpers.make_mecard_data(name=self.name, phone=phones, url=self.url or None, memo=memo)

    @property
    def lines(self) -> list[tuple[str, str]]:
        out = [("联系单位", self.name), ("办公电话", self.phone)]
        if self.village_phone:
            out.append(("村委会电话", self.village_phone))
        if self.url:
            out.append(("网址", self.url))
        if self.wechat:
            out.append(("微信", self.wechat))
        return out


def validate(contact: Contact) -> Contact:
    name = contact.name.strip()
    if not name:
        raise ContactError("联系单位名称（--name）不能为空")
    if len(name) > 40:
        raise ContactError(f"联系单位名称过长（{len(name)} 字，最多 40 字）")
    phones = {}
    for field, label in (
        ("phone", "办公电话（--phone）"),
        ("village_phone", "村委会电话（--village-phone）"),
    ):
        v = getattr(contact, field).strip().replace("（", "(").replace("）", ")")
        v = v.replace("(", "").replace(")", "-")
        if field == "phone" and not v:
            raise ContactError(f"{label}不能为空")
        if v and not _PHONE.match(v):
            raise ContactError(
                f"{label}“{getattr(contact, field)}”不是电话号码（如 0519-86541234 或 13812345678）"
            )
        phones[field] = v
    url = contact.url.strip()
    if url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        raise ContactError(f"网址（--url）“{contact.url}”无效：须以 http:// 或 https:// 开头")
    wechat = contact.wechat.strip()
    if wechat and not re.match(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$", wechat):
        raise ContactError(f"微信号（--wechat）“{contact.wechat}”无效：6–20 位字母、数字、-、_，以字母开头")
    return Contact(name, phones["phone"], phones["village_phone"], url, wechat, contact.area_code or ANY_AREA)


def set_contact(store: Store, contact: Contact) -> Contact:
    """Store (replace) the contact of an area (`area_code` '*' for the whole database)."""
    contact = validate(contact)
    with store.session() as s:
        if contact.area_code != ANY_AREA:
            if s.scalar(select(Area.id).where(Area.code == contact.area_code)) is None:
                raise ContactError(f"区划代码 {contact.area_code} 不存在")
        key = KEY_PREFIX + contact.area_code
        row = s.get(Setting, key)
        value = json.dumps(asdict(contact), ensure_ascii=False)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value
    return contact


def _load(value: str | None) -> Contact | None:
    if not value:
        return None
    try:
        return Contact(**json.loads(value))
    except (ValueError, TypeError):
        return None


def get_contact(store: Store, area_code: str = ANY_AREA) -> Contact | None:
    """The contact stored for exactly this area (no fallback)."""
    with store.session() as s:
        return _load(s.scalar(select(Setting.value).where(Setting.key == KEY_PREFIX + area_code)))


def all_contacts(store: Store) -> list[Contact]:
    with store.session() as s:
        rows = s.scalars(select(Setting.value).where(Setting.key.like(KEY_PREFIX + "%"))).all()
    return [c for c in map(_load, rows) if c is not None]


def contact_for_area(store: Store, area_id: int | None) -> Contact | None:
    """The contact of an area, else of the nearest area above it, else the database-wide one."""
    with store.session() as s:
        stored = {
            k[len(KEY_PREFIX) :]: v
            for k, v in s.execute(
                select(Setting.key, Setting.value).where(Setting.key.like(KEY_PREFIX + "%"))
            )
        }
        seen = set()
        while area_id is not None and area_id not in seen:
            seen.add(area_id)
            area = s.get(Area, area_id)
            if area is None:
                break
            if (c := _load(stored.get(area.code))) is not None:
                return c
            area_id = area.parent_id
    return _load(stored.get(ANY_AREA))


def require_contact(store: Store, area_id: int | None) -> Contact:
    c = contact_for_area(store, area_id)
    if c is None:
        raise MissingContactError(
            "还没有设置走访联系卡上的联系方式（联系单位、办公电话、网址或微信号）：请先在“文件 → 打印 → "
            "联系卡联系方式…”中填写，或运行 settings contact --db 数据库 --name 单位 --phone 电话 [--url 网址]"
        )
    return c


class MissingContactError(ReportError):
    """Cards asked for before any contact was set (the GUI asks for it; the CLI exits 2)."""


def contact_areas(store: Store) -> list[tuple[str, str]]:
    """(code, name) of the towns and villages a contact can be set for."""
    with store.session() as s:
        return [
            (c, n)
            for c, n in s.execute(
                select(Area.code, Area.name).where(Area.level.in_(("town", "village"))).order_by(Area.code)
            )
        ]
