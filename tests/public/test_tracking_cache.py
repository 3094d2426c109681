"""The public tracking summary is cached, and a change of the delivery shows at once."""

import re
import uuid
from datetime import datetime, time, timedelta
from typing import ClassVar
from urllib.parse import urlparse

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delivery import tracking_codes
from delivery.models import Status
from delivery.services.courier_steps import delivery_start
from delivery.services.details import delivery_update_details
from delivery.services.transitions import Actor
from delivery.tracking_cache import tracking_cached
from public.summary import tracking_summary
from tests.factories import make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.TRACKING_CACHE_TTL_S = 60
    settings.TRACKING_RATE_LIMIT = 1000
    cache.clear()
    yield settings
    cache.clear()


def _status(client, delivery) -> str:
    return client.get(f"/api/track/{delivery.tracking_code}/").json()["status"]


def test_an_unchanged_delivery_is_looked_up_without_the_database(client, cached):
    delivery = make_delivery(Status.SCHEDULED)
    url = f"/api/track/{delivery.tracking_code}/"
    first = client.get(url).json()

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).json()

    assert again == first
    assert len(queries) == 0


def test_a_status_change_shows_on_the_next_look_up(
    client, cached, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.SCHEDULED)
    assert _status(client, delivery) == "scheduled"

    with django_capture_on_commit_callbacks(execute=True):
        delivery_start(
            delivery=delivery, actor=Actor.courier(delivery.courier.staff.user)
        )

    assert _status(client, delivery) == "out_for_delivery"


def test_a_window_changed_by_staff_shows_on_the_next_look_up(
    client, cached, django_capture_on_commit_callbacks, admin_user
):
    delivery = make_delivery(Status.QUEUED)
    url = f"/api/track/{delivery.tracking_code}/"
    assert client.get(url).json()["window_start"] is None

    with django_capture_on_commit_callbacks(execute=True):
        delivery_update_details(
            delivery_id=delivery.pk,
            actor=admin_user,
            changes={"window_start": "09:00", "window_end": "11:00"},
        )

    assert client.get(url).json()["window_start"] == "09:00:00"


def test_a_summary_read_before_a_change_is_never_served_after_it(
    client, cached, django_capture_on_commit_callbacks
):
    """A slow reader computes from the old rows while the change commits: what it
    stores afterwards goes under the old version, which nobody reads again."""
    delivery = make_delivery(Status.SCHEDULED)
    stale = tracking_summary(delivery)

    def slow_reader():
        with django_capture_on_commit_callbacks(execute=True):
            courier = delivery.courier.staff.user
            delivery_start(delivery=delivery, actor=Actor.courier(courier))
        return stale

    stored = tracking_cached(delivery.tracking_code, "id", slow_reader)

    assert stored.status == "scheduled"  # the slow reader's own answer
    assert _status(client, delivery) == "out_for_delivery"


def test_without_a_shared_cache_nothing_is_cached(client, settings):
    settings.TRACKING_CACHE_TTL_S = 0
    delivery = make_delivery(Status.SCHEDULED)
    url = f"/api/track/{delivery.tracking_code}/"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert len(queries) == 2  # the delivery, its events


@pytest.fixture
def redis_cache(settings):
    """The cache is a real Redis (the broker's server), under a prefix of its own."""
    url = urlparse(settings.CELERY_BROKER_URL)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{url.hostname}:{url.port or 6379}/14",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.TRACKING_CACHE_TTL_S = 60
    return settings


@pytest.mark.services
def test_on_redis_a_look_up_costs_no_query_and_the_budget_holds(
    client, redis_cache, django_capture_on_commit_callbacks
):
    redis_cache.TRACKING_RATE_LIMIT = 3
    redis_cache.TRACKING_RATE_WINDOW_S = 600
    delivery = make_delivery(Status.SCHEDULED)
    url = f"/api/track/{delivery.tracking_code}/"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        cached_answer = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_start(
            delivery=delivery, actor=Actor.courier(delivery.courier.staff.user)
        )
    changed = client.get(url)
    over_budget = client.get(url)

    window_keys = cache._cache.get_client().keys(
        f"{redis_cache.CACHES['default']['KEY_PREFIX']}*rate:*"
    )
    ttl = cache._cache.get_client().ttl(window_keys[0])
    assert len(queries) == 0
    assert cached_answer.json()["status"] == "scheduled"
    assert changed.json()["status"] == "out_for_delivery"
    assert over_budget.status_code == 429  # the fourth look-up in the window
    assert 0 < ttl <= 600  # the window's key expires with the window


def _page(client, delivery):
    return client.get(f"/t/{delivery.tracking_code}/")


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', _text(response))[1]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_cached_page_renders_no_template_and_costs_no_query(client, cached):
    delivery = make_delivery(Status.SCHEDULED)
    first = _page(client, delivery)

    with CaptureQueriesContext(connection) as queries:
        again = _page(client, delivery)

    assert again.status_code == 200
    assert again.templates == []  # the page's HTML came from the cache
    assert len(queries) == 0
    assert _text(again).replace(_token(again), "") == _text(first).replace(
        _token(first), ""
    )
    assert again["X-Robots-Tag"] == "noindex"
    assert again["Referrer-Policy"] == "same-origin"
    assert "no-store" in again["Cache-Control"]


def test_the_cached_page_shows_an_event_right_after_it_is_recorded(
    client, cached, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.SCHEDULED)
    assert "Dijadwalkan" in _text(_page(client, delivery))

    with django_capture_on_commit_callbacks(execute=True):
        delivery_start(
            delivery=delivery, actor=Actor.courier(delivery.courier.staff.user)
        )
    after = _text(_page(client, delivery))

    assert "<h1>Sedang diantar</h1>" in after
    assert "Minta hari lain" not in after  # the forms went with the new status


def test_each_visitor_of_a_cached_page_gets_a_token_its_forms_post_with(cached):
    delivery = make_delivery(Status.QUEUED)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = _page(first, delivery)
    second_page = _page(second, delivery)  # from the cache

    posted = second.post(
        f"/t/{delivery.tracking_code}/jam/",
        {"start": "10:00", "csrfmiddlewaretoken": _token(second_page)},
    )

    delivery.refresh_from_db()
    assert second_page.templates == []
    assert _token(first_page) != _token(second_page)
    assert "csrftoken" in second_page.cookies
    assert "Cookie" in second_page["Vary"]
    assert posted.status_code == 302
    assert delivery.window_start == time(10, 0)


def test_a_message_and_a_change_show_on_the_cached_page_after_a_request(
    client, cached, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.QUEUED)
    assert "Matikan SMS" in _text(_page(client, delivery))

    with django_capture_on_commit_callbacks(execute=True):  # as the request commits
        client.post(f"/t/{delivery.tracking_code}/sms/", {"sms": "off"})
    done = _text(_page(client, delivery))
    again = _text(_page(client, delivery))

    assert "Pilihan SMS Anda tersimpan" in done
    assert "Nyalakan SMS" in done
    assert "Pilihan SMS Anda tersimpan" not in again  # a message is shown once
    assert "Nyalakan SMS" in again


def test_the_cached_page_offers_the_days_after_today_after_midnight(client, cached):
    before_midnight = timezone.make_aware(datetime(2026, 12, 7, 23, 59, 50))  # Monday
    with time_machine.travel(before_midnight, tick=False):
        delivery = make_delivery(Status.QUEUED)
        monday = _text(_page(client, delivery))
    # Seconds later: well within the entry's lifetime (60 s), but another day.
    with time_machine.travel(before_midnight + timedelta(seconds=20), tick=False):
        tuesday = _text(_page(client, delivery))

    assert 'value="2026-12-08"' in monday
    assert 'value="2026-12-08"' not in tuesday  # tomorrow on Monday, today now
    assert 'value="2026-12-09"' in tuesday


class CountingConnection(redis.Connection):
    """A real connection to Redis that counts its round trips (a pipeline is one)."""

    sent: ClassVar[list[bytes]] = []

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent.append(command)
        return super().send_packed_command(command, check_health)


@pytest.mark.services
def test_on_redis_a_cached_look_up_is_one_round_trip_and_the_budget_holds(
    client, redis_cache
):
    redis_cache.CACHES["default"]["OPTIONS"] = {"connection_class": CountingConnection}
    redis_cache.TRACKING_RATE_LIMIT = 4
    real = make_delivery(Status.QUEUED)
    unknown = tracking_codes.generate()
    _page(client, real)  # the first look-ups fill the cache
    client.get(f"/api/track/{real.tracking_code}/")

    CountingConnection.sent.clear()
    page = _page(client, real)
    page_trips = len(CountingConnection.sent)
    CountingConnection.sent.clear()
    api = client.get(f"/api/track/{real.tracking_code}/")
    api_trips = len(CountingConnection.sent)
    throttled_real = _page(client, real)
    throttled_unknown = client.get(f"/t/{unknown}/")

    assert (page.status_code, api.status_code) == (200, 200)
    assert (page_trips, api_trips) == (1, 1)  # the count and the data together
    assert throttled_real.status_code == throttled_unknown.status_code == 429
    assert throttled_real.content == throttled_unknown.content
