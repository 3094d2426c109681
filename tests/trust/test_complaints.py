"""Complaints: filed from the tracking page, by SMS or anonymously; answered by a
dispatcher before the deadline; followed by the applicant on a public timeline."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from delivery.models import AuditRecord, Complaint, ComplaintStatus, Role, Status
from delivery.services.complaints import complaint_file, complaint_respond
from notifications import gsm
from notifications.models import SmsMessage, SmsStatus
from notifications.services import sms_inbound
from tests.factories import OfficeFactory, StaffFactory, make_delivery
from tests.helpers import race, sent_sms

pytestmark = pytest.mark.django_db


def test_complaint_from_the_tracking_page_gets_a_ticket_by_sms(
    office, django_capture_on_commit_callbacks, settings
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office)
    before = len(sent_sms())

    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(
            f"/t/{delivery.tracking_code}/pengaduan/",
            {"category": "late", "text": "Kurir belum datang."},
        )

    complaint = Complaint.objects.get()
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/pengaduan/{complaint.ticket}/")
    assert complaint.delivery == delivery
    assert complaint.ticket.startswith("ADU-")
    assert len(complaint.ticket) == 12
    assert complaint.due_at - complaint.created_at == timedelta(days=5)
    _, sms = sent_sms()[-1]
    assert len(sent_sms()) == before + 1
    assert sms.to == delivery.document.applicant.phone
    assert complaint.ticket in sms.body
    assert f"/pengaduan/{complaint.ticket}" in sms.body
    assert sms.body.startswith(settings.ANTAR_BRAND)


def test_an_empty_complaint_is_refused_with_an_indonesian_message(office):
    delivery = make_delivery(Status.QUEUED, office=office)

    answer = Client().post(
        f"/t/{delivery.tracking_code}/pengaduan/", {"category": "late", "text": ""}
    )

    assert answer.status_code == 200
    assert "Jelaskan pengaduan Anda." in answer.text
    assert not Complaint.objects.exists()


def test_anonymous_general_complaint_needs_no_phone_and_sends_no_sms(
    django_capture_on_commit_callbacks,
):
    before = len(sent_sms())

    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(
            "/pengaduan/", {"category": "information", "text": "Info kurang jelas."}
        )

    complaint = Complaint.objects.get()
    assert answer.status_code == 302
    assert complaint.delivery is None
    assert complaint.contact_phone == ""
    assert len(sent_sms()) == before


def test_general_complaint_with_a_bad_phone_number_is_a_form_error():
    answer = Client().post(
        "/pengaduan/",
        {"category": "other", "text": "Halo", "contact_phone": "12345"},
    )

    assert answer.status_code == 200
    assert not Complaint.objects.exists()


def test_the_public_timeline_shows_answers_but_never_internal_notes(office, dispatcher):
    complaint = complaint_file(text="Paspor belum sampai", category="late")
    complaint_respond(
        complaint=complaint,
        actor=dispatcher.user,
        status=ComplaintStatus.RESOLVED,
        public_note="Paspor diantar ulang besok pagi.",
        internal_note="Kurir Budi lupa; sudah ditegur.",
    )

    page = Client().get(f"/pengaduan/{complaint.ticket.lower()}/")

    assert page.status_code == 200
    assert "Paspor diantar ulang besok pagi." in page.text
    assert "ditegur" not in page.text
    assert "Paspor belum sampai" not in page.text
    assert "Selesai" in page.text


def test_unknown_ticket_is_not_found():
    assert Client().get("/pengaduan/ADU-00000000/").status_code == 404


def test_dispatcher_list_puts_overdue_complaints_first_and_marks_them(
    office, dispatcher, client
):
    late = complaint_file(text="a", category="late")
    Complaint.objects.filter(pk=late.pk).update(
        due_at=late.created_at - timedelta(days=1)
    )
    fresh = complaint_file(text="b", category="other")
    client.force_login(dispatcher.user)

    page = client.get("/petugas/pengaduan/")

    assert page.status_code == 200
    assert page.text.index(late.ticket) < page.text.index(fresh.ticket)
    assert "lewat batas" in page.text


def test_dispatcher_answers_and_resolves_a_complaint(office, dispatcher, client):
    delivery = make_delivery(Status.QUEUED, office=office)
    complaint = complaint_file(text="a", category="late", delivery=delivery)
    client.force_login(dispatcher.user)
    url = f"/petugas/pengaduan/{complaint.ticket}/"

    answer = client.post(
        url, {"status": "resolved", "public_note": "Maaf, sudah kami perbaiki."}
    )

    complaint.refresh_from_db()
    assert answer.status_code == 302
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.resolved_at is not None
    assert AuditRecord.objects.filter(
        action="complaint.updated", actor=dispatcher.user
    ).exists()


def test_a_note_is_required_to_answer(office, dispatcher, client):
    complaint = complaint_file(text="a", category="late")
    client.force_login(dispatcher.user)

    answer = client.post(
        f"/petugas/pengaduan/{complaint.ticket}/", {"status": "resolved"}
    )

    assert answer.status_code == 200
    assert "Tulis catatan." in answer.text
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


def test_other_offices_complaints_are_404_and_couriers_are_403(
    office, dispatcher, courier, client
):
    elsewhere = OfficeFactory(code="padang", name="Kanim Padang")
    theirs = complaint_file(
        text="x",
        category="late",
        delivery=make_delivery(Status.QUEUED, office=elsewhere),
    )

    client.force_login(dispatcher.user)
    other = client.get(f"/petugas/pengaduan/{theirs.ticket}/")
    listing = client.get("/petugas/pengaduan/")
    client.force_login(courier.staff.user)
    as_courier = client.get("/petugas/pengaduan/")

    assert other.status_code == 404
    assert theirs.ticket not in listing.text
    assert as_courier.status_code == 403


def test_staff_pages_send_anonymous_visitors_to_log_in():
    answer = Client().get("/petugas/pengaduan/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/petugas/masuk/")


def test_sms_with_the_keyword_files_a_complaint_about_the_latest_delivery(office):
    delivery = make_delivery(Status.SCHEDULED, office=office)
    phone = delivery.document.applicant.phone

    handled = sms_inbound(
        provider_sid="SM1", sender=phone, body="aduan kurir tidak datang"
    )

    complaint = Complaint.objects.get()
    assert handled == "complaint"
    assert (complaint.delivery, complaint.source) == (delivery, "sms")
    assert complaint.text == "kurir tidak datang"


def test_sms_keyword_from_an_unknown_number_is_a_general_complaint():
    handled = sms_inbound(provider_sid="SM2", sender="+6281299990000", body="ADUAN x")

    complaint = Complaint.objects.get()
    assert handled == "complaint"
    assert complaint.delivery is None
    assert complaint.contact_phone == "+6281299990000"


def test_single_digit_reply_is_an_audited_rating_outside_the_ikm(office):
    from delivery.models import SurveyResponse

    delivery = make_delivery(Status.DELIVERED, office=office)

    handled = sms_inbound(
        provider_sid="SM3", sender=delivery.document.applicant.phone, body=" 4 "
    )

    record = AuditRecord.objects.get(action="survey.sms_rating")
    assert handled == "rating"
    assert record.data == {"rating": 4}
    assert record.subject == f"delivery:{delivery.pk}"
    assert not SurveyResponse.objects.exists()


def test_stop_is_still_an_opt_out_and_other_text_is_ignored(office):
    assert sms_inbound(provider_sid="SM4", sender="+6281299990001", body="STOP") == (
        "stop"
    )
    assert sms_inbound(provider_sid="SM5", sender="+6281299990001", body="halo") == (
        "other"
    )
    assert not Complaint.objects.exists()


def test_an_auditor_cannot_answer_complaints(office):
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    complaint = complaint_file(text="a", category="late")
    client = Client()
    client.force_login(auditor.user)

    answer = client.post(
        f"/petugas/pengaduan/{complaint.ticket}/",
        {"status": "resolved", "public_note": "x"},
    )

    assert answer.status_code == 403


@pytest.mark.parametrize(
    "url", ["/pengaduan/%00/", "/pengaduan/ADU-%0012/", "/pengaduan/?ticket=%00"]
)
def test_a_nul_byte_in_a_complaint_address_is_a_400(url):
    response = Client().get(url)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def _post_many(capture, url, texts, **fields):
    with capture(execute=True):
        return [
            Client().post(url, {"category": "other", "text": text, **fields})
            for text in texts
        ]


def test_many_anonymous_complaints_send_one_number_no_more_than_its_cap(
    settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_RATE_LIMIT = 1000
    settings.SMS_MAX_PER_NUMBER_PER_HOUR = 3
    texts = [f"Keluhan nomor {i}" for i in range(30)]

    answers = _post_many(
        django_capture_on_commit_callbacks,
        "/pengaduan/",
        texts,
        contact_phone="081234567890",
    )

    held = SmsMessage.objects.filter(status=SmsStatus.SUPPRESSED)
    assert {a.status_code for a in answers} == {302}
    assert Complaint.objects.count() == 30
    assert [sms.to for _, sms in sent_sms()] == ["+6281234567890"] * 3
    assert held.count() == 27
    assert set(held.values_list("suppressed_reason", flat=True)) == {"number_limit"}


def test_the_same_complaint_posted_again_gets_its_ticket_and_no_new_sms(
    office, settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_RATE_LIMIT = 1000
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office)
    before = len(sent_sms())

    answers = _post_many(
        django_capture_on_commit_callbacks,
        f"/t/{delivery.tracking_code}/pengaduan/",
        ["Kurir belum datang."] * 30,
    )

    complaint = Complaint.objects.get()
    assert {a["Location"] for a in answers} == {f"/pengaduan/{complaint.ticket}/"}
    assert len(sent_sms()) == before + 1


def test_a_deliverys_complaint_form_sends_its_applicant_no_more_than_the_cap(
    office, settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_RATE_LIMIT = 1000
    settings.SMS_MAX_PER_SUBJECT_PER_DAY = 6
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office)
    about = SmsMessage.objects.filter(subject=f"delivery:{delivery.pk}")
    before = about.count()

    _post_many(
        django_capture_on_commit_callbacks,
        f"/t/{delivery.tracking_code}/pengaduan/",
        [f"Keluhan nomor {i}" for i in range(30)],
    )

    held = about.filter(status=SmsStatus.SUPPRESSED)
    assert before < 6
    assert about.exclude(status=SmsStatus.SUPPRESSED).count() == 6
    assert held.count() == 30 - (6 - before)
    assert set(held.values_list("suppressed_reason", flat=True)) == {"subject_limit"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_the_same_complaint_posted_twice_at_once_is_filed_once(attempt):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY)

    def file():
        return complaint_file(delivery=delivery, text="Kurir belum datang.")

    outcomes = race(file, file, file)

    assert outcomes == ["ok"] * 3
    assert Complaint.objects.filter(delivery=delivery).count() == 1
    assert SmsMessage.objects.filter(template="complaint_received").count() == 1


def test_the_same_anonymous_complaint_from_one_number_is_one_ticket_until_a_day_later(
    settings, django_capture_on_commit_callbacks
):
    settings.TRACKING_RATE_LIMIT = 1000

    def post():
        return _post_many(
            django_capture_on_commit_callbacks,
            "/pengaduan/",
            ["Loket tutup."] * 3,
            contact_phone="081234567890",
        )

    first = post()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        later = post()

    assert len({a["Location"] for a in first}) == 1
    assert len({a["Location"] for a in later}) == 1
    assert first[0]["Location"] != later[0]["Location"]
    assert Complaint.objects.count() == 2
    assert len(sent_sms()) == 2


def _answer(client, staff, complaint, **data):
    client.force_login(staff.user)
    return client.post(f"/petugas/pengaduan/{complaint.ticket}/", data)


def test_an_answer_is_announced_by_one_sms_with_the_ticket_and_its_page(
    dispatcher, client, django_capture_on_commit_callbacks, settings
):
    complaint = complaint_file(
        text="Info kurang jelas.",
        category="information",
        contact_phone="+6281277001122",
    )
    long_answer = "Terima kasih, informasi di laman sudah kami lengkapi. " * 12

    with django_capture_on_commit_callbacks(execute=True):
        answer = _answer(
            client, dispatcher, complaint, status="resolved", public_note=long_answer
        )

    assert answer.status_code == 302
    messages = SmsMessage.objects.filter(template="complaint_answered")
    assert messages.count() == 1
    sms = [m for _, m in sent_sms() if "dijawab" in m.body]
    assert [m.to for m in sms] == ["+6281277001122"]
    body = sms[0].body
    assert body.startswith(f"{settings.ANTAR_BRAND}: Pengaduan {complaint.ticket}")
    assert f"/pengaduan/{complaint.ticket}" in body
    assert "Info kurang jelas" not in body  # the complaint's text stays off the SMS
    assert gsm.segments(body) == 1, body
    record = AuditRecord.objects.get(action="complaint.updated")
    assert (record.actor, record.data) == (
        dispatcher.user,
        {"status": "resolved", "answer_sms": True},
    )
    public = Client().get(f"/pengaduan/{complaint.ticket}/").text
    assert long_answer.strip()[:60] in public
    assert "+6281277001122" not in public
    assert "Info kurang jelas" not in public


def test_the_answer_to_a_deliverys_complaint_goes_to_its_applicant(
    office, dispatcher, client, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.QUEUED, office=office, language="en")
    complaint = complaint_file(text="Late", category="late", delivery=delivery)

    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, dispatcher, complaint, status="in_progress", public_note="OK")

    sms = SmsMessage.objects.get(template="complaint_answered")
    assert sms.to == delivery.document.applicant.phone
    assert sms.language == "en"


def test_an_internal_note_or_a_complaint_without_a_phone_sends_no_sms(
    dispatcher, client, django_capture_on_commit_callbacks
):
    anonymous = complaint_file(text="Tanpa nomor", category="other")
    with_phone = complaint_file(
        text="Dengan nomor", category="other", contact_phone="+6281277001133"
    )

    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, dispatcher, anonymous, status="resolved", public_note="Sudah.")
        _answer(
            client, dispatcher, with_phone, status="in_progress", internal_note="Cek"
        )

    assert not SmsMessage.objects.filter(template="complaint_answered").exists()
    anonymous.refresh_from_db()
    assert anonymous.status == ComplaintStatus.RESOLVED
    assert (
        AuditRecord.objects.filter(
            action="complaint.updated", data__answer_sms=False
        ).count()
        == 2
    )


def test_another_offices_dispatcher_cannot_answer_and_nothing_is_sent(
    office, client, django_capture_on_commit_callbacks
):
    delivery = make_delivery(Status.QUEUED, office=office)
    complaint = complaint_file(text="Terlambat", category="late", delivery=delivery)
    elsewhere = StaffFactory(
        office=OfficeFactory(code="padang", name="Kanim Padang"),
        role=Role.DISPATCHER,
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = _answer(
            client, elsewhere, complaint, status="resolved", public_note="Bukan kami"
        )

    assert answer.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN
    assert not complaint.updates.exists()
    assert not SmsMessage.objects.filter(template="complaint_answered").exists()
