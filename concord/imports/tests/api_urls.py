"""The imports router mounted as the lead mounts it (concord/api/urls.py, /api/v1/imports),
with the main API's authentication and its handling of service errors."""

from django.urls import path
from ninja import NinjaAPI

from concord.api.auth import API_AUTH
from concord.core.errors import ServiceError
from concord.imports.api import router

api = NinjaAPI(auth=API_AUTH, urls_namespace="imports-api-test")
api.add_router("/imports", router)


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


urlpatterns = [path("api/v1/", api.urls)]
