"""风险提示函 and 预警函: a supervisor writes to the organisation that must act on a risky case
or a spike, the letter is laid out as Word and PDF from its templates, and the addressee's reply
is awaited against a deadline in working days; a sweep reminds both sides once when it passes."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Action
from concord.cases.models import Case
from concord.cases.timeline import record_event
from concord.core.dates import chinese_date, local_time
from concord.core.documents import Document, Section
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX, checked_text
from concord.dashboard.scope import territory
from concord.deadlines.supervision import check_reply_days, reply_due
from concord.notifications.services import Notice, notify, notify_many
from concord.orgs.models import Organisation, OrgKind

from .choices import LetterKind, LetterStatus
from .models import RiskLetter, SpikeWarning

# Working days to answer unless the issuer says otherwise: a 预警函 is the more urgent.
REPLY_DAYS = {LetterKind.NOTICE: 5, LetterKind.WARNING: 3}
NUMBERING_ATTEMPTS = 5


def can_issue_letters(user: User) -> bool:
    return bool(user.is_authenticated and user.role in SUPERVISE_ROLES and user.organisation_id)


def target_choices(user: User) -> QuerySet[Organisation]:
    """The organisations a supervisor may write to: those within their territory."""
    return Organisation.objects.filter(division__code__startswith=territory(user).prefix).order_by(
        "division__code", "name"
    )


def default_target(*, case: Case | None, spike: SpikeWarning | None) -> Organisation | None:
    """Who a letter usually goes to: the case's lead organisation, else its town's center;
    for a spike, the town's center."""
    if case is not None and case.lead_org_id:
        return case.lead_org
    town = case.town_id if case is not None else spike.town_id
    return Organisation.objects.filter(division_id=town, kind=OrgKind.TOWN_CENTER).first()


def draft_text(*, kind: str, case: Case | None, spike: SpikeWarning | None) -> dict[str, str]:
    """The subject and measures a new letter starts with, from the letter templates."""
    context = {"case": case, "spike": spike, "kind": kind}
    return {
        "subject": _render(f"risk/letters/{kind}_subject.txt", context),
        "measures": _render(f"risk/letters/{kind}_measures.txt", context),
    }


def issue_letter(
    *,
    actor: User,
    kind: str,
    target: Organisation | None,
    subject: str,
    measures: str,
    reply_days: int,
    case: Case | None = None,
    spike: SpikeWarning | None = None,
) -> RiskLetter:
    """Send a letter to `target` about `case` or `spike`; the addressee's staff are told."""
    if not can_issue_letters(actor):
        raise Forbidden(_("只有调度员、领导或管理员可以发风险提示函、预警函"))
    errors: dict[str, str] = {}
    if kind not in LetterKind.values:
        errors["kind"] = _("函件类型应为风险提示函或预警函")
    subject = checked_text(errors, "subject", subject, _("风险情况"), COMMENT_MAX)
    measures = checked_text(errors, "measures", measures, _("工作要求"), COMMENT_MAX)
    check_reply_days(reply_days, errors)
    if (case is None) == (spike is None):
        errors["about"] = _("函件应针对一件事项或一条异常增多预警")
    if target is None:
        errors["target"] = _("请选择收函单位")
    elif not target_choices(actor).filter(pk=target.pk).exists():
        errors["target"] = _("收函单位不在你的辖区内")
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    fields = {
        "kind": kind,
        "case": case,
        "spike": spike,
        "issuer_org": actor.organisation,
        "issued_by": actor,
        "target_org": target,
        "subject": subject,
        "measures": measures,
        "issued_at": now,
        "reply_due_at": reply_due(now, reply_days),
    }
    letter = _numbered(fields)
    with transaction.atomic():
        if case is not None:
            record_event(
                case,
                actor=actor,
                action=Action.RISK_LETTER,
                comment=f"{letter.get_kind_display()} {letter.number}：{subject}",
                data={"letter": letter.pk, "target": target.pk},
                at=now,
            )
        notify(
            User.objects.staff_of(target),
            kind="risk",
            title=_("收到%(kind)s %(number)s，请于%(due)s前回复")
            % {
                "kind": letter.get_kind_display(),
                "number": letter.number,
                "due": local_time(letter.reply_due_at),
            },
            body=subject,
            case=case,
        )
    return letter


def reply_to_letter(letter: RiskLetter, *, actor: User, reply: str) -> RiskLetter:
    """The addressee's written answer; a letter is answered once."""
    if actor.organisation_id != letter.target_org_id:
        raise Forbidden(_("只有收函单位的工作人员可以回复"))
    errors: dict[str, str] = {}
    reply = checked_text(errors, "reply", reply, _("回复内容"), COMMENT_MAX)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        answered = RiskLetter.objects.filter(pk=letter.pk, replied_at=None).update(
            replied_at=now, replied_by=actor, reply=reply
        )
        if not answered:
            raise Conflict(_("该函件已回复"))
        letter.refresh_from_db()
        if letter.case_id:
            record_event(
                letter.case,
                actor=actor,
                action=Action.RISK_LETTER_REPLY,
                comment=f"{letter.number}：{reply}",
                data={"letter": letter.pk},
                at=now,
            )
        notify(
            [letter.issued_by],
            kind="risk",
            title=_("%(org)s已回复%(number)s")
            % {"org": actor.organisation, "number": letter.number},
            body=reply,
            case=letter.case,
        )
    return letter


def sweep_overdue_letters(now: dt.datetime | None = None) -> int:
    """Remind the addressee and the issuer once when a reply is overdue; returns how many."""
    now = now or timezone.now()
    due = RiskLetter.objects.filter(replied_at=None, overdue_at=None, reply_due_at__lte=now)
    notices = []
    with transaction.atomic():
        letters = list(
            due.select_for_update(skip_locked=True, of=("self",)).select_related(
                "target_org", "issued_by", "case"
            )
        )
        RiskLetter.objects.filter(pk__in=[letter.pk for letter in letters]).update(overdue_at=now)
        for letter in letters:
            title = _("%(number)s 已逾期未回复（应于%(due)s前回复）") % {
                "number": letter.number,
                "due": local_time(letter.reply_due_at),
            }
            people = [*User.objects.staff_of(letter.target_org), letter.issued_by]
            notices.append(Notice(people, "risk", title, letter.subject, letter.case))
        notify_many(notices)
    return len(letters)


def spikes_in_territory(user: User) -> QuerySet[SpikeWarning]:
    """The spike warnings (open or closed) of the towns in a user's territory."""
    return SpikeWarning.objects.filter(
        town__code__startswith=territory(user).prefix
    ).select_related("town", "category")


def letters_for(user: User) -> QuerySet[RiskLetter]:
    """The letters a user follows: a supervisor those sent within their territory, anyone
    those addressed to their organisation."""
    letters = RiskLetter.objects.select_related("target_org", "issuer_org", "case", "spike")
    mine = Q(target_org_id=user.organisation_id)
    if can_issue_letters(user):
        prefix = territory(user).prefix
        mine |= Q(target_org__division__code__startswith=prefix)
        mine |= Q(issuer_org__division__code__startswith=prefix)
    return letters.filter(mine) if user.organisation_id else letters.none()


def with_status(letters: QuerySet[RiskLetter], status: str) -> QuerySet[RiskLetter]:
    """The letters in one LetterStatus (all for an empty status); overdue counts from now."""
    now = timezone.now()
    if status == LetterStatus.ANSWERED:
        return letters.exclude(replied_at=None)
    if status == LetterStatus.OVERDUE:
        return letters.filter(replied_at=None, reply_due_at__lte=now)
    if status == LetterStatus.AWAITING:
        return letters.filter(replied_at=None, reply_due_at__gt=now)
    return letters


def letter_document(letter: RiskLetter) -> Document:
    """The letter as an official document: the situation, the demands, the reply requested."""
    context = {
        "letter": letter,
        "case": letter.case,
        "spike": letter.spike,
        "due": local_time(letter.reply_due_at),
    }
    sections = [
        Section(heading=_("一、风险情况"), paragraphs=letter.subject.splitlines()),
        Section(heading=_("二、工作要求"), paragraphs=letter.measures.splitlines()),
        Section(
            heading=_("三、回复要求"),
            paragraphs=_render("risk/letters/reply_request.txt", context).splitlines(),
        ),
    ]
    if letter.case_id:
        sections.append(Section(heading=_("附：事项基本情况"), rows=_case_facts(letter.case)))
    else:
        sections.append(Section(heading=_("附：预警依据"), rows=_spike_facts(letter.spike)))
    return Document(
        title=letter.get_kind_display(),
        number=letter.number,
        addressee=letter.target_org.name,
        sections=sections,
        signature=[letter.issuer_org.name, chinese_date(letter.issued_at)],
    )


def _numbered(fields: dict) -> RiskLetter:
    """Create the letter with the next serial of its kind this year (文号 never repeat)."""
    year = timezone.localtime(fields["issued_at"]).year
    for _attempt in range(NUMBERING_ATTEMPTS):
        last = RiskLetter.objects.filter(kind=fields["kind"], year=year).aggregate(Max("serial"))
        try:
            with transaction.atomic():
                serial = (last["serial__max"] or 0) + 1
                return RiskLetter.objects.create(year=year, serial=serial, **fields)
        except IntegrityError:
            continue  # another letter took this number a moment ago
    raise Conflict(_("发函人数较多，请稍后重试"))


def _render(template: str, context: dict) -> str:
    return render_to_string(template, context).strip()


def _case_facts(case: Case) -> list[tuple[str, str]]:
    return [
        (_("查询码"), case.tracking_code),
        (_("事项标题"), case.title),
        (_("类别"), str(case.category) if case.category_id else "—"),
        (_("发生地"), str(case.division)),
        (_("涉及人数"), str(case.people_count)),
        (_("风险等级"), case.get_risk_level_display()),
        (_("风险依据"), "；".join(case.risk_reasons) or "—"),
        (_("收到时间"), local_time(case.received_at)),
        (_("当前状态"), case.get_status_display()),
    ]


def _spike_facts(spike: SpikeWarning) -> list[tuple[str, str]]:
    return [
        (_("乡镇（街道）"), spike.town.name),
        (_("类别"), spike.category.name),
        (_("统计期间"), f"{spike.window_start:%Y-%m-%d} – {spike.window_end:%Y-%m-%d}"),
        (_("近期件数"), str(spike.count)),
        (_("基线（周均件数）"), f"{spike.baseline:.1f}"),
        (_("倍数"), f"{spike.ratio:.1f}"),
    ]
