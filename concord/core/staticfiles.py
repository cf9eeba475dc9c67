"""collectstatic without the parts of the npm packages Concord does not serve.

The vendor directories (settings.STATICFILES_DIRS) are whole `dist/` folders: ECharts alone is
46 MB of builds and source maps, which whitenoise would hash and compress for ten minutes.
Only `echarts.min.js` and `htmx.min.js` are used by the templates.

Django's staticfiles app stays listed under its own name in INSTALLED_APPS (test servers and
tools look for that name); `trim` adds the patterns to it when the core app is ready.
"""

from django.apps import apps

VENDOR_UNUSED = [
    # ECharts: other builds, their source maps, the extensions.
    "echarts.js",
    "echarts.common*",
    "echarts.simple*",
    "echarts.esm*",
    "echarts*.map",
    "extension",
    "package.json",
    # htmx: the unminified and module builds, the extensions, the pre-gzipped copy.
    "htmx.js",
    "htmx.amd.js",
    "htmx.cjs.js",
    "htmx.esm*",
    "htmx.min.js.gz",
    "ext",
]


def trim() -> None:
    config = apps.get_app_config("staticfiles")
    config.ignore_patterns = [*config.ignore_patterns, *VENDOR_UNUSED]
