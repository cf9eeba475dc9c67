"""Masking of personal identifiers in every log line (PIPL art. 51: logs are kept for months,
read by operators, and shipped to other systems; an ID number or mobile number has no place
in them).

`MaskPIIFilter` rewrites a record before any handler formats it: the message with its
arguments, the formatted traceback, and string attributes passed with `extra=` (JSON logs
print those). 18-character resident ID numbers and 11-digit mainland mobile numbers (with or
without +86, spaces or dashes) are masked as on the pages: 3306**********1234, 138****5678.
"""

from __future__ import annotations

import logging

from .pii import mask_in_text

# One JSON object per line, for the log collector: Django's LOGGING in production and
# gunicorn's own lines (gunicorn.conf.py).
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "{levelname}{name}{message}",
    "style": "{",
    "timestamp": True,
    "rename_fields": {"levelname": "level", "name": "logger"},
    "json_ensure_ascii": False,
}

# Attributes every LogRecord has: never rewritten except through the message.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class MaskPIIFilter(logging.Filter):
    """Masks the record in place and lets it through (a filter on a handler, settings.LOGGING).
    The record is shared by the handlers after this one, which see it masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the formatter to report
            return True
        record.msg, record.args = mask_in_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print exc_text when it is set; JSON formatters format exc_info anew,
            # so the traceback travels as masked text only.
            record.exc_text, record.exc_info = mask_in_text(record.exc_text), None
        if record.stack_info:
            record.stack_info = mask_in_text(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, mask_in_text(value))
        record._pii_masked = True
        return True
