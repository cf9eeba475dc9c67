"""A checked file kept until its uploader confirms it, then imported in the background, all
or nothing: 2,000 referrals take minutes, more than a page request may. The batch page polls
its status."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from concord.core.jobs import enqueue
from concord.orgs.models import Organisation

from .choices import BatchStatus
from .imports import Preview, column_of
from .models import ReferralBatch
from .services import Lookups, Person, ReferralDraft, refer

BATCH_TTL = dt.timedelta(days=1)
log = logging.getLogger(__name__)


def keep(preview: Preview, *, actor: User, court: Organisation, filename: str) -> ReferralBatch:
    """Store a clean file's new rows (encrypted) until the uploader confirms the import."""
    rows = [{"line": r.line, "draft": asdict(r.draft)} for r in preview.new]
    return ReferralBatch.objects.create(
        court=court,
        uploaded_by=actor,
        filename=filename[:200],
        rows=json.dumps(rows, ensure_ascii=False),
        row_count=len(rows),
        skipped_count=len(preview.skipped),
    )


def own_batch(actor: User, batch_id: int) -> ReferralBatch:
    """A batch the actor uploaded; others' batches do not exist for them."""
    batch = (
        ReferralBatch.objects.select_related("court").filter(pk=batch_id, uploaded_by=actor).first()
    )
    if batch is None:
        raise NotFound(_("导入批次不存在"))
    return batch


def start_import(batch: ReferralBatch) -> None:
    """Claim a previewed batch (compare-and-set: a double click imports once) and queue its
    import."""
    if timezone.now() - batch.uploaded_at > BATCH_TTL:
        raise Conflict(_("预览已超过24小时，请重新上传文件"))
    claimed = ReferralBatch.objects.filter(pk=batch.pk, status=BatchStatus.PREVIEWED).update(
        status=BatchStatus.IMPORTING
    )
    if not claimed:
        raise Conflict(_("该文件已导入或正在导入"))
    enqueue("concord.courts.batches.run_import", batch_id=batch.pk)


def run_import(batch_id: int) -> None:
    """The queued job: import the batch, or record why nothing was imported."""
    batch = ReferralBatch.objects.select_related("court", "uploaded_by__organisation").get(
        pk=batch_id
    )
    if batch.status != BatchStatus.IMPORTING:
        return
    try:
        import_batch(batch)
    except ServiceError as exc:
        _fail(batch, exc)
    except Exception:
        log.exception("court referral batch %s failed", batch_id)
        _fail(batch, ServiceError(_("导入时出错，请稍后重新上传")))


def _fail(batch: ReferralBatch, exc: ServiceError) -> None:
    reason = exc.message
    if isinstance(exc, InvalidInput):
        reason = "；".join(f"{key}：{message}" for key, message in exc.errors.items())
    ReferralBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error=reason)


def import_batch(batch: ReferralBatch) -> ReferralBatch:
    """Import every kept row in one transaction, as the uploader: one bad row (the rules or
    the types may have changed since the preview) and nothing is written; the error names
    its line."""
    actor, lookups = batch.uploaded_by, Lookups()
    with transaction.atomic():
        created = skipped = 0
        for row in json.loads(batch.rows):
            stored = row["draft"]
            draft = ReferralDraft(
                **{
                    **stored,
                    "plaintiffs": [Person(**p) for p in stored["plaintiffs"]],
                    "defendants": [Person(**p) for p in stored["defendants"]],
                }
            )
            try:
                _referral, new = refer(
                    actor=actor, draft=draft, court=batch.court, batch=batch, lookups=lookups
                )
            except InvalidInput as exc:
                reasons = "；".join(f"{column_of(k)}：{m}" for k, m in exc.errors.items())
                raise InvalidInput({_("第%(line)d行") % {"line": row["line"]}: reasons}) from None
            created += new
            skipped += not new
        batch.status = BatchStatus.IMPORTED
        batch.imported_at = timezone.now()
        batch.created_count = created
        batch.skipped_count += skipped
        batch.save(update_fields=["status", "imported_at", "created_count", "skipped_count"])
    return batch
