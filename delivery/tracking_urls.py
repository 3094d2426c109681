"""Public tracking URLs, mounted at the root inside i18n_patterns (/en/ for English)."""

from django.urls import path

from delivery.tracking import views
from delivery.tracking.api import TrackingApi

app_name = "tracking"
urlpatterns = [
    path("lacak/", views.lookup, name="lookup"),
    path("t/<str:code>/", views.page, name="page"),
    path("t/<str:code>/hari-lain/", views.request_day, name="request-day"),
    path("t/<str:code>/jam/", views.request_window, name="request-window"),
    path("t/<str:code>/ambil-di-kantor/", views.hold, name="hold"),
    path("t/<str:code>/sms/", views.sms, name="sms"),
    path("api/track/<str:code>/", TrackingApi.as_view(), name="api"),
]
