"""The couriers page: each courier's base, and a dispatcher changing it (audited)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery import services
from delivery.models import AuditRecord, Depot, Role
from tests.factories import CourierFactory, OfficeFactory, StaffFactory

pytestmark = pytest.mark.django_db
UKK = {"name": "UKK Pulau Punjung", "lat": -0.9502, "lon": 101.5113}


def _form(**changes):
    return {"depot": "", "village_code": "", "lat": "", "lon": "", "label": ""} | {
        k: str(v) for k, v in changes.items()
    }


def test_the_page_lists_each_couriers_base(console, office):
    at_office = CourierFactory(staff__office=office)
    at_depot = CourierFactory(staff__office=office)
    at_depot.depot = Depot.objects.create(office=office, **UKK)
    at_depot.save()
    CourierFactory(
        staff__office=OfficeFactory(code="padang"), staff__user__first_name="Lain"
    )

    page = console.get(reverse("console:couriers")).content.decode()

    assert f'data-courier="{at_office.pk}"' in page
    assert "Kantor Imigrasi Sijunjung" in page
    assert "UKK Pulau Punjung" in page
    assert "Lain" not in page  # another office's courier


def test_a_dispatcher_bases_a_courier_at_the_depot_and_it_is_audited(console, office):
    courier = CourierFactory(staff__office=office)
    depot = Depot.objects.create(office=office, **UKK)
    url = reverse("console:courier-base", args=[courier.pk])

    response = console.post(url, _form(depot=depot.pk))

    assert response.status_code == 302
    courier.refresh_from_db()
    assert courier.base().label == "UKK Pulau Punjung"
    record = AuditRecord.objects.get(action="courier.base_changed")
    assert record.data == {
        "base_before": "office", "base_after": "depot",
        "depot_id": depot.pk, "village_code": "",
    }  # fmt: skip


def test_a_village_base_takes_the_gazetteers_point(console, office):
    courier = CourierFactory(staff__office=office)
    url = reverse("console:courier-base", args=[courier.pk])

    console.post(url, _form(village_code="13.10.04.2001"))

    courier.refresh_from_db()
    assert courier.base().label == "Sitiung, Kec. Sitiung"
    assert courier.base_lat == pytest.approx(-0.989539)


def test_a_bad_base_is_a_form_error_in_indonesian(console, office):
    courier = CourierFactory(staff__office=office)
    depot = Depot.objects.create(office=office, **UKK)
    url = reverse("console:courier-base", args=[courier.pk])

    both = console.post(url, _form(depot=depot.pk, lat=-1.0, lon=101.5))
    outside = console.post(url, _form(lat=3.59, lon=98.67))
    half = console.post(url, _form(lat=-1.0))
    text = console.post(url, _form(lat="utara"))

    assert both.status_code == 200
    assert "bukan keduanya" in both.content.decode()
    assert "di luar wilayah layanan" in outside.content.decode()
    assert "Isi lintang dan bujur pangkalan" in half.content.decode()
    assert text.status_code == 200
    courier.refresh_from_db()
    assert courier.base().kind == "office"
    assert not AuditRecord.objects.filter(action="courier.base_changed").exists()


def test_another_offices_courier_or_depot_cannot_be_used(console, office):
    other = OfficeFactory(code="padang", lat=-0.95, lon=100.35)
    theirs = CourierFactory(staff__office=other)
    their_depot = Depot.objects.create(office=other, **UKK)
    mine = CourierFactory(staff__office=office)

    page = console.get(reverse("console:courier-base", args=[theirs.pk]))
    linked = console.post(
        reverse("console:courier-base", args=[mine.pk]), _form(depot=their_depot.pk)
    )

    assert page.status_code == 404
    assert linked.status_code == 200  # not a choice: a form error
    mine.refresh_from_db()
    assert mine.depot is None


def test_an_auditor_reads_the_list_but_cannot_change_a_base(client, office):
    courier = CourierFactory(staff__office=office)
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    client.force_login(auditor.user)

    listing = client.get(reverse("console:couriers"))
    change = client.post(
        reverse("console:courier-base", args=[courier.pk]), _form(lat=-1.0, lon=101.5)
    )

    assert listing.status_code == 200
    assert "Ubah pangkalan" not in listing.content.decode()
    assert change.status_code == 403
    courier.refresh_from_db()
    assert courier.base().kind == "office"


def test_the_auditor_reads_the_change_in_words(client, office):
    courier = CourierFactory(staff__office=office)
    depot = Depot.objects.create(office=office, **UKK)
    services.courier_set_base(courier=courier, actor=None, depot=depot)
    client.force_login(StaffFactory(office=office, role=Role.AUDITOR).user)

    today = timezone.localdate().isoformat()
    page = client.get(reverse("console:audit"), {"day": today}).content.decode()

    assert "Pangkalan kurir diubah" in page
    assert f"Kurir {courier.pk}" in page
    assert "Pangkalan baru" in page
    assert "Depo" in page
