"""Fixtures of the console tests: an office, a dispatcher signed in, two couriers."""

import pytest

from delivery.models import Role
from tests.factories import PASSWORD, CourierFactory, StaffFactory


@pytest.fixture
def dispatcher(office):
    return StaffFactory(office=office, role=Role.DISPATCHER, user__username="petugas")


@pytest.fixture
def couriers(office):
    return [
        CourierFactory(staff__office=office, staff__user__username=f"kurir{i}")
        for i in (1, 2)
    ]


@pytest.fixture
def console(client, dispatcher):
    """A test client signed in as the office's dispatcher."""
    client.login(username=dispatcher.user.username, password=PASSWORD)
    return client
