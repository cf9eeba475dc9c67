"""Optimistic locking of the rule book: two dispatchers editing one rule from the same reading
cannot overwrite each other; the second is told to refresh and nothing of theirs is saved."""

import pytest

from concord.core.errors import Conflict
from concord.routing.models import RoutingRule
from concord.routing.rules import save_rule

from .test_rules_pages import LABOUR, RULES, form_data, org, rule, snapshot

STALE = "该记录已被他人修改，请刷新后重试"


def edit_of(labour: RoutingRule, **changes) -> dict:
    """The edit form of the labour rule as posted, with `changes`."""
    return form_data(
        name=labour.name,
        version=str(labour.version),
        division="",
        lead_org="",
        lead_local="on",
        assisting_orgs=[str(org("hrss").pk)],
        **changes,
    )


def test_the_form_carries_the_version_and_a_current_save_advances_it(web):
    labour = rule(LABOUR)
    client = web("dispatcher")
    page = client.get(f"{RULES}{labour.pk}/").content.decode()
    assert f'name="version" value="{labour.version}"' in page
    assert client.post(f"{RULES}{labour.pk}/", edit_of(labour, priority="7")).status_code == 302
    saved = rule(LABOUR)
    assert saved.priority == 7 and saved.version == labour.version + 1


def test_a_rule_saved_from_a_stale_page_comes_back_with_the_message(web, persona):
    labour = rule(LABOUR)
    mine = edit_of(labour, note="我：改为人社局主办")  # both opened the form at this version
    theirs = rule(LABOUR)
    theirs.note = "他：驻点调解"
    save_rule(theirs, actor=persona("admin"), version=labour.version)
    before = snapshot()

    page = web("dispatcher").post(f"{RULES}{labour.pk}/", mine)

    assert page.status_code == 422
    assert page.context["form"].non_field_errors() == [STALE]
    assert "我：改为人社局主办" in page.content.decode()  # what was typed stays on the form
    assert snapshot() == before
    assert rule(LABOUR).note == "他：驻点调解" and rule(LABOUR).version == labour.version + 1


def test_an_edit_posted_without_a_version_is_refused(web):
    labour = rule(LABOUR)
    data = edit_of(labour, note="没有版本号")
    del data["version"]
    before = snapshot()
    page = web("dispatcher").post(f"{RULES}{labour.pk}/", data)
    assert page.status_code == 422
    assert page.context["form"].non_field_errors() == [STALE]
    assert snapshot() == before


def test_the_service_refuses_a_stale_version_and_audits_nothing(persona):
    from concord.audit.models import AuditEntry

    labour = rule(LABOUR)
    audited = AuditEntry.objects.count()
    labour.priority = 9
    with pytest.raises(Conflict, match=STALE):
        save_rule(labour, actor=persona("dispatcher"), version=labour.version + 1)
    assert rule(LABOUR).priority != 9
    assert AuditEntry.objects.count() == audited


def test_a_toggle_counts_as_an_edit(web):
    labour = rule(LABOUR)
    client = web("dispatcher")
    assert client.post(f"{RULES}{labour.pk}/toggle", {"active": "0"}).status_code == 302
    assert rule(LABOUR).version == labour.version + 1
    # The edit form opened before the toggle may not switch the rule back on unseen.
    page = client.post(f"{RULES}{labour.pk}/", edit_of(labour))
    assert page.status_code == 422 and not rule(LABOUR).active
