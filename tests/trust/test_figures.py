"""Published service figures: per month, withheld below the minimum of cases."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from console.figures import office_figures
from delivery.figures import figures_for_month, figures_recent
from delivery.models import ComplaintStatus, Status
from delivery.services.complaints import complaint_file, complaint_respond
from delivery.services.satisfaction import ELEMENTS, survey_submit
from tests.factories import issued_days_ago, make_delivery

pytestmark = pytest.mark.django_db
# 10 September 2026, 10.00 WIB: inside the 09.00-11.00 window make_delivery plans.
MORNING = datetime(2026, 9, 10, 3, 0, tzinfo=UTC)
SEPTEMBER = date(2026, 9, 1)


@pytest.fixture
def month_of_work(office, courier, dispatcher):
    """4 handed over (one after its window), 1 returned, 3 surveys, 3 complaints."""
    with time_machine.travel(MORNING, tick=False) as clock:
        delivered = [
            make_delivery(
                Status.DELIVERED, office=office, issued_on=issued_days_ago(days)
            )
            for days in (2, 4, 6)
        ]
        make_delivery(Status.RETURNED_TO_OFFICE, office=office)
        for delivery in delivered:
            survey_submit(delivery=delivery, scores=dict.fromkeys(ELEMENTS, 4))
        complaints = [complaint_file(text="x", category="late") for _ in range(3)]
        for complaint in complaints[:2]:
            complaint_respond(
                complaint=complaint,
                actor=dispatcher.user,
                status=ComplaintStatus.RESOLVED,
                public_note="ok",
            )
        clock.shift(timedelta(hours=2))  # 12.00 WIB: after the window
        make_delivery(Status.DELIVERED, office=office, issued_on=issued_days_ago(8))


def test_figures_of_a_month_are_computed_from_its_cases(month_of_work, settings):
    settings.MIN_CASES_PUBLIC = 3

    figures = figures_for_month(month=SEPTEMBER)

    assert (figures.on_time.value, figures.on_time.cases) == (Decimal("75.0"), 4)
    assert (figures.first_attempt.value, figures.first_attempt.cases) == (
        Decimal("80.0"),
        5,
    )
    assert figures.median_days.value == Decimal("5")
    assert (figures.ikm.value, figures.ikm.cases) == (Decimal("100.00"), 3)
    assert figures.ikm_category == "A (Sangat baik)"
    assert figures.complaints_received.value == 3
    assert figures.complaints_on_time.value == Decimal("66.7")


def test_figures_from_too_few_cases_are_withheld(month_of_work, settings):
    settings.MIN_CASES_PUBLIC = 10

    figures = figures_for_month(month=SEPTEMBER)

    assert not any(
        f.shown
        for f in (
            figures.on_time,
            figures.first_attempt,
            figures.median_days,
            figures.ikm,
            figures.complaints_received,
            figures.complaints_on_time,
        )
    )
    assert figures.ikm_category == ""


def test_console_and_public_page_publish_the_same_figures(
    month_of_work, office, settings
):
    settings.MIN_CASES_PUBLIC = 1

    public = figures_for_month(month=SEPTEMBER)
    console = office_figures(
        office=office, start=SEPTEMBER, end=date(2026, 9, 30)
    ).total

    assert console.on_time_pct == public.on_time.value == Decimal("75.0")
    assert console.first_attempt_pct == public.first_attempt.value == Decimal("80.0")
    assert console.median_days == public.median_days.value == Decimal("5")
    assert console.delivered == public.median_days.cases == 4


def test_other_months_do_not_count_this_months_cases(month_of_work, settings):
    settings.MIN_CASES_PUBLIC = 1

    august = figures_for_month(month=date(2026, 8, 1))

    assert august.on_time.cases == august.ikm.cases == 0


def test_recent_figures_are_this_month_and_the_five_before():
    months = figures_recent(today=date(2026, 3, 15))

    assert [m.month for m in months] == [
        date(2026, 3, 1),
        date(2026, 2, 1),
        date(2026, 1, 1),
        date(2025, 12, 1),
        date(2025, 11, 1),
        date(2025, 10, 1),
    ]


def test_the_public_page_shows_figures_without_login(month_of_work, settings):
    settings.MIN_CASES_PUBLIC = 3

    with time_machine.travel(MORNING + timedelta(days=5)):
        page = Client().get("/statistik/")

    assert page.status_code == 200
    assert "Kinerja layanan" in page.text
    assert "100,00" in page.text
    assert "A (Sangat baik)" in page.text
    assert "75,0%" in page.text


def test_the_public_page_withholds_small_figures(month_of_work):
    with time_machine.travel(MORNING + timedelta(days=5)):
        page = Client().get("/statistik/")

    assert page.status_code == 200
    assert "kasus terlalu sedikit" in page.text
    assert "Sangat baik" not in page.text


def test_a_passport_collected_at_the_office_is_not_judged_on_time(office, settings):
    from delivery.services import Actor, delivery_mark_collected

    settings.MIN_CASES_PUBLIC = 1
    with time_machine.travel(MORNING, tick=False) as clock:
        make_delivery(Status.DELIVERED, office=office)
        returned = make_delivery(Status.RETURNED_TO_OFFICE, office=office)
        clock.shift(timedelta(days=2))
        delivery_mark_collected(delivery=returned, actor=Actor.system())

    figures = figures_for_month(month=SEPTEMBER)

    assert (figures.on_time.value, figures.on_time.cases) == (Decimal("100.0"), 1)
    assert figures.median_days.cases == 2
