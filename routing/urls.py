from django.urls import path

from routing import api, forecast_api, plan_edit_api

app_name = "routing"
urlpatterns = [
    path("plans/", api.PlanStartApi.as_view(), name="plan-start"),
    path("plans/replan/", api.PlanReplanApi.as_view(), name="plan-replan"),
    path("plans/<int:plan_id>/", api.PlanDetailApi.as_view(), name="plan-detail"),
    path(
        "plans/<int:plan_id>/geojson/",
        api.PlanGeoJsonApi.as_view(),
        name="plan-geojson",
    ),
    path(
        "plans/<int:plan_id>/forecast/",
        forecast_api.PlanForecastApi.as_view(),
        name="plan-forecast",
    ),
    path(
        "plans/<int:plan_id>/publish/",
        api.PlanPublishApi.as_view(),
        name="plan-publish",
    ),
    path(
        "plans/<int:plan_id>/publish/preview/",
        plan_edit_api.PlanPublishPreviewApi.as_view(),
        name="plan-publish-preview",
    ),
    path(
        "plans/<int:plan_id>/move-stop/",
        plan_edit_api.PlanMoveStopApi.as_view(),
        name="plan-move-stop",
    ),
    path(
        "plans/<int:plan_id>/restore/",
        plan_edit_api.PlanRestoreApi.as_view(),
        name="plan-restore",
    ),
]
