"""The API fuzzed against its own OpenAPI schema (schemathesis), as each role.

Every operation of /api/schema/ gets generated requests, valid and invalid (the
coverage cases of schemathesis and a few Hypothesis examples), sent with token auth
as a dispatcher and, in turn, as a courier, an auditor or an anonymous caller. No
answer may be a server error, and every answer must be one the schema describes: its
status code, content type and body. Runs are derandomized and bounded, so CI sees
the same cases every time, in well under 90 s.
"""

import itertools
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from delivery.models import Role, Status
from routing.models import RoutePlan
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROLES = ("dispatcher", "courier", "auditor", "anonymous")
OTHER_ROLES = itertools.cycle(ROLES[1:])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 12

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Ids of rows that exist, so that half the generated ids reach a real object.
KNOWN: dict[str, int] = {}


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Point an even generated id at a row that exists (odd ones stay random)."""
    if not path_parameters:
        return path_parameters
    for name, value in list(path_parameters.items()):
        if name in KNOWN and isinstance(value, int) and value % 2 == 0:
            path_parameters[name] = KNOWN[name]
    return path_parameters


@pytest.fixture(autouse=True)
def _one_connection():
    """Keep the test's database connection across requests, as Django's test client
    does: the WSGI handler would close it after each one, and the test's data with it.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(settings) -> dict[str, str | None]:
    """A token per role in one office with a few deliveries and a plan."""
    settings.HANDOVER_CODE_PEPPER = "fuzz-pepper"  # as in production: codes can go out
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office)
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    make_delivery(Status.QUEUED, office=office)
    plan = RoutePlan.objects.create(office=office, date=delivery.scheduled_date)
    KNOWN.update(delivery_id=delivery.pk, plan_id=plan.pk, code=0)
    KNOWN.pop("code")
    users = {
        "dispatcher": StaffFactory(office=office, role=Role.DISPATCHER).user,
        "courier": courier.staff.user,
        "auditor": StaffFactory(office=office, role=Role.AUDITOR).user,
    }
    found: dict[str, str | None] = {
        role: Token.objects.create(user=user).key for role, user in users.items()
    }
    return found | {"anonymous": None}


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, tokens):
    # Each case goes out as the dispatcher (who may do everything, so the input itself
    # is judged) and as one other role in turn: every role meets every operation many
    # times, at half the requests of sending each case as all four.
    for role in ("dispatcher", next(OTHER_ROLES)):
        token = tokens[role]
        headers = {"Authorization": f"Token {token}"} if token else {}
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as failure:
            failure.add_note(f"(sent as {role})")
            raise
