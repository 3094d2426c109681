"""The survey and the IKM, checked against worked examples of PermenPAN-RB 14/2017."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from delivery.errors import DomainError
from delivery.models import AuditRecord, Status, SurveyResponse
from delivery.services.satisfaction import (
    ELEMENTS,
    ikm_by_district,
    ikm_category,
    ikm_compute,
    ikm_for_period,
    survey_submit,
)
from notifications.models import SmsMessage, SmsStatus
from tests.factories import make_delivery
from tests.helpers import survey_path

# Four respondents, nine elements (rows: u1..u9; columns: respondents 1-4).
WORKED = {
    "u1": [4, 3, 3, 4],  # total 14, NRR 3.50
    "u2": [3, 3, 3, 3],  # total 12, NRR 3.00
    "u3": [2, 3, 3, 4],  # total 12, NRR 3.00
    "u4": [4, 4, 4, 4],  # total 16, NRR 4.00
    "u5": [3, 4, 3, 4],  # total 14, NRR 3.50
    "u6": [3, 3, 4, 4],  # total 14, NRR 3.50
    "u7": [4, 4, 4, 3],  # total 15, NRR 3.75
    "u8": [2, 2, 3, 3],  # total 10, NRR 2.50
    "u9": [3, 3, 3, 4],  # total 13, NRR 3.25
}
# By hand: sum of NRR = 30.00; IKM unit = 30.00 x 1/9 = 3.3333;
# converted = 3.3333... x 25 = 83.33, in 76.61-88.30: B (Baik).


def test_ikm_of_the_worked_example_matches_the_hand_computation():
    totals = {u: sum(scores) for u, scores in WORKED.items()}

    ikm = ikm_compute(totals=totals, respondents=4)

    assert ikm.nrr == {
        "u1": Decimal("3.50"), "u2": Decimal("3.00"), "u3": Decimal("3.00"),
        "u4": Decimal("4.00"), "u5": Decimal("3.50"), "u6": Decimal("3.50"),
        "u7": Decimal("3.75"), "u8": Decimal("2.50"), "u9": Decimal("3.25"),
    }  # fmt: skip
    assert ikm.unit == Decimal("3.3333")
    assert ikm.converted == Decimal("83.33")
    assert (ikm.category, ikm.label) == ("B", "Baik")


@pytest.mark.parametrize(
    ("element_total", "respondents", "converted", "category"),
    [
        # Every element has the same total, so NRR = total / n and converted = 25 NRR.
        (100, 100, "25.00", "D"),  # all answered 1
        (260, 100, "65.00", "C"),  # NRR 2.60: the lowest C
        (383, 125, "76.60", "C"),  # NRR 3.064: the highest C
        (883, 250, "88.30", "B"),  # NRR 3.532: the highest B
        (884, 250, "88.40", "A"),
        (400, 100, "100.00", "A"),  # all answered 4
    ],
)
def test_ikm_reaches_the_category_boundaries_of_the_regulation(
    element_total, respondents, converted, category
):
    totals = dict.fromkeys(ELEMENTS, element_total)

    ikm = ikm_compute(totals=totals, respondents=respondents)

    assert ikm.converted == Decimal(converted)
    assert ikm.category == category


@pytest.mark.parametrize(
    ("converted", "category", "label"),
    [
        ("25.00", "D", "Tidak baik"),
        ("64.99", "D", "Tidak baik"),
        ("65.00", "C", "Kurang baik"),
        ("76.60", "C", "Kurang baik"),
        ("76.605", "B", "Baik"),  # rounds half up to 76.61
        ("76.61", "B", "Baik"),
        ("88.30", "B", "Baik"),
        ("88.31", "A", "Sangat baik"),
        ("100.00", "A", "Sangat baik"),
    ],
)
def test_category_boundaries_follow_permenpan_rb_14_2017(converted, category, label):
    assert ikm_category(Decimal(converted)) == (category, label)


def test_no_respondents_means_no_ikm():
    assert ikm_compute(totals=dict.fromkeys(ELEMENTS, 0), respondents=0) is None


def _scores(respondent: int) -> dict[str, int]:
    return {u: WORKED[u][respondent] for u in ELEMENTS}


@pytest.mark.django_db
def test_ikm_per_period_and_district_from_stored_answers(office):
    deliveries = [make_delivery(Status.DELIVERED, office=office) for _ in range(4)]
    for n, delivery in enumerate(deliveries):
        survey_submit(delivery=delivery, scores=_scores(n))
    now = timezone.now()

    ikm = ikm_for_period(start=now - timedelta(days=1), end=now + timedelta(days=1))
    districts = ikm_by_district(start=now - timedelta(days=1), end=now)
    earlier = ikm_for_period(start=now - timedelta(days=9), end=now - timedelta(days=1))

    assert (ikm.respondents, ikm.converted, ikm.category) == (4, Decimal("83.33"), "B")
    assert list(districts) == ["13.03.04"]
    assert districts["13.03.04"].converted == Decimal("83.33")
    assert earlier is None


@pytest.mark.django_db
def test_survey_opens_only_after_handover_or_return(office):
    queued = make_delivery(Status.QUEUED, office=office)
    returned = make_delivery(Status.RETURNED_TO_OFFICE, office=office)

    with pytest.raises(DomainError):
        survey_submit(delivery=queued, scores=_scores(0))
    survey_submit(delivery=returned, scores=_scores(0))

    assert SurveyResponse.objects.get().delivery == returned


@pytest.mark.django_db
def test_a_delivery_is_rated_once(office):
    delivery = make_delivery(Status.DELIVERED, office=office)
    survey_submit(delivery=delivery, scores=_scores(0))

    with pytest.raises(DomainError, match="sudah dinilai"):
        survey_submit(delivery=delivery, scores=_scores(1))

    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db
def test_the_survey_page_stores_answers_and_thanks(office):
    delivery = make_delivery(Status.DELIVERED, office=office)
    url = survey_path(delivery)
    form = {u: str(v) for u, v in _scores(0).items()} | {"comment": "Cepat!"}

    page = Client().get(url)
    answer = Client().post(url, form)
    after = Client().get(url)

    assert page.status_code == 200
    assert "Persyaratan" in page.text
    assert answer.status_code == 302
    assert SurveyResponse.objects.get().comment == "Cepat!"
    assert "Terima kasih" in after.text
    assert AuditRecord.objects.filter(action="survey.submitted").exists()


@pytest.mark.django_db
def test_an_incomplete_survey_is_refused_in_indonesian(office):
    delivery = make_delivery(Status.DELIVERED, office=office)

    answer = Client().post(survey_path(delivery), {"u1": "4"})

    assert answer.status_code == 200
    assert "Pilih nilai." in answer.text
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_the_survey_form_needs_its_csrf_token(office):
    delivery = make_delivery(Status.DELIVERED, office=office)
    form = {u: "4" for u in ELEMENTS}

    answer = Client(enforce_csrf_checks=True).post(survey_path(delivery), form)

    assert answer.status_code == 403
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["K7M2QX9PRT4", "not-a-code", "0000000000"])
def test_unknown_and_malformed_codes_get_the_same_not_found_page(code):
    answer = Client().get(f"/t/{code}/nilai/")

    assert answer.status_code == 404
    assert "Tidak ditemukan" in answer.text


@pytest.mark.django_db
def test_public_lookups_are_rate_limited_per_client():
    answers = [Client().get("/t/K7M2QX9PRT4/nilai/") for _ in range(32)]

    assert answers[0].status_code == 404
    assert answers[-1].status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "K7M2QX9PRT", "x" * 200])
def test_the_tracking_code_alone_or_a_wrong_key_does_not_open_the_survey(office, key):
    delivery = make_delivery(Status.DELIVERED, office=office)
    base = f"/t/{delivery.tracking_code}/nilai/"
    url = base if key is None else f"{base}{key}/"
    form = {u: "4" for u in ELEMENTS}

    page = Client().get(url)
    answer = Client().post(url, form)

    assert page.status_code == 403
    assert "tautan dalam SMS" in page.text
    assert "Persyaratan" not in page.text
    assert answer.status_code == 403
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_only_a_keyed_hash_of_the_survey_key_is_stored(office):
    delivery = make_delivery(Status.DELIVERED, office=office)
    key = survey_path(delivery).rstrip("/").rsplit("/", 1)[1]

    delivery.refresh_from_db()
    assert len(key) == 10
    assert key not in delivery.survey_key_hash
    assert len(delivery.survey_key_hash) == 64


@pytest.mark.django_db
def test_the_outbox_forgets_the_survey_key_once_the_sms_is_sent(
    office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = make_delivery(Status.DELIVERED, office=office)
    key = survey_path(delivery).rstrip("/").rsplit("/", 1)[1]

    stored = SmsMessage.objects.get(template="delivered")
    assert stored.status == SmsStatus.SENT
    assert key not in stored.body
    assert Client().get(survey_path(delivery)).status_code == 200
