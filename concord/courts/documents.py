"""The mediation record sent back to the court (调解情况记录; 调解终结书 when mediation failed
or was withdrawn): the case, the parties, the mediators, each session and the outcome."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.choices import PartyRole
from concord.core.dates import local_time
from concord.core.documents import Document, Section
from concord.mediation.models import Mediation, Mediator, Session

from .choices import ReferralStatus
from .models import CourtReferral
from .outcomes import period

PARTY_ROLE = {
    PartyRole.APPLICANT: gettext_lazy("原告（申请人）"),
    PartyRole.RESPONDENT: gettext_lazy("被告（被申请人）"),
    PartyRole.THIRD_PARTY: gettext_lazy("第三人"),
}


def record_document(referral: CourtReferral) -> Document:
    case = referral.case
    ended = referral.status in (ReferralStatus.FAILED, ReferralStatus.WITHDRAWN)
    mediations = list(
        case.mediations.order_by("started_at").prefetch_related(
            Prefetch("mediators", Mediator.objects.select_related("organisation")),
            Prefetch("sessions", Session.objects.select_related("room__organisation")),
        )
    )
    sections = [
        Section(rows=_facts(referral)),
        Section(_("一、当事人"), [_party(p) for p in case.parties.all()] or [_("未登记")]),
        Section(_("二、调解员"), _mediators(mediations) or [_("尚未指派调解员")]),
        Section(_("三、调解经过"), _sessions(mediations) or [_("尚未安排调解")]),
        Section(_("四、调解结果"), _outcome(referral, mediations)),
    ]
    mediator_org = case.lead_org.name if case.lead_org_id else ""
    return Document(
        title=_("调解终结书") if ended else _("调解情况记录"),
        number=referral.court_case_number,
        addressee=referral.court.name,
        sections=sections,
        signature=[mediator_org, local_time(timezone.now(), "Y年n月j日")],
    )


def _facts(referral: CourtReferral) -> list[tuple[str, str]]:
    case, deadline = referral.case, period(referral)
    rows = [
        (_("案号"), referral.court_case_number),
        (_("委派法院"), referral.court.name),
        (_("委派方式"), referral.get_kind_display()),
        (_("案由"), referral.type.name),
        (_("查询码"), case.tracking_code),
        (_("委派时间"), local_time(referral.referred_at)),
        (_("调解组织"), case.lead_org.name if case.lead_org_id else _("待分流")),
    ]
    if deadline is not None:
        due = local_time(deadline.due_at, "Y-m-d")
        if referral.extended_days:
            due += _("（经双方当事人同意延长%(days)d日）") % {"days": referral.extended_days}
        rows.append((_("调解期限"), due))
    rows.append((_("状态"), referral.get_status_display()))
    return rows


def _party(party) -> str:
    return f"{PARTY_ROLE.get(party.role, party.get_role_display())}：{party.name}"


def _mediators(mediations: list[Mediation]) -> list[str]:
    seen = {}
    for mediation in mediations:
        for m in mediation.mediators.all():
            seen.setdefault(m.pk, f"{m.name}（{m.organisation.name}）")
    return list(seen.values())


def _sessions(mediations: list[Mediation]) -> list[str]:
    sessions = sorted((s for m in mediations for s in m.sessions.all()), key=lambda s: s.starts_at)
    lines = []
    for number, s in enumerate(sessions, start=1):
        place = str(s.room) if s.room_id else _("线上调解（%(link)s）") % {"link": s.online_link}
        lines.append(
            _(
                "第%(n)d次：%(start)s至%(end)s，地点：%(place)s。参加人员：%(who)s。调解记录：%(record)s"
            )
            % {
                "n": number,
                "start": local_time(s.starts_at),
                "end": local_time(s.ends_at, "H:i"),
                "place": place,
                "who": s.attendees or _("未记载"),
                "record": s.record or _("未记载"),
            }
        )
    return lines


def _outcome(referral: CourtReferral, mediations: list[Mediation]) -> list[str]:
    if referral.is_open:
        lines = [_("调解进行中。")]
        if mediations and mediations[-1].outcome_note:
            lines.append(mediations[-1].outcome_note)
        return lines
    lines = [
        _("%(outcome)s（%(when)s）。")
        % {"outcome": referral.get_status_display(), "when": local_time(referral.result_at)}
    ]
    if referral.note:
        lines.append(referral.note)
    if referral.status == ReferralStatus.SUCCEEDED:
        lines.append(_("双方达成调解协议，可依法共同申请司法确认。"))
    if referral.priority_filing:
        lines.append(_("经调解未能达成协议，现将案件退回，建议优先立案。"))
    return lines
