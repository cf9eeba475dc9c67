"""Portal fixtures: an anonymous visitor, a valid submission, and clean rate-limit counts."""

import pytest
from django.core.cache import cache
from django.test import Client

from concord.cases.tests.factories import BAIGUAN, first_village

PHONE = "13857501234"


@pytest.fixture(autouse=True)
def fresh_counts():
    """Each test starts with no rate-limit counts (they live in the process's cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    """A citizen's browser: no login."""
    return Client()


@pytest.fixture
def submission(county) -> dict:
    """What a citizen fills in: a neighbour dispute in 百官街道's first village."""
    return {
        "kind": "dispute",
        "category": "",
        "town": BAIGUAN,
        "village": first_village(BAIGUAN).code,
        "address": "3幢2单元",
        "description": "楼上邻居装修长期在夜间施工，噪音很大，多次沟通无果，希望协调。",
        "name": "王秀兰",
        "phone": PHONE,
        "id_number": "",
        "consent": "on",
    }


def submit(client: Client, data: dict):
    return client.post("/portal/submit", data)
