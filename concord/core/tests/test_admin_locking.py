"""The admin's change forms refuse a save from a stale page (core.admin.OptimisticAdmin):
the record or one of its inline rows changed since the page was shown → the form comes back
with the message and nothing is saved. Shown on a deadline policy with its nodes and on a
mediator, whose version an admin save advances for the team page to see."""

import pytest
from django.forms import CheckboxInput

from concord.deadlines.models import DeadlinePolicy, PolicyNode
from concord.mediation.defaults import load_defaults
from concord.mediation.models import Mediator

STALE = "该记录已被他人修改，请刷新后重试"


def posted(page) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


@pytest.fixture
def admin_web(web):
    return web("admin")


@pytest.fixture
def policy(county):
    return DeadlinePolicy.objects.filter(nodes__isnull=False).order_by("pk").first()


def change_url(obj) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def test_a_current_page_saves(admin_web, policy):
    data = posted(admin_web.get(change_url(policy)))
    answer = admin_web.post(change_url(policy), {**data, "note": "依据更新"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert DeadlinePolicy.objects.get(pk=policy.pk).note == "依据更新"


def test_a_policy_saved_over_by_another_admin_is_refused(admin_web, policy):
    url = change_url(policy)
    mine = posted(admin_web.get(url))
    theirs = posted(admin_web.get(url))  # a second admin opened the same page
    assert admin_web.post(url, {**theirs, "note": "他人先保存"}).status_code == 302

    page = admin_web.post(url, {**mine, "note": "我的修改"})

    assert page.status_code == 200
    assert STALE in page.content.decode()
    assert DeadlinePolicy.objects.get(pk=policy.pk).note == "他人先保存"


def test_a_changed_inline_row_makes_the_page_stale_too(admin_web, policy):
    url = change_url(policy)
    mine = posted(admin_web.get(url))
    node = policy.nodes.order_by("pk").first()
    PolicyNode.objects.filter(pk=node.pk).update(amount=node.amount + 1)

    page = admin_web.post(url, {**mine, "note": "我的修改"})

    assert STALE in page.content.decode()
    assert DeadlinePolicy.objects.get(pk=policy.pk).note == policy.note
    assert PolicyNode.objects.get(pk=node.pk).amount == node.amount + 1


def test_a_post_without_the_token_is_refused(admin_web, policy):
    data = posted(admin_web.get(change_url(policy)))
    del data["concord_version"]
    page = admin_web.post(change_url(policy), {**data, "note": "无令牌"})
    assert STALE in page.content.decode()
    assert DeadlinePolicy.objects.get(pk=policy.pk).note == policy.note


def test_an_admin_save_advances_a_versioned_record_for_the_team_page(admin_web, web, county):
    load_defaults()
    mediator = Mediator.objects.order_by("pk").first()
    team_page = web("dispatcher").get(f"/mediation/mediators/{mediator.pk}/")
    assert team_page.status_code == 200
    data = posted(admin_web.get(change_url(mediator)))
    assert (
        admin_web.post(change_url(mediator), {**data, "phone": "0575-1234567"}).status_code == 302
    )
    assert Mediator.objects.get(pk=mediator.pk).version == mediator.version + 1

    stale = {
        "name": "团队页改名",
        "organisation": mediator.organisation_id,
        "specialties": mediator.specialties,
        "version": mediator.version,
    }
    page = web("dispatcher").post(f"/mediation/mediators/{mediator.pk}/", stale)
    assert page.status_code == 422 and STALE in page.content.decode()
    assert Mediator.objects.get(pk=mediator.pk).phone == "0575-1234567"


def test_a_read_only_viewer_sees_the_page_without_the_token(web, policy, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(
        "policy-viewer", role="security_admin", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_deadlinepolicy"))
    page = web("policy-viewer").get(change_url(policy))
    assert page.status_code == 200
    assert policy.name in page.content.decode()
    assert "concord_version" not in page.content.decode()


def test_an_account_saved_over_by_another_security_admin_is_refused(web, county):
    from concord.accounts.models import User

    secadmin = web("secadmin")
    clerk = User.objects.get(username="clerk")
    url = change_url(clerk)
    mine = posted(secadmin.get(url))
    theirs = posted(secadmin.get(url))
    assert secadmin.post(url, {**theirs, "full_name": "王晓燕甲"}).status_code == 302

    page = secadmin.post(url, {**mine, "full_name": "王小燕乙"})

    assert page.status_code == 200 and STALE in page.content.decode()
    assert User.objects.get(pk=clerk.pk).full_name == "王晓燕甲"
