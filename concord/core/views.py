from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext

from concord.core.errors import InvalidInput, ServiceError


def healthz(request: HttpRequest) -> JsonResponse:
    """Bare liveness for load balancers: plain Django, no database, no authentication."""
    return JsonResponse({"status": "ok"})


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """Where a page form lands after a post: htmx follows HX-Redirect (its 204 swaps nothing),
    a plain form post gets a 302."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def case_url(case_id: int) -> str:
    # No #fragment: htmx's redirect to the same page with only a new hash would not reload it.
    return reverse("cases:detail", kwargs={"case_id": case_id})


def redirect_to_case(request: HttpRequest, case_id: int) -> HttpResponse:
    return redirect_after_post(request, case_url(case_id))


def refusal_text(exc: ServiceError) -> str:
    """A service's refusal as one line for a page: the fields' messages without their names."""
    if isinstance(exc, InvalidInput):
        return pgettext("separator between error messages", "；").join(exc.errors.values())
    return exc.message


def refused(request: HttpRequest, exc: ServiceError, back: str) -> HttpResponse:
    """The refusal under the form that asked (htmx, 422), or as a message after redirecting
    a plain post to `back`."""
    if request.htmx:
        context = {"error": refusal_text(exc)}
        return render(request, "cases/_action_error.html", context, status=422)
    messages.error(request, refusal_text(exc))
    return redirect_after_post(request, back)


def submit(request: HttpRequest, form, act, *, template: str, context: dict, back: str):
    """A page form's round trip: when the form is valid, `act()` calls the service and returns
    the success message, and the browser goes to `back`; a refusal lands on the form's fields
    (InvalidInput) or above it, and the form comes back with its errors (`form_refused`)."""
    if form.is_valid():
        try:
            text = act()
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, text)
            return redirect_after_post(request, back)
    return form_refused(request, form, template, context, back)


def form_refused(request: HttpRequest, form, template: str, context: dict, back: str):
    """A form come back with its errors: re-rendered in place (htmx, 422), or its errors as
    messages after redirecting a plain post to `back`."""
    if request.htmx:
        return render(request, template, context, status=422)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect_after_post(request, back)
