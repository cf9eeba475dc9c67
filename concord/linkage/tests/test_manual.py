"""Hand-overs and returns recorded by the center's staff on the case page (services and
pages): the timeline entry, the partner's notice, and every refusal leaving nothing behind."""

import pytest

from concord.cases.choices import Action, Channel
from concord.cases.tests.factories import build_case, organisation
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.linkage import services
from concord.linkage.models import Handover
from concord.notifications.models import Notification

HTMX = {"HX-Request": "true"}


@pytest.fixture
def case(county):
    return build_case("in_progress")


def hand_to_procuratorate(case, persona, **extra):
    params = {
        "linkage_type": "procuratorate",
        "direction": "out",
        "partner": organisation("procuratorate").pk,
        "note": "涉嫌虚假诉讼线索，请检察院审查",
        **extra,
    }
    return services.hand_over(case, actor=persona("dispatcher"), **params)


def test_a_hand_over_is_on_the_timeline_and_the_partner_is_told(case, persona, prosecutor):
    handover = hand_to_procuratorate(case, persona)
    assert (handover.linkage_type, handover.direction, handover.by) == (
        "procuratorate",
        "out",
        persona("dispatcher"),
    )
    event = case.events.get(action=Action.LINKAGE)
    assert handover.event == event and not handover.automatic
    assert event.comment == "检调 · 移交上虞区人民检察院：涉嫌虚假诉讼线索，请检察院审查"
    note = Notification.objects.get(user=prosecutor)
    assert note.case == case and "检调 · 移交上虞区人民检察院" in note.title


def test_the_return_closes_the_hand_over_once(case, persona, prosecutor):
    sent = hand_to_procuratorate(case, persona)
    back = services.record_return(
        sent, actor=persona("dispatcher"), outcome="handled", note="已审查，不予立案监督"
    )
    assert (back.direction, back.answers, back.outcome) == ("in", sent, "handled")
    last = case.events.filter(action="linkage").last()
    assert "收到上虞区人民检察院回复（已处理）" in last.comment
    with pytest.raises(Conflict, match="已记录回复"):
        services.record_return(sent, actor=persona("dispatcher"), outcome="mediated")
    with pytest.raises(Conflict, match="回复记录"):
        services.record_return(back, actor=persona("dispatcher"), outcome="mediated")
    assert case.handovers.count() == 2
    # Once answered, the same hand-over may be made again.
    assert hand_to_procuratorate(case, persona).answers is None


def test_the_same_open_hand_over_twice_is_a_conflict(case, persona):
    hand_to_procuratorate(case, persona)
    with pytest.raises(Conflict, match="已移交上虞区人民检察院，尚未收到回复"):
        hand_to_procuratorate(case, persona)
    assert case.handovers.count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"linkage_type": "army"}, "type"),
        ({"direction": "sideways"}, "direction"),
        ({"partner": None}, "partner"),
        ({"partner": "1"}, "partner"),
        ({"partner": True}, "partner"),
        ({"note": "长" * 2001}, "note"),
    ],
)
def test_bad_input_changes_nothing(case, persona, extra, field):
    with pytest.raises(InvalidInput) as refused:
        hand_to_procuratorate(case, persona, **extra)
    assert field in refused.value.errors
    assert not Handover.objects.exists() and not case.events.filter(action="linkage").exists()


def test_the_partner_must_be_of_the_type(case, persona):
    with pytest.raises(InvalidInput) as refused:
        hand_to_procuratorate(case, persona, partner=organisation("police").pk)
    assert refused.value.errors == {"partner": "联动单位不存在、已停用或不是检察院"}
    professional = hand_to_procuratorate(
        case, persona, linkage_type="professional", partner=organisation("labour-mediation").pk
    )
    assert professional.partner.code == "labour-mediation"


def test_a_handler_or_leader_cannot_record_hand_overs(case, persona):
    for who in ("baiguan", "leader"):
        with pytest.raises(Forbidden):
            services.hand_over(
                case,
                actor=persona(who),
                linkage_type="police",
                direction="out",
                partner=organisation("police").pk,
            )
    assert not Handover.objects.exists()


def test_an_archived_case_is_not_handed_over(county, persona):
    with pytest.raises(Conflict, match="已归档"):
        hand_to_procuratorate(build_case("archived"), persona)


def test_an_unknown_outcome_is_refused(case, persona):
    sent = hand_to_procuratorate(case, persona)
    with pytest.raises(InvalidInput) as refused:
        services.record_return(sent, actor=persona("dispatcher"), outcome="won")
    assert "outcome" in refused.value.errors
    assert case.handovers.count() == 1


# ---------------------------------------------------------------- the case card


def test_the_card_hands_over_and_records_the_return(case, web, persona):
    client = web("dispatcher")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="linkage"' in page and 'id="handover-form"' in page
    assert 'id="return-form"' not in page  # nothing open to answer yet
    posted = client.post(
        f"/linkage/cases/{case.pk}/handovers",
        {
            "handover-type": "procuratorate",
            "handover-direction": "out",
            "handover-partner": organisation("procuratorate").pk,
            "handover-note": "请审查",
        },
    )
    assert posted.status_code == 302
    sent = Handover.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "检调 · 移交联动单位 上虞区人民检察院" in page and 'id="return-form"' in page
    assert "待回复" in page
    client.post(
        f"/linkage/cases/{case.pk}/returns",
        {"return-answers": sent.pk, "return-outcome": "mediated", "return-note": ""},
    )
    assert Handover.objects.get(answers=sent).outcome == "mediated"


def test_a_bad_card_post_comes_back_with_the_message(case, web):
    response = web("dispatcher").post(
        f"/linkage/cases/{case.pk}/handovers",
        {
            "handover-type": "procuratorate",
            "handover-direction": "out",
            "handover-partner": organisation("police").pk,
        },
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "联动单位不存在、已停用或不是检察院" in response.content.decode()
    assert not Handover.objects.exists()


def test_a_handler_sees_the_card_without_forms(county, web, persona):
    case = build_case("in_progress", channel=Channel.POLICE_110)
    page = web("baiguan").get(f"/cases/{case.pk}/").content.decode()
    assert "警调" in page and "绍兴市公安局上虞区分局" in page
    assert 'id="handover-form"' not in page
    response = web("baiguan").post(
        f"/linkage/cases/{case.pk}/handovers",
        {
            "handover-type": "police",
            "handover-direction": "out",
            "handover-partner": organisation("police").pk,
        },
    )
    assert response.status_code == 302 and case.handovers.count() == 1
