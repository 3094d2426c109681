"""Seed bench/load.py's day in seconds: couriers, their deliveries, a published plan.

Run in the stack's environment (bench/load.py does it); prints JSON on stdout: per
courier a logged-in session key and its deliveries in stop order, and every tracking
code. Rows are made with bulk_create, not through the services: the services would
hash 300 passwords, send thousands of SMS and solve a plan before the first request,
and none of that is what the bench measures. The rows are the ones those services
make (a published plan's routes, stops and scheduled deliveries with their events);
the audit chain starts empty. Sessions are made the way django.contrib.auth's login()
stores them, which spares 300 password checks (and the sign-in throttle).
"""

import argparse
import json
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from delivery import tracking_codes  # noqa: E402
from delivery.models import (  # noqa: E402
    ActorKind,
    Applicant,
    Courier,
    Delivery,
    DeliveryEvent,
    Document,
    EventKind,
    LocationQuality,
    Office,
    Role,
    Staff,
    Status,
)
from routing.models import (  # noqa: E402
    PlannedDelivery,
    PlanStatus,
    Route,
    RoutePlan,
    Stop,
)

VILLAGE = "13.03.04.2001"  # Muaro Sijunjung, as in deploy/prodcheck/day.py
OFFICE_AT = (-0.6636, 100.9433)
BACKEND = "django.contrib.auth.backends.ModelBackend"


def office_create() -> Office:
    return Office.objects.create(
        code="bench", name="Kantor Imigrasi (bench)", address="Muaro Sijunjung",
        phone="+6275420000", lat=OFFICE_AT[0], lon=OFFICE_AT[1],
    )  # fmt: skip


def couriers_create(office: Office, count: int) -> list[Courier]:
    """Users with one shared, unusable-to-guess password hash (hashed once)."""
    password = make_password(os.urandom(16).hex())
    users = User.objects.bulk_create(
        User(username=f"bench{n:03d}", first_name=f"Kurir {n}", password=password)
        for n in range(count)
    )
    group, _ = Group.objects.get_or_create(name=Role.COURIER)
    group.user_set.add(*users)
    staff = Staff.objects.bulk_create(
        Staff(user=u, office=office, role=Role.COURIER, phone=f"+62812660{n:05d}")
        for n, u in enumerate(users)
    )
    return Courier.objects.bulk_create(Courier(staff=s, capacity=40) for s in staff)


def deliveries_create(
    office: Office, couriers: list[Courier], stops: int, today: date
) -> list[Delivery]:
    n_all = len(couriers) * stops
    applicants = Applicant.objects.bulk_create(
        Applicant(full_name=f"Pemohon Bench {n}", phone=f"+62813{n:08d}")
        for n in range(n_all)
    )
    documents = Document.objects.bulk_create(
        Document(
            office=office,
            applicant=a,
            application_number=f"BENCH-{n}",
            passport_number=f"B{n:07d}",
            issued_on=today - timedelta(days=3),
        )  # fmt: skip
        for n, a in enumerate(applicants)
    )
    now = timezone.now()
    midnight = datetime.min.time()
    eta = datetime.combine(today, midnight, tzinfo=timezone.get_current_timezone())
    return Delivery.objects.bulk_create(
        Delivery(
            office=office,
            document=doc,
            tracking_code=tracking_codes.generate(),
            status=Status.SCHEDULED,
            status_changed_at=now,
            address_line=f"Jl. Bench No. {n}",
            village_code=VILLAGE,
            lat=OFFICE_AT[0] + (n % 97) * 0.001,
            lon=OFFICE_AT[1] + (n % 89) * 0.001,
            location_quality=LocationQuality.PIN,
            location_source="manual",
            courier=couriers[n // stops],
            scheduled_date=today,
            eta_start_at=eta + timedelta(hours=8),
            eta_end_at=eta + timedelta(hours=10),
        )  # fmt: skip
        for n, doc in enumerate(documents)
    )


def events_create(deliveries: list[Delivery]) -> None:
    """The history intake and publishing would have written: received to scheduled."""
    now = timezone.now()
    steps = [("", Status.RECEIVED), (Status.RECEIVED, Status.QUEUED),
             (Status.QUEUED, Status.SCHEDULED)]  # fmt: skip
    DeliveryEvent.objects.bulk_create(
        DeliveryEvent(
            delivery=d,
            kind=EventKind.TRANSITION,
            from_status=a,
            to_status=b,
            actor_kind=ActorKind.SYSTEM,
            at=now - timedelta(minutes=3 - i),
        )  # fmt: skip
        for d in deliveries
        for i, (a, b) in enumerate(steps)
    )


def plan_publish(
    office: Office, couriers: list[Courier], deliveries: list[Delivery], stops: int
) -> None:
    """A published plan: one route per courier, one stop per delivery, in order."""
    now = timezone.now()
    plan = RoutePlan.objects.create(
        office=office, date=timezone.localdate(), status=PlanStatus.PUBLISHED,
        progress=1.0, solved_at=now, published_at=now,
    )  # fmt: skip
    routes = Route.objects.bulk_create(Route(plan=plan, courier=c) for c in couriers)
    planned = Stop.objects.bulk_create(
        Stop(
            route=routes[n // stops],
            sequence=n % stops + 1,
            lat=d.lat,
            lon=d.lon,
            arrival_at=d.eta_start_at,
            service_start_at=d.eta_start_at,
            eta_start_at=d.eta_start_at,
            eta_end_at=d.eta_end_at,
        )  # fmt: skip
        for n, d in enumerate(deliveries)
    )
    PlannedDelivery.objects.bulk_create(
        PlannedDelivery(plan=plan, delivery=d, stop=s)
        for d, s in zip(deliveries, planned, strict=True)
    )


def session_for(user: User) -> str:
    """A session as login() leaves it, for the courier app's cookie."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key or ""


@transaction.atomic
def seed(couriers_n: int, stops: int) -> dict:
    today = timezone.localdate()
    office = office_create()
    couriers = couriers_create(office, couriers_n)
    deliveries = deliveries_create(office, couriers, stops, today)
    events_create(deliveries)
    plan_publish(office, couriers, deliveries, stops)
    return {
        "couriers": [
            {
                "session": session_for(c.staff.user),
                "deliveries": [d.pk for d in deliveries[n * stops : (n + 1) * stops]],
            }
            for n, c in enumerate(couriers)
        ],
        "codes": [d.tracking_code for d in deliveries],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couriers", type=int, default=300)
    parser.add_argument("--stops", type=int, default=6)
    args = parser.parse_args()
    json.dump(seed(args.couriers, args.stops), sys.stdout)


if __name__ == "__main__":
    main()
