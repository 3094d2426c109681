"""Behind nginx the client's address comes from X-Forwarded-For, from nginx only."""

import pytest
from django.test import Client

from delivery.models import Status
from tests.factories import make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_proxy(settings):
    import ipaddress

    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "seen"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # client-set first
        ("127.0.0.1", "203.0.113.7, 127.0.0.1", "203.0.113.7"),
        ("192.0.2.50", "203.0.113.7", "192.0.2.50"),  # not our proxy: ignored
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_is_believed_only_from_the_proxy(
    behind_proxy, peer, forwarded, seen
):
    from config.proxy import client_address

    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}

    assert client_address(meta) == seen


def test_applicants_behind_the_proxy_do_not_share_one_rate_limit(
    behind_proxy, settings
):
    settings.TRACKING_RATE_LIMIT = 2
    code = make_delivery(Status.QUEUED).tracking_code
    client = Client(REMOTE_ADDR="127.0.0.1")

    first = [
        client.get(f"/t/{code}/", HTTP_X_FORWARDED_FOR="203.0.113.7") for _ in range(3)
    ]
    other = client.get(f"/t/{code}/", HTTP_X_FORWARDED_FOR="203.0.113.8")
    spoofed = Client(REMOTE_ADDR="192.0.2.50")
    direct = [
        spoofed.get(f"/t/{code}/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}") for i in range(3)
    ]

    assert [r.status_code for r in first] == [200, 200, 429]
    assert other.status_code == 200
    assert [r.status_code for r in direct] == [200, 200, 429]
