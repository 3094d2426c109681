from django.urls import path

from delivery import api

app_name = "delivery"
urlpatterns = [
    path("deliveries/", api.DeliveryListApi.as_view(), name="list"),
    path("deliveries/intake/", api.DeliveryIntakeApi.as_view(), name="intake"),
    path(
        "deliveries/intake/batch/",
        api.DeliveryIntakeBatchApi.as_view(),
        name="intake-batch",
    ),
    path(
        "deliveries/<int:delivery_id>/", api.DeliveryDetailApi.as_view(), name="detail"
    ),
    path(
        "deliveries/<int:delivery_id>/hold/", api.DeliveryHoldApi.as_view(), name="hold"
    ),
    path(
        "deliveries/<int:delivery_id>/release/",
        api.DeliveryReleaseApi.as_view(),
        name="release",
    ),
    path(
        "deliveries/<int:delivery_id>/collected/",
        api.DeliveryCollectedApi.as_view(),
        name="collected",
    ),
    path(
        "deliveries/<int:delivery_id>/cancel/",
        api.DeliveryCancelApi.as_view(),
        name="cancel",
    ),
    path(
        "deliveries/<int:delivery_id>/handover/reissue/",
        api.DeliveryHandoverReissueApi.as_view(),
        name="handover-reissue",
    ),
    path(
        "deliveries/<int:delivery_id>/handover/fail/",
        api.DeliveryHandoverFailApi.as_view(),
        name="handover-fail",
    ),
]
