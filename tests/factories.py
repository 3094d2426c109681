"""factory_boy factories. Deliveries are made through the services, never by setting
a status by hand, so a test's delivery has the history a real one would."""

from datetime import date, datetime, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from delivery import services
from delivery.models import Courier, Delivery, Office, Role, Staff, Status
from delivery.services import Actor

VILLAGE_MUARO = "13.03.04.2001"
PASSWORD = "secret-pass-123"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = "sijunjung"
    name = "Kantor Imigrasi Sijunjung"
    address = "Muaro Sijunjung"
    phone = "+6275420000"
    lat = -0.6636
    lon = 100.9433


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    password = factory.django.Password(PASSWORD)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    role = Role.DISPATCHER


class CourierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Courier

    staff = factory.SubFactory(StaffFactory, role=Role.COURIER)
    vehicle_kind = "motorbike"
    capacity = 30
    shift_start = time(8, 0)
    shift_end = time(16, 0)


_numbers = iter(range(1, 10**9))


def intake_data(**overrides) -> dict:
    """Raw intake data as the API or a CSV row would carry it."""
    n = next(_numbers)
    data = {
        "application_number": f"APP{n:07d}",
        "passport_number": f"E{1000000 + n}",
        "full_name": f"Pemohon {n}",
        "phone": f"+62812{10000000 + n}",
        "address": "Jl. Lintas Sumatera No. 5, Jorong Pasar",
        "village_code": VILLAGE_MUARO,
        "issued_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def make_delivery(
    status: str = Status.QUEUED,
    *,
    office: Office | None = None,
    courier: Courier | None = None,
    **overrides,
) -> Delivery:
    """A delivery brought to `status` through the life-cycle services."""
    from delivery.intake_input import IntakeInput

    office = office or OfficeFactory()
    form = IntakeInput(data=intake_data(**overrides))
    form.is_valid(raise_exception=True)
    delivery, _ = services.delivery_intake(
        office=office, actor=Actor.system(), data=form.validated_data
    )
    for step in _PATHS[status]:
        delivery = step(delivery, courier or _any_courier(office))
    return delivery


def _any_courier(office: Office) -> Courier:
    courier = Courier.objects.filter(staff__office=office).first()
    return courier or CourierFactory(staff__office=office)


def _schedule(delivery: Delivery, courier: Courier) -> Delivery:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time(9, 0)))
    return services.delivery_schedule(
        delivery=delivery,
        actor=Actor.system(),
        courier=courier,
        on_date=today,
        eta_start_at=start,
        eta_end_at=start + timedelta(hours=2),
    )


def _start(delivery: Delivery, courier: Courier) -> Delivery:
    return services.delivery_start(
        delivery=delivery, actor=Actor.courier(courier.staff.user)
    )


def _hold(delivery: Delivery, courier: Courier) -> Delivery:
    return services.delivery_hold(
        delivery=delivery, actor=Actor.system(), reason="test"
    )


def _fail(delivery: Delivery, courier: Courier) -> Delivery:
    return services.delivery_record_failed_attempt(
        delivery=delivery,
        actor=Actor.courier(courier.staff.user),
        reason_code=services.FailureReason.NOT_AT_HOME,
    )


def _deliver(delivery: Delivery, courier: Courier) -> Delivery:
    return services.delivery_mark_delivered(
        delivery=delivery, actor=Actor.courier(courier.staff.user)
    )


def _cancel(delivery: Delivery, courier: Courier) -> Delivery:
    return services.delivery_cancel(
        delivery=delivery, actor=Actor.system(), reason="test"
    )


_TO_OUT = [_schedule, _start]
_PATHS = {
    Status.QUEUED: [],
    Status.SCHEDULED: [_schedule],
    Status.OUT_FOR_DELIVERY: _TO_OUT,
    Status.DELIVERED: [*_TO_OUT, _deliver],
    Status.ON_HOLD: [_hold],
    Status.CANCELLED: [_cancel],
    Status.RETURNED_TO_OFFICE: [*_TO_OUT, _fail, *_TO_OUT, _fail, *_TO_OUT, _fail],
}


def issued_days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def today() -> date:
    return timezone.localdate()
