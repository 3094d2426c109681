"""The public tracking summary is cached, and a change of the delivery shows at once."""

import uuid
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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

    stored = tracking_cached(delivery.pk, "id", slow_reader)

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
