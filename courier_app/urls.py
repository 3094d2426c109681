from django.contrib.auth import views as auth_views
from django.urls import path

from courier_app import views

app_name = "courier"
urlpatterns = [
    path("", views.today_route, name="today_route"),
    path("masuk/", views.CourierLoginView.as_view(), name="login"),
    path(
        "keluar/",
        auth_views.LogoutView.as_view(next_page="courier:login"),
        name="logout",
    ),
    path("stop/<int:delivery_id>/", views.stop_detail, name="stop"),
    path("aksi/", views.courier_action, name="action"),
    path("ringkasan/", views.day_summary, name="summary"),
    path("foto/<int:proof_id>/", views.proof_photo, name="proof_photo"),
    path("sw.js", views.service_worker, name="service_worker"),
]
