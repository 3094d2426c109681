"""Twilio's webhooks: status callbacks and inbound SMS, verified by their signature."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from notifications import services

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signed_by_twilio(request: HttpRequest) -> bool:
    """Check X-Twilio-Signature against the public URL Twilio called."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/") + request.get_full_path()
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return bool(validator.validate(url, request.POST.dict(), signature))


@csrf_exempt
@require_POST
def sms_status_callback(request: HttpRequest) -> HttpResponse:
    """Record a delivery status report (deduplicated, forward only); answer fast."""
    if not _signed_by_twilio(request):
        logger.warning("status callback refused: bad or missing signature")
        return HttpResponse("invalid signature", status=403)
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    if not sid or not status:
        return HttpResponse("MessageSid and MessageStatus are required", status=400)
    services.sms_status_report(
        provider_sid=sid[:64],
        status=status[:20],
        error_code=request.POST.get("ErrorCode", "")[:20],
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Take an applicant's SMS (STOP/START and the like); answer with empty TwiML."""
    if not _signed_by_twilio(request):
        logger.warning("inbound SMS refused: bad or missing signature")
        return HttpResponse("invalid signature", status=403)
    sid = request.POST.get("MessageSid", "")
    sender = request.POST.get("From", "")
    if not sid or not sender:
        return HttpResponse("MessageSid and From are required", status=400)
    services.sms_inbound(
        provider_sid=sid[:64], sender=sender[:20], body=request.POST.get("Body", "")
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
