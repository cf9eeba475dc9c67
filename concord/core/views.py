from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Bare liveness for load balancers: plain Django, no database, no authentication."""
    return JsonResponse({"status": "ok"})
