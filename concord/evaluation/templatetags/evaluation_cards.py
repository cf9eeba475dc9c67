from django import template
from django.utils.html import format_html

from concord.cases.choices import Satisfaction
from concord.evaluation.views import case_card

register = template.Library()


@register.inclusion_tag("evaluation/_case_card.html", takes_context=True)
def evaluation_card(context, case):
    """The case page's rating, review and follow-up visits card."""
    card = case_card(case, context["user"], context["request"])
    return card | {"user": context["user"], "csrf_token": context.get("csrf_token")}


SATISFACTION_COLOURS = {
    Satisfaction.SATISFIED: "green",
    Satisfaction.BASICALLY_SATISFIED: "teal",
    Satisfaction.DISSATISFIED: "red",
}


@register.simple_tag
def satisfaction_badge(value: str) -> str:
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        SATISFACTION_COLOURS[value],
        Satisfaction(value).label,
    )


@register.simple_tag
def visit_badge(visit) -> str:
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        visit.status_choice.colour,
        visit.status_choice.label,
    )
