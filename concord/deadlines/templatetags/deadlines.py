"""The deadline badge, drawn the same way on every page (detail, lists, inbox, overdue)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from concord.accounts import permissions
from concord.core.dates import local_time
from concord.deadlines.models import DeadlineState
from concord.deadlines.queries import RANK_STATES

register = template.Library()

# state → (CSS modifier, badge text). The colours live in app.css (.dl-*): green, amber, red,
# grey, blue-grey.
BADGES = {
    DeadlineState.PENDING: ("pending", _("按期")),
    DeadlineState.WARNED: ("warned", _("即将到期")),
    DeadlineState.BREACHED: ("breached", _("已超期")),
    DeadlineState.MET: ("met", _("已完成")),
    DeadlineState.PAUSED: ("paused", _("已暂停")),
}


def render_badge(state: str, due_at, *, label: str = "", provisional: bool = False) -> SafeString:
    modifier, text = BADGES[state]
    due = local_time(due_at)
    title = gettext("%(node)s 到期时间 %(due)s") % {"node": label, "due": due} if label else due
    mark = ""
    if provisional:
        mark = format_html(
            '<span class="dl-provisional" title="{}">{}</span>',
            gettext("期间跨入尚未录入节假日安排的年份，到期时间待日历确认"),
            gettext("待日历确认"),
        )
    return format_html(
        '<span class="dl-badge dl-{}" data-state="{}" title="{}">{}</span>{}',
        modifier,
        state,
        title,
        text,
        mark,
    )


@register.simple_tag
def deadline_badge(deadline) -> SafeString:
    """{% deadline_badge deadline %}: one node's state."""
    return render_badge(
        deadline.state, deadline.due_at, label=deadline.label, provisional=deadline.provisional
    )


@register.simple_tag
def urgent_deadline_badge(row) -> SafeString:
    """{% urgent_deadline_badge case %}: the most urgent running node of a row annotated by
    `queries.with_urgent_deadline`; a dash when nothing is running."""
    rank = getattr(row, "urgent_rank", None)
    if rank is None:
        return mark_safe('<span class="muted">—</span>')
    return render_badge(
        RANK_STATES[rank],
        row.urgent_due_at,
        label=row.urgent_label,
        provisional=row.urgent_provisional,
    )


@register.filter
def overdue_for(due_at, now) -> str:
    """{{ due_at|overdue_for:now }}: "13天10小时", "2小时5分钟", "12分钟" — days and hours
    read better than weeks on a supervision list."""
    minutes = max(int((now - due_at).total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [ngettext("%(n)d天", "%(n)d天", days) % {"n": days}]
        parts += [ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}] if hours else []
    else:
        parts = [ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}] if hours else []
        parts += [ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}]
    if len(parts) == 1:
        return parts[0]
    first, second = parts
    return pgettext("two parts of a duration", "%(first)s%(second)s") % {
        "first": first,
        "second": second,
    }


@register.filter
def can_see_overdue(user) -> bool:
    return permissions.can_see_overdue(user)
