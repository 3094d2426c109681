"""Staff accounts: the role decides the Django group (admin permissions) and scoping."""

from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction

from delivery.models import Courier, Office, Role, Staff


@transaction.atomic
def staff_create(
    *,
    office: Office,
    role: str,
    username: str,
    password: str,
    full_name: str = "",
    phone: str = "",
) -> Staff:
    """Create a user with a role in an office (idempotent on the username)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        first, _, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
        user.set_password(password)
        # Dispatchers and auditors use the back office; couriers only their app.
        user.is_staff = role in (Role.DISPATCHER, Role.AUDITOR)
        user.save(update_fields=["first_name", "last_name", "password", "is_staff"])
    _set_group(user, role)
    staff, _ = Staff.objects.get_or_create(
        user=user, defaults={"office": office, "role": role, "phone": phone}
    )
    return staff


def courier_create(
    *,
    office: Office,
    username: str,
    password: str,
    full_name: str,
    phone: str,
    vehicle_kind: str = "motorbike",
    capacity: int = 40,
    shift: tuple[time, time] = (time(8, 0), time(16, 0)),
) -> Courier:
    """Create a courier account with vehicle and shift (idempotent on the username)."""
    staff = staff_create(
        office=office,
        role=Role.COURIER,
        username=username,
        password=password,
        full_name=full_name,
        phone=phone,
    )
    courier, _ = Courier.objects.get_or_create(
        staff=staff,
        defaults={
            "vehicle_kind": vehicle_kind,
            "capacity": capacity,
            "shift_start": shift[0],
            "shift_end": shift[1],
        },
    )
    return courier


def _set_group(user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
