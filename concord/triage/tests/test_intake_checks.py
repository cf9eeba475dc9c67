"""What the intake form warns about while the clerk types, and the suggest API with the same
draft: an earlier case of the same ID number, phone or place, and the text's risk."""

from concord.cases.tests.factories import BAIGUAN, build_case, first_village
from concord.duplicates.tests.test_similar import ID_NUMBER, NEIGHBOURS, applicant


def test_the_intake_box_flags_an_earlier_case_of_the_same_id_number_before_any_text(web):
    earlier = build_case(description=NEIGHBOURS, parties=[applicant(ID_NUMBER)])
    clerk = web("clerk")
    box = clerk.post("/triage/suggestions", {"description": "", "party-0-id_number": ID_NUMBER})
    html = box.content.decode()
    assert box.status_code == 200
    assert earlier.tracking_code in html and "同一身份证号" in html
    other = clerk.post("/triage/suggestions", {"party-0-id_number": "330682199001011241"})
    assert earlier.tracking_code not in other.content.decode()


def test_the_intake_box_shows_the_risk_of_what_is_typed(web, county):
    html = web("clerk").post("/triage/suggestions", {"description": "工人扬言要跳楼"}).content
    assert "risk-red" in html.decode() and "跳楼" in html.decode()
    calm = web("clerk").post("/triage/suggestions", {"description": "楼上噪音扰民"}).content
    assert 'id="triage-risk"' not in calm.decode()


def test_the_suggest_api_finds_the_same_phone_and_place(api):
    village = first_village(BAIGUAN).code
    earlier = build_case(description=NEIGHBOURS, parties=[applicant(phone="13905751234")])
    body = {
        "text": "工资被拖欠三个月",
        "parties": [{"id_number": "", "phone": "139 0575 1234"}],
        "division": village,
    }
    answer = api("clerk").post("/triage/suggest", body).json()
    assert [s["tracking_code"] for s in answer["similar"]] == [earlier.tracking_code]
    assert answer["similar"][0]["reasons"] == ["同一联系电话"]


def test_the_suggest_api_refuses_a_malformed_draft(api, county):
    for body in (
        {"text": "欠薪", "division": "3306"},
        {"text": "欠薪", "parties": [{"phone": "1" * 21}]},
        {"text": "欠薪", "parties": [{"phone": "1"}] * 51},
        {"text": "欠薪", "address": "地" * 10_000},
    ):
        assert api("clerk").post("/triage/suggest", body).status_code == 422, body
