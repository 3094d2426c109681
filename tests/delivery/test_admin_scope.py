"""The back office is scoped to the caller's office, and importing needs a dispatcher.

Office B's rows are made with recognisable words; staff of office A, even with every
view permission, must never read one of them anywhere in the admin.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from delivery.models import AuditRecord, Delivery, Role, Status
from delivery.services.complaints import complaint_file
from delivery.services.staff import staff_create
from routing.models import PlannedDelivery, Route, RoutePlan, Stop
from tests.delivery.test_admin import _upload
from tests.delivery.test_intake import _csv
from tests.factories import (
    CourierFactory,
    OfficeFactory,
    intake_data,
    make_delivery,
)

pytestmark = pytest.mark.django_db
APPS = ("delivery", "routing", "notifications")


@pytest.fixture
def office_a():
    return OfficeFactory()


@pytest.fixture
def office_b():
    return OfficeFactory(code="rahasia-beta", name="Kantor Rahasia Beta")


@pytest.fixture
def theirs(office_b):
    """Office B's delivery handed over, with its trail, a complaint and a plan."""
    courier = CourierFactory(
        staff__office=office_b, staff__user__username="kurir-rahasia"
    )
    delivery = make_delivery(
        Status.DELIVERED,
        office=office_b,
        courier=courier,
        full_name="Pemohon Rahasia",
        passport_number="X9876543",
        phone="+6281299887766",
    )
    complaint_file(text="Keluhan rahasia", delivery=delivery)
    _plan(office_b, courier, delivery)
    return delivery


def _plan(office, courier, delivery) -> None:
    now = timezone.now()
    plan = RoutePlan.objects.create(office=office, date=timezone.localdate())
    route = Route.objects.create(plan=plan, courier=courier)
    stop = Stop.objects.create(
        route=route,
        sequence=1,
        lat=-0.66,
        lon=100.94,
        arrival_at=now,
        service_start_at=now,
        eta_start_at=now,
        eta_end_at=now + timedelta(hours=1),
    )
    PlannedDelivery.objects.create(plan=plan, delivery=delivery, stop=stop)


def _secrets(delivery: Delivery) -> list[str]:
    return [
        "Pemohon Rahasia",
        "X9876543",
        "99887766",
        delivery.tracking_code_display,
        "Kantor Rahasia Beta",
        "rahasia-beta",
        "kurir-rahasia",
        delivery.complaints.get().ticket,
    ]


def _staff_seeing_everything(office, role: str):
    """Staff of an office with every view permission of the back office."""
    staff = staff_create(office=office, role=role, username=f"{role}-a", password="pw")
    views = Permission.objects.filter(
        content_type__app_label__in=APPS, codename__startswith="view_"
    )
    staff.user.user_permissions.add(*views)
    return staff.user


def _admin_pages():
    for model in admin.site._registry:
        if model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        for pk in model._default_manager.values_list("pk", flat=True):
            yield reverse("admin:{}_{}_change".format(*info), args=[pk])


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DISPATCHER])
def test_staff_never_read_another_offices_rows_in_the_admin(
    role, office_a, theirs, client
):
    make_delivery(Status.QUEUED, office=office_a)
    client.force_login(_staff_seeing_everything(office_a, role))
    secrets = _secrets(theirs)

    leaks = []
    for url in _admin_pages():
        page = client.get(url)
        assert page.status_code in (200, 302, 403), url
        leaks += [(url, s) for s in secrets if s in page.content.decode()]

    assert leaks == []


def test_staff_see_their_own_offices_deliveries(office_a, theirs, client):
    mine = make_delivery(Status.QUEUED, office=office_a, full_name="Pemohon Kita")
    client.force_login(_staff_seeing_everything(office_a, Role.AUDITOR))

    deliveries = client.get(reverse("admin:delivery_delivery_changelist"))
    applicants = client.get(reverse("admin:delivery_applicant_changelist"))

    assert mine.tracking_code_display in deliveries.content.decode()
    assert "Pemohon Kita" in applicants.content.decode()


def test_a_dispatcher_cannot_change_another_offices_delivery(office_a, theirs, client):
    dispatcher = staff_create(
        office=office_a, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    queued = make_delivery(Status.QUEUED, office=theirs.office)
    client.force_login(dispatcher.user)
    change = reverse("admin:delivery_delivery_change", args=[queued.pk])
    changelist = reverse("admin:delivery_delivery_changelist")

    edit = client.post(change, {"address_line": "Dialihkan", "priority": 0})
    hold = client.post(
        changelist, {"action": "hold_selected", "_selected_action": [queued.pk]}
    )

    queued.refresh_from_db()
    assert edit.status_code == 302  # "does not exist", back to the index
    assert hold.status_code == 302
    assert queued.address_line != "Dialihkan"
    assert queued.status == Status.QUEUED


def test_a_dispatchers_csv_import_goes_to_their_own_office(office_a, office_b, client):
    dispatcher = staff_create(
        office=office_a, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    client.force_login(dispatcher.user)
    url = reverse("admin:delivery_delivery_import_csv")

    form = client.get(url)
    response = client.post(
        url, {"office": office_b.pk, "file": _upload(_csv([intake_data()]))}
    )

    assert response.status_code == 200
    assert 'name="office"' not in form.content.decode()
    assert Delivery.objects.filter(office=office_a).count() == 1
    assert not Delivery.objects.filter(office=office_b).exists()


def test_an_auditor_may_not_import_deliveries(office_a, client):
    auditor = staff_create(
        office=office_a, role=Role.AUDITOR, username="a-a", password="pw"
    )
    auditor.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_delivery", "view_document"])
    )
    client.force_login(auditor.user)
    url = reverse("admin:delivery_delivery_import_csv")

    page = client.get(url)
    post = client.post(url, {"file": _upload(_csv([intake_data()]))})
    changelist = client.get(reverse("admin:delivery_delivery_changelist"))

    assert page.status_code == 403
    assert post.status_code == 403
    assert not Delivery.objects.exists()
    assert url not in changelist.content.decode()


def test_an_admin_list_filter_with_a_nul_is_a_400(office_a, client):
    dispatcher = staff_create(
        office=office_a, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    client.force_login(dispatcher.user)
    url = reverse("admin:delivery_delivery_changelist")

    response = client.get(url + "?status=%00")

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_contact_change_in_the_admin_is_audited(office_a, client):
    delivery = make_delivery(Status.QUEUED, office=office_a)
    applicant = delivery.document.applicant
    dispatcher = staff_create(
        office=office_a, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    client.force_login(dispatcher.user)
    url = reverse("admin:delivery_applicant_change", args=[applicant.pk])

    response = client.post(
        url,
        {"full_name": applicant.full_name, "phone": "0812 7777 6543", "language": "id"},
    )

    applicant.refresh_from_db()
    record = AuditRecord.objects.get(action="applicant.contact_changed")
    assert response.status_code == 302
    assert applicant.phone == "+6281277776543"
    assert record.actor == dispatcher.user
    assert record.subject == f"applicant:{applicant.pk}"
    assert record.data["new_phone"] == "+6281****543"  # masked, old and new
    assert "7777" not in str(record.data)


def test_contact_change_in_the_admin_is_refused_while_out_for_delivery(
    office_a, client
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office_a)
    applicant = delivery.document.applicant
    old_phone = applicant.phone
    dispatcher = staff_create(
        office=office_a, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    client.force_login(dispatcher.user)
    url = reverse("admin:delivery_applicant_change", args=[applicant.pk])

    response = client.post(
        url,
        {"full_name": applicant.full_name, "phone": "081277776543", "language": "id"},
    )

    applicant.refresh_from_db()
    assert response.status_code == 200  # the form again, with the error
    assert "tidak dapat diubah selama paspor" in response.content.decode()
    assert applicant.phone == old_phone
    assert not AuditRecord.objects.filter(action="applicant.contact_changed").exists()


def _delivery_form(delivery, **changes):
    """The admin change form's fields as the page would post them back."""
    fields = {
        "address_line": delivery.address_line,
        "village_code": delivery.village_code,
        "lat": delivery.lat if delivery.lat is not None else "",
        "lon": delivery.lon if delivery.lon is not None else "",
        "window_start": "",
        "window_end": "",
        "priority": delivery.priority,
        "notes": delivery.notes,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    return {**fields, **changes}


def _dispatcher_client(office, client):
    dispatcher = staff_create(
        office=office, role=Role.DISPATCHER, username="d-a", password="pw"
    )
    client.force_login(dispatcher.user)
    return dispatcher


def test_an_address_change_in_the_admin_is_audited_without_the_address(
    office_a, client
):
    delivery = make_delivery(Status.QUEUED, office=office_a)
    dispatcher = _dispatcher_client(office_a, client)
    url = reverse("admin:delivery_delivery_change", args=[delivery.pk])

    response = client.post(
        url,
        _delivery_form(
            delivery,
            address_line="Jl. Lintas Sumatera 12",
            window_start="09:00",
            window_end="11:00",
        ),
    )

    delivery.refresh_from_db()
    record = AuditRecord.objects.get(action="delivery.details_changed")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert delivery.address_line == "Jl. Lintas Sumatera 12"
    assert record.actor == dispatcher.user
    assert record.subject == f"delivery:{delivery.pk}"
    assert record.data["fields"] == ["address_line", "window_end", "window_start"]
    assert record.data["after"] == {"window_start": "09:00", "window_end": "11:00"}
    assert "Lintas" not in str(record.data)  # the address is personal data


def test_an_address_change_is_refused_once_out_for_delivery(office_a, client):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office_a)
    old_address = delivery.address_line
    _dispatcher_client(office_a, client)
    url = reverse("admin:delivery_delivery_change", args=[delivery.pk])

    response = client.post(url, _delivery_form(delivery, address_line="Dialihkan"))

    delivery.refresh_from_db()
    assert response.status_code == 200  # the form again, with the error
    assert "tidak dapat diubah lagi" in response.content.decode()
    assert delivery.address_line == old_address
    assert not AuditRecord.objects.filter(action="delivery.details_changed").exists()


def test_a_pin_moved_in_the_admin_goes_through_the_location_fix(office_a, client):
    delivery = make_delivery(Status.QUEUED, office=office_a)
    _dispatcher_client(office_a, client)
    url = reverse("admin:delivery_delivery_change", args=[delivery.pk])

    outside = client.post(url, _delivery_form(delivery, lat="3.5", lon="98.6"))
    inside = client.post(url, _delivery_form(delivery, lat="-0.70", lon="100.95"))

    delivery.refresh_from_db()
    assert outside.status_code == 200  # the form again, saying why
    assert "di luar wilayah layanan" in outside.content.decode()
    assert inside.status_code == 302
    assert (delivery.lat, delivery.lon) == (-0.70, 100.95)
    assert delivery.location_quality == "pin"
    kinds = list(delivery.events.values_list("kind", flat=True))
    assert kinds.count("location_fixed") == 1


def test_the_admin_cannot_unlock_a_handover_or_read_the_survey_key(office_a, client):
    delivery = make_delivery(Status.QUEUED, office=office_a)
    _dispatcher_client(office_a, client)
    url = reverse("admin:delivery_delivery_change", args=[delivery.pk])

    page = client.get(url).content.decode()

    assert 'name="survey_key_hash"' not in page
    assert 'name="handover_locked_at"' not in page
    assert 'name="location_quality"' not in page


def test_a_complaint_cannot_be_rewritten_in_the_admin(office_a, admin_client):
    delivery = make_delivery(Status.DELIVERED, office=office_a)
    complaint = complaint_file(text="Kurir datang terlambat", delivery=delivery)
    url = reverse("admin:delivery_complaint_change", args=[complaint.pk])

    page = admin_client.get(url)  # even a superuser only reads it
    admin_client.post(url, {"text": "Semua baik", "category": complaint.category})

    complaint.refresh_from_db()
    assert page.status_code == 200  # readable
    assert 'name="text"' not in page.content.decode()
    assert complaint.text == "Kurir datang terlambat"
