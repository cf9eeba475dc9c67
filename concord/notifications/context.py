"""Template context for every page: the unread count under the bell."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .services import unread_count


def unread(request: HttpRequest) -> dict:
    """`unread_notifications`: counted on first use in the template, at most once per page;
    pages that never show the bell (htmx fragments) pay nothing."""

    def count() -> int:
        user = getattr(request, "user", None)
        return unread_count(user) if user is not None and user.is_authenticated else 0

    return {"unread_notifications": SimpleLazyObject(count)}
