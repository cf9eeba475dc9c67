from django import template

from concord.summons.views import case_card

register = template.Library()


@register.inclusion_tag("summons/_case_card.html", takes_context=True)
def summons_card(context, case):
    """The case page's summons card for the user looking at it."""
    return case_card(case, context["user"]) | {"csrf_token": context.get("csrf_token")}


@register.filter
def state_at(target, now):
    """{{ target|state_at:now }}: the target's TargetState at `now`."""
    return target.state_at(now)
