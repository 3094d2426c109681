"""Logs and error reports an operator can read without seeing personal data.

- `JsonFormatter`: one JSON object per line (LOG_FORMAT=json), for a log shipper.
- `sentry_init`: optional error reports (SENTRY_DSN). Sentry gets no request bodies,
  cookies, headers, query strings, user data or local variables, and every string it
  would send is scrubbed of phone numbers, tracking codes and passport numbers.
Our own log lines name ids only (see the logging calls); these are the second line of
defence for what a library might log.
"""

import json
import logging
import re
from typing import Any

# +62/08 phone numbers, tracking codes (XXXX-XXXX-XXX or 11 base32 characters) and
# Indonesian passport numbers (a letter and 7 digits).
_PII = re.compile(
    r"(\+?62|0)8\d{7,12}"
    r"|\b[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{3}\b"
    r"|\b[A-Z]\d{7}\b"
)
_DROPPED_REQUEST_KEYS = ("data", "cookies", "headers", "query_string", "env")


def scrub(text: str) -> str:
    """Replace anything that looks like a phone, tracking code or passport number."""
    return _PII.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message (scrubbed)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _scrub_event(event: Any, hint: dict[str, Any]) -> Any:
    """Sentry's before_send: drop what may hold personal data, scrub the rest."""
    request = event.get("request") or {}
    for key in _DROPPED_REQUEST_KEYS:
        request.pop(key, None)
    if "url" in request:
        request["url"] = scrub(request["url"])
    event.pop("user", None)
    return json.loads(scrub(json.dumps(event, default=str)))


def sentry_init(*, dsn: str, environment: str) -> None:
    """Send errors to Sentry without personal data (see the module's docstring)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_scrub_event,
        traces_sample_rate=0.0,
    )
