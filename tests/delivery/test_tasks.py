"""Celery tasks of the delivery domain: eager in unit tests, then a real worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery.models import Delivery, Document, Status
from delivery.tasks import deliveries_cancel_uncollected_task
from tests.factories import make_delivery
from tests.helpers import wait_until


def _overdue_delivery() -> Delivery:
    delivery = make_delivery(Status.QUEUED)
    Document.objects.filter(pk=delivery.document_id).update(
        issued_on=timezone.localdate() - timedelta(days=40)
    )
    return delivery


@pytest.mark.django_db
def test_cancel_uncollected_task_runs_twice_with_one_effect():
    delivery = _overdue_delivery()

    first = deliveries_cancel_uncollected_task.delay().get()
    second = deliveries_cancel_uncollected_task.delay().get()

    assert (first, second) == (1, 0)
    assert delivery.events.filter(to_status=Status.CANCELLED).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_over_redis_runs_the_task_on_postgres(celery_worker):
    delivery = _overdue_delivery()

    deliveries_cancel_uncollected_task.delay()

    def cancelled() -> bool:
        return Delivery.objects.get(pk=delivery.pk).status == Status.CANCELLED

    assert wait_until(cancelled, timeout=60)
    assert celery_worker.poll() is None  # the worker is a separate, live process
