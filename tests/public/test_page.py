"""The public tracking page: what it shows, and how it refuses."""

import re
import time as time_module
from collections import Counter
from datetime import time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from delivery import tracking_codes
from delivery.models import Status
from delivery.workdays import next_working_day
from notifications.services import sms_is_opted_out
from tests.factories import OfficeFactory, issued_days_ago, make_delivery
from tests.helpers import sent_sms

pytestmark = pytest.mark.django_db


def page_url(delivery, language=""):
    prefix = f"/{language}" if language else ""
    return f"{prefix}/t/{delivery.tracking_code}/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_scheduled_page_shows_status_timeline_eta_deadline_and_office(client):
    office = OfficeFactory(opening_hours="Senin-Jumat 08.00-16.00 WIB")
    delivery = make_delivery(Status.SCHEDULED, office=office)

    response = client.get(page_url(delivery))

    text = text_of(response)
    assert response.status_code == 200
    assert "Dijadwalkan" in text
    assert "Dalam antrean" in text  # an earlier step of the timeline
    eta = timezone.localtime(delivery.eta_start_at)
    assert f"{eta:%H.%M}–" in text
    deadline = delivery.document.collection_deadline
    assert f"{deadline.day} " in text
    assert str(deadline.year) in text
    assert office.name in text
    assert office.phone in text
    assert "Senin-Jumat 08.00-16.00 WIB" in text
    assert 'href="pengaduan/"' in text
    assert 'href="nilai/"' not in text
    assert f'href="/en/t/{delivery.tracking_code}/"' in text


def test_returned_passport_page_says_how_to_collect_and_offers_rating(client):
    delivery = make_delivery(Status.RETURNED_TO_OFFICE)

    text = text_of(client.get(page_url(delivery)))

    assert "Kembali ke kantor" in text
    assert "Bawa KTP asli" in text
    assert "Ambil paling lambat" in text
    assert 'href="nilai/"' in text
    assert "Minta hari lain" not in text  # the passport is back; nothing to change


def test_page_is_in_english_under_en(client):
    delivery = make_delivery(Status.QUEUED)

    text = text_of(client.get(page_url(delivery, "en")))

    assert "Queued" in text
    assert "Ask for another day" in text
    assert f'href="/t/{delivery.tracking_code}/"' in text  # back to Bahasa Indonesia


def test_timeline_never_shows_staff_notes(client):
    from delivery.services import Actor, delivery_hold

    delivery = make_delivery(Status.QUEUED)
    delivery_hold(delivery=delivery, actor=Actor.system(), reason="INTERNAL-NOTE-XYZ")

    text = text_of(client.get(page_url(delivery)))

    assert "Ditahan" in text
    assert "INTERNAL-NOTE-XYZ" not in text


def test_lookup_form_sends_a_well_typed_code_to_its_page(client):
    code = make_delivery(Status.QUEUED).tracking_code
    typed = tracking_codes.display(code).lower().replace("-", " ")

    response = client.get("/lacak/", {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == f"/t/{code}/"


def test_a_typo_in_the_code_is_caught_by_the_check_character(client):
    code = make_delivery(Status.QUEUED).tracking_code
    wrong = tracking_codes.ALPHABET[(tracking_codes.ALPHABET.index(code[3]) + 1) % 32]
    typo = code[:3] + wrong + code[4:]

    by_form = client.get("/lacak/", {"code": typo})
    by_link = client.get(f"/t/{typo}/")

    for response in (by_form, by_link):
        assert response.status_code == 400
        assert "salah ketik" in text_of(response)


def test_a_code_of_the_wrong_length_gets_a_clear_message(client):
    response = client.get("/lacak/", {"code": "K7M2-QX9P"})

    assert response.status_code == 400
    assert "11 huruf dan angka" in text_of(response)


def test_unknown_codes_all_get_the_same_not_found_page(client):
    make_delivery(Status.QUEUED)
    first, second = tracking_codes.generate(), tracking_codes.generate()

    one = client.get(f"/t/{first}/")
    other = client.get(f"/t/{second}/")

    assert one.status_code == other.status_code == 404
    assert one.content == other.content
    assert first not in one.content.decode()


def test_sms_link_without_slash_and_typed_forms_reach_the_canonical_page(client):
    delivery = make_delivery(Status.QUEUED)
    code = delivery.tracking_code

    no_slash = client.get(f"/t/{code}")
    grouped = client.get(f"/t/{tracking_codes.display(code).lower()}/")

    assert no_slash.status_code == 301
    assert no_slash["Location"] == f"/t/{code}/"
    assert grouped.status_code == 302
    assert grouped["Location"] == f"/t/{code}/"


def test_asking_for_another_day_on_the_page_confirms_and_texts_the_applicant(
    client, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.SCHEDULED)
    day = next_working_day(timezone.localdate() + timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/t/{delivery.tracking_code}/hari-lain/",
            {"day": day.isoformat()},
            follow=True,
        )

    delivery.refresh_from_db()
    assert response.redirect_chain == [(f"/t/{delivery.tracking_code}/", 302)]
    assert delivery.status == Status.QUEUED
    assert delivery.requested_date == day
    text = text_of(response)
    assert "Permintaan diterima" in text
    assert "Anda minta hari lain" in text
    assert [sms.body for _, sms in sent_sms()][-1].startswith(
        "IMIGRASI SIJUNJUNG: Permintaan diterima"
    )


def test_a_time_window_and_collection_at_the_office_can_be_asked_on_the_page(client):
    delivery = make_delivery(Status.QUEUED)
    code = delivery.tracking_code

    window = client.post(f"/t/{code}/jam/", {"start": "10:00"})
    hold = client.post(f"/t/{code}/ambil-di-kantor/", {"confirm": "on"})

    delivery.refresh_from_db()
    assert window.status_code == hold.status_code == 302
    assert delivery.window_start == time(10, 0)
    assert delivery.status == Status.ON_HOLD


def test_a_day_that_is_not_offered_is_refused_with_a_form_error(client):
    delivery = make_delivery(Status.QUEUED)
    too_late = timezone.localdate() + timedelta(days=30)

    response = client.post(
        f"/t/{delivery.tracking_code}/hari-lain/", {"day": too_late.isoformat()}
    )
    garbage = client.post(f"/t/{delivery.tracking_code}/hari-lain/", {"day": "x"})

    delivery.refresh_from_db()
    assert response.status_code == garbage.status_code == 400
    assert "Masukkan pilihan yang valid" in text_of(response)  # Django's own
    assert delivery.requested_date is None


def test_a_request_after_the_courier_left_is_refused_with_a_clear_message(client):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY)

    response = client.post(
        f"/t/{delivery.tracking_code}/ambil-di-kantor/", {"confirm": "on"}
    )

    delivery.refresh_from_db()
    assert response.status_code == 409
    assert "sudah keluar dari kantor" in text_of(response)
    assert delivery.status == Status.OUT_FOR_DELIVERY


def test_requests_without_the_csrf_token_are_refused():
    delivery = make_delivery(Status.QUEUED)
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/t/{delivery.tracking_code}/ambil-di-kantor/")

    delivery.refresh_from_db()
    assert response.status_code == 403
    assert delivery.status == Status.QUEUED


def test_sms_can_be_turned_off_and_on_from_the_page(client):
    delivery = make_delivery(Status.QUEUED)
    code = delivery.tracking_code
    phone = delivery.document.applicant.phone

    client.post(f"/t/{code}/sms/", {"sms": "off"})
    off_page = text_of(client.get(f"/t/{code}/"))
    off = sms_is_opted_out(phone=phone)
    client.post(f"/t/{code}/sms/", {"sms": "on"})

    assert off
    assert "Nyalakan SMS" in off_page
    assert not sms_is_opted_out(phone=phone)


def test_a_client_over_its_budget_gets_429_alike_for_real_and_unknown_codes(
    client, settings
):
    settings.TRACKING_RATE_LIMIT = 5
    real = make_delivery(Status.QUEUED).tracking_code
    for _ in range(5):
        assert client.get(f"/t/{real}/").status_code == 200

    throttled_real = client.get(f"/t/{real}/")
    throttled_unknown = client.get(f"/t/{tracking_codes.generate()}/")
    throttled_post = client.post(f"/t/{real}/ambil-di-kantor/")
    other_client = client.get(f"/t/{real}/", REMOTE_ADDR="10.0.0.9")

    assert throttled_real.status_code == throttled_unknown.status_code == 429
    assert throttled_real.content == throttled_unknown.content
    assert "Terlalu banyak pencarian" in text_of(throttled_real)
    assert throttled_post.status_code == 429
    assert other_client.status_code == 200


def test_ten_thousand_random_codes_find_nothing_and_are_throttled(client):
    real = {make_delivery(Status.QUEUED).tracking_code for _ in range(3)}
    codes = [tracking_codes.generate() for _ in range(10_000)]
    # Start at the beginning of a budget window, so the run never spans two.
    window = django_settings.TRACKING_RATE_WINDOW_S
    window_start = time_module.time() // window * window

    with time_machine.travel(window_start, tick=True):
        statuses = Counter(
            client.get(f"/api/track/{code}/").status_code for code in codes
        )

    assert not real & set(codes)
    limit = django_settings.TRACKING_RATE_LIMIT
    assert statuses == {404: limit, 429: 10_000 - limit}


def test_page_is_small_and_cheap_for_a_basic_phone(
    client, django_assert_max_num_queries
):
    from django.contrib.staticfiles import finders

    delivery = make_delivery(Status.RETURNED_TO_OFFICE)  # the longest timeline

    with django_assert_max_num_queries(3):
        response = client.get(page_url(delivery))

    css = Path(finders.find("tracking/tracking.css")).read_bytes()
    html = response.content.decode()
    print(f"html {len(response.content)} B, css {len(css)} B")
    assert len(response.content) < 12_000
    assert len(css) < 4_000
    assert "<script" not in html
    assert html.count('rel="stylesheet"') == 1


def test_a_time_window_on_todays_route_is_refused_on_the_page_with_a_message(client):
    delivery = make_delivery(Status.SCHEDULED)

    response = client.post(f"/t/{delivery.tracking_code}/jam/", {"start": "10:00"})

    delivery.refresh_from_db()
    assert response.status_code == 400
    assert "sudah masuk rute hari ini" in text_of(response)
    assert delivery.status == Status.SCHEDULED


def test_collecting_at_the_office_is_offered_openly_and_needs_a_ticked_box(client):
    delivery = make_delivery(Status.SCHEDULED)
    url = f"/t/{delivery.tracking_code}/"

    page = client.get(url).content.decode()
    unticked = client.post(f"{url}ambil-di-kantor/")
    delivery.refresh_from_db()
    status_after_unticked = delivery.status
    ticked = client.post(f"{url}ambil-di-kantor/", {"confirm": "on"})

    delivery.refresh_from_db()
    collect = page.split('id="collect"')[1].split("</section>")[0]
    assert "<details" not in collect
    assert 'name="confirm" required' in collect
    assert unticked.status_code == 400
    assert "Centang kotak" in text_of(unticked)
    assert status_after_unticked == Status.SCHEDULED
    assert ticked.status_code == 302
    assert delivery.status == Status.ON_HOLD


def test_each_page_offers_the_days_before_its_own_deadline_in_its_language(client):
    soon = make_delivery(Status.QUEUED, issued_on=issued_days_ago(27))
    later = make_delivery(Status.QUEUED, issued_on=issued_days_ago(5))

    def offered(delivery, language=""):
        html = client.get(page_url(delivery, language)).content.decode()
        select = html[html.index('name="day"') : html.index("</select>")]
        return re.findall(r'<option value="([0-9-]+)"[^>]*>([^<]+)</option>', select)

    offered_soon, offered_later = offered(soon), offered(later)
    deadline = soon.document.collection_deadline.isoformat()
    assert offered_soon
    assert all(day < deadline for day, _ in offered_soon)
    assert len(offered_later) > len(offered_soon)
    english = offered(later, "en")
    assert [day for day, _ in english] == [day for day, _ in offered_later]
    assert [label for _, label in english] != [label for _, label in offered_later]
