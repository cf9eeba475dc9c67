from django import template

from concord.duplicates.views import case_card

register = template.Library()


@register.inclusion_tag("duplicates/_case_card.html", takes_context=True)
def duplicates_card(context, case):
    """The case page's card of similar cases, merges and repeat visits."""
    return case_card(case, context["user"]) | {"csrf_token": context.get("csrf_token")}
