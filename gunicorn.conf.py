"""gunicorn's settings, read from the working directory: its own lines (start, workers,
errors) as one JSON object each, like Concord's, with ID numbers and mobile numbers masked.
Access lines are nginx's (docs/deploy.md); the command line names the rest."""

from concord.core.logfilters import JSON_FORMATTER

_lines = {"handlers": ["console"], "level": "INFO", "propagate": False}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "concord.core.logfilters.MaskPIIFilter"}},
    "formatters": {"json": JSON_FORMATTER},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["mask_pii"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {"gunicorn.error": _lines, "gunicorn.access": _lines},
}
