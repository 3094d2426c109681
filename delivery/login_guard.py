"""Throttled sign-in (django-axes): the answer a locked-out client gets, and its audit.

Every login path (console, courier app, admin, API token) authenticates through
django.contrib.auth.authenticate with the request, where axes' backend counts failures
per account and per address and refuses a locked one, even with the right password.
"""

from datetime import timedelta

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.selectors import login_lockouts_since
from delivery.services.audit import audit_login_lockout

LOCKED_STATUS = 429
# Each earlier lock of the same account or address within a day doubles the next one.
BACKOFF_MEMORY = timedelta(days=1)
BACKOFF_MAX = timedelta(days=1)


def lockout_cool_off(request: HttpRequest | None) -> timedelta:
    """AXES_COOLOFF_TIME: the base cool-off, doubled for each earlier lock today."""
    base = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if request is None:
        return base
    ip_address = getattr(request, "axes_ip_address", None)
    locks = login_lockouts_since(
        username=get_client_username(request),
        ip_address=ip_address or get_client_ip_address(request),
        since=timezone.now() - BACKOFF_MEMORY,
    )
    # The lock being served is one of them: it alone costs the base time.
    return min(base * (1 << min(max(locks - 1, 0), 16)), BACKOFF_MAX)


def lockout_message(request: HttpRequest) -> str:
    """The lockout text, in the request's language (Bahasa Indonesia by default)."""
    cool_off = get_cool_off(request) or timedelta(
        minutes=settings.LOGIN_LOCKOUT_MINUTES
    )
    minutes = int(cool_off.total_seconds() // 60)
    return _(
        "Too many failed sign-ins from this account or this address. "
        "Try again in %(minutes)d minutes, or ask the office administrator."
    ) % {"minutes": minutes}


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or "application/json" in accept


def lockout_response(request: HttpRequest, *args: object) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a page, or JSON for the API, with HTTP 429."""
    if _wants_json(request):
        return JsonResponse({"detail": lockout_message(request)}, status=LOCKED_STATUS)
    context = {"message": lockout_message(request)}
    return render(request, "delivery/login_locked.html", context, status=LOCKED_STATUS)


def audit_lockout(
    sender: object,
    request: HttpRequest,
    username: str | None,
    ip_address: str | None,
    **kwargs: object,
) -> None:
    """Receiver of axes' user_locked_out: one audit record when a lock begins."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        # A refused attempt during the lock: axes does not count it, nor do we.
        return
    audit_login_lockout(
        username=username or "",
        ip_address=ip_address,
        path=request.path,
        failures=failures,
    )
