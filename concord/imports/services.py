"""Imports of cases from CSV and XLSX files: upload and preview, then the import itself.

1. `stage`: the upload is checked as a file (size, kind, zip bomb, encoding) and its header
   matched to a profile; the first rows are checked for the preview. The file is kept, and
   nothing else is written, until the uploader confirms (`start`).
2. `run_import` (a background job) / `import_path` (the command): every row is checked with
   its line number; bad rows are kept with their reasons, rows already imported (same source
   and source_id) are counted and left alone; then the good rows are written in ONE
   transaction (writer.py), so a failed or killed import leaves nothing of its file behind
   and a second run does it whole. The job row shows the progress while the rows are checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.models import Case
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from concord.core.jobs import enqueue, on_celery
from concord.core.pii import mask_id_number, mask_phone
from concord.demo.bulk import Table

from . import writer
from .choices import JobStatus
from .files import open_table, refuse
from .models import ImportJob, RowProblem
from .profiles import PROFILES, Mapping, apply, choose
from .rows import Checker, Clean

log = logging.getLogger(__name__)
IMPORT_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})
PREVIEW_ROWS = 20
CHECK_BATCH = 1000  # rows checked between two progress updates
# A running job whose heartbeat is older than this died with its process: it may run again.
STALLED_AFTER = dt.timedelta(minutes=10)
_SOURCE = re.compile(r"^[\w.-]{1,32}$")
JOB = "concord.imports.services.run_import"
# Kept uploads hold personal data: gone when no longer needed to run the import (again).
PREVIEW_KEPT = dt.timedelta(days=7)
FAILED_KEPT = dt.timedelta(days=30)


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


def max_bytes() -> int:
    return settings.CONCORD.get("IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def rows_max() -> int:
    return settings.CONCORD.get("IMPORT_ROWS_MAX", 200_000)


def can_import(user: User) -> bool:
    return user.is_authenticated and user.role in IMPORT_ROLES


def check_size(size: int | None) -> None:
    limit = max_bytes()
    if size is not None and size > limit:
        raise TooLarge(
            _("文件不能超过%(max)d MB（现为%(size).1f MB），请分成几个文件导入")
            % {"max": limit // (1024 * 1024), "size": size / 1024 / 1024},
            field="file",
        )


def clean_source(text: str) -> str:
    text = (text or "").strip()
    if not _SOURCE.match(text):
        raise InvalidInput({"source": _("来源系统应为1至32个字母、数字、下划线、点或连字符")})
    return text


# ---------------------------------------------------------------------------- upload, preview


def stage(
    *,
    actor: User,
    upload: UploadedFile | None,
    profile: str = "",
    source: str = "",
    create_categories: bool = False,
) -> ImportJob:
    """Check an uploaded file and keep it for its uploader's confirmation, with a preview of
    its first rows. Refusals (ServiceError) write nothing."""
    if not can_import(actor):
        raise Forbidden(_("您的角色不能批量导入事项"))
    if upload is None:
        raise refuse(_("请选择要导入的 CSV 或 Excel（.xlsx）文件"))
    if profile and profile not in PROFILES:
        raise InvalidInput({"profile": _("未知的导入格式")})
    check_size(upload.size)
    table = open_table(upload, rows_max=rows_max())
    mapping = choose(table.header, profile)
    source = clean_source(source or mapping.profile.source)
    checker = Checker(mapping, create_categories=create_categories)
    now = timezone.now()
    rows = []
    for line, cells in table.rows():
        rows.append((line, cells))
        if len(rows) == PREVIEW_ROWS:
            break
    table.close()
    if not rows:
        raise refuse(_("文件只有表头，没有数据行"))
    existing = _existing(source, [mapping.values(cells).get("source_id", "") for _l, cells in rows])
    preview = {
        "kind": table.kind,
        "encoding": table.encoding,
        "ignored": mapping.ignored,
        "has_source_id": "source_id" in mapping.columns,
        "rows": [
            _preview_row(line, mapping.values(cells), checker, existing, now)
            for line, cells in rows
        ],
    }
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    job = ImportJob(
        uploaded_by=actor,
        filename=(upload.name or "")[-255:],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        profile=mapping.profile.code,
        source=source,
        create_categories=create_categories,
        total=table.total,
        header=mapping.header,
        preview=json.dumps(preview, ensure_ascii=False),
    )
    upload.seek(0)
    job.file.save(f"{uuid.uuid4().hex}.{table.kind}", upload, save=False)
    job.save()
    return job


def _preview_row(line: int, values: dict, checker: Checker, existing: set, now) -> dict:
    shown = {
        name: values.get(name, "")
        for name in (
            "source_id",
            "received_at",
            "category",
            "description",
            "division",
            "address",
            "applicant_name",
            "status",
            "result",
            "satisfaction",
        )
    }
    shown["applicant_phone"] = mask_phone(values.get("applicant_phone", ""))
    shown["applicant_id_number"] = mask_id_number(values.get("applicant_id_number", ""))
    row = {"line": line, "values": shown, "problems": [], "existing": False}
    if shown["source_id"] and shown["source_id"] in existing:
        row["existing"] = True
    else:
        checked = checker.check(line, values, now)
        if isinstance(checked, list):
            row["problems"] = checked
    return row


def preview_of(job: ImportJob) -> dict:
    return json.loads(job.preview) if job.preview else {}


def mapping_of(job: ImportJob) -> list[tuple[str, str | None]]:
    """(the file's header, the field it maps to or None) per column."""
    mapping = apply(PROFILES[job.profile], job.header)
    return list(zip(mapping.header, mapping.columns, strict=True))


def earlier_import(job: ImportJob) -> ImportJob | None:
    """The same file, imported before (its SHA-256), for a hint on the preview."""
    return (
        ImportJob.objects.filter(sha256=job.sha256, status=JobStatus.DONE)
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first()
    )


# ------------------------------------------------------------------------------ the job's life


def visible_jobs(user: User):
    """The uploader's own imports; the admin sees every one."""
    jobs = ImportJob.objects.select_related("uploaded_by")
    if not can_import(user):
        return jobs.none()
    return jobs if user.role == Role.ADMIN else jobs.filter(uploaded_by=user)


def get_job(user: User, job_id: int) -> ImportJob:
    job = visible_jobs(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("导入批次不存在"))
    return job


def start(job: ImportJob, *, actor: User, create_categories: bool | None = None) -> ImportJob:
    """Confirm a previewed file: queue its import once (a double click queues one)."""
    if not job.file:
        raise Conflict(_("该批次的文件已删除，请重新上传"))
    changes = {"status": JobStatus.QUEUED}
    if create_categories is not None:
        changes["create_categories"] = create_categories
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.PREVIEWED).update(**changes)
    if not claimed:
        raise Conflict(_("该文件已确认导入，请勿重复提交"))
    _dispatch(job.pk)
    job.refresh_from_db()
    return job


def purge_files(now: dt.datetime | None = None) -> int:
    """The periodic clean-up: uploads never confirmed within PREVIEW_KEPT, and failed ones
    not run again within FAILED_KEPT, lose their kept file (names, phones, ID numbers);
    returns how many. A purged preview can no longer be confirmed."""
    now = now or timezone.now()
    stale = ImportJob.objects.exclude(file="").filter(
        Q(status=JobStatus.PREVIEWED, created_at__lt=now - PREVIEW_KEPT)
        | Q(status=JobStatus.FAILED, finished_at__lt=now - FAILED_KEPT)
    )
    purged = 0
    for job in stale:
        job.file.delete(save=False)
        expired = job.status == JobStatus.PREVIEWED
        ImportJob.objects.filter(pk=job.pk).update(
            file="",
            status=JobStatus.FAILED,
            error=_("预览后未确认导入，文件已按期删除") if expired else job.error,
            finished_at=job.finished_at or now,
        )
        purged += 1
    return purged


def is_stalled(job: ImportJob, now: dt.datetime | None = None) -> bool:
    if job.status not in (JobStatus.CHECKING, JobStatus.WRITING) or job.heartbeat_at is None:
        return False
    return job.heartbeat_at < (now or timezone.now()) - STALLED_AFTER


def retry(job: ImportJob, *, actor: User) -> ImportJob:
    """Run a failed or interrupted import again, from its kept file."""
    if not job.file:
        raise Conflict(_("该批次的文件未保存，请重新上传"))
    stalled = Q(
        status__in=(JobStatus.CHECKING, JobStatus.WRITING),
        heartbeat_at__lt=timezone.now() - STALLED_AFTER,
    )
    claimed = (
        ImportJob.objects.filter(pk=job.pk)
        .filter(Q(status=JobStatus.FAILED) | stalled)
        .update(status=JobStatus.QUEUED, error="")
    )
    if not claimed:
        raise Conflict(_("只有未导入或中断的批次可以重新导入"))
    _dispatch(job.pk)
    job.refresh_from_db()
    return job


def _dispatch(job_id: int) -> None:
    """Queue the import. With Celery it is a task like any other; in-process (`make run`,
    the browser tests) it runs on a thread of its own once the transaction commits, so that
    the page that started it can poll its progress instead of waiting for it. An import that
    dies with its process is shown as interrupted and can be run again (`retry`)."""
    if on_celery():
        enqueue(JOB, job_id=job_id)
        return

    def run() -> None:
        try:
            run_import(job_id)
        finally:
            connections.close_all()

    transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())


def run_import(job_id: int) -> None:
    """The queued job: claim the import (a redelivered task or a second worker finds it taken
    unless it stalled), run it from the kept file, or record why nothing was imported."""
    now = timezone.now()
    stalled = Q(
        status__in=(JobStatus.CHECKING, JobStatus.WRITING), heartbeat_at__lt=now - STALLED_AFTER
    )
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | stalled)
        .update(status=JobStatus.CHECKING, started_at=now, heartbeat_at=now, done=0, error="")
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    user = job.uploaded_by
    origin = _origin(job, user)
    try:
        with job.file.open("rb") as stream:
            execute(job, stream, origin=origin)
    except ServiceError as exc:
        _fail(job, exc)
        return
    except Exception:
        log.exception("import %s failed", job_id)
        _fail(job, ServiceError(_("导入时出错，未写入任何事项。请稍后重新导入")))
        return
    # Done: the rows are in the database, the problems kept; the file goes.
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job_id).update(file="")


def import_path(
    path: str,
    *,
    source: str = "",
    profile: str = "",
    create_categories: bool = False,
    user: User | None = None,
) -> ImportJob:
    """The command's import: a file on disk, run here and now. Raises ServiceError (the job
    recorded as failed) when the file is refused or the import fails."""
    if profile and profile not in PROFILES:
        raise InvalidInput({"profile": _("未知的导入格式")})
    with open(path, "rb") as stream:
        table = open_table(stream, rows_max=rows_max())
        mapping = choose(table.header, profile)
        source = clean_source(source or mapping.profile.source)
        now = timezone.now()
        job = ImportJob.objects.create(
            uploaded_by=user,
            filename=str(path)[-255:],
            size=stream.seek(0, 2),
            profile=mapping.profile.code,
            source=source,
            create_categories=create_categories,
            status=JobStatus.CHECKING,
            total=table.total,
            header=mapping.header,
            started_at=now,
            heartbeat_at=now,
        )
        try:
            execute(job, stream, origin=_origin(job, user))
        except ServiceError as exc:
            _fail(job, exc)
            raise
        except Exception:
            _fail(job, ServiceError(_("导入时出错，未写入任何事项")))
            raise
    job.refresh_from_db()
    return job


def _origin(job: ImportJob, user: User | None) -> writer.Origin:
    """Who registers the imported cases: the uploader; for the command, the user it names,
    else the account of the external system whose code is the source, else the system."""
    if user is None:
        from concord.integrations.models import ExternalSystem

        system = ExternalSystem.objects.filter(code=job.source).select_related("account").first()
        user = system.account if system else None
    return writer.Origin(
        job_id=job.pk,
        filename=job.filename.rsplit("/", 1)[-1],
        source=job.source,
        user_id=user.pk if user else None,
        org_id=user.organisation_id if user else None,
    )


def _fail(job: ImportJob, exc: ServiceError) -> None:
    reason = exc.message
    if isinstance(exc, InvalidInput):
        reason = "；".join(exc.errors.values())
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=reason, finished_at=timezone.now()
    )


# --------------------------------------------------------------------------------- the import


@dataclass
class Checked:
    good: list[Clean] = field(default_factory=list)
    problems: list[tuple[int, str, list[str]]] = field(default_factory=list)
    existing: int = 0
    rows: int = 0


def execute(job: ImportJob, stream: BinaryIO, *, origin: writer.Origin) -> ImportJob:
    """Check every row, keep the problems, then write the good rows in one transaction."""
    started = time.monotonic()
    table = open_table(stream, rows_max=rows_max())
    mapping = choose(table.header, job.profile)
    checker = Checker(mapping, create_categories=job.create_categories)
    RowProblem.objects.filter(job=job).delete()  # from an earlier, failed run
    checking_from = timezone.now()
    checked = _check(job, table.rows(), mapping, checker)
    Table(RowProblem).insert(
        {"job_id": job.pk, "line": line, "reasons": reasons, "values": json.dumps(cells)}
        for line, reasons, cells in checked.problems
    )
    codes = writer.reserve_codes(checked.good)
    _progress(
        job,
        status=JobStatus.WRITING,
        total=checked.rows,
        done=checked.rows,
        bad_count=len(checked.problems),
        existing_count=checked.existing,
    )
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != JobStatus.WRITING:
                return locked  # another run of the same job finished it meanwhile
            # Stamped after the transaction began: the statistics' rollup sees these rows.
            now = timezone.now()
            good = checked.good
            if Case.objects.filter(source=job.source, created_at__gte=checking_from).exists():
                good, codes = _not_yet_imported(job.source, good, codes)
            new = _categories_needed(checker, good)
            categories = writer.create_categories(new)
            writer.write(good, codes, origin=origin, categories=categories, now=now)
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE,
                created_count=len(good),
                existing_count=checked.existing + len(checked.good) - len(good),
                bad_count=len(checked.problems),
                categories_created=len(new),
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
                seconds=time.monotonic() - started,
            )
    except IntegrityError:
        raise Conflict(
            _("另一个导入同时写入了相同来源编号的事项，本次未写入任何事项。请重新导入")
        ) from None
    job.refresh_from_db()
    return job


def _categories_needed(checker: Checker, good: list[Clean]) -> dict:
    """The new categories the written rows name, with their new parents (a bad row's new
    category is not created)."""
    new = checker.categories.new
    needed = {row.category for row in good if isinstance(row.category, str)}
    needed |= {new[key].parent for key in needed if isinstance(new[key].parent, str)}
    return {key: item for key, item in new.items() if key in needed}


def _check(job: ImportJob, rows: Iterator, mapping: Mapping, checker: Checker) -> Checked:
    checked = Checked()
    now = timezone.now()
    batch: list[tuple[int, list[str]]] = []

    width = len(mapping.header)

    def flush() -> None:
        values = [mapping.values(cells) for _line, cells in batch]
        existing = _existing(job.source, [v.get("source_id", "") for v in values])
        for (line, cells), row in zip(batch, values, strict=True):
            checked.rows += 1
            if row.get("source_id") and row["source_id"] in existing:
                checked.existing += 1
                continue
            result = checker.check(line, row, now)
            if isinstance(result, list):
                checked.problems.append((line, "；".join(result), cells[:width]))
            else:
                checked.good.append(result)
        batch.clear()
        _progress(job, done=checked.rows)

    for item in rows:
        batch.append(item)
        if len(batch) == CHECK_BATCH:
            flush()
    flush()
    return checked


def _existing(source: str, source_ids: list[str]) -> set[str]:
    wanted = {s for s in source_ids if s}
    if not wanted:
        return set()
    found = Case.objects.filter(source=source, source_id__in=wanted)
    return set(found.values_list("source_id", flat=True))


def _not_yet_imported(
    source: str, rows: list[Clean], codes: list[str]
) -> tuple[list[Clean], list[str]]:
    """The good rows and their codes, less any row written since they were checked (the same
    file confirmed twice, or another system's API calls with the same source)."""
    ids = [row.source_id for row in rows if row.source_id]
    taken: set[str] = set()
    for start in range(0, len(ids), 5000):
        taken |= _existing(source, ids[start : start + 5000])
    if not taken:
        return rows, codes
    kept = [
        (row, code) for row, code in zip(rows, codes, strict=True) if row.source_id not in taken
    ]
    return [row for row, _code in kept], [code for _row, code in kept]


def _progress(job: ImportJob, **changes) -> None:
    """Progress is written at once, outside any transaction, so that the page polling it sees
    it while the import runs."""
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), **changes)
