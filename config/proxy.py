"""The client's address behind the TLS proxy, believed only from that proxy.

nginx appends the address it saw to X-Forwarded-For. When a request comes from one of
TRUSTED_PROXIES, REMOTE_ADDR becomes the right-most address of that header that is not
itself a trusted proxy; from anybody else the header is ignored, so a client cannot
choose its own address (and so its rate-limit and login-throttle budget).
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_address(meta: dict) -> str:
    """The client's address from a request's META, trusting only our proxies."""
    peer = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not _is_trusted(peer):
        return peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _is_trusted(hop):
            return hop if _is_valid(hop) else peer
    return peer


def _is_valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def request_client_address(request: HttpRequest) -> str:
    """The client's address of a request, for django-axes' login throttle."""
    return client_address(request.META)


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the client's address when a trusted proxy forwarded it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["REMOTE_ADDR"] = client_address(request.META)
        return self.get_response(request)
