"""Fixtures of the trust tests: the checkpoint key, a clean cache."""

import pytest
from django.core.cache import cache
from django.db import connection

from delivery.models import Role
from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def _trust_settings(settings):
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key-kept-outside-the-db"
    cache.clear()  # the public pages' rate limits
    yield
    cache.clear()


def attacker_sql(sql: str, params=()) -> None:
    """Raw SQL as an attacker with database superuser rights would run it: on
    PostgreSQL they first switch the append-only triggers off for their transaction
    (session_replication_role, superuser only; ends with the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def dispatcher(office):
    return StaffFactory(office=office, role=Role.DISPATCHER, user__is_staff=True)


@pytest.fixture
def auditor(office):
    return StaffFactory(office=office, role=Role.AUDITOR, user__is_staff=True)
