"""Checking and masking personal identifiers: ID numbers (GB 11643) and phone numbers."""

import datetime
import re

from django.utils.translation import gettext

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE_SHAPE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

# The same numbers inside free text (a log line, a description). Letters or digits on either
# side make it some other code (an order or card number), not an ID number.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(
    r"(?<![\d])(?P<prefix>(?:\+|00)?86[ -]?)?(?P<number>1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)"
)
LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def id_number_problem(value: str) -> str | None:
    """Why this resident ID number is invalid, or None when it is valid (GB 11643-1999)."""
    value = value.strip().upper()
    if not _ID_SHAPE.match(value):
        return gettext("身份证号应为18位：17位数字加1位数字或X")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return gettext("身份证号中的出生日期无效")
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return gettext("身份证号校验位错误")
    return None


def id_check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def phone_problem(value: str) -> str | None:
    """Why this phone number is invalid: mobile (11 digits) or landline with area code."""
    if not _PHONE_SHAPE.match(value.strip()):
        return gettext("电话号码应为11位手机号或带区号的固定电话")
    return None


def mask_id_number(value: str) -> str:
    """3306**********1234: province and city prefix and the last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str) -> str:
    """王*国, 李*: the first character, and the last of a name of three or more."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_in_text(text: str) -> str:
    """`text` with every ID number and mobile number in it masked (as mask_id_number and
    mask_phone show them)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_IN_TEXT.sub(
        lambda m: (m.group("prefix") or "") + mask_phone(re.sub(r"[ -]", "", m.group("number"))),
        text,
    )


def erase_in_text(text: str, replacement: str) -> str:
    """`text` with every ID number, mobile and landline number replaced whole."""
    if not text or not any(c.isdigit() for c in text):
        return text
    for pattern in (ID_NUMBER_IN_TEXT, MOBILE_IN_TEXT, LANDLINE_IN_TEXT):
        text = pattern.sub(replacement, text)
    return text
