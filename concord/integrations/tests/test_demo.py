"""The demo's connected systems: 12345 and the court, loaded silently and idempotently, with
no key anyone could read; the demo's 12345 cases become the hotline's work orders."""

from concord.accounts.models import User
from concord.cases.choices import Channel
from concord.cases.tests.factories import build_case
from concord.integrations.demo import load_demo
from concord.integrations.keys import register_system
from concord.integrations.models import ExternalSystem


def test_load_demo_is_silent_and_idempotent(county, capsys):
    phoned = build_case(channel=Channel.HOTLINE_12345)
    walked_in = build_case()
    load_demo()
    load_demo()
    assert capsys.readouterr() == ("", "")
    systems = {s.code: s for s in ExternalSystem.objects.select_related("account")}
    assert set(systems) == {"12345", "court"}
    hotline = systems["12345"]
    assert hotline.channel == Channel.HOTLINE_12345
    assert hotline.scopes == ["cases:create", "cases:read"]
    assert hotline.key_hash == "" and hotline.account.role == "clerk"
    phoned.refresh_from_db()
    walked_in.refresh_from_db()
    assert phoned.source == "12345" and phoned.source_id.startswith("GD")
    assert walked_in.source == ""


def test_system_accounts_are_not_staff_to_notify(county):
    system, _key = register_system("hotline-x", "热线", "hotline_12345", ["cases:create"])
    center = system.account.organisation
    assert system.account.service
    assert system.account not in User.objects.staff_of(center)
    assert User.objects.staff_of(center).filter(username="clerk").exists()
