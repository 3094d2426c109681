"""The sign-in throttle (django-axes) on every login path, and its audit record."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from delivery.models import AuditRecord, Role
from tests.factories import PASSWORD, CourierFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
LIMIT = 5


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT


def _console_user():
    return StaffFactory(role=Role.DISPATCHER).user


def _courier_user():
    return CourierFactory().staff.user


def _admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


# (login path, user maker, how a success answers)
PATHS = [
    ("/petugas/masuk/", _console_user, 302),
    ("/kurir/masuk/", _courier_user, 302),
    ("/admin/login/", _admin_user, 302),
    ("/api/auth/token/", _console_user, 200),
]


def _sign_in(client: Client, path: str, username: str, password: str, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(("path", "make_user", "ok"), PATHS)
def test_the_right_password_is_refused_after_too_many_wrong_ones(path, make_user, ok):
    user, client = make_user(), Client()
    assert _sign_in(client, path, user.username, PASSWORD).status_code == ok
    client = Client()

    wrong = [_sign_in(client, path, user.username, "wrong") for _ in range(LIMIT)]
    right = _sign_in(client, path, user.username, PASSWORD)

    assert [r.status_code for r in wrong[:-1]] == [200 if ok == 302 else 400] * (
        LIMIT - 1
    )
    assert wrong[-1].status_code == 429
    assert right.status_code == 429
    assert "Terlalu banyak" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert b"token" not in right.content


def test_the_api_answers_a_lockout_in_json():
    user, client = _console_user(), Client()
    for _ in range(LIMIT):
        _sign_in(client, "/api/auth/token/", user.username, "wrong")

    response = _sign_in(client, "/api/auth/token/", user.username, PASSWORD)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Terlalu banyak upaya masuk")


def test_another_account_from_the_same_address_is_throttled_too():
    first, second = _courier_user(), _courier_user()
    client = Client()
    for _ in range(LIMIT):
        _sign_in(client, "/kurir/masuk/", first.username, "wrong")

    same_address = _sign_in(Client(), "/kurir/masuk/", second.username, PASSWORD)
    elsewhere = _sign_in(
        Client(), "/kurir/masuk/", second.username, PASSWORD, REMOTE_ADDR="10.9.9.9"
    )

    assert same_address.status_code == 429
    assert elsewhere.status_code == 302


def test_an_account_guessed_from_many_addresses_is_locked():
    user = _console_user()
    for i in range(LIMIT):
        _sign_in(
            Client(), "/petugas/masuk/", user.username, "x", REMOTE_ADDR=f"10.0.0.{i}"
        )

    response = _sign_in(
        Client(), "/petugas/masuk/", user.username, PASSWORD, REMOTE_ADDR="10.1.1.1"
    )

    assert response.status_code == 429


def test_a_lockout_is_audited_once_without_the_typed_name():
    user = _console_user()
    client = Client()
    for _ in range(LIMIT + 3):
        _sign_in(client, "/petugas/masuk/", user.username, "wrong")
    for _ in range(LIMIT):
        _sign_in(Client(), "/admin/login/", "my-password-typed-here", "x",
                 REMOTE_ADDR="10.2.2.2")  # fmt: skip

    records = AuditRecord.objects.filter(action="auth.locked_out").order_by("id")

    assert [(r.subject, r.actor_kind) for r in records] == [
        (f"user:{user.pk}", "system"),
        ("user:unknown", "system"),
    ]
    assert records[0].data == {
        "ip_address": "127.0.0.1",
        "path": "/petugas/masuk/",
        "failures": LIMIT,
    }
    assert "my-password-typed-here" not in str(records[1].data)


def test_a_lock_lifts_after_the_cool_off_and_the_next_lasts_twice_as_long(settings):
    settings.LOGIN_LOCKOUT_MINUTES = 15
    user, start = _courier_user(), timezone.now()

    def attempt(minutes: float, password: str) -> int:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            return _sign_in(
                Client(), "/kurir/masuk/", user.username, password
            ).status_code

    first = [attempt(0, "wrong") for _ in range(LIMIT)]
    locked = attempt(14, PASSWORD)
    lifted = attempt(16, PASSWORD)
    second = [attempt(17, "wrong") for _ in range(LIMIT)]
    still_locked = attempt(17 + 16, PASSWORD)
    lifted_again = attempt(17 + 31, PASSWORD)

    assert (first[-1], locked, lifted) == (429, 429, 302)
    assert (second[-1], still_locked, lifted_again) == (429, 429, 302)
    assert AuditRecord.objects.filter(action="auth.locked_out").count() == 2
