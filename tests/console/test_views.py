"""Console pages through the test client: access, queue, bulk steps, import, figures."""

import io
import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from delivery.models import Role, Status
from delivery.services import delivery_hold_for_collection, delivery_request_window
from routing import services as routing
from routing.models import RoutePlan
from tests.factories import (
    PASSWORD,
    OfficeFactory,
    StaffFactory,
    issued_days_ago,
    make_delivery,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["console:queue", "console:plans", "console:figures"])
def test_anonymous_visitor_is_sent_to_the_console_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


def test_a_courier_may_not_open_the_console(client, couriers):
    client.login(username=couriers[0].staff.user.username, password=PASSWORD)

    assert client.get(reverse("console:queue")).status_code == 403


def test_an_auditor_may_read_but_not_act(client, office):
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    delivery = make_delivery(Status.QUEUED, office=office)
    client.login(username=auditor.user.username, password=PASSWORD)

    read = client.get(reverse("console:queue"))
    act = client.post(
        reverse("console:bulk"), {"action": "hold", "reason": "x", "ids": [delivery.pk]}
    )

    assert read.status_code == 200
    assert act.status_code == 403


def test_login_page_signs_a_dispatcher_in(client, dispatcher):
    response = client.post(
        reverse("console:login"), {"username": "petugas", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:queue")


def test_queue_marks_urgent_deliveries_and_hides_other_offices(console, office):
    urgent = make_delivery(Status.QUEUED, office=office, issued_on=issued_days_ago(26))
    calm = make_delivery(Status.QUEUED, office=office)
    elsewhere = make_delivery(Status.QUEUED, office=OfficeFactory(code="other"))

    html = console.get(reverse("console:queue")).content.decode()

    assert f'class="urgent" data-code="{urgent.tracking_code_display}"' in html
    assert f'class="" data-code="{calm.tracking_code_display}"' in html
    assert elsewhere.tracking_code_display not in html


def test_queue_search_finds_by_tracking_code(console, office):
    wanted, other = (make_delivery(Status.QUEUED, office=office) for _ in range(2))

    html = console.get(
        reverse("console:queue"), {"q": wanted.tracking_code_display}
    ).content.decode()

    assert wanted.tracking_code_display in html
    assert other.tracking_code_display not in html


def test_bulk_hold_holds_each_selected_delivery_with_the_reason(console, office):
    deliveries = [make_delivery(Status.QUEUED, office=office) for _ in range(3)]

    console.post(
        reverse("console:bulk"),
        {
            "action": "hold",
            "reason": "alamat kurang jelas",
            "ids": [d.pk for d in deliveries[:2]],
        },
    )

    statuses = [type(d).objects.get(pk=d.pk).status for d in deliveries]
    assert statuses == [Status.ON_HOLD, Status.ON_HOLD, Status.QUEUED]
    assert deliveries[0].events.last().note == "alamat kurang jelas"


def test_bulk_cancel_without_reason_changes_nothing(console, office):
    delivery = make_delivery(Status.QUEUED, office=office)

    response = console.post(
        reverse("console:bulk"),
        {"action": "cancel", "reason": " ", "ids": [delivery.pk]},
        follow=True,
    )

    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert "Alasan wajib diisi." in response.content.decode()


def test_bulk_step_ignores_another_offices_delivery(console):
    foreign = make_delivery(Status.QUEUED, office=OfficeFactory(code="other"))

    console.post(
        reverse("console:bulk"), {"action": "hold", "reason": "x", "ids": [foreign.pk]}
    )

    foreign.refresh_from_db()
    assert foreign.status == Status.QUEUED


def test_location_page_of_another_office_is_not_found(console):
    foreign = make_delivery(Status.QUEUED, office=OfficeFactory(code="other"))

    response = console.get(reverse("console:location", args=[foreign.pk]))

    assert response.status_code == 404


def test_location_form_refuses_a_pin_outside_the_area_in_indonesian(console, office):
    delivery = make_delivery(Status.QUEUED, office=office)

    response = console.post(
        reverse("console:location", args=[delivery.pk]), {"lat": "5.0", "lon": "100.9"}
    )

    assert response.status_code == 200
    assert "di luar wilayah layanan" in response.content.decode()


def test_csv_import_shows_its_row_by_row_report(
    console, office, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    csv = (
        "application_number,passport_number,full_name,phone,address,issued_on,"
        "village_code\n"
        f"APP-9001,E1234567,Siti,081234567801,Jl. Pasar 1,{day},13.03.04.2001\n"
        f"APP-9002,bad,Budi,081234567802,Jl. Pasar 2,{day},13.03.04.2001\n"
    )
    upload = io.BytesIO(csv.encode())
    upload.name = "antrean.csv"

    with django_capture_on_commit_callbacks(execute=True):  # the worker, eagerly
        started = console.post(reverse("console:import"), {"file": upload})
    response = console.get(started["Location"])

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-report"' in html
    assert '<td class="num">3</td><td>APP-9002</td>' in html
    assert office.deliveries.count() == 1


def test_figures_count_on_time_and_first_attempt(console, office, couriers):
    make_delivery(Status.DELIVERED, office=office, courier=couriers[0])
    make_delivery(Status.RETURNED_TO_OFFICE, office=office, courier=couriers[1])

    response = console.get(reverse("console:figures"))

    figures = response.context["figures"]
    assert figures.total.delivered == 1
    assert figures.total.first_attempt_pct == 50  # one of two first attempts
    assert figures.total.failed == 3
    assert figures.total.reasons["not_at_home"] == 3
    assert [g.name for g in figures.districts] == ["Sijunjung"]


def _published_plan(office, couriers, capture, dispatcher):
    for _ in range(4):
        make_delivery(Status.QUEUED, office=office)
    with capture(execute=True):
        plan = routing.route_plan_start(
            office=office, on_date=timezone.localdate() + timedelta(days=1),
            actor=None, courier_ids=[c.pk for c in couriers], time_limit_s=1,
        )  # fmt: skip
    plan.refresh_from_db()
    return plan


def test_manifest_pdf_lists_the_route_with_names_and_signature_lines(
    console, office, couriers, dispatcher, django_capture_on_commit_callbacks
):
    plan = _published_plan(
        office, couriers, django_capture_on_commit_callbacks, dispatcher
    )
    route = plan.routes.first()
    delivery = route.stops.first().items.first().delivery

    response = console.get(reverse("console:manifest", args=[plan.pk, route.pk]))

    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
    )
    assert response["Content-Type"] == "application/pdf"
    assert delivery.tracking_code_display in text
    assert delivery.document.applicant.full_name in text
    assert "Tanda tangan saat muat" in text


def test_an_auditor_may_not_download_a_manifest(
    client, office, couriers, dispatcher, django_capture_on_commit_callbacks
):
    plan = _published_plan(
        office, couriers, django_capture_on_commit_callbacks, dispatcher
    )
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    client.login(username=auditor.user.username, password=PASSWORD)

    response = client.get(
        reverse("console:manifest", args=[plan.pk, plan.routes.first().pk])
    )

    assert response.status_code == 403


def test_day_summary_pdf_has_a_line_per_courier(
    console, office, couriers, dispatcher, django_capture_on_commit_callbacks
):
    plan = _published_plan(
        office, couriers, django_capture_on_commit_callbacks, dispatcher
    )

    response = console.get(reverse("console:summary", args=[plan.pk]))

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for route in plan.routes.all():
        assert str(route.courier) in text


def test_day_page_lists_locked_handovers(console, office, couriers):
    delivery = make_delivery(
        Status.OUT_FOR_DELIVERY, office=office, courier=couriers[0]
    )
    type(delivery).objects.filter(pk=delivery.pk).update(
        handover_locked_at=timezone.now()
    )

    html = console.get(reverse("console:day")).content.decode()

    assert delivery.tracking_code_display in html.split('id="locked"')[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"application_number\n" + b"A" * 140_000 + b"\n", "131072 karakter"),
        (b"application_number\n" + bytes(range(256)) * 20, "bukan berkas teks CSV"),
    ],
    ids=["field-over-131072", "binary"],
)
def test_csv_import_of_a_huge_field_or_binary_is_a_400_in_indonesian(
    console, office, content, message
):
    upload = io.BytesIO(content)
    upload.name = "antrean.csv"

    response = console.post(reverse("console:import"), {"file": upload})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert office.deliveries.count() == 0


@pytest.mark.parametrize(
    "target", ["https://evil.example/petugas/", "//evil.example", "/\\evil.example"]
)
def test_the_bulk_form_never_sends_the_dispatcher_off_site(console, target):
    response = console.post(
        reverse("console:bulk"), {"action": "cancel", "reason": " ", "next": target}
    )

    assert response.status_code == 302
    assert response.url == reverse("console:queue")


def test_the_bulk_form_returns_to_the_filtered_queue_it_came_from(console):
    page = reverse("console:queue") + "?status=queued&page=2"

    response = console.post(
        reverse("console:bulk"), {"action": "cancel", "reason": " ", "next": page}
    )

    assert response.url == page


def test_the_planning_form_refuses_a_past_day_with_a_form_error(console, couriers):
    yesterday = timezone.localdate() - timedelta(days=1)

    form = {"date": yesterday.isoformat(), "couriers": [couriers[0].pk]}

    response = console.post(reverse("console:plans"), {**form, "time_limit_s": 2})

    assert response.status_code == 200
    assert "hari yang sudah lewat" in response.content.decode()
    assert not RoutePlan.objects.exists()


@pytest.mark.parametrize(
    ("page", "language", "expected"),
    [("/petugas/", "en", "/en/petugas/"), ("/en/petugas/", "id", "/petugas/")],
)
def test_the_language_switch_goes_both_ways(console, page, language, expected):
    html = console.get(page).content.decode()
    form = html[html.index('action="/i18n/setlang/"') :]
    next_url = re.search(r'name="next" type="hidden" value="([^"]*)"', form).group(1)

    response = console.post("/i18n/setlang/", {"language": language, "next": next_url})

    assert response["Location"] == expected


def test_day_page_lists_the_applicants_requests_that_change_the_plan(console, office):
    window = make_delivery(Status.QUEUED, office=office)
    collect = make_delivery(Status.SCHEDULED, office=office)
    delivery_request_window(delivery=window, window_start=time(10, 0))
    delivery_hold_for_collection(delivery=collect)

    html = console.get(reverse("console:day")).content.decode()

    requests = html.split('id="requests"')[1].split("</ul>")[0]
    assert f"{window.tracking_code_display}</span>" in requests
    assert "jam antar: 10:00–12:00" in requests
    assert f"{collect.tracking_code_display}</span>" in requests
    assert "akan mengambil di kantor" in requests


def test_bulk_step_records_a_collection_at_the_counter(console, office):
    held = make_delivery(Status.ON_HOLD, office=office)

    response = console.post(
        reverse("console:bulk"), {"action": "collected", "reason": "", "ids": [held.pk]}
    )

    held.refresh_from_db()
    assert response.status_code == 302
    assert held.status == Status.DELIVERED
    assert held.events.latest("id").reason_code == "collected_at_office"
