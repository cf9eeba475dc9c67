"""Tracking on the portal: the tracking code and the last four digits of the applicant's phone
open the case's progress in plain words, and nothing else; a wrong pair says the same 未找到
whatever was wrong; a resolved round is rated once."""

import re

import pytest
from django.test import Client

from concord.accounts.models import User
from concord.cases import lifecycle
from concord.cases.choices import CaseStatus, PartyRole, Result
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import build_case
from concord.evaluation.models import Rating
from concord.evaluation.ratings import decide_review

from .conftest import PHONE

pytestmark = pytest.mark.django_db
NOT_FOUND = "未找到匹配的事项，请核对查询码和联系电话后4位"
BAIGUAN_CENTER = "百官街道矛调中心"
RESPONDENT_PHONE = "13900001111"
REPLY = "经百官街道调解，楼上住户承诺晚上八点后不再施工。"


def applicant_case(status: str = CaseStatus.REGISTERED, phone: str = PHONE, **draft):
    """A case of 王秀兰 (the applicant, on `phone`) against 李建国, walked to `status` by the
    demo staff; 百官街道 leads it."""
    parties = [
        PartyDraft(PartyRole.APPLICANT, "王秀兰", phone=phone),
        PartyDraft(PartyRole.RESPONDENT, "李建国", phone=RESPONDENT_PHONE),
    ]
    return build_case(status, parties=parties, **draft)


def staff(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def look_up(client: Client, code: str, last4: str):
    return client.post("/portal/track", {"code": code, "last4": last4})


def error_of(response) -> str:
    match = re.search(r'id="track-error">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def test_the_right_pair_opens_the_progress_in_plain_words(visitor, county):
    case = applicant_case(CaseStatus.IN_PROGRESS)
    answer = look_up(visitor, case.tracking_code, PHONE[-4:])
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/track"  # nothing personal in the URL
    page = visitor.get("/portal/track")
    body = page.content.decode()
    assert page.status_code == 200
    assert case.tracking_code in body
    assert 'id="state">办理中<' in body
    assert BAIGUAN_CENTER in body
    for step in ("已提交", "受理", "交办", "办理中"):
        assert f"<strong>{step}</strong>" in body
    assert f"已交{BAIGUAN_CENTER}办理" in body
    assert f"{BAIGUAN_CENTER}已签收，正在办理" in body
    # The steps ahead are shown, greyed.
    assert body.count('class="ahead"') == 2
    # Nothing else: no parties, no phones, no staff names, no description, no rating form.
    for secret in ("王秀兰", "李建国", RESPONDENT_PHONE, PHONE, "刘芳", "王晓燕", case.description):
        assert secret not in body
    assert 'id="rate-form"' not in body


def test_a_wrong_last4_says_not_found(visitor, county):
    case = applicant_case()
    answer = look_up(visitor, case.tracking_code, "0000")
    assert answer.status_code == 404
    assert error_of(answer) == NOT_FOUND
    assert "portal_case" not in visitor.session


def test_an_unknown_code_says_exactly_the_same(visitor, county):
    case = applicant_case()
    wrong_digits = look_up(visitor, case.tracking_code, "0000")
    unknown_code = look_up(visitor, "SY0000000000", PHONE[-4:])
    assert (unknown_code.status_code, error_of(unknown_code)) == (404, error_of(wrong_digits))


def test_someone_elses_code_is_not_found(visitor, county):
    mine = applicant_case()
    theirs = applicant_case(phone="13611112222")
    assert look_up(visitor, theirs.tracking_code, PHONE[-4:]).status_code == 404
    assert look_up(visitor, mine.tracking_code, "2222").status_code == 404
    assert "portal_case" not in visitor.session


def test_the_respondent_cannot_track_the_applicants_case(visitor, county):
    case = applicant_case()
    answer = look_up(visitor, case.tracking_code, RESPONDENT_PHONE[-4:])
    assert error_of(answer) == NOT_FOUND


def test_the_code_is_read_as_people_type_it(visitor, county):
    case = applicant_case()
    answer = look_up(visitor, f"  {case.tracking_code.lower()} ", PHONE[-4:])
    assert answer.status_code == 302


@pytest.mark.parametrize("last4", ["12a4", "123", "12345", ""])
def test_last4_must_be_four_digits(visitor, county, last4):
    answer = look_up(visitor, "SY0000000000", last4)
    assert answer.status_code == 422
    assert "请填写登记时所留电话号码的后4位数字" in answer.content.decode()


def test_the_case_found_stays_with_this_visitor_only(visitor, county):
    case = applicant_case()
    look_up(visitor, case.tracking_code, PHONE[-4:])
    other = Client()
    assert 'id="track-form"' in other.get("/portal/track").content.decode()
    visitor.post("/portal/track/leave")
    assert 'id="track-form"' in visitor.get("/portal/track").content.decode()


def test_a_refusal_shows_its_reason(visitor, county):
    case = applicant_case()
    lifecycle.transition(
        case, actor=staff("clerk"), action="refuse", comment="属于法院诉讼事项，请向法院起诉。"
    )
    look_up(visitor, case.tracking_code, PHONE[-4:])
    body = visitor.get("/portal/track").content.decode()
    assert 'id="state">不予受理<' in body
    assert "属于法院诉讼事项，请向法院起诉。" in body
    assert 'class="ahead"' not in body


def test_internal_notes_stay_inside(visitor, county):
    case = applicant_case(CaseStatus.IN_PROGRESS)
    lifecycle.transition(
        case, actor=staff("baiguan"), action="pause", comment="等待伤情鉴定，内部备注"
    )
    look_up(visitor, case.tracking_code, PHONE[-4:])
    body = visitor.get("/portal/track").content.decode()
    assert "<strong>暂停办理</strong>" in body
    assert "内部备注" not in body


def resolve(case, reply: str = REPLY):
    return lifecycle.transition(
        case, actor=staff("baiguan"), action="resolve", result=Result.MEDIATED, reply=reply
    )


def test_a_resolved_case_shows_the_reply_and_is_rated_once(visitor, county):
    case = resolve(applicant_case(CaseStatus.IN_PROGRESS))
    look_up(visitor, case.tracking_code, PHONE[-4:])
    body = visitor.get("/portal/track").content.decode()
    assert 'id="state">已办结，请您评价<' in body
    assert "办理结果：调解成功" in body
    assert REPLY in body
    assert 'id="rate-form"' in body

    answer = visitor.post("/portal/track/rate", {"satisfaction": "satisfied", "comment": "很及时"})
    assert answer.status_code == 302
    rating = Rating.objects.get(case=case)
    assert (rating.satisfaction, rating.channel, rating.recorded_by) == (
        "satisfied",
        "portal",
        None,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RATED
    body = visitor.get("/portal/track").content.decode()
    assert "感谢您的评价" in body
    assert 'id="rated"' in body
    assert "您的评价：满意" in body
    assert 'id="rate-form"' not in body

    again = visitor.post("/portal/track/rate", {"satisfaction": "dissatisfied"})
    assert again.status_code == 409
    assert "同一轮只能评价一次" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1


def test_a_reopened_round_can_be_rated_again(visitor, county):
    case = resolve(applicant_case(CaseStatus.IN_PROGRESS))
    look_up(visitor, case.tracking_code, PHONE[-4:])
    visitor.post("/portal/track/rate", {"satisfaction": "dissatisfied", "comment": "仍在施工"})
    review = case.reviews.get()
    decide_review(review, actor=staff("dispatcher"), decision="reopen", explanation="重新调解")
    case.refresh_from_db()
    body = visitor.get("/portal/track").content.decode()
    assert "<strong>重新办理</strong>" in body
    assert 'id="rate-form"' not in body
    resolve(case, reply="二次调解后已停止夜间施工。")
    body = visitor.get("/portal/track").content.decode()
    assert "二次调解后已停止夜间施工。" in body
    assert REPLY not in body  # the earlier round's reply was replaced
    assert visitor.post("/portal/track/rate", {"satisfaction": "satisfied"}).status_code == 302
    assert Rating.objects.filter(case=case).count() == 2


def test_a_case_not_resolved_cannot_be_rated(visitor, county):
    case = applicant_case(CaseStatus.IN_PROGRESS)
    look_up(visitor, case.tracking_code, PHONE[-4:])
    answer = visitor.post("/portal/track/rate", {"satisfaction": "satisfied"})
    assert answer.status_code == 409
    assert "不能评价" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_rating_needs_a_case_found_first(visitor, county):
    resolve(applicant_case(CaseStatus.IN_PROGRESS))
    answer = visitor.post("/portal/track/rate", {"satisfaction": "satisfied"})
    assert answer.status_code == 302
    assert "请先输入查询码" in visitor.get("/portal/track").content.decode()
    assert not Rating.objects.exists()


def test_a_rating_must_be_one_of_the_three(visitor, county):
    case = resolve(applicant_case(CaseStatus.IN_PROGRESS))
    look_up(visitor, case.tracking_code, PHONE[-4:])
    answer = visitor.post("/portal/track/rate", {"satisfaction": "great"})
    assert answer.status_code == 422
    assert "请选择满意、基本满意或不满意" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_case_submitted_on_the_portal_is_tracked_with_its_phone(visitor, submission):
    visitor.post("/portal/submit", submission)
    code = visitor.session["portal_submitted"]
    citizen = Client()
    assert look_up(citizen, code, PHONE[-4:]).status_code == 302
    body = citizen.get("/portal/track").content.decode()
    assert 'id="state">待受理<' in body
    assert body.count('class="ahead"') == 5


def test_the_progress_page_reads_a_fixed_number_of_queries(
    visitor, county, django_assert_max_num_queries
):
    case = resolve(applicant_case(CaseStatus.IN_PROGRESS))
    for _ in range(5):
        lifecycle.transition(case, actor=staff("clerk"), action="follow_up", comment="电话回访")
    look_up(visitor, case.tracking_code, PHONE[-4:])
    # Session, case, events, organisations, rating, categories: however long the timeline.
    with django_assert_max_num_queries(8):
        assert visitor.get("/portal/track").status_code == 200
