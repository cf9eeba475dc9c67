"""The mediation agreement (人民调解协议书): made from a succeeded mediation, laid out as Word and
PDF, recorded as having taken effect (which opens the 30-day judicial-confirmation window), and
its signed paper kept as a scan.

Who may act: whoever may act on the mediation (services.can_mediate). Scope (may the actor see
the case) is checked by the caller through `cases.scope`, as for every door.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concord.accounts.models import User
from concord.accounts.permissions import can_reveal_pii
from concord.audit.models import AuditAction, record
from concord.cases.attachments import sniff_image
from concord.cases.choices import Action, PartyRole
from concord.cases.models import Party
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.documents import CONTENT_TYPES, Document, Section, document_response
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX, DESCRIPTION_MAX

from .choices import AgreementKind, MediationStatus
from .models import Agreement, Mediation
from .services import require_can_mediate

PARTIES_MIN = 2
# The agreed terms may run long (an itemised payment plan); the other parts are paragraphs.
TEXT_MAX = {
    "facts": COMMENT_MAX,
    "disputes": COMMENT_MAX,
    "responsibility": COMMENT_MAX,
    "terms": DESCRIPTION_MAX,
    "performance_method": COMMENT_MAX,
}
REQUIRED_TEXTS = ("facts", "disputes", "terms", "performance_method")
PERFORMANCE_YEARS_MAX = 10
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
SCAN_NAME_MAX = Agreement._meta.get_field("scan_name").max_length


@dataclass
class AgreementDraft:
    """What the mediator fills in; `parties` are Party rows or ids of the case's parties."""

    kind: str = AgreementKind.WRITTEN
    parties: Sequence[Party | int] = ()
    facts: str = ""
    disputes: str = ""
    responsibility: str = ""
    terms: str = ""
    performance_method: str = ""
    performance_due: dt.date | None = None


def agreement_of(mediation: Mediation) -> Agreement | None:
    try:
        return mediation.agreement
    except ObjectDoesNotExist:
        return None


# ---------------------------------------------------------------- making it


def create_agreement(mediation: Mediation, *, actor: User, draft: AgreementDraft) -> Agreement:
    """The agreement of a succeeded mediation, with the contents of 人民调解法 art. 29.

    1. check the actor, that the mediation succeeded and has no agreement yet;
    2. check the parties (at least two, of this case), the texts and the performance date;
    3. save; the one-to-one on the mediation refuses a second agreement made at the same time."""
    require_can_mediate(actor, mediation.case, mediation)
    if mediation.status != MediationStatus.SUCCEEDED:
        raise Conflict(_("只有调解成功的调解才能制作调解协议"))
    existing = Agreement.objects.filter(mediation=mediation).first()
    if existing is not None:
        raise Conflict(_("该调解已制作调解协议（%(number)s）") % {"number": existing.number})
    errors: dict[str, str] = {}
    if draft.kind not in AgreementKind.values:
        errors["kind"] = _("请选择协议形式：书面协议或口头协议")
    parties = _check_parties(mediation, draft.parties, errors)
    texts = {field: _check_text(field, getattr(draft, field), errors) for field in TEXT_MAX}
    _check_performance_due(mediation, draft.performance_due, errors)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                mediation=mediation,
                kind=draft.kind,
                performance_due=draft.performance_due,
                created_by=actor,
                **texts,
            )
            agreement.parties.set(parties)
    except IntegrityError:
        raise Conflict(_("该调解已制作调解协议")) from None
    return agreement


def _check_parties(mediation: Mediation, chosen: Sequence, errors: dict) -> list[Party]:
    ids = []
    for item in chosen or ():
        pk = item.pk if isinstance(item, Party) else item
        if not isinstance(pk, int) or isinstance(pk, bool):
            errors["parties"] = _("当事人应为本事项当事人的编号")
            return []
        ids.append(pk)
    ids = list(dict.fromkeys(ids))
    found = list(Party.objects.filter(case_id=mediation.case_id, pk__in=ids))
    if len(found) != len(ids):
        errors["parties"] = _("所选当事人不是本事项的当事人")
    elif len(found) < PARTIES_MIN:
        errors["parties"] = _("调解协议至少需要两方当事人，请从本事项的当事人中选择")
    return found


def _check_text(field: str, value: str, errors: dict) -> str:
    label = Agreement._meta.get_field(field).verbose_name
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text and field in REQUIRED_TEXTS:
        errors[field] = _("请填写%(label)s") % {"label": label}
    elif len(text) > TEXT_MAX[field]:
        errors[field] = _("%(label)s不能超过%(max)d字（现为%(length)d字）") % {
            "label": label,
            "max": TEXT_MAX[field],
            "length": len(text),
        }
    return text


def _check_performance_due(mediation: Mediation, due: dt.date | None, errors: dict) -> None:
    started = timezone.localdate(mediation.started_at)
    if due is None:
        errors["performance_due"] = _("请填写履行期限")
    elif due < started:
        errors["performance_due"] = _("履行期限不能早于调解开始日期（%(day)s）") % {
            "day": started.isoformat()
        }
    elif due.year > timezone.localdate().year + PERFORMANCE_YEARS_MAX:
        errors["performance_due"] = _("履行期限不能超过%(years)d年") % {
            "years": PERFORMANCE_YEARS_MAX
        }


# ---------------------------------------------------------------- taking effect


def record_effect(
    agreement: Agreement,
    *,
    actor: User,
    effective_at: dt.datetime | None,
    parties_signed: bool = False,
    mediator_signed: bool = False,
    sealed: bool = False,
) -> Agreement:
    """Record that the agreement took effect, which starts the judicial-confirmation window
    (the deadlines engine's `judicial_window` node, on AGREEMENT_EFFECTIVE).

    A written agreement needs all three: the parties' signatures (seal or fingerprint), the
    mediator's signature and the committee's seal (人民调解法 art. 29); an oral one takes
    effect the day it is reached (art. 30). The moment may be in the past (the paper was
    signed before it is entered here), never in the future nor before the mediation began.
    Compare-and-set: of two people recording it at once, one wins."""
    mediation = agreement.mediation
    require_can_mediate(actor, mediation.case, mediation)
    if agreement.is_effective:
        raise Conflict(_("调解协议已于%(when)s生效") % {"when": local_time(agreement.effective_at)})
    errors: dict[str, str] = {}
    written = agreement.kind == AgreementKind.WRITTEN
    if written:
        if parties_signed is not True:
            errors["parties_signed"] = _("各方当事人签名（盖章或按指印）后，协议方能生效")
        if mediator_signed is not True:
            errors["mediator_signed"] = _("调解员签名后，协议方能生效")
        if sealed is not True:
            errors["sealed"] = _("加盖人民调解委员会印章后，协议方能生效")
    if effective_at is not None and timezone.is_naive(effective_at):
        effective_at = timezone.make_aware(effective_at)
    if effective_at is None:
        errors["effective_at"] = _("请填写生效时间")
    elif effective_at > timezone.now():
        errors["effective_at"] = _("生效时间不能晚于现在")
    elif effective_at < mediation.started_at.replace(second=0, microsecond=0):
        # Compared to the minute: the form enters minutes, and may follow the start at once.
        errors["effective_at"] = _("生效时间不能早于调解开始时间（%(when)s）") % {
            "when": local_time(mediation.started_at)
        }
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        changed = Agreement.objects.filter(pk=agreement.pk, effective_at=None).update(
            effective_at=effective_at,
            effective_by=actor,
            parties_signed=written and parties_signed,
            mediator_signed=written and mediator_signed,
            sealed=written and sealed,
        )
        if not changed:
            raise Conflict(_("调解协议已生效，不能重复登记"))
        how = (
            _("各方当事人、调解员已签名，已加盖人民调解委员会印章")
            if written
            else _("口头协议，自达成之日起生效")
        )
        record_event(
            mediation.case,
            actor=actor,
            action=Action.AGREEMENT_EFFECTIVE,
            comment=_("%(number)s生效：%(how)s") % {"number": agreement.number, "how": how},
            data={"agreement": agreement.pk, "mediation": mediation.pk},
            at=effective_at,
        )
    agreement.refresh_from_db()
    return agreement


# ---------------------------------------------------------------- the signed scan


def sniff_scan(head: bytes) -> str | None:
    """The type the leading bytes declare: PDF, JPEG or PNG, else None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = sniff_image(head)
    return kind if kind in SCAN_TYPES else None


def attach_scan(agreement: Agreement, *, actor: User, upload: UploadedFile | None) -> Agreement:
    """Keep the scan of the signed and sealed paper (PDF, JPEG or PNG, at most 10 MB, judged
    by its bytes), replacing an earlier one. The file is written under a random name; if the
    row cannot be saved it is removed again, and a replaced file goes once the save commits."""
    mediation = agreement.mediation
    require_can_mediate(actor, mediation.case, mediation)
    if agreement.kind != AgreementKind.WRITTEN:
        raise Conflict(_("口头协议没有书面文本，无需上传扫描件"))
    if upload is None:
        raise InvalidInput({"scan": _("请选择签字盖章后的协议扫描件")})
    name = os.path.basename(upload.name or "") or _("未命名文件")
    if upload.size > SCAN_MAX_BYTES:
        raise InvalidInput(
            {
                "scan": _("「%(name)s」超过%(max)dMB（现为%(size).1fMB）")
                % {
                    "name": name,
                    "max": SCAN_MAX_BYTES // (1024 * 1024),
                    "size": upload.size / (1024 * 1024),
                }
            }
        )
    upload.seek(0)
    content_type = sniff_scan(upload.read(16))
    if content_type is None:
        raise InvalidInput(
            {"scan": _("「%(name)s」不是PDF、JPEG或PNG格式的扫描件") % {"name": name}}
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    agreement.scan.save(uuid.uuid4().hex + SCAN_TYPES[content_type], upload, save=False)
    try:
        with transaction.atomic():
            # The file replaced is the one stored now, read under the row's lock: of two
            # uploads at once, the second replaces (and removes) the first's, never orphans it.
            previous = (
                Agreement.objects.select_for_update()
                .values_list("scan", flat=True)
                .get(pk=agreement.pk)
            )
            agreement.scan_name = name[:SCAN_NAME_MAX]
            agreement.scan_type = content_type
            agreement.scan_size = upload.size
            agreement.scan_sha256 = digest.hexdigest()
            agreement.scan_uploaded_at = timezone.now()
            agreement.save(
                update_fields=[
                    "scan",
                    "scan_name",
                    "scan_type",
                    "scan_size",
                    "scan_sha256",
                    "scan_uploaded_at",
                ]
            )
            if previous:
                storage = agreement.scan.storage
                transaction.on_commit(lambda: storage.delete(previous))
    except BaseException:
        agreement.scan.storage.delete(agreement.scan.name)
        raise
    return agreement


# ---------------------------------------------------------------- the document


def agreement_download(
    agreement: Agreement, *, actor: User, kind: str, ip: str | None = None
) -> HttpResponse:
    """The document as a Word or PDF download. It prints each party's full ID number, address
    and phone, so it is a full view of personal data: only the roles that may see those get
    it, and each download is audited (个人信息保护法 art. 51, like cases.services.reveal_party)."""
    if kind not in CONTENT_TYPES:
        raise NotFound(_("文件格式应为 docx 或 pdf"))
    if not can_reveal_pii(actor):
        raise Forbidden(_("调解协议书载有当事人完整的身份证号和电话，您的角色不能下载"))
    case = agreement.mediation.case
    name = f"{_('人民调解协议书')}-{case.tracking_code}-{agreement.pk}"
    response = document_response(agreement_document(agreement), kind, name)
    _record_full_view(agreement, actor, kind, ip)
    return response


def scan_download(agreement: Agreement, *, actor: User, ip: str | None = None) -> FileResponse:
    """The signed and sealed scan, as uploaded: it shows what the document shows, so it goes
    to the same roles and each download is audited."""
    if not can_reveal_pii(actor):
        raise Forbidden(_("签字盖章扫描件载有当事人完整的身份证号和电话，您的角色不能下载"))
    if not agreement.scan:
        raise NotFound(_("尚未上传扫描件"))
    try:
        handle = agreement.scan.open("rb")
    except FileNotFoundError:
        raise NotFound(_("扫描件文件不存在")) from None
    _record_full_view(agreement, actor, "scan", ip)
    name = agreement.scan_name or agreement.scan.name.rsplit("/", 1)[-1]
    return FileResponse(handle, content_type=agreement.scan_type, filename=name)


def _record_full_view(agreement: Agreement, actor: User, kind: str, ip: str | None) -> None:
    record(
        actor=actor,
        action=AuditAction.REVEAL_PII,
        obj=agreement,
        detail={
            "case": agreement.mediation.case.tracking_code,
            "document": agreement.number,
            "format": kind,
            "parties": [p.name for p in agreement.parties.all()],
        },
        ip=ip,
    )


def agreement_document(agreement: Agreement) -> Document:
    """The 人民调解协议书 (or, for an oral agreement, the mediator's record of it): the
    parties' basic information, facts, disputes, responsibility, terms, how and by when they
    are performed (人民调解法 art. 29), when it takes effect, and the 30-day notice of judicial
    confirmation (art. 33; 民事诉讼法 art. 205)."""
    mediation = agreement.mediation
    case = mediation.case
    mediators = list(mediation.mediators.select_related("organisation"))
    committee = mediators[0].organisation.name if mediators else str(case.lead_org or "")
    parties = sorted(agreement.parties.all(), key=_party_order)
    written = agreement.kind == AgreementKind.WRITTEN
    sections = [
        Section(
            rows=[
                (_("人民调解委员会"), committee),
                (_("人民调解员"), "、".join(m.name for m in mediators)),
                (_("事项查询码"), case.tracking_code),
            ]
        ),
        Section(
            heading=_("一、当事人基本情况"),
            rows=[(PartyRole(p.role).label, _party_line(p)) for p in parties],
        ),
        Section(heading=_("二、纠纷主要事实"), paragraphs=_lines(agreement.facts)),
        Section(heading=_("三、争议事项"), paragraphs=_lines(agreement.disputes)),
        Section(
            heading=_("四、各方责任"),
            paragraphs=_lines(agreement.responsibility) or [_("各方当事人对责任未作约定。")],
        ),
        Section(
            heading=_("五、协议内容"),
            paragraphs=[
                _("经%(committee)s主持调解，各方当事人自愿达成如下协议：")
                % {"committee": committee},
                *_lines(agreement.terms),
            ],
        ),
        Section(
            heading=_("六、履行方式和期限"),
            paragraphs=[
                _("履行方式：%(method)s") % {"method": agreement.performance_method},
                _("履行期限：各方当事人应于%(day)s前履行完毕。")
                % {"day": _day(agreement.performance_due)},
            ],
        ),
        Section(heading=_("七、协议效力"), paragraphs=_effect_clauses(agreement, len(parties))),
        Section(
            heading=_("八、签名（盖章或按指印）") if written else _("八、记录"),
            rows=_signature_rows(parties, mediators, written),
        ),
    ]
    signed = timezone.localdate(agreement.effective_at or agreement.created_at)
    return Document(
        title=_("人民调解协议书") if written else _("人民调解口头协议登记表"),
        number=agreement.number,
        sections=sections,
        signature=[_("%(committee)s（印章）") % {"committee": committee}, _day(signed)],
    )


def _party_order(party: Party) -> tuple[int, int]:
    return PartyRole.values.index(party.role), party.pk


def _party_line(party: Party) -> str:
    parts = [party.name]
    if party.id_number:
        parts.append(_("公民身份号码：%(number)s") % {"number": party.id_number})
    if party.address:
        parts.append(_("住址：%(address)s") % {"address": party.address})
    if party.phone:
        parts.append(_("联系电话：%(phone)s") % {"phone": party.phone})
    return pgettext("separator between party details", "；").join(parts)


def _effect_clauses(agreement: Agreement, parties: int) -> list[str]:
    if agreement.kind == AgreementKind.WRITTEN:
        lines = [
            _(
                "本协议经各方当事人签名（盖章或按指印）、调解员签名并加盖人民调解委员会印章后"
                "生效。本协议一式%(copies)d份，各方当事人各执一份，人民调解委员会留存一份"
                "（《人民调解法》第二十九条）。"
            )
            % {"copies": parties + 1}
        ]
    else:
        lines = [
            _(
                "本协议为口头调解协议，自各方当事人达成协议之日起生效，调解员已记录协议内容"
                "（《人民调解法》第二十八条、第三十条）。"
            )
        ]
    lines += [
        _(
            "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行"
            "（《人民调解法》第三十一条）。"
        ),
        _(
            "各方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
            "（《人民调解法》第三十三条、《民事诉讼法》第二百零五条）。人民法院依法确认调解协议"
            "有效，一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行；"
            "人民法院依法确认调解协议无效的，当事人可以通过人民调解方式变更原调解协议或者达成"
            "新的调解协议，也可以向人民法院提起诉讼。"
        ),
    ]
    return lines


def _signature_rows(parties: list[Party], mediators: list, written: bool) -> list:
    """A written agreement leaves a cell to sign in beside each name; the record of an oral
    one names the mediators who recorded it."""
    names = "、".join(m.name for m in mediators)
    if not written:
        return [(_("记录人（人民调解员）"), names)]
    rows = [(f"{PartyRole(p.role).label}：{p.name}", "") for p in parties]
    rows.append((_("人民调解员：%(names)s") % {"names": names}, ""))
    return rows


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _day(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }
