"""Site-wide error pages: the API answers in JSON, as its schema says, not in HTML."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: {"detail": ...} under /api/ (e.g. /api/deliveries/abc/), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
