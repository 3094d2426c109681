from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.settings import api_settings

from config.bench import bare
from config.metrics import metrics
from delivery.api import TokenObtainApi
from delivery.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    # DRF's token view names its own parsers; it gets the safe ones of every endpoint.
    path(
        "api/auth/token/",
        TokenObtainApi.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES),
        name="api-token",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="api-docs",
    ),
    path("api/", include("delivery.urls")),
    path("api/", include("routing.urls")),
    path("hooks/", include("notifications.urls")),
]
if settings.BENCH_BARE_VIEW:
    # The ceiling bench/load.py compares the tracking look-up with; off in production.
    urlpatterns.append(path("bench/bare/", bare, name="bench-bare"))
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("kurir/", include("courier_app.urls")),
    path("petugas/", include("console.urls")),
    path("", include("public.urls")),
    prefix_default_language=False,
)
# A URL the API does not know (e.g. a letter where an id goes) still answers in JSON.
handler404 = "config.views.not_found"
