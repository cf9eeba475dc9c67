"""Production settings (CONCORD_PRODUCTION, or CONCORD_DEBUG off): whitenoise, JSON logs,
security headers. Settings are read once per process, so each case starts a Python of its own
with the environment under test."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import json, logging, django
django.setup()
from django.conf import settings as s
logging.getLogger("concord.probe").warning("来电 13805751234 已登记", extra={"case": 7})
print(json.dumps({
    "production": s.PRODUCTION,
    "middleware": s.MIDDLEWARE,
    "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
    "hsts": s.SECURE_HSTS_SECONDS,
    "proxy_ssl": s.SECURE_PROXY_SSL_HEADER,
    "cookies_secure": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "nosniff": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "referrer": s.SECURE_REFERRER_POLICY,
}))
"""


def probe(**env: str) -> tuple[dict | None, str]:
    """Settings and the stderr log of a Python started with these variables."""
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "concord.settings", **env}
    for name in ("CONCORD_PRODUCTION", "CONCORD_HTTPS", "CONCORD_TRUSTED_PROXIES"):
        if name not in env:
            environ.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr


def test_production_serves_static_files_with_whitenoise_and_logs_json_lines():
    found, log = probe(CONCORD_PRODUCTION="1", CONCORD_DEBUG="0")
    assert found["production"]
    middleware = found["middleware"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert found["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    line = json.loads(log.strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "concord.probe"
    assert line["message"] == "来电 138****1234 已登记"  # masked by the PII filter
    assert line["case"] == 7 and line["timestamp"]
    assert found["nosniff"] and found["referrer"] == "same-origin"
    assert found["hsts"] == 0 and found["proxy_ssl"] is None  # plain HTTP, no proxy


def test_debug_off_means_production_and_debug_on_means_development():
    assert probe(CONCORD_DEBUG="0")[0]["production"]
    development, log = probe(CONCORD_DEBUG="1")
    assert not development["production"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in development["middleware"]
    assert not log.startswith("{")  # plain lines for a developer


def test_production_with_debug_on_refuses_to_start():
    found, log = probe(CONCORD_PRODUCTION="1", CONCORD_DEBUG="1")
    assert found is None
    assert "CONCORD_DEBUG must be off when CONCORD_PRODUCTION is on" in log


def test_behind_an_https_proxy_hsts_secure_cookies_and_the_forwarded_scheme_are_on():
    found, _log = probe(
        CONCORD_PRODUCTION="1", CONCORD_DEBUG="0", CONCORD_HTTPS="1", CONCORD_TRUSTED_PROXIES="1"
    )
    assert found["hsts"] == 365 * 24 * 3600
    assert found["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["cookies_secure"] == [True, True]
