"""Request hygiene before any view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL byte in the path or query string is a 400, not a database error.

    PostgreSQL text cannot hold NUL, so a NUL reaching a lookup (a complaint ticket in
    the URL, an admin list filter) would otherwise end in a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = _("The address holds a NUL character; it is not valid.")
            if request.path.startswith("/api/"):  # the API answers JSON, as documented
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(
                message, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
