"""Every upload checks what the file is by its bytes (not its name) and how big it is, and
refuses with a 4xx and a clear Chinese message, keeping nothing: the grid's photos, case
imports (page and API), the court's batch files, the signed agreement's scan (page and API).
A Windows program renamed to .csv, .jpg or .pdf is the impostor; a file one byte over the
limit the oversized one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from concord.cases.models import Attachment, Case
from concord.cases.tests.images import png_bytes
from concord.courts import imports as court_imports
from concord.courts.defaults import load_defaults as load_court_defaults
from concord.courts.models import ReferralBatch
from concord.imports.models import ImportJob
from concord.mediation.models import Agreement

pytestmark = pytest.mark.django_db

# The start of a Windows executable ("MZ", then the DOS stub's bytes) and of a Linux one.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def signed_in(persona, username: str) -> Client:
    client = Client()
    client.force_login(persona(username))
    return client


@pytest.fixture
def htmx() -> dict:
    return {"HX-Request": "true"}


# ------------------------------------------------------------------ the grid's photos


def grid_report(persona, photo):
    """The grid worker reports a dispute in their village with `photo`."""
    return signed_in(persona, "grid").post(
        "/routing/grid/report",
        {
            "description": "村口道路被占用，村民多次协商未果。",
            "village": persona("grid").organisation.division_id,
            "photos": photo,
        },
    )


@pytest.mark.parametrize("data", [EXE, ELF], ids=["exe", "elf"])
def test_a_program_renamed_to_jpg_is_no_photo(persona, media, data):
    page = grid_report(persona, upload("现场.jpg", data, "image/jpeg"))
    assert page.status_code == 422
    assert "不是JPEG、PNG或WebP格式的照片" in page.content.decode()
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))  # no file left on disk


def test_a_photo_over_5_mb_is_refused(persona, media):
    big = png_bytes() + b"\x00" * (5 * 1024 * 1024)
    page = grid_report(persona, upload("现场.png", big, "image/png"))
    assert page.status_code == 422
    assert "超过5MB" in page.content.decode()
    assert not Attachment.objects.exists()


# ------------------------------------------------------------------ case imports


@pytest.mark.parametrize("data", [EXE, ELF], ids=["exe", "elf"])
def test_a_program_renamed_to_csv_is_not_imported(persona, media, api, htmx, data):
    page = signed_in(persona, "clerk").post(
        "/imports/", {"file": upload("cases.csv", data, "text/csv")}, headers=htmx
    )
    assert page.status_code == 422
    assert "可执行程序" in page.content.decode()
    answer = api("clerk").client.post(
        "/api/v1/imports",
        {"file": upload("cases.csv", data, "text/csv")},
        headers=api("clerk").headers,
    )
    assert answer.status_code == 422
    assert "可执行程序" in answer.json()["detail"]
    assert not ImportJob.objects.exists()


def test_an_import_over_the_size_limit_is_refused(persona, media, settings, htmx):
    settings.CONCORD = {**settings.CONCORD, "IMPORT_MAX_BYTES": 1024}
    data = ("source_id,description\n" + "A-1,楼上噪音扰民\n" * 200).encode()
    page = signed_in(persona, "clerk").post(
        "/imports/", {"file": upload("cases.csv", data, "text/csv")}, headers=htmx
    )
    assert page.status_code in (413, 422)
    assert "文件不能超过" in page.content.decode()
    assert not ImportJob.objects.exists()


# ------------------------------------------------------------------ the court's batch files


@pytest.fixture
def court(persona):
    load_court_defaults()
    return signed_in(persona, "court")


@pytest.mark.parametrize("data", [EXE, ELF], ids=["exe", "elf"])
def test_a_program_renamed_to_csv_is_no_court_batch(court, data):
    page = court.post("/courts/import/", {"file": upload("委派.csv", data, "text/csv")})
    assert page.status_code == 422
    assert "可执行程序" in page.content.decode()
    assert not ReferralBatch.objects.exists()


def test_a_court_batch_over_5_mb_is_refused(court):
    data = b"court_case_number,type\n" + b"x" * court_imports.FILE_MAX_BYTES
    page = court.post("/courts/import/", {"file": upload("委派.csv", data, "text/csv")})
    assert page.status_code == 422
    assert "文件不能超过5 MB" in page.content.decode()
    assert not ReferralBatch.objects.exists()


# ------------------------------------------------------------------ the agreement's scan


@pytest.fixture
def agreement(county, media) -> Agreement:
    from concord.core.tests.authz_world import build_world

    world = build_world()
    return Agreement.objects.get(pk=world.kwargs["agreement_id"])


@pytest.mark.parametrize("data", [EXE, ELF], ids=["exe", "elf"])
def test_a_program_renamed_to_pdf_is_no_scan(agreement, persona, api, htmx, data):
    before = agreement.scan.name
    page = signed_in(persona, "dispatcher").post(
        f"/mediation/agreements/{agreement.pk}/scan",
        {f"scan-{agreement.pk}-scan": upload("协议.pdf", data, "application/pdf")},
        headers=htmx,
    )
    assert page.status_code == 422
    assert "PDF、JPEG或PNG" in page.content.decode()
    answer = api("dispatcher").client.post(
        f"/api/v1/agreements/{agreement.pk}/scan",
        {"scan": upload("协议.pdf", data, "application/pdf")},
        headers=api("dispatcher").headers,
    )
    assert answer.status_code == 422
    assert "PDF、JPEG或PNG" in answer.json()["detail"]
    agreement.refresh_from_db()
    assert agreement.scan.name == before


def test_a_scan_over_10_mb_is_refused(agreement, api):
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    answer = api("dispatcher").client.post(
        f"/api/v1/agreements/{agreement.pk}/scan",
        {"scan": upload("协议.pdf", big, "application/pdf")},
        headers=api("dispatcher").headers,
    )
    assert answer.status_code in (413, 422)
    assert "10 MB" in answer.json()["detail"] or "10MB" in answer.json()["detail"]
    assert Case.objects.exists()
