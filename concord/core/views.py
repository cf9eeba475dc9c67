from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect


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
