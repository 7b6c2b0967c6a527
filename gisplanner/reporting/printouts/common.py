"""What every printout shares: who prints and when, masking, settings, and the print log.

Printing (打印) is personal-data handling: phones and ID numbers are masked unless the official
chooses otherwise for one print, every page carries a light watermark naming the printing user
and the time, and every print is written to ``print_log``.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field

from sqlalchemy import select

from gisplanner.codes import mask_id_number, mask_phone
from gisplanner.store.database import Store
from gisplanner.store.model import PrintLog, Setting

PAPERS = ("a4", "a3")
SERVICE_AREAS = (
    "农村农业",
    "就业创业",
    "人才政策",
    "帮困助残",
    "教育就学",
    "医疗卫生",
    "社会保障",
    "养老服务",
)


class ReportError(RuntimeError):
    """Nothing to print, explained for the user (in Chinese)."""


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "未知用户"


@dataclass(frozen=True)
class PrintContext:
    """Who prints, when, and whether personal numbers are printed in full (不脱敏)."""

    user: str = field(default_factory=current_user)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    unmasked: bool = False
    paper: str = "a4"  # a4 (default, portrait) or a3
    only: object = None  # a reports.selection.PrintSelection: team / date / session / area / map selection
    leader_copy: bool = False  # route sheets: add each team leader's call-ahead list with full phones

    @property
    def any_unmasked(self) -> bool:
        """Whether anything in this print shows full numbers (the print log says so)."""
        return self.unmasked or self.leader_copy

    def phone(self, phone: str | None) -> str:
        if not phone:
            return ""
        return phone.strip() if self.unmasked else mask_phone(phone)

    def id_number(self, idno: str | None) -> str:
        if not idno:
            return ""
        return idno.strip() if self.unmasked else mask_id_number(idno)

    @property
    def watermark(self) -> str:
        text = f"{self.user} 打印于 {self.at:%Y-%m-%d %H:%M}"
        return text + " · 未脱敏，注意保密" if self.unmasked else text


def get_setting(store: Store, key: str, default: str) -> str:
    with store.session() as s:
        value = s.scalar(select(Setting.value).where(Setting.key == key))
    return default if value in (None, "") else value


def set_setting(store: Store, key: str, value: str) -> None:
    with store.session() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value


LEADER_COPY_KEY = "print.leader_copy.round.{round_id}"


def leader_copy_setting(store: Store, round_id: int) -> bool:
    """The round's setting: route sheets come with the leader's call-ahead copy (full phones)."""
    return get_setting(store, LEADER_COPY_KEY.format(round_id=round_id), "0") == "1"


def set_leader_copy(store: Store, round_id: int, on: bool) -> None:
    set_setting(store, LEADER_COPY_KEY.format(round_id=round_id), "1" if on else "0")


def log_print(store: Store, ctx: PrintContext, what: str, pages: int) -> int:
    """Record one print (who, what, how many pages, masked or not); returns the log id."""
    with store.session() as s:
        if ctx.leader_copy and not ctx.unmasked:
            what = f"{what}，含组长电话联系单（完整电话）"
        row = PrintLog(
            at=ctx.at, user=ctx.user[:50], what=what[:200], pages=int(pages), unmasked=ctx.any_unmasked
        )
        s.add(row)
        s.flush()
        return row.id
