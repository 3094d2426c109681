"""Who gets to see a delivery: anyone with its code, within the client's budget."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from delivery import tracking_codes
from delivery.models import Delivery
from public.forms import code_error
from public.ratelimit import tracking_rate_limited, tracking_rate_limited_reading
from public.summary import (
    delivery_for_tracking,
    tracking_data_for_code,
    tracking_read_keys,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """Why a code shows nothing: throttled (429), mistyped (400) or unknown (404)."""

    status: int
    message: str


def delivery_for_code(request: HttpRequest, code: str) -> Delivery | Refusal:
    """Count the look-up, then find the delivery; the budget is checked first, so a
    throttled client learns nothing about the code."""
    refusal = _refusal(tracking_rate_limited(request), code_error(code))
    if refusal is not None:
        return refusal
    delivery = delivery_for_tracking(code=tracking_codes.normalize(code))
    if delivery is None:
        return _not_found()
    return delivery


def public_data_for_code(
    request: HttpRequest,
    code: str,
    present: Callable[[Delivery], T],
    *,
    variant: str = "",
) -> T | Refusal:
    """As `delivery_for_code`, for what the public sees of it: `present(delivery)`,
    cached per language and `variant` while the delivery does not change (it must hold
    no more than the public may see). The count and the cached data are read in one
    round trip; over its budget, a client is refused before the data is looked at."""
    error = code_error(code)
    normalized = "" if error else tracking_codes.normalize(code)
    keys = (
        tracking_read_keys(normalized, present, variant=variant) if normalized else []
    )
    limited, read = tracking_rate_limited_reading(request, keys)
    refusal = _refusal(limited, error)
    if refusal is not None:
        return refusal
    data = tracking_data_for_code(normalized, present, variant=variant, read=read)
    return _not_found() if data is None else data


def _refusal(limited: bool, error: str | None) -> Refusal | None:
    if limited:
        return Refusal(
            429,
            _(
                "Too many look-ups from your connection. Wait a few "
                "minutes and try again."
            ),
        )
    return Refusal(400, error) if error else None


def _not_found() -> Refusal:
    return Refusal(404, _("No delivery was found for this code."))
