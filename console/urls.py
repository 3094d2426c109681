"""The dispatcher console, mounted at /petugas/ (paths in Indonesian)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from console import (
    couriers,
    day,
    forecast,
    leftout,
    plan_publish,
    planning,
    trust_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("masuk/", views.ConsoleLoginView.as_view(), name="login"),
    path("keluar/", LogoutView.as_view(next_page="console:login"), name="logout"),
    path("antrean/aksi/", views.bulk, name="bulk"),
    path("antrean/<int:delivery_id>/lokasi/", views.location, name="location"),
    path("impor/", views.csv_import, name="import"),
    path("impor/<int:job_id>/", views.import_job, name="import-job"),
    path("rencana/", planning.plans, name="plans"),
    path("rencana/<int:plan_id>/", planning.plan_detail, name="plan"),
    path("rencana/<int:plan_id>/pindah/", planning.move_stop, name="move-stop"),
    path("rencana/<int:plan_id>/kembalikan/", planning.restore, name="restore"),
    path("rencana/<int:plan_id>/terbitkan/", plan_publish.publish, name="publish"),
    path("rencana/<int:plan_id>/perkiraan/", forecast.forecast, name="forecast"),
    path("rencana/<int:plan_id>/tertinggal/", leftout.act, name="left-out"),
    path(
        "rencana/<int:plan_id>/manifes/<int:route_id>/",
        planning.manifest,
        name="manifest",
    ),
    path("rencana/<int:plan_id>/ringkasan/", planning.summary, name="summary"),
    path("kurir/", couriers.couriers, name="couriers"),
    path(
        "kurir/<int:courier_id>/pangkalan/", couriers.courier_base, name="courier-base"
    ),
    path("hari/", day.day, name="day"),
    path("hari/rencana-ulang/", day.replan, name="replan"),
    path("angka/", day.figures, name="figures"),
    path("pengaduan/", trust_views.complaint_list, name="complaints"),
    path("pengaduan/<str:ticket>/", trust_views.complaint_detail, name="complaint"),
    path("audit/", trust_views.audit_browse, name="audit"),
]
