"""A NUL character in what a request sends is the input's fault, not the server's.

PostgreSQL stores no NUL in text, and psycopg refuses any query that carries one (DataError)
before it is sent. Django's form fields refuse NUL themselves (ProhibitNullCharactersValidator),
with a message on the form; a parameter a page reads directly (a filter, a picker's code)
would reach a query instead and end in a 500. `RefuseNulMiddleware` answers those with a 400;
the JSON API answers them with a 422 in its own shape (concord.api.urls).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

# PostgreSQL's codes for text it cannot store: \u0000 in JSON (22P05), bytes not in the
# database's encoding (22021).
UNSTORABLE = frozenset({"22P05", "22021"})


def carries_nul(exc: BaseException) -> bool:
    """Whether a database error is the refusal of a NUL character (by psycopg, before the
    query is sent, or by PostgreSQL in a JSON value)."""
    if not isinstance(exc, DataError):
        return False
    return "NUL" in str(exc) or getattr(exc.__cause__, "sqlstate", None) in UNSTORABLE


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if carries_nul(exc):
            return HttpResponseBadRequest(
                _("请求中含有不可见的控制字符（NUL），已拒绝"),
                content_type="text/plain; charset=utf-8",
            )
        return None
