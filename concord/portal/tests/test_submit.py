"""Submitting on the portal: no login, a tracking code back, a case from the portal channel;
every bad input answered with a clear message and nothing written."""

import re

import pytest
from django.test import Client

from concord.accounts.models import Role, User
from concord.cases.choices import Action, CaseStatus, CaseType, Channel, PartyRole
from concord.cases.models import Case, CaseEvent, Party
from concord.cases.tests.factories import BAIGUAN, CAOE, first_village
from concord.core.limits import DESCRIPTION_MAX
from concord.geo.models import Division
from concord.portal.services import ACCOUNT, portal_account

from .conftest import PHONE, submit

pytestmark = pytest.mark.django_db


def code(name: str) -> str:
    return Division.objects.get(name=name).code


def test_the_home_page_offers_both_doors_without_login(visitor, county):
    page = visitor.get("/portal/")
    assert page.status_code == 200
    body = page.content.decode()
    for words in ("反映矛盾纠纷", "申请在线调解", "查询办理进度", "群众服务"):
        assert words in body
    assert "/accounts/login" not in body
    assert "我的工作" not in body  # no staff navigation


def test_the_form_preselects_the_kind_chosen_on_the_home_page(visitor, county):
    page = visitor.get("/portal/submit?kind=mediation")
    assert page.status_code == 200
    checked = re.findall(
        r'<input[^>]*name="kind"[^>]*value="(\w+)"[^>]*checked', page.content.decode()
    )
    assert checked == ["mediation"]


def test_a_citizen_submits_a_dispute_and_gets_a_tracking_code(visitor, submission):
    answer = submit(visitor, submission)
    assert answer.status_code == 302
    # Nothing personal in the URL: the code waits in the session.
    assert answer["Location"] == "/portal/submitted"
    case = Case.objects.get()
    page = visitor.get("/portal/submitted")
    assert case.tracking_code in page.content.decode()
    assert "请截图或记下查询码" in page.content.decode()

    assert case.channel == Channel.PORTAL
    assert case.type == CaseType.DISPUTE
    assert case.status == CaseStatus.REGISTERED
    assert case.visits_count == 0  # 零跑: the citizen did not have to come
    assert case.division_id == first_village(BAIGUAN).code
    assert case.town_id == BAIGUAN
    assert case.address == "3幢2单元"
    assert case.registered_by.username == ACCOUNT
    applicant = case.parties.get()
    assert (applicant.role, applicant.name, applicant.phone) == (
        PartyRole.APPLICANT,
        "王秀兰",
        PHONE,
    )
    assert CaseEvent.objects.get(case=case).action == Action.REGISTER


def test_a_request_for_online_mediation_says_so_in_the_title(visitor, submission):
    submit(visitor, submission | {"kind": "mediation"})
    case = Case.objects.get()
    assert case.type == CaseType.DISPUTE
    assert case.title.startswith("【申请在线调解】楼上邻居装修")


def test_the_portal_account_is_a_clerk_of_the_county_center_that_cannot_sign_in(county):
    first, again = portal_account(), portal_account()
    assert first.pk == again.pk
    assert User.objects.filter(username=ACCOUNT).count() == 1
    assert first.role == Role.CLERK
    assert first.organisation.kind == "county_center"
    assert not first.has_usable_password()
    assert not Client().login(username=ACCOUNT, password="")


@pytest.mark.parametrize(
    ("address", "town", "village"),
    [
        ("崧厦街道祝温村3组12号", "崧厦街道", "祝温村"),  # no town picked: the address names both
        ("祝温村村口小店", "崧厦街道", "祝温村"),
        ("丁宅乡某工地", "丁宅乡", None),
    ],
)
def test_without_a_village_picked_the_address_finds_the_place(
    visitor, submission, address, town, village
):
    submit(visitor, submission | {"town": "", "village": "", "address": address})
    case = Case.objects.get()
    assert case.town_id == code(town)
    assert case.division_id == (code(village) if village else code(town))
    assert case.address == address


def test_a_town_picked_takes_the_village_its_address_names(visitor, submission):
    data = submission | {"town": code("崧厦街道"), "village": "", "address": "祝温村3组"}
    submit(visitor, data)
    assert Case.objects.get().division_id == code("祝温村")


def test_an_unknown_address_keeps_its_text_at_county_level(visitor, submission):
    submit(visitor, submission | {"town": "", "village": "", "address": "杭州市西湖区文三路"})
    case = Case.objects.get()
    assert case.division_id == "330604000000"
    assert case.town_id is None
    assert case.address == "杭州市西湖区文三路"


BAD = [
    ("missing phone", {"phone": ""}, "请填写联系电话"),
    ("bad phone", {"phone": "12345"}, "电话号码应为11位手机号或带区号的固定电话"),
    ("100 KB description", {"description": "纠" * 102_400}, f"不能超过{DESCRIPTION_MAX}字"),
    ("emoji only", {"description": "😡😡😡😡😡😡😡😡"}, "请用文字说明您遇到的问题"),
    ("punctuation only", {"description": "！！！？？？。。。"}, "请用文字说明您遇到的问题"),
    ("unknown village", {"village": "330604999999"}, "所选村（社区）不存在"),
    ("village of another town", {"town": CAOE}, "所选村（社区）不属于所选乡镇（街道）"),
    ("unknown town", {"town": "330604999000"}, "所选乡镇（街道）不存在"),
    ("no consent", {"consent": ""}, "请阅读并勾选同意个人信息处理说明"),
    ("bad ID number", {"id_number": "330604199001011235"}, "身份证号校验位错误"),
    ("emoji name", {"name": "🙂"}, "姓名只能包含文字"),
    ("missing name", {"name": ""}, "请填写您的姓名"),
    ("unknown kind", {"kind": "petition"}, "请选择反映矛盾纠纷或申请在线调解"),
    ("unknown category", {"category": "no-such"}, "所选类别不存在"),
]


@pytest.mark.parametrize(("what", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_submission_is_refused_clearly_and_writes_nothing(
    visitor, submission, what, change, message
):
    answer = submit(visitor, submission | change)
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert "请修改标红的内容后再提交" in answer.content.decode()
    assert not Case.objects.exists()
    assert not Party.objects.exists()
    assert not User.objects.filter(username=ACCOUNT).exists()
    assert "portal_submitted" not in visitor.session


def test_the_form_keeps_what_was_typed_after_a_mistake(visitor, submission):
    answer = submit(visitor, submission | {"phone": "12345"})
    body = answer.content.decode()
    assert "楼上邻居装修长期在夜间施工" in body
    assert 'value="王秀兰"' in body


def test_a_post_without_the_csrf_token_is_refused(submission):
    guarded = Client(enforce_csrf_checks=True)
    answer = guarded.post("/portal/submit", submission)
    assert answer.status_code == 403
    assert not Case.objects.exists()


def test_the_answer_page_without_a_submission_goes_home(visitor, county):
    answer = visitor.get("/portal/submitted")
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/"


def test_an_id_number_given_is_kept_encrypted_and_masked(visitor, submission):
    submit(visitor, submission | {"id_number": "330604199001011234"})
    applicant = Party.objects.get()
    assert applicant.id_number == "330604199001011234"
    assert applicant.id_number_masked == "3306**********1234"


def test_what_staff_read_is_in_the_centers_language(visitor, submission):
    data = submission | {"kind": "mediation"}
    visitor.post("/portal/submit", data, headers={"Accept-Language": "en"})
    case = Case.objects.get()
    assert case.title.startswith("【申请在线调解】")
    assert case.registered_by.full_name == "群众自助服务"
