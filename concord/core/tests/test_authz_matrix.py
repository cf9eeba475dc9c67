"""The authorisation matrix (等保 access control, issue 11): every URL pattern of the URL conf
and every operation of the JSON API, requested by every role, by an anonymous visitor and by
users of another town and another department, against one case in 百官街道 and everything
hanging on it (`authz_world`).

What each may do is declared once, per URL name or API operation, in `authz_expectations`.
A pattern or operation that table does not declare fails here: a new endpoint cannot ship
without saying who may use it. A role that reaches what it should not, or is refused what it
should reach, fails too; so does any text of the case in a foreign user's answer.

API operations are called with a body that passes their schema (built from the OpenAPI
document), so that each request reaches the operation's own checks: a role the operation is
not for must get 403/404 there, not a 422 about its input. Pages are requested with GET, or,
when they take only POST, with an empty POST: the page form's door is checked (signed in, the
object in scope, the page's role); the role rule of the action behind the form is its
service's, the same one its API operation proves above. Every request is rolled back: nothing
one principal does is seen by the next.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client

from concord.accounts.models import Role, User
from concord.api.auth import issue_token
from concord.api.urls import api
from concord.cases.tests.factories import organisation
from concord.core.tests.authz_expectations import (
    ADMIN_MODELS,
    ADMIN_SITE,
    ADMIN_TRIED,
    ANONYMOUS,
    API,
    EXTRA,
    FOREIGN,
    HOME,
    PAGES,
    PUBLIC,
    SYSTEM,
    Rule,
    admin_rule,
    principals_allowed,
)
from concord.core.tests.authz_world import World, build_world, rolled_back
from concord.core.tests.routes import ROUTES, SAFE, Route, minimal

pytestmark = pytest.mark.django_db

LOGIN_PATHS = (resolve_url(settings.LOGIN_URL), "/admin/login/")


# ------------------------------------------------------------------ the principals


@dataclass
class Principal:
    name: str
    user: User | None
    cookies: SimpleCookie  # the signed-in session
    api_headers: dict
    role: str | None  # None: anonymous
    foreign: bool = False
    system_key: str = ""  # an external system: its key, and no session

    def tried_on(self, route: Route) -> bool:
        """A system's key opens the API and Open311 only; on other pages it is anonymous."""
        return not self.system_key or route.api or route.key.startswith("open311:")

    @property
    def page(self) -> Client:
        """A browser with this principal's session. A new one for every request: a request
        that signs out or changes the session must not change the next one's."""
        client = Client()
        client.cookies = copy.deepcopy(self.cookies)
        return client


def _second_factor(client: Client, user: User) -> None:
    """Sign in as with a TOTP code (django-otp): the session is verified with a device, as
    the roles that must use a second factor are after their login."""
    if "django_otp" not in settings.INSTALLED_APPS:
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="matrix", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def make_principals(system_key: str) -> dict[str, Principal]:
    users = {u.username: u for u in User.objects.select_related("organisation")}
    out: dict[str, Principal] = {}

    def add(name: str, user: User | None, *, foreign: bool = False) -> None:
        client = Client()
        headers = {}
        if user is not None:
            client.force_login(user)
            _second_factor(client, user)
            key, _token = issue_token(user)
            headers = {"Authorization": f"Bearer {key}"}
        role = user.role if user is not None else None
        out[name] = Principal(name, user, client.cookies, headers, role, foreign)

    for role in Role.values:
        username = HOME.get(role)
        if username is None:  # a role without a demo account works at the county center
            username = f"matrix-{role}"
            users[username] = User.objects.create_user(
                username, role=role, organisation=organisation("county-center")
            )
        add(role, users[username])
    for name, username in EXTRA.items():
        add(name, users[username])
    add(ANONYMOUS, None)
    headers = {"X-API-Key": system_key}
    out[SYSTEM] = Principal(SYSTEM, None, SimpleCookie(), headers, SYSTEM, True, system_key)
    for name, (role, org_code) in FOREIGN.items():
        user = users.get(name) or User.objects.create_user(
            name, role=role, organisation=organisation(org_code)
        )
        add(name, user, foreign=True)
    return out


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects and the principals, once for the module, rolled back after it."""
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("media")):
        built = build_world()
        built.principals = make_principals(built.system_key)
        yield built


# ------------------------------------------------------------------ requests


_OPENAPI = None


def _body_for(route: Route):
    """(content type, body) for an API operation, valid against its schema."""
    global _OPENAPI
    if _OPENAPI is None:
        _OPENAPI = api.get_openapi_schema()
    operation = _OPENAPI["paths"].get(route.template, {}).get(route.method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    components = _OPENAPI.get("components", {}).get("schemas", {})
    if "application/json" in content:
        return "json", minimal(content["application/json"]["schema"], components)
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"]["schema"]
        props = schema.get("properties", {})
        data = {}
        for name, prop in props.items():
            if prop.get("format") == "binary":
                data[name] = SimpleUploadedFile("a.csv", b"a,b\n1,2\n", "text/csv")
            elif name in schema.get("required", []):
                data[name] = minimal(prop, components)
        return "multipart", data
    return "none", None


def _filled(values: dict, world: World) -> dict:
    """A rule's own parameters; "{name}" stands for the world's value of that name."""
    return {k: str(v).format(**world.kwargs) for k, v in values.items()}


def request(route: Route, principal: Principal, world: World, rule: Rule):
    kwargs = {**world.kwargs, **_filled(rule.kwargs, world)}
    if route.model is not None:  # the admin page of a row: the model's first (or none: 0)
        first = route.model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        kwargs["object_id"] = kwargs["id"] = first or 0
    path = route.template.format(**{p: kwargs[p] for p in route.params})
    method = rule.method or route.method
    query = _filled(rule.query, world)
    if principal.system_key and not route.api:
        query["api_key"] = principal.system_key
    with transaction.atomic():
        if route.api:
            response = _api_call(route, method, path, principal, world)
        elif method == "POST":
            response = principal.page.post(path, rule.data)
        else:
            response = principal.page.get(path, query)
        transaction.set_rollback(True)
    return response


# Body fields naming a case: the world's case, whatever ids earlier tests used up.
CASE_FIELDS = ("case", "case_id", "into")


def _api_call(route: Route, method: str, path: str, principal: Principal, world: World):
    headers = principal.api_headers
    if method == "GET":
        # A bearer token alone: the session of the page client must not stand in for it.
        return Client().get(path, headers=headers)
    kind, body = _body_for(route)
    if kind == "json" and isinstance(body, dict):
        body = body | {k: world.kwargs["case_id"] for k in CASE_FIELDS if k in body}
    call = getattr(Client(), method.lower())
    if kind == "json":
        return call(path, json.dumps(body), content_type="application/json", headers=headers)
    if kind == "multipart":
        return call(path, body, headers=headers)
    return call(path, headers=headers)


# ------------------------------------------------------------------ judging answers


def outcome(response) -> str:
    """ "reached", "refused" or "error" (with the status, for the report)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status in (301, 302, 303) and urlsplit(response["Location"]).path in LOGIN_PATHS:
        return "refused"
    if status == 405:
        return "error"
    return "reached"


def _body_text(response) -> str:
    """The answer's text; for Office files (xlsx, docx: zip archives) the text of their XML."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return body.decode("utf-8", "replace")


def _tried(route: Route, rule: Rule, world: World) -> list[Principal]:
    """Who requests the route. A public one answers everyone alike: the anonymous visitor, a
    signed-in user and a system stand for all (PDF drawing and password hashing are slow)."""
    principals = [p for p in world.principals.values() if p.tried_on(route)]
    if route.admin:
        principals = [p for p in principals if p.name in ADMIN_TRIED]
    if PUBLIC in rule.allow:
        keep = {ANONYMOUS, Role.DISPATCHER, SYSTEM}
        principals = [p for p in principals if p.name in keep]
    return principals


def problems_of(route: Route, rule: Rule, world: World) -> list[str]:
    allowed = principals_allowed(rule, world.principals.values())
    method = rule.method or route.method
    found = []
    for principal in _tried(route, rule, world):
        response = request(route, principal, world, rule)
        status = response.status_code
        got = "reached" if status in rule.answers else outcome(response)
        may = principal.name in allowed
        if got == "error":
            found.append(f"{principal.name}: {status} (server error or wrong method)")
        elif may and got != "reached":
            found.append(f"{principal.name}: {status}, should reach it")
        elif may and method == SAFE and status >= 400 and status not in rule.answers:
            found.append(f"{principal.name}: {status} on GET, should reach it")
        elif not may and got != "refused":
            found.append(f"{principal.name}: {status}, should be refused")
        elif not may and principal.name == ANONYMOUS and route.api and status != 401:
            found.append(f"{principal.name}: {status}, the API answers 401 without credentials")
        if principal.foreign and got == "reached":
            body = _body_text(response)
            leaked = [s for s in world.secrets if s in body]
            if leaked:
                found.append(f"{principal.name}: sees {leaked} of a case outside its scope")
    return found


def observed(route: Route, rule: Rule, world: World) -> str:
    """What each principal got: the suggestion printed for an undeclared endpoint."""
    if (
        not route.api
        and request(route, world.principals[Role.ADMIN], world, rule).status_code == 405
    ):
        rule = Rule(method="POST")
        parts = ["(POST)"]
    else:
        parts = []
    for principal in _tried(route, rule, world):
        response = request(route, principal, world, rule)
        status = str(response.status_code)
        if response.status_code in (301, 302, 303):
            status += "→" + urlsplit(response["Location"]).path
        parts.append(f"{principal.name}={status}")
    return " ".join(parts)


# ------------------------------------------------------------------ the tests


def rule_for(route: Route) -> Rule | None:
    if route.api:
        return API.get(route.key)
    if route.model is not None:
        return admin_rule(route.model, route.action, route.model._default_manager.exists())
    if route.admin:
        return ADMIN_SITE.get(route.key)
    return PAGES.get(route.key)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_endpoint_answers_only_the_principals_it_declares(route, world):
    rule = rule_for(route)
    if rule is None:
        pytest.fail(
            f"{route.key} ({route.template}) is not declared in "
            f"concord/core/tests/authz_expectations.py; who may use it? "
            f"Observed: {observed(route, Rule(), world)}",
            pytrace=False,
        )
    problems = problems_of(route, rule, world)
    if problems:
        pytest.fail(f"{route.key} ({route.template}):\n  " + "\n  ".join(problems), pytrace=False)


def test_the_table_declares_nothing_that_is_gone():
    keys = {r.key for r in ROUTES}
    stale = [k for table in (PAGES, API, ADMIN_SITE) for k in table if k not in keys]
    models = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    labels = {label.split(".")[0] for label in models}
    stale += [k for k in ADMIN_MODELS if k not in models and k not in labels]
    assert stale == []


def test_every_role_is_tested(world):
    assert set(Role.values) <= set(world.principals)
    assert any(p.foreign for p in world.principals.values())


def test_an_endpoint_nobody_declared_has_no_rule():
    """What makes a new endpoint fail above until the table says who may use it."""
    page = Route("cases:something_new", SAFE, "/cases/new-thing", ())
    operation = Route(
        "DELETE /api/v1/cases/{case_id}", "DELETE", "/api/v1/cases/{case_id}", (), api=True
    )
    assert rule_for(page) is None and rule_for(operation) is None
    assert rule_for(next(r for r in ROUTES if r.key == "cases:detail")) is not None
