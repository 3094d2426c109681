from django.urls import path

from notifications import webhooks

urlpatterns = [
    path("twilio/status/", webhooks.sms_status_callback, name="sms-status-callback"),
    path("twilio/inbound/", webhooks.sms_inbound, name="sms-inbound"),
]
