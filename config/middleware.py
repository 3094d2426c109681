"""Site-wide middleware: request bodies above the configured size are refused."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    """Answer 413 to a body larger than MAX_REQUEST_BODY_BYTES, before it is read.

    Django reads at most CONTENT_LENGTH bytes (none without it), so the declared
    length is the whole body the application will ever see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats a malformed length as an empty body too
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return _too_large(request)
        return self.get_response(request)


def _too_large(request: HttpRequest) -> HttpResponse:
    limit_mb = settings.MAX_REQUEST_BODY_BYTES / (1024 * 1024)
    message = _("The request is too large: at most %(mb).0f MB is accepted.") % {
        "mb": limit_mb
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain")
