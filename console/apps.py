from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Dispatchers' and auditors' pages; stores nothing of its own."""

    name = "console"
