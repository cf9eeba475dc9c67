"""Security headers on every kind of answer, and templates the policy can hold to: no inline
script, no on* handler attribute, no style attribute (the browser test proves the pages run
under the policy; this catches a regression before a browser is started)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "concord"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (d.strip().split(None, 1) for d in header.split(";") if d.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.parametrize(
    "path", ["/", "/cases/", "/accounts/login/", "/portal/", "/api/v1/orgs", "/api/v1/health"]
)
def test_every_answer_carries_the_security_headers(web, path):
    response = web("dispatcher").get(path)
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def _templates():
    return [p for p in TEMPLATES.rglob("*.html") if "node_modules" not in p.parts]


def test_no_template_has_inline_script():
    inline = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/json)[^>]*>", re.I)
    found = [f"{p.relative_to(TEMPLATES)}" for p in _templates() if inline.search(p.read_text())]
    assert found == []


def test_no_template_has_an_event_handler_attribute():
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    found = [f"{p.relative_to(TEMPLATES)}" for p in _templates() if handler.search(p.read_text())]
    assert found == []


def test_no_template_has_a_style_attribute():
    style = re.compile(r"<[^>]+\sstyle\s*=", re.I)
    found = [f"{p.relative_to(TEMPLATES)}" for p in _templates() if style.search(p.read_text())]
    assert found == []


def test_no_page_template_has_a_style_element():
    """core/document.html is drawn into PDFs by WeasyPrint, never served as a page."""
    served = [p for p in _templates() if p.name != "document.html"]
    found = [f"{p.relative_to(TEMPLATES)}" for p in served if "<style" in p.read_text()]
    assert found == []
