from django.apps import AppConfig


class CourierAppConfig(AppConfig):
    name = "courier_app"

    def ready(self) -> None:
        from courier_app import checks  # noqa: F401  (registers the deploy check)
