"""The risk router mounted as the lead mounts it (concord/api/urls.py, at /api/v1/), with
the main API's authentication and its handling of service errors."""

from django.urls import path
from ninja import NinjaAPI

from concord import urls as root_urls
from concord.api.auth import API_AUTH
from concord.core.errors import ServiceError
from concord.risk.api import router

api = NinjaAPI(auth=API_AUTH, urls_namespace="risk-api-test")
api.add_router("", router)


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


# The rest of the site after it, for the pages' links (the 404 page's menu).
urlpatterns = [path("api/v1/", api.urls), *root_urls.urlpatterns]
