"""What goes into the audit trail; it holds up at scale and under concurrency."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from delivery.models import AuditRecord, DeliveryEvent, Status
from delivery.services.audit import (
    audit_append,
    audit_checkpoint_record,
    audit_verify,
)
from routing.models import PlanStatus, RoutePlan
from routing.publishing import route_plan_publish
from tests.factories import PASSWORD, make_delivery


@pytest.mark.django_db
def test_staff_and_courier_logins_are_audited(dispatcher, courier):
    for user in (dispatcher.user, courier.staff.user):
        assert Client().login(username=user.username, password=PASSWORD)

    logins = AuditRecord.objects.filter(action="auth.login").order_by("id")

    assert [(r.subject, r.actor_kind) for r in logins] == [
        (f"user:{dispatcher.user.pk}", "staff"),
        (f"user:{courier.staff.user.pk}", "courier"),
    ]


@pytest.mark.django_db
def test_login_of_a_user_without_an_office_role_is_not_audited():
    from tests.factories import UserFactory

    user = UserFactory()

    assert Client().login(username=user.username, password=PASSWORD)
    assert not AuditRecord.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_publishing_a_plan_is_audited_with_its_publisher(office, dispatcher):
    plan = RoutePlan.objects.create(
        office=office, date=timezone.localdate(), status=PlanStatus.DRAFT
    )

    route_plan_publish(plan=plan, actor=dispatcher.user)

    record = AuditRecord.objects.get(action="plan.published")
    assert record.subject == f"plan:{plan.pk}"
    assert record.actor == dispatcher.user
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_chain_verifies_after_a_simulated_month(office, dispatcher, courier):
    start = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)  # 08.00 WIB
    # A day: 8 handed over, 2 back at the office after 3 attempts, 1 on hold.
    outcomes = [Status.DELIVERED] * 8 + [Status.RETURNED_TO_OFFICE] * 2
    outcomes.append(Status.ON_HOLD)
    with time_machine.travel(start, tick=True) as clock:
        for _day in range(30):
            Client().login(username=dispatcher.user.username, password=PASSWORD)
            for status in outcomes:
                make_delivery(status, office=office, courier=courier)
            audit_checkpoint_record()
            clock.shift(timedelta(days=1))

    started = time.perf_counter()
    result = audit_verify()
    elapsed = time.perf_counter() - started

    assert result.ok, result.problem
    assert result.records == AuditRecord.objects.count() > 2000
    assert result.events == DeliveryEvent.objects.count()
    assert result.checkpoints == 30
    print(f"verified {result.records} records in {elapsed:.2f} s")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_to_update_or_delete_events_and_records(office):
    make_delivery(Status.QUEUED, office=office)

    for statement in (
        "UPDATE delivery_auditrecord SET subject = 'x'",
        "DELETE FROM delivery_auditrecord",
        "UPDATE delivery_deliveryevent SET note = 'x'",
        "DELETE FROM delivery_deliveryevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_keep_one_unbroken_chain():
    errors: list[Exception] = []

    def append_many(worker: int) -> None:
        try:
            for n in range(25):
                audit_append(
                    action="test.append",
                    subject=f"worker:{worker}",
                    actor_kind="system",
                    data={"n": n},
                )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditRecord.objects.count() == 200
    assert audit_verify().ok
