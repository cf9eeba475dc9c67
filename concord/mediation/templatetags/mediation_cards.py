from django import template

register = template.Library()


@register.inclusion_tag("mediation/_case_card.html", takes_context=True)
def mediation_card(context, case):
    """The case page's mediation card for the user looking at it."""
    return {"case": case, "user": context["user"]}
