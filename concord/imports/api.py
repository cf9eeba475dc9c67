"""Imports over the API (mounted at /api/v1/imports): upload a file and start its import in
the background, follow it, read the rows it left out. The same services as the pages."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import Field

from concord.core.errors import Forbidden

from . import services
from .models import RowProblem
from .profiles import PROFILES

router = Router()


class JobOut(Schema):
    id: int
    filename: str
    profile: str
    source: str
    status: str
    total: int | None = Field(description="数据行（估计，检查完后为实数）")
    done: int = Field(description="已检查的行")
    created: int = Field(alias="created_count")
    already_imported: int = Field(alias="existing_count")
    bad_rows: int = Field(alias="bad_count")
    categories_created: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    seconds: float | None


class ProblemOut(Schema):
    line: int
    reasons: str


class UploadIn(Schema):
    profile: Literal[("", *PROFILES)] = Field("", description="不填则按表头自动识别")
    source: str = Field("", max_length=32, description="来源系统；不填则按格式默认")
    create_categories: bool = False
    start: bool = Field(True, description="上传后立即开始导入；false 则只检查并预览")


def _importer(request: HttpRequest):
    if not services.can_import(request.auth):
        raise Forbidden(_("您的角色不能批量导入事项"))
    return request.auth


@router.post("", response={202: JobOut})
def upload(request: HttpRequest, file: File[UploadedFile], payload: Form[UploadIn]):
    """Upload a CSV or XLSX file (multipart field `file`, SPEC §11 canonical format or a
    12345 export). The file is checked at once (422 with the reason, 413 when too large);
    the rows are checked and written in the background: poll `GET /imports/{id}`."""
    actor = _importer(request)
    job = services.stage(
        actor=actor,
        upload=file,
        profile=payload.profile,
        source=payload.source,
        create_categories=payload.create_categories,
    )
    if payload.start:
        job = services.start(job, actor=actor)
    return Status(202, job)


@router.get("/{int:job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int):
    return services.get_job(_importer(request), job_id)


@router.get("/{int:job_id}/problems", response=list[ProblemOut])
def problems(request: HttpRequest, job_id: int):
    """The rows left out, by line, with their reasons (the error report without the cells)."""
    job = services.get_job(_importer(request), job_id)
    return RowProblem.objects.filter(job=job).order_by("line").only("line", "reasons")
