from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from delivery.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"
    ),
    path("api/", include("delivery.urls")),
    path("api/", include("routing.urls")),
    path("hooks/", include("notifications.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("kurir/", include("courier_app.urls")),
    path("petugas/", include("console.urls")),
    path("", include("public.urls")),
    prefix_default_language=False,
)
# A URL the API does not know (e.g. a letter where an id goes) still answers in JSON.
handler404 = "config.views.not_found"
