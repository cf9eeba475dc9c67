"""A petition registered at the county window about a 百官街道 matter, still registered (no
lead organisation yet): the clerk assigns an agent."""

import pytest

from concord.cases.tests.factories import build_case


@pytest.fixture
def petition(county):
    return build_case(
        "accepted",
        type="petition",
        title="申请工伤认定迟迟没有结果",
        description="信访人受伤后申请工伤认定，多次往返人社局和医院，希望代办。",
    )
