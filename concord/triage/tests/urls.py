"""The site's URLs with POST /api/v1/triage/suggest mounted in front, with the site API's
error handlers, so the API tests run before (and after) concord/api/urls.py mounts the router."""

from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from concord.api import urls as site_api
from concord.api.auth import API_AUTH
from concord.core.errors import ServiceError
from concord.triage.api import router
from concord.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(auth=API_AUTH, urls_namespace="triage_test")
api.add_exception_handler(ValidationError, site_api.on_validation_error)
api.add_exception_handler(ServiceError, site_api.on_service_error)
api.add_exception_handler(AuthenticationError, site_api.on_unauthenticated)
api.add_router("/triage", router)

urlpatterns = [path("api/v1/", api.urls), *site_urlpatterns]
