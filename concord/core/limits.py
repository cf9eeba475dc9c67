"""Sizes every door enforces alike (API schemas, forms and services)."""

import re

from django.utils.translation import gettext as _

DESCRIPTION_MAX = 5000
TITLE_MAX = 200
COMMENT_MAX = 2000
NAME_MAX = 100
ADDRESS_MAX = 200
PARTIES_MAX = 50
PEOPLE_MAX = 100_000
AMOUNT_MAX = 10**11
# Control characters other than tab and line breaks: never typed, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def checked_text(
    errors: dict, field: str, value, label: str, limit: int, required: bool = True
) -> str:
    """The stripped text, or an error under `field` when not text, missing or too long."""
    if value is not None and not isinstance(value, str):
        errors[field] = _("%(label)s应为文字") % {"label": label}
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = _("请填写%(label)s") % {"label": label}
    elif len(text) > limit:
        errors[field] = _("%(label)s不能超过%(max)d字") % {"label": label, "max": limit}
    elif has_control_characters(text):
        errors[field] = _("%(label)s含有不可见的控制字符") % {"label": label}
    return text
