"""Public trust pages (survey, complaints, figures) and their staff side."""

from django.urls import path

from delivery.trust import public_views, staff_views

app_name = "trust"
urlpatterns = [
    path("t/<str:code>/nilai/", public_views.survey, name="survey"),
    path(
        "t/<str:code>/pengaduan/",
        public_views.delivery_complaint,
        name="delivery-complaint",
    ),
    path("pengaduan/", public_views.general_complaint, name="complaint"),
    path(
        "pengaduan/<str:ticket>/",
        public_views.complaint_status,
        name="complaint-status",
    ),
    path("statistik/", public_views.public_figures, name="figures"),
    path("petugas/pengaduan/", staff_views.complaint_list, name="staff-complaints"),
    path(
        "petugas/pengaduan/<str:ticket>/",
        staff_views.complaint_detail,
        name="staff-complaint",
    ),
    path("petugas/audit/", staff_views.audit_browse, name="audit"),
]
