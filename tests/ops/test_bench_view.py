"""The bare JSON view of bench/load.py exists only where BENCH_BARE_VIEW turns it on."""

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def urls_with(settings):
    """Rebuild the URL configuration under a value of BENCH_BARE_VIEW."""

    def build(enabled: bool) -> None:
        settings.BENCH_BARE_VIEW = enabled
        importlib.reload(config.urls)
        clear_url_caches()

    yield build
    settings.BENCH_BARE_VIEW = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_bare_view_is_absent_by_default(urls_with):
    urls_with(False)

    answer = Client().get("/bench/bare/")

    assert answer.status_code == 404


def test_bare_view_answers_when_the_setting_is_on(urls_with):
    urls_with(True)

    answer = Client().get("/bench/bare/")

    assert answer.status_code == 200
    assert answer.json() == {"ok": True}
