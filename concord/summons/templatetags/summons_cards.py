from django import template

register = template.Library()


@register.inclusion_tag("summons/_case_card.html", takes_context=True)
def summons_card(context, case):
    """The case page's summons card for the user looking at it."""
    return {"case": case, "user": context["user"]}
