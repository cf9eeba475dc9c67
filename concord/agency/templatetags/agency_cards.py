from django import template

from concord.agency.views import case_card

register = template.Library()


@register.inclusion_tag("agency/_case_card.html", takes_context=True)
def agency_card(context, case):
    """The case page's 信访代办 card for the user looking at it."""
    user = context["user"]
    return {
        "card": case_card(case, user),
        "case": case,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
