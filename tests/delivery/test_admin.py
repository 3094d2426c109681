"""The back office: every model's pages load; CSV upload reports row by row."""

import pytest
from django.apps import apps
from django.urls import reverse

from delivery.models import Delivery, DeliveryEvent, Role
from tests.delivery.test_intake import _csv, _mixed_rows
from tests.factories import OfficeFactory, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "", "pw-123-456")
    client.force_login(user)
    return client


def test_every_model_has_a_working_changelist_and_change_page(admin_client):
    make_delivery()
    for model in apps.get_app_config("delivery").get_models():
        url = reverse(f"admin:delivery_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            change = reverse(
                f"admin:delivery_{model._meta.model_name}_change", args=[obj.pk]
            )
            assert admin_client.get(change).status_code == 200, change


def test_events_cannot_be_changed_or_deleted_in_admin(admin_client):
    event = make_delivery().events.first()

    delete = reverse("admin:delivery_deliveryevent_delete", args=[event.pk])
    response = admin_client.post(delete, {"post": "yes"})

    assert response.status_code == 403
    assert DeliveryEvent.objects.filter(pk=event.pk).exists()


def test_csv_upload_in_admin_shows_the_report_and_imports_once(admin_client):
    office = OfficeFactory()
    url = reverse("admin:delivery_delivery_import_csv")
    content = _csv(_mixed_rows())

    for _ in range(2):
        upload = _upload(content)
        response = admin_client.post(url, {"office": office.pk, "file": upload})

    page = response.content.decode()
    assert response.status_code == 200
    assert Delivery.objects.count() == 3
    assert 'id="import-errors"' in page
    for row in (3, 5, 6, 7):  # every refused row is named by its number
        assert f"<td>{row}</td>" in page


def test_csv_upload_without_columns_shows_a_form_error(admin_client):
    office = OfficeFactory()
    url = reverse("admin:delivery_delivery_import_csv")

    response = admin_client.post(
        url, {"office": office.pk, "file": _upload(b"a,b\n1,2\n")}
    )

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_dispatcher_can_use_the_admin_but_a_courier_cannot(client):
    dispatcher = StaffFactory(role=Role.DISPATCHER)
    from delivery.services.staff import staff_create

    staff = staff_create(
        office=dispatcher.office, role=Role.DISPATCHER, username="d1", password="pw"
    )
    courier = staff_create(
        office=dispatcher.office, role=Role.COURIER, username="c1", password="pw"
    )
    url = reverse("admin:delivery_delivery_changelist")

    client.force_login(staff.user)
    assert client.get(url).status_code == 200
    client.force_login(courier.user)
    assert client.get(url).status_code == 302  # sent to the login page


def test_hold_action_goes_through_the_life_cycle(admin_client):
    delivery = make_delivery()
    url = reverse("admin:delivery_delivery_changelist")

    admin_client.post(
        url, {"action": "hold_selected", "_selected_action": [delivery.pk]}
    )

    delivery.refresh_from_db()
    assert delivery.status == "on_hold"
    assert delivery.events.last().to_status == "on_hold"


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("queue.csv", content, content_type="text/csv")


@pytest.mark.parametrize(
    "content",
    [
        b"application_number,full_name\n" + b"A" * 140_000 + b",Budi\n",
        b"application_number,full_name\n" + bytes(range(256)) * 20,
    ],
    ids=["field-over-131072", "binary"],
)
def test_csv_upload_of_a_huge_field_or_binary_is_a_400_with_a_message(
    admin_client, content
):
    office = OfficeFactory()
    url = reverse("admin:delivery_delivery_import_csv")

    response = admin_client.post(url, {"office": office.pk, "file": _upload(content)})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert Delivery.objects.count() == 0
