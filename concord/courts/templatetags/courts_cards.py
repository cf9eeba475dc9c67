from django import template

from concord.courts.choices import REFERRAL_COLOURS
from concord.courts.views import referral_card

register = template.Library()


@register.inclusion_tag("courts/_case_card.html", takes_context=True)
def courts_card(context, case):
    """The case page's 法院委派调解 card for the user looking at it (empty for other cases)."""
    return {"case": case, "user": context["user"], "card": referral_card(case, context["user"])}


@register.filter
def referral_colour(status: str) -> str:
    return REFERRAL_COLOURS.get(status, "grey")


@register.filter
def magnitude(number: int) -> int:
    """{{ -3|magnitude }} → 3: days overdue read as a positive count."""
    return abs(number)
