"""Template helpers shared by every page: badges, navigation state, permissions."""

from django import template
from django.utils.html import format_html

from concord.accounts import permissions
from concord.cases.choices import STATUS_COLOURS, CaseStatus, RiskLevel

register = template.Library()


@register.simple_tag(takes_context=True)
def active_nav(context, name: str) -> str:
    """The class of a top-bar link, "active" on its own page. `name` is "cases:list" (a bare
    url_name matches that name in any namespace)."""
    match = getattr(context["request"], "resolver_match", None)
    if not match:
        return ""
    return "active" if (match.view_name if ":" in name else match.url_name) == name else ""


@register.simple_tag(takes_context=True)
def active_menu(context, *namespaces: str) -> str:
    """The class of a top-bar menu, "active" on a page of any of its apps' namespaces."""
    match = getattr(context["request"], "resolver_match", None)
    return "active" if match and match.namespace in namespaces else ""


@register.filter
def can_register(user) -> bool:
    return permissions.can_register(user)


@register.filter
def can_route(user) -> bool:
    return permissions.can_route(user)


@register.simple_tag
def status_badge(status: str) -> str:
    return format_html(
        '<span class="badge badge-{}">{}</span>', STATUS_COLOURS[status], CaseStatus(status).label
    )


@register.simple_tag
def risk_badge(level: str) -> str:
    return format_html('<span class="risk risk-{}">{}</span>', level, RiskLevel(level).label)
