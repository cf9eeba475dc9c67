"""Open311 fixtures: a citizen app holding a key with the open311 scope, another system, and a
plain client that speaks the spec's form-encoded HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from concord.accounts.models import User
from concord.cases import lifecycle
from concord.cases.choices import Channel
from concord.cases.models import Case
from concord.cases.tests.factories import PATH
from concord.integrations.keys import register_system
from concord.integrations.models import ExternalSystem

BASE = "/open311/v2"
NOISE = "neighbour-noise"
# 百官街道 names the town; 祝温村 is a village of 崧厦街道 (the gazetteer's own examples).
BAIGUAN_ADDRESS = "上虞区百官街道市民大道100号"


@dataclass
class App:
    system: ExternalSystem
    key: str
    client: Client

    def post(self, fmt: str = "json", **fields):
        body = {"api_key": self.key, **fields}
        return self.client.post(f"{BASE}/requests.{fmt}", body)

    def report(self, **fields) -> dict:
        """Post a valid request (noise in 百官 unless told otherwise) and return the answer."""
        body = {
            "service_code": NOISE,
            "address_string": BAIGUAN_ADDRESS,
            "description": "楼上住户每晚装修到十一点，多次沟通无果。",
            "first_name": "三",
            "last_name": "张",
            "phone": "13805751234",
            **fields,
        }
        response = self.post(**body)
        assert response.status_code == 201, response.content.decode()
        return response.json()[0]

    def get(self, path: str, **query):
        return self.client.get(f"{BASE}/{path}", {"api_key": self.key, **query})

    def read(self, service_request_id: str) -> dict:
        response = self.get(f"requests/{service_request_id}.json")
        assert response.status_code == 200, response.content.decode()
        return response.json()[0]


@pytest.fixture
def app(county) -> App:
    system, key = register_system("citizen-app", "市民随手拍", Channel.PORTAL, ["open311"])
    return App(system, key, Client(enforce_csrf_checks=True))


@pytest.fixture
def other_app(county) -> App:
    system, key = register_system("grid-app", "网格通", Channel.GRID, ["open311"])
    return App(system, key, Client(enforce_csrf_checks=True))


@pytest.fixture
def walk(persona):
    """walk(case, "resolved"): take a case through the lifecycle as the demo personas do
    (accepted by clerk, assigned by dispatcher to 百官, signed and resolved by baiguan)."""

    def to(case: Case, status: str, reply: str = "经调解双方达成一致。") -> Case:
        users = {u.username: u for u in User.objects.select_related("organisation")}
        reached = [step[0] for step in PATH]
        start = reached.index(case.status) + 1 if case.status in reached else 0
        for _reached, who, action, params in PATH[start:]:
            if case.status == status:
                break
            if action == "assign":
                params = {"lead_org": users["baiguan"].organisation_id}
            if action == "resolve":
                params = {**params, "reply": reply}
            actor = users[who or "baiguan"]
            case = lifecycle.transition(case, actor=actor, action=action, comment="", **params)
        assert case.status == status
        return case

    return to


def case_of(answer: dict) -> Case:
    return Case.objects.get(tracking_code=answer["service_request_id"])
