from django import template

from concord.consultations.views import case_card

register = template.Library()


@register.inclusion_tag("consultations/_case_card.html", takes_context=True)
def consultations_card(context, case):
    """The case page's 联合会商 card for the user looking at it."""
    user = context["user"]
    return {
        "card": case_card(case, user),
        "case": case,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def state_on(decision, today):
    """{{ decision|state_on:today }}: the decision's DecisionState on that day."""
    return decision.state_on(today)
