"""Every endpoint the URL conf serves: pages (by URL name), admin pages (with their model and
action) and the JSON API's operations (by method and path, from the NinjaAPI itself), each as a
path template with {parameter} placeholders; and the smallest body an operation's schema
accepts. Shared by the authorisation matrix, the fuzz tests and the CSRF test."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from concord.api.urls import api

API_PREFIX = "/api/v1"
SAFE = "GET"


# ------------------------------------------------------------------ what the URL conf holds


@dataclass(frozen=True)
class Route:
    key: str  # the table's key: "cases:detail", "POST /api/v1/cases/{case_id}", "admin:…"
    method: str
    template: str  # the path with {name} for each parameter
    params: tuple[str, ...]
    api: bool = False
    admin: bool = False
    model: type | None = None  # an admin page's model
    action: str = ""  # and what it does with it: changelist, add, change, delete, history…

    def __str__(self) -> str:
        return self.key


_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_NINJA_PARAM = re.compile(r"\{(?:\w+:)?(?P<name>\w+)\}")


def _as_template(pattern: str) -> str:
    """`cases/<int:case_id>/` or `^requests/(?P<id>\\w+)\\.(?P<fmt>\\w+)$` → `cases/{case_id}/`."""
    text = _REGEX_GROUP.sub(lambda m: "{" + m["name"] + "}", pattern)
    text = _CONVERTER.sub(lambda m: "{" + m["name"] + "}", text)
    return text.lstrip("^").rstrip("$").replace("\\.", ".")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + _as_template(pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + _as_template(pattern), namespace, entry


def _key(namespace: str, entry: URLPattern, template: str) -> str:
    if entry.name:
        return f"{namespace}:{entry.name}" if namespace else entry.name
    return f"{namespace}:<unnamed {template}>" if namespace else f"<unnamed {template}>"


def _ninja_routes() -> list[Route]:
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            template = _NINJA_PARAM.sub(lambda m: "{" + m["name"] + "}", API_PREFIX + prefix + path)
            params = tuple(m["name"] for m in _NINJA_PARAM.finditer(prefix + path))
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.append(Route(f"{method} {template}", method, template, params, api=True))
    return routes


def _is_api_operation(entry: URLPattern) -> bool:
    # The operations of one API path share one view (ninja's PathView); they are listed by
    # method from the NinjaAPI itself.
    return getattr(entry.callback, "__qualname__", "").startswith("PathView.")


def all_routes() -> list[Route]:
    """Every page, admin page and API operation the URL conf serves."""
    routes: list[Route] = []
    operations = _ninja_routes()
    served = {r.template for r in operations}
    for template, namespace, entry in _walk(get_resolver()):
        template = "/" + template
        if _is_api_operation(entry):
            path = _NINJA_PARAM.sub(lambda m: "{" + m["name"] + "}", template)
            assert path in served, f"{path} is served but is no operation of the NinjaAPI"
            continue
        params = tuple(re.findall(r"\{(\w+)\}", template))
        key = _key(namespace, entry, template)
        model, action = _admin_model(template) if namespace == "admin" else (None, "")
        is_admin = namespace == "admin"
        routes.append(
            Route(key, SAFE, template, params, admin=is_admin, model=model, action=action)
        )
    return routes + operations


def _admin_model(template: str) -> tuple[type | None, str]:
    """The model an admin page works on and the page's action, from its path."""
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if template.startswith(base):
            rest = template[len(base) :].strip("/")
            rest = re.sub(r"\{(object_id|id)\}/?", "", rest) if rest != "{object_id}" else "object"
            return model, rest or "changelist"
    return None, ""


ROUTES = all_routes()


def minimal(schema: dict, components: dict):
    """The smallest instance of a JSON schema that its validator accepts."""
    if "$ref" in schema:
        return minimal(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return minimal(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: minimal(props[k], components) for k in schema.get("required", [])}
    if kind == "array":
        return [minimal(schema.get("items", {}), components)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    formats = {"date": "2026-01-05", "date-time": "2026-01-05T09:00:00+08:00"}
    return formats.get(schema.get("format"), "测试")
