"""Canaries through a whole day on the real stack: no personal data anywhere public.

An applicant is seeded with canary data (name, phone, passport number, address). The
day runs as in production: intake through the API, a plan solved by a real Celery
worker over Redis, publishing, the courier's route, heading to the stop, the handover
code read from the SMS the Twilio double received (sent through the real twilio SDK,
one send timing out so that the reconcile path runs too), the handover, tracking
look-ups, the survey, complaints (web and SMS) and the statistics.

Then the canaries, and the handover code, are searched for in: every log line of this
process and of the worker (both at DEBUG), every command the broker's Redis database
received (MONITOR, message bodies decoded) and what is left in it, and every public
response. The handover code must not be stored in clear anywhere in the database.
Each search is first shown to find a control value, so that none can pass blind.
"""

import logging
import re
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from config.celery import app as celery_app
from delivery import tracking_codes
from delivery.models import Delivery, Role, Status
from notifications.models import SmsMessage, SmsStatus
from notifications.services import REDACTED
from tests.canaries import BrokerTap, Canaries, broker_dump, with_decoded
from tests.conftest import start_worker
from tests.delivery.test_handover import PNG
from tests.factories import VILLAGE_MUARO, CourierFactory, OfficeFactory, StaffFactory
from tests.helpers import wait_until
from tests.twilio_double import SERVICE_SENDER

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CANARY = Canaries(
    full_name="Canarywati Kenarisakti",
    phone="+6281377553311",
    passport_number="XK7531902",
    address="Jl. Kenaribiru No. 13, Jorong Kenarihijau",
)
# Same shapes, other values: sent on purpose where the search must find them.
CONTROL = Canaries(
    full_name="Kontrolwati Kenarimurni",
    phone="+6281244661188",
    passport_number="XC2468024",
    address="Jl. Kenaripalsu No. 8",
    handover_code="314159",
)
SETTLED = {SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.UNDELIVERED}


@pytest.fixture
def canary_worker(django_db_setup, worker_env, sms_double, webhook_settings, tmp_path):
    """A real worker at DEBUG on a queue of its own, logging to a file; its log."""
    queue = f"antar-canary-{uuid.uuid4().hex[:6]}"
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    logfile = tmp_path / "worker.log"
    process = start_worker(worker_env, queue, loglevel="DEBUG", logfile=logfile)
    logs = {"queue": queue, "path": logfile}
    yield logs
    process.terminate()
    process.wait(timeout=30)
    celery_app.conf.task_default_queue = default_queue
    logs["text"] = logfile.read_text() + logfile.with_suffix(".out").read_text()


@pytest.fixture
def staff(settings):
    settings.HANDOVER_CODE_PEPPER = "canary-test-pepper"
    office = OfficeFactory()
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER)
    courier = CourierFactory(staff__office=office)
    return dispatcher, courier


def _api(dispatcher) -> Client:
    token = Token.objects.create(user=dispatcher.user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _intake(api: Client) -> Delivery:
    response = api.post(
        "/api/deliveries/intake/",
        {
            "application_number": "CANARY-0001",
            "passport_number": CANARY.passport_number,
            "full_name": CANARY.full_name,
            "phone": "0813-7755-3311",
            "address": CANARY.address,
            "village_code": VILLAGE_MUARO,
            "issued_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Delivery.objects.get(pk=response.json()["id"])


def _plan_and_publish(api: Client) -> None:
    day = timezone.localdate().isoformat()
    started = api.post(
        "/api/plans/", {"date": day, "time_limit_s": 2}, content_type="application/json"
    )
    plan_id = started.json()["id"]

    def solved() -> bool:
        return api.get(f"/api/plans/{plan_id}/").json()["status"] == "draft"

    assert wait_until(solved, timeout=90, interval=0.3)
    confirmed = {"confirm": True, "accept_lateness": True}
    published = api.post(
        f"/api/plans/{plan_id}/publish/", confirmed, content_type="application/json"
    )
    assert published.status_code == 200, published.content


def _act(courier_client: Client, action: str, delivery: Delivery, **fields):
    data = {"client_id": str(uuid.uuid4()), "action": action, **fields}
    if action != "start_route":
        data["delivery"] = delivery.pk
    response = courier_client.post("/kurir/aksi/", data, HTTP_ACCEPT="application/json")
    assert response.json()["outcome"] == "applied", response.json()


def _code_from_the_applicants_phone(double) -> str:
    def code() -> str | None:
        for message in double.messages_to(CANARY.phone):
            found = re.search(r"(?<!\d)\d{6}(?!\d)", message.body)
            if found and "kode" in message.body.lower():
                return found.group()
        return None

    assert wait_until(lambda: code() is not None, timeout=60)
    return code() or ""


def _courier_day(courier, delivery: Delivery, double) -> str:
    """Start the route, head to the stop, hand over with the code from the SMS."""
    phone = Client()
    phone.force_login(courier.staff.user)
    _act(phone, "start_route", delivery)
    _act(phone, "heading", delivery, lat=-0.66, lon=100.95)
    _act(phone, "arrived", delivery, lat=-0.66, lon=100.95)  # the code goes out now
    code = _code_from_the_applicants_phone(double)
    photo = SimpleUploadedFile("ktp.png", PNG, content_type="image/png")
    _act(
        phone, "handover", delivery, code=code, recipient_kind="holder",
        recipient_name=CANARY.full_name, photo=photo, lat=-0.66, lon=100.95,
    )  # fmt: skip
    return code


def _survey_path(double, code: str) -> str:
    """The survey link with its key, from the "handed over" SMS at the double."""
    pattern = re.compile(rf"/t/{code}/nilai/\w+/")

    def found() -> str | None:
        bodies = [m.body for m in double.messages_to(CANARY.phone)]
        return next((m.group(0) for b in bodies if (m := pattern.search(b))), None)

    assert wait_until(lambda: found() is not None, timeout=60)
    return found() or ""


def _public_day(delivery: Delivery, double, base_url: str) -> list[str]:
    """The applicant's and the public's look-ups; every response's text."""
    web, code = Client(), delivery.tracking_code
    survey = {f"u{i}": "4" for i in range(1, 10)} | {"comment": "Cepat sekali."}
    complaint = {"category": "courier", "text": "Kurir ramah, tapi terlambat."}
    general = complaint | {"contact_phone": CANARY.phone}
    responses = [
        web.get(f"/t/{code}/"),
        web.get(f"/en/t/{code}/"),
        web.get(f"/api/track/{code}/"),
        web.get("/lacak/", {"code": tracking_codes.display(code)}, follow=True),
        web.post(_survey_path(double, code), survey, follow=True),
        web.post(f"/t/{code}/pengaduan/", complaint, follow=True),
        web.post("/pengaduan/", general, follow=True),
        web.get("/statistik/"),
    ]
    inbound = double.send_inbound(
        base_url + "/hooks/twilio/inbound/",
        from_=CANARY.phone, to=SERVICE_SENDER, body="ADUAN paspor belum sampai",
    )  # fmt: skip
    assert inbound.status == 200
    assert all(r.status_code == 200 for r in responses), [
        r.status_code for r in responses
    ]
    return [r.content.decode() for r in responses]


def _control_message(queue: str) -> None:
    """A task message carrying the control values, to a task the worker lacks: it
    passes through the broker, and the worker logs its body as unregistered."""
    values = [CONTROL.full_name, CONTROL.phone, CONTROL.passport_number]
    celery_app.send_task("antar.canary.control", args=values, queue=queue)


def _all_settled() -> bool:
    statuses = set(SmsMessage.objects.values_list("status", flat=True))
    return bool(statuses) and statuses <= SETTLED


def _strings_in_database() -> str:
    """Every text and JSON value of every table, one per line."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    lines = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, kinds)]
        for row in model.objects.values_list(*names) if names else []:
            lines.extend(str(value) for value in row if value)
    return "\n".join(lines)


def test_a_whole_day_leaks_no_canary_to_logs_broker_or_public_pages(
    staff, canary_worker, sms_double, live_server, caplog
):
    caplog.set_level(logging.DEBUG)
    dispatcher, courier = staff
    api = _api(dispatcher)
    # One send times out after Twilio took it: the worker must reconcile it.
    sms_double.time_out_creates(3.0, recorded=True, times=1)
    with BrokerTap(settings.CELERY_BROKER_URL) as tap:
        delivery = _intake(api)
        _plan_and_publish(api)
        code = _courier_day(courier, delivery, sms_double)
        public = _public_day(delivery, sms_double, live_server.url)
        _control_message(canary_worker["queue"])
        assert wait_until(_all_settled, timeout=90)
        assert sms_double.wait_idle(timeout=10)
        dumped = broker_dump(settings.CELERY_BROKER_URL)
    logging.getLogger("delivery").debug("control: %s", CONTROL.phone)
    staff_view = api.get(f"/api/deliveries/{delivery.pk}/").content.decode()
    everything = Canaries(**{**CANARY.__dict__, "handover_code": code})

    _assert_the_day_happened(delivery, code, sms_double)
    _assert_searches_find_controls(tap.text(), canary_worker, caplog.text, staff_view)
    _assert_no_canary(everything, tap.text(), dumped, caplog.text, public)
    _assert_no_canary_in_worker_log(everything, canary_worker)
    _assert_code_not_stored(everything, code)


def _assert_the_day_happened(delivery: Delivery, code: str, double) -> None:
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert len(code) == 6
    # The timed-out send was settled against Twilio's log (a list by number).
    assert any(
        r.params.get("To") == CANARY.phone for r in double.requests if r.method == "GET"
    )
    assert delivery.survey.comment == "Cepat sekali."
    assert delivery.complaints.count() >= 2  # one from the page, one by SMS


def _assert_searches_find_controls(broker, worker_logs, own_logs, staff_view) -> None:
    control = CONTROL.found_in
    assert set(control(broker)) >= {"full_name", "phone", "passport_number"}
    assert wait_until(lambda: "antar.canary.control" in worker_logs["path"].read_text())
    assert "phone" in control(with_decoded(worker_logs["path"].read_text()))
    assert "DEBUG" in worker_logs["path"].read_text()
    assert "phone" in control(own_logs)
    assert "full_name" in CANARY.found_in(staff_view)  # the back office shows it
    assert "handover_code" in CONTROL.found_in("Kode serah terima: 314159.")


def _assert_no_canary(canaries, broker, dumped, own_logs, public) -> None:
    assert canaries.found_in(broker) == {}, "canary in the broker's messages"
    assert canaries.found_in(dumped) == {}, "canary left in the broker's keys"
    assert canaries.found_in(own_logs) == {}, "canary in the web process's logs"
    for text in public:
        assert canaries.found_in(text) == {}, "canary on a public page"


def _assert_no_canary_in_worker_log(canaries, worker_logs) -> None:
    # The worker is stopped by the fixture at teardown; read what it wrote so far.
    text = worker_logs["path"].read_text()
    text += worker_logs["path"].with_suffix(".out").read_text()
    assert canaries.found_in(with_decoded(text)) == {}, "canary in the worker's log"


def _assert_code_not_stored(canaries, code: str) -> None:
    handover_sms = SmsMessage.objects.filter(template="handover_code")
    assert handover_sms.exists()
    assert set(handover_sms.values_list("body", flat=True)) == {REDACTED}
    stored = _strings_in_database()
    assert "phone" in canaries.found_in(stored)  # the search sees the database
    assert "handover_code" not in canaries.found_in(stored), "code stored in clear"
