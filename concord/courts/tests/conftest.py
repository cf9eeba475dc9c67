"""Referral types on top of the demo county, a referral from the demo court, and the parties
and case numbers the tests send."""

import pytest

from concord.courts.defaults import load_defaults
from concord.courts.services import Person, ReferralDraft, refer

# Valid resident ID numbers (GB 11643 check digits) and phones.
PLAINTIFF_ID = "330682199001011233"
DEFENDANT_ID = "330682198506120027"


def number(serial: int = 1234, year: int = 2026) -> str:
    return f"({year})浙0604民诉前调{serial}号"


def draft(serial: int = 1234, **changes) -> ReferralDraft:
    fields = {
        "court_case_number": number(serial),
        "type": "物业服务合同纠纷",
        "description": "原告主张被告拖欠物业费2年共计3600元，被告称物业服务不到位。",
        "plaintiffs": [Person("上虞某物业服务有限公司", "0575-82123456")],
        "defendants": [Person("王建国", "13857510001", PLAINTIFF_ID)],
        "division": "百官街道",
        **changes,
    }
    return ReferralDraft(**fields)


def body(serial: int = 1234, **changes) -> dict:
    """The API's create body."""
    return {
        "court_case_number": number(serial),
        "type": "property-service",
        "description": "原告主张被告拖欠物业费2年共计3600元。",
        "plaintiffs": [{"name": "上虞某物业服务有限公司", "phone": "0575-82123456"}],
        "defendants": [{"name": "王建国", "phone": "13857510001", "id_number": PLAINTIFF_ID}],
        **changes,
    }


@pytest.fixture
def types(county):
    load_defaults()


@pytest.fixture
def referral(types, persona):
    """A 物业 referral from the court, handed to the property mediation committee."""
    made, _created = refer(actor=persona("court"), draft=draft())
    return made
