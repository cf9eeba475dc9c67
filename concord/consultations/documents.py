"""The 会商纪要 (minutes of a 3+X joint consultation) as a document for Word and PDF."""

from __future__ import annotations

from django.utils.translation import gettext as _

from concord.core.dates import chinese_date, local_time
from concord.core.documents import Document, Section
from concord.core.errors import Conflict

from .models import Consultation


def minutes_document(consultation: Consultation) -> Document:
    """Facts of the meeting, who sat and who came, the agenda, the minutes and the numbered
    decisions with their responsible organisations and due dates."""
    if not consultation.is_held:
        raise Conflict(_("会商尚未召开，还没有会商纪要"))
    case = consultation.case
    seats = list(consultation.participants.select_related("organisation"))
    decisions = list(consultation.decisions.select_related("organisation").order_by("number"))
    facts = [
        (_("事项"), case.title),
        (_("查询码"), case.tracking_code),
        (_("召开时间"), local_time(consultation.held_at)),
        (_("会商地点"), consultation.place or _("线上会议")),
        (_("组织单位"), consultation.organiser_org.name),
    ]
    roll = [
        (
            seat.get_role_display(),
            "".join(
                [
                    seat.name,
                    f"（{seat.org_name}）" if seat.org_name else "",
                    "" if seat.attended else _("（未到会）"),
                ]
            ),
        )
        for seat in seats
    ]
    lines = [
        _("%(n)d. %(text)s（责任单位：%(org)s；完成时限：%(due)s）")
        % {
            "n": d.number,
            "text": d.text,
            "org": d.organisation.name,
            "due": chinese_date(d.due_date),
        }
        for d in decisions
    ]
    return Document(
        title=_("联合会商纪要"),
        number=f"{case.tracking_code}-{consultation.pk}",
        sections=[
            Section(heading=_("一、会议概况"), rows=facts),
            Section(heading=_("二、参会人员"), rows=roll),
            Section(heading=_("三、会商议题"), paragraphs=[consultation.agenda]),
            Section(heading=_("四、会商情况"), paragraphs=[consultation.minutes]),
            Section(heading=_("五、议定事项"), paragraphs=lines or [_("无")]),
        ],
        signature=[
            consultation.organiser_org.name,
            chinese_date(consultation.held_at),
        ],
    )
