from django import template

from concord.appointments.views import case_card

register = template.Library()


@register.inclusion_tag("appointments/_case_card.html", takes_context=True)
def appointments_card(context, case):
    """The case page's 预约服务 card for the user looking at it."""
    return case_card(case, context["user"]) | {"csrf_token": context.get("csrf_token")}
