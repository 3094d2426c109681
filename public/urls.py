"""Public URLs for applicants and the public, mounted at the root inside
i18n_patterns (/en/ for English): tracking (namespace "tracking") and the trust
pages, i.e. survey, complaints and statistics (namespace "trust")."""

from django.urls import include, path

from public import trust_views, views
from public.api import TrackingApi

tracking_patterns = [
    path("lacak/", views.lookup, name="lookup"),
    path("t/<str:code>/", views.page, name="page"),
    path("t/<str:code>/hari-lain/", views.request_day, name="request-day"),
    path("t/<str:code>/jam/", views.request_window, name="request-window"),
    path("t/<str:code>/ambil-di-kantor/", views.hold, name="hold"),
    path("t/<str:code>/sms/", views.sms, name="sms"),
    path("api/track/<str:code>/", TrackingApi.as_view(), name="api"),
]

trust_patterns = [
    path("t/<str:code>/nilai/", trust_views.survey, name="survey"),
    path("t/<str:code>/nilai/<str:key>/", trust_views.survey, name="survey-key"),
    path(
        "t/<str:code>/pengaduan/",
        trust_views.delivery_complaint,
        name="delivery-complaint",
    ),
    path("pengaduan/", trust_views.general_complaint, name="complaint"),
    path(
        "pengaduan/<str:ticket>/",
        trust_views.complaint_status,
        name="complaint-status",
    ),
    path("statistik/", trust_views.public_figures, name="figures"),
]

urlpatterns = [
    path("", include((tracking_patterns, "tracking"))),
    path("", include((trust_patterns, "trust"))),
]
