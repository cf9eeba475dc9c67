"""Imports over the API: upload and start in one call, follow the job, read its bad rows."""

import pytest
from django.test import Client

from concord.api.auth import issue_token
from concord.cases.models import Case
from concord.imports import services

from .conftest import canonical, csv_bytes, upload

pytestmark = pytest.mark.urls("concord.imports.tests.api_urls")


def client_for(user) -> Client:
    key, _token = issue_token(user)
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_a_system_uploads_a_file_and_follows_its_import(persona, media):
    client = client_for(persona("dispatcher"))
    data = csv_bytes([canonical(1), canonical(2, applicant_phone="110")])
    response = client.post(
        "/api/v1/imports", {"file": upload(data, "orders.csv"), "source": "legacy"}
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["source"], job["profile"]) == ("queued", "legacy", "canonical")
    services.run_import(job["id"])
    done = client.get(f"/api/v1/imports/{job['id']}").json()
    assert (done["status"], done["created"], done["bad_rows"]) == ("done", 1, 1)
    problems = client.get(f"/api/v1/imports/{job['id']}/problems").json()
    assert problems == [
        {"line": 3, "reasons": "applicant_phone：电话号码应为11位手机号或带区号的固定电话"}
    ]
    assert Case.objects.get().source == "legacy"


def test_a_bad_file_or_a_role_that_may_not_import_is_refused(persona, media):
    client = client_for(persona("clerk"))
    response = client.post("/api/v1/imports", {"file": upload(b"\x89PNG\r\n\x1a\n", "a.xlsx")})
    assert response.status_code == 422
    assert "PNG 图片" in response.json()["detail"]
    handler = client_for(persona("baiguan"))
    data = csv_bytes([canonical(1)])
    assert handler.post("/api/v1/imports", {"file": upload(data, "a.csv")}).status_code == 403
    assert not Case.objects.exists()
