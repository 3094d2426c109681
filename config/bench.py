"""A bare Django JSON view for bench/load.py: the ceiling a real view is compared with.

Mounted at /bench/bare/ only when BENCH_BARE_VIEW is on (config/urls.py), so that a
production installation does not have it. It runs through the whole middleware stack
and reads nothing.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def bare(request: HttpRequest) -> JsonResponse:
    """Answer {"ok": true}: Django's cost of a request, without any of ours."""
    return JsonResponse({"ok": True})
