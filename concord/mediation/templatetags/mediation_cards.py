from django import template

from concord.mediation.choices import MEDIATION_COLOURS, RULING_COLOURS
from concord.mediation.views import mediation_card as build_card

register = template.Library()


@register.inclusion_tag("mediation/_case_card.html", takes_context=True)
def mediation_card(context, case):
    """The case page's mediation card for the user looking at it."""
    return {"case": case, "user": context["user"], "card": build_card(case, context["user"])}


@register.filter
def mediation_colour(status: str) -> str:
    return MEDIATION_COLOURS.get(status, "grey")


@register.filter
def ruling_colour(ruling: str) -> str:
    return RULING_COLOURS.get(ruling, "grey")
