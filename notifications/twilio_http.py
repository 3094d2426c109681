"""A Twilio SDK HTTP client that can send REST calls to another base URL.

Production uses it when TWILIO_API_BASE_URL is set (a local Twilio double in tests
or a staging stub); without a base URL it is the SDK's own client, unchanged.
The base URL receives the account's Basic-auth credentials: point it only at a
server you trust, over https unless it is on the loopback interface.
"""

import re
from typing import Any

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

# api.twilio.com and its edge/region spellings, e.g. api.sydney.au1.twilio.com.
_API_ORIGIN = re.compile(r"^https://api(?:\.[a-z0-9-]+){0,2}\.twilio\.com(?=/|$)")


def rewrite_api_url(url: str, base_url: str) -> str:
    """Replace the Twilio REST API origin of `url` by `base_url`; others pass."""
    base = base_url.rstrip("/")
    return _API_ORIGIN.sub(lambda _match: base, url, count=1)


class BaseUrlHttpClient(TwilioHttpClient):
    """TwilioHttpClient that sends api.twilio.com requests to `base_url`."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        if self.session is not None:
            # The parent mounts its retry/pool adapter on https:// only; the base
            # URL may be http://, so give it the same adapter.
            self.session.mount(self.base_url, self.session.get_adapter("https://"))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send the request to the rewritten URL."""
        rewritten = rewrite_api_url(url, self.base_url)
        return super().request(method, rewritten, *args, **kwargs)


def make_http_client(base_url: str | None = None, **kwargs: Any) -> TwilioHttpClient:
    """Build the SDK's HTTP client, redirected to `base_url` when one is given."""
    if not base_url:
        return TwilioHttpClient(**kwargs)
    return BaseUrlHttpClient(base_url, **kwargs)
