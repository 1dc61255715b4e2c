"""Log lines: one JSON object per line (``LOG_FORMAT=json``) or readable text, never an API key.

Imported by gunicorn's log configuration before Django is set up, so nothing here
touches settings or models.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from urllib.parse import unquote_plus

# The request being served, so problem bodies and log lines can name it.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# A client's own X-Request-ID is kept when it is this tame; otherwise a new one is made.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# A query parameter in any text (a query string, a request line, a repr): its name and value. The name is
# compared once percent-decoded, as Django reads it: ``access%5Ftoken=KEY`` authenticates too.
PARAMETER_PATTERN = re.compile(r"(?<![^?&;\s'\"])([^?&;=\s'\"#]+)=([^?&;\s'\"#]*)")
SECRET_PARAMETERS = frozenset({"access_token"})
REDACTED = "[redacted]"

# Attributes every LogRecord has: anything else was passed with ``extra=`` and is logged as a field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Extras Django attaches that must not be logged: their repr holds the full URL with its query string.
_UNLOGGED_EXTRAS = frozenset({"request", "server_time", "status_code"})


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(value: str | None) -> str:
    """The client's ``X-Request-ID`` when it is well formed, else a fresh one."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return new_request_id()


def _redact_parameter(match: re.Match) -> str:
    name = match.group(1)
    if unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
        return f"{name}={REDACTED}"
    return match.group(0)


def redact(text: str) -> str:
    """``text`` with the value of every ``access_token`` parameter (however its name is encoded) replaced."""
    if "=" not in text:
        return text
    return PARAMETER_PATTERN.sub(_redact_parameter, text)


class RedactSecretsFilter(logging.Filter):
    """On the handlers: any ``access_token=`` value in a message is replaced before it is written.

    The request log never holds one; this covers the lines others write (runserver's request
    line, a library's warning quoting a URL).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record made while a request is being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = request_id_var.get()
            if request_id is not None:
                record.request_id = request_id
        return True


def _fields(record: logging.LogRecord) -> dict:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD_ATTRIBUTES and key not in _UNLOGGED_EXTRAS and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _fields(record).items():
            line[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value …`` for people reading a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if fields:
            head, newline, rest = text.partition("\n")  # keep a traceback below the fields
            text = f"{head} {fields}{newline}{rest}"
        return text


def logging_config(log_format: str, level: str) -> dict:
    """``settings.LOGGING`` (and gunicorn's ``logconfig_dict``) for ``json`` or ``text``."""
    formatter = "api.logs.JsonFormatter" if log_format == "json" else "api.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "api.logs.RedactSecretsFilter"},
            "request_id": {"()": "api.logs.RequestIdFilter"},
        },
        "formatters": {"main": {"()": formatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id", "redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (unformatted, unfiltered) are replaced: everything goes to the root's.
            "django": {"handlers": [], "propagate": True},
            # The request log (api.requests) already has a line per response; Django's own
            # "Not Found: /path" warnings for every 4xx would repeat it. 5xx are still logged.
            "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
            # runserver's request line repeats the request log too.
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
