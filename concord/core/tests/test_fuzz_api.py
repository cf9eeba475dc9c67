"""Fuzzing in CI (issue 11): schemathesis over the whole OpenAPI document of /api/v1/, every
operation, as the command room's dispatcher with a bearer token. No input may make the
server fail (5xx); what it answers must be what the document says it answers.

Path parameters are the ids of the authorisation matrix's world (a case in 百官街道 and
everything hanging on it), so that the generated queries and bodies reach the services
instead of stopping at a 404. Examples are bounded and derandomised: the same inputs on every
run, a few minutes on two CPUs.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from concord.accounts.models import User
from concord.api.auth import issue_token
from concord.api.urls import api
from concord.core.tests.authz_world import build_world, rolled_back
from concord.core.tests.routes import ROUTES, minimal

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation

# The credentials are the test's own (a bearer token): not generated keys and cookies.
CONFIG = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
_ = (status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's world and a dispatcher's token, once for the module, rolled back after
    it."""
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("media")) as patch:
        # Requests go through the WSGI application, which closes the database connection
        # after each; Django's test client keeps it open, and so must we: the world lives in
        # this connection's transaction.
        for signal in (request_started, request_finished):
            patch.setattr(signal, "receivers", [])
            patch.setattr(signal, "sender_receivers_cache", {})
        built = build_world()
        key, _token = issue_token(User.objects.get(username="dispatcher"))
        built.headers = {"Authorization": f"Bearer {key}"}
        yield built


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_the_api_fail(case, world):
    for name in list(case.path_parameters or {}):
        if name in world.kwargs:
            case.path_parameters[name] = world.kwargs[name]
    with transaction.atomic():
        response = case.call(headers=world.headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


def test_every_schema_of_the_document_has_a_name_of_its_own():
    """Two models of one name share one entry of the document, and one of them is described
    wrongly: every client generated from it, and this fuzzer, would send the wrong body."""
    seen: dict[str, type] = {}
    clashes = set()
    for model in _models():
        if not model.__module__.startswith("concord."):
            continue  # ninja's wrappers of each operation's parameters, never in the document
        other = seen.setdefault(model.__name__, model)
        if other is not model:
            clashes.add(f"{model.__name__}: {other.__module__} and {model.__module__}")
    assert sorted(clashes) == []


def _models() -> list[type[BaseModel]]:
    """Every pydantic model the API's operations take as a body or answer, with the ones
    inside them."""
    found: list[type[BaseModel]] = []

    def visit(annotation) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in found:
                return
            found.append(annotation)
            for field in annotation.model_fields.values():
                visit(field.annotation)
        for arg in getattr(annotation, "__args__", ()) or ():
            visit(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    # Query, path and header parameters are spelled out in each operation;
                    # bodies and answers are named entries of the document.
                    if getattr(model, "__ninja_param_source__", "") in ("body", "file", "form"):
                        visit(model)
                for model in operation.response_models.values():
                    visit(model)
    return found


# ------------------------------------------------------------------ NUL, field by field
# PostgreSQL refuses a NUL character in text, so one that reaches a query is a 500 there (and
# nothing on SQLite). Hypothesis rarely sends one: every field and parameter gets one here.

NUL = "a\x00b"
# The parameters pages read beside their forms (filters, pickers, period choosers…).
PAGE_PARAMETERS = [
    "q", "desk", "status", "category", "division", "town", "village", "page", "kind",
    "period", "from", "to", "month", "by", "case", "spike", "risk", "channel", "day", "view",
    "back", "type", "code", "last4", "source", "profile", "compare", "next", "date", "slot",
]  # fmt: skip


def test_a_nul_in_any_api_field_or_parameter_is_refused_not_a_server_error(world):

    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    failed = []
    for route in (r for r in ROUTES if r.api):
        operation = document["paths"][route.template][route.method.lower()]
        path = route.template.format(**{p: world.kwargs[p] for p in route.params})
        calls = [
            (path + f"?{p['name']}=a%00b", None)
            for p in operation.get("parameters", [])
            if p["in"] == "query"
        ]
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            body = minimal(schema, components)
            named = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
            calls += [(path, {**body, name: NUL}) for name in named.get("properties", {})]
        for url, body in calls:
            client = Client(raise_request_exception=False)
            call = getattr(client, route.method.lower())
            with transaction.atomic():
                if body is None:
                    response = call(url, headers=world.headers)
                else:
                    response = call(
                        url,
                        json.dumps(body),
                        content_type="application/json",
                        headers=world.headers,
                    )
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failed.append(f"{route.key} {url} {sorted(body or {})}")
    assert failed == []


def test_a_nul_in_any_page_parameter_is_refused_not_a_server_error(world):
    browser = Client(raise_request_exception=False)
    browser.force_login(User.objects.get(username="dispatcher"))
    failed = []
    for route in (r for r in ROUTES if not r.api and not r.admin):
        path = route.template.format(**{p: world.kwargs[p] for p in route.params})
        for method in ("get", "post"):
            with transaction.atomic():
                response = getattr(browser, method)(path, dict.fromkeys(PAGE_PARAMETERS, NUL))
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failed.append(f"{method.upper()} {route.key}")
    assert failed == []
