"""The error pages staff see when something goes wrong are the center's own, in Chinese."""

from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/cases/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_the_403_page_offers_the_way_back(rf: RequestFactory, county, persona):
    request = rf.get("/cases/new")
    request.user = persona("leader")
    response = permission_denied(request, PermissionError())
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in page and "回到我的工作" in page
