from django import template

from concord.linkage.services import can_see_report
from concord.linkage.views import case_card

register = template.Library()


@register.inclusion_tag("linkage/_case_card.html", takes_context=True)
def linkage_card(context, case):
    """The case page's 五调联动 card for the user looking at it."""
    return case_card(case, context["user"]) | {"csrf_token": context.get("csrf_token")}


@register.filter
def can_see_linkage(user) -> bool:
    """{% if user|can_see_linkage %}: whether the /linkage/ report is open to this user."""
    return can_see_report(user)
