"""GeoReport v2, mounted at /open311/v2/: every resource ends in .json or .xml."""

from django.urls import re_path

from . import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>\w+)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<code>[-\w]{1,64})" + FORMAT,
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests" + FORMAT, views.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>\w{1,40})" + FORMAT,
        views.request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>\w{1,64})" + FORMAT, views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
