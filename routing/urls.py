from django.urls import path

from routing import api

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
        "plans/<int:plan_id>/publish/",
        api.PlanPublishApi.as_view(),
        name="plan-publish",
    ),
]
