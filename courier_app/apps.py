from django.apps import AppConfig


class CourierAppConfig(AppConfig):
    name = "courier_app"
