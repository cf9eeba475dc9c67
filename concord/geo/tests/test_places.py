"""Addresses as people write them, against the demo county's real names."""

import pytest

from concord.geo.models import Division
from concord.geo.places import Gazetteer, Place, locate

pytestmark = pytest.mark.django_db


def code(name: str) -> str:
    return Division.objects.get(name=name).code


@pytest.mark.parametrize(
    ("address", "town", "village"),
    [
        ("浙江省绍兴市上虞区崧厦街道祝温村3组12号", "崧厦街道", "祝温村"),
        ("上虞区 百官街道 龙山社区 市民大道88号", "百官街道", "龙山社区"),
        ("崧厦祝温3组", "崧厦街道", "祝温村"),  # short forms of both
        ("章镇镇政府对面", "章镇镇", None),  # the town's own name repeats its suffix
        ("祝温村村口小店", "崧厦街道", "祝温村"),  # a village alone names its town
        ("丁宅乡某工地", "丁宅乡", None),
    ],
)
def test_an_address_names_its_town_and_village(county, address, town, village):
    place = locate(address)
    assert place.town == code(town)
    assert place.village == (code(village) if village else None)
    assert place.division == (place.village or place.town)


@pytest.mark.parametrize(
    "address", ["", "   ", "杭州市西湖区文三路", "上虞区某小区", "😀" * 50, "人民路永和小区5幢"]
)
def test_an_unknown_address_stays_at_county_level(county, address):
    assert locate(address) == Place()


def test_a_village_is_looked_for_only_inside_the_named_town(county):
    # 龙山社区 is in 百官街道: named after 崧厦街道 it is not taken for a 崧厦 village.
    place = Gazetteer.load().locate("崧厦街道龙山社区")
    assert (place.town, place.village) == (code("崧厦街道"), None)


def test_a_case_registered_with_only_an_address_lands_in_its_village(api):
    answer = api("clerk").post(
        "/cases",
        {
            "type": "dispute",
            "channel": "phone",
            "description": "邻里漏水纠纷",
            "address": "崧厦街道祝温村3组",
        },
    )
    assert answer.status_code == 201, answer.content
    case = api("clerk").get(f"/cases/{answer.json()['id']}").json()
    assert case["division"] == code("祝温村")
