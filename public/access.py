"""Who gets to see a delivery: anyone with its code, within the client's budget."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from delivery import tracking_codes
from delivery.models import Delivery
from public.forms import code_error
from public.ratelimit import tracking_rate_limited
from public.summary import delivery_for_tracking


@dataclass(frozen=True)
class Refusal:
    """Why a code shows nothing: throttled (429), mistyped (400) or unknown (404)."""

    status: int
    message: str


def delivery_for_code(request: HttpRequest, code: str) -> Delivery | Refusal:
    """Count the look-up, then find the delivery; the budget is checked first, so a
    throttled client learns nothing about the code."""
    if tracking_rate_limited(request):
        return Refusal(
            429,
            _(
                "Too many look-ups from your connection. Wait a few "
                "minutes and try again."
            ),
        )
    error = code_error(code)
    if error:
        return Refusal(400, error)
    delivery = delivery_for_tracking(code=tracking_codes.normalize(code))
    if delivery is None:
        return Refusal(404, _("No delivery was found for this code."))
    return delivery
