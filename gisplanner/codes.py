"""Identifier rules shared by the demo generator, the importers and the printouts.

统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-symbol
alphabet; the last one is a check character computed from the first 17.
"""

from __future__ import annotations

import re

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_INDEX = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def credit_code_check_char(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a credit code."""
    if len(first17) != 17:
        raise ValueError(f"需要17位，得到{len(first17)}位")
    total = sum(_CREDIT_INDEX[c] * w for c, w in zip(first17.upper(), _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid credit code, otherwise why not (in Chinese, for messages)."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际{len(code)}位"
    bad = [c for c in code if c not in _CREDIT_INDEX]
    if bad:
        return f"统一社会信用代码含非法字符“{bad[0]}”"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（应为{expected}）"
    return None


def is_mobile(phone: str) -> bool:
    """A mainland mobile number: 11 digits starting 13–19."""
    return bool(_MOBILE.match((phone or "").strip()))


def mask_phone(phone: str | None) -> str:
    """138****1234 — phone numbers are masked on paper and in exports unless asked otherwise."""
    if not phone:
        return ""
    p = phone.strip()
    if len(p) >= 7:
        return p[:3] + "*" * (len(p) - 7) + p[-4:]
    return "*" * len(p)


def mask_id_number(idno: str | None) -> str:
    """Resident ID numbers keep the first 6 and last 4 characters."""
    if not idno:
        return ""
    s = idno.strip()
    return s[:6] + "*" * max(0, len(s) - 10) + s[-4:] if len(s) > 10 else "*" * len(s)
