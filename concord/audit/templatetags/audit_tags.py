import json

from django import template

from concord.audit.exports import detail_text, object_label

register = template.Library()


@register.filter
def object_name(object_type: str) -> str:
    """party → 当事人."""
    return object_label(object_type) if object_type else ""


@register.filter
def detail(value: dict) -> str:
    """The whole detail as JSON (the cell's title)."""
    return detail_text(value)


@register.filter
def detail_line(value: dict) -> str:
    """case：SY2611300001 · parties：王建国、李明 (nested values as JSON)."""
    if not value:
        return ""
    parts = []
    for key, item in sorted(value.items()):
        if isinstance(item, list) and all(not isinstance(i, dict | list) for i in item):
            text = "、".join(str(i) for i in item)
        elif isinstance(item, dict | list):
            text = json.dumps(item, ensure_ascii=False, sort_keys=True)
        else:
            text = "—" if item is None else str(item)
        parts.append(f"{key}：{text}")
    return " · ".join(parts)
