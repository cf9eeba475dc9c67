"""Finding the same matter at intake and on a case: ID number, phone, village address, text."""

import datetime as dt

import time_machine

from concord.cases.choices import PartyRole
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import CAOE, build_case, first_village
from concord.duplicates.models import TextBand
from concord.duplicates.services import TEXT_MIN, find_similar, repeat_visits, similar_to_draft
from concord.duplicates.text import band_keys, shingles, similarity

WAGES = (
    "申请人王建国反映，其于2025年3月至10月在丰惠镇某建筑工地做木工，包工头李某至今拖欠"
    "工资38000元，多次讨要未果，请求帮助追讨。"
)
WAGES_AGAIN = (
    "来电人王建国称自己去年在丰惠一处建筑工地干木工活，包工头姓李，拖欠他工资三万八千元，"
    "讨要多次没有结果，希望中心帮忙追讨工资。"
)
NEIGHBOURS = "邻居在楼道堆放杂物，多次协商未果，影响消防通道，请求社区出面协调。"
ID_NUMBER = "330682199001011233"


def applicant(id_number: str = "", phone: str = "", name: str = "王建国") -> PartyDraft:
    return PartyDraft(PartyRole.APPLICANT, name, id_number, phone, "")


def test_a_case_registered_again_with_the_same_id_number_is_flagged_at_intake(persona):
    first = build_case(description=NEIGHBOURS, parties=[applicant(ID_NUMBER)])
    matches = similar_to_draft(
        "我要反映工地欠薪的事情。", [applicant("330682 19900101 1233")], user=persona("clerk")
    )
    assert [m.case for m in matches] == [first]
    assert matches[0].reasons == ["同一身份证号"]
    assert matches[0].score == 1.0


def test_the_same_phone_and_a_retold_description_are_both_reasons(persona):
    first = build_case(description=WAGES, parties=[applicant(phone="13857512345")])
    build_case(description=NEIGHBOURS)
    second = build_case(
        description=WAGES_AGAIN, channel="phone", parties=[applicant(phone="13857512345")]
    )
    [match] = find_similar(second, persona("dispatcher"))
    assert match.case == first
    assert match.reasons[0] == "同一联系电话"
    assert match.reasons[1].startswith("诉求内容相似 0.")


def test_a_retold_description_alone_is_found_through_the_text_index(persona):
    first = build_case(description=WAGES, parties=[])
    other = build_case(description=NEIGHBOURS, parties=[])
    assert TextBand.objects.filter(case=first).exists()
    [match] = similar_to_draft(WAGES_AGAIN, user=persona("clerk"))
    assert match.case == first
    assert match.reasons[0].startswith("诉求内容相似")
    assert other not in [m.case for m in similar_to_draft(WAGES_AGAIN, user=persona("clerk"))]


def test_the_same_village_and_a_similar_address_is_a_reason(persona):
    village = first_village(CAOE)
    first = build_case(
        town=CAOE, description=NEIGHBOURS, address="曹娥街道江西村12组35号", parties=[]
    )
    matches = similar_to_draft(
        "我家门口被人堆满了东西",
        division=village.code,
        address="江西村12组35号旁",
        user=persona("clerk"),
    )
    assert [(m.case, m.reasons) for m in matches] == [(first, ["同村且地址相近"])]


def test_cases_outside_the_window_or_the_scope_are_not_shown(persona, town_dispatcher):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        build_case(description=WAGES, parties=[applicant(ID_NUMBER)])
    with time_machine.travel(dt.datetime(2026, 6, 5, 9, tzinfo=dt.UTC), tick=False):
        recent = build_case(town=CAOE, description=WAGES, parties=[applicant(ID_NUMBER)])
        matches = similar_to_draft(WAGES, [applicant(ID_NUMBER)], user=persona("clerk"))
        assert [m.case for m in matches] == [recent]
        assert matches[0].reasons == ["同一身份证号", "诉求内容相似 1.00"]
        # A 百官 dispatcher does not see 曹娥's case.
        assert similar_to_draft(WAGES, [applicant(ID_NUMBER)], user=town_dispatcher) == []


def test_empty_or_emoji_or_huge_text_finds_nothing_and_does_not_fail(persona):
    build_case(description=WAGES, parties=[])
    clerk = persona("clerk")
    assert similar_to_draft("", user=clerk) == []
    assert similar_to_draft("😀😀🙏🙏", user=clerk) == []
    assert similar_to_draft("欠" * 100_000, user=clerk) == []
    assert band_keys(shingles("😀")) == []


def test_a_re_telling_is_more_similar_than_another_matter():
    assert similarity(shingles(WAGES), shingles(WAGES_AGAIN)) >= TEXT_MIN
    assert similarity(shingles(WAGES), shingles(NEIGHBOURS)) < TEXT_MIN / 2


def test_repeat_visits_are_counted_per_person(persona):
    from concord.core.crypto import keyed_hash

    for _ in range(3):
        build_case(description=NEIGHBOURS, parties=[applicant(ID_NUMBER)])
    build_case(description=NEIGHBOURS)
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert repeat_visits(id_number_hash=keyed_hash(ID_NUMBER), since=since) == 3
    assert repeat_visits(since=since) == 0
