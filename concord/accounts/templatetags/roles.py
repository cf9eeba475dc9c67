"""Template filters of accounts.permissions: which top bar a role gets."""

from django import template

from concord.accounts import permissions

register = template.Library()


@register.filter
def works_cases(user) -> bool:
    return permissions.works_cases(user)
