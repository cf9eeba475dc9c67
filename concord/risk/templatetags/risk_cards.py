from django import template

from concord.risk.letters import can_issue_letters

register = template.Library()


@register.inclusion_tag("risk/_case_letters.html", takes_context=True)
def case_letters(context, case):
    """Beside a case's risk reasons: its 风险提示函 / 预警函, and the button to write one."""
    return {
        "case": case,
        "letters": case.risk_letters.all(),
        "can_issue": can_issue_letters(context["user"]),
    }
