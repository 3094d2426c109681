from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Applicants' and the public's pages; stores nothing of its own."""

    name = "public"
