"""The plan page's left-out list: groups, days left, and its one-click actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery.models import AuditRecord, Courier, Delivery, Role, Status
from delivery.workdays import next_working_day
from routing import services
from routing.models import PlanForecast, PlanStatus
from tests.factories import PASSWORD, OfficeFactory, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db
# Two districts: Sijunjung (13.03.04) and IV Nagari (13.03.05).
VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.04.2004",
            "13.03.05.2001", "13.03.04.2001"]  # fmt: skip


@pytest.fixture
def draft(office, couriers, django_capture_on_commit_callbacks):
    # One courier with room for two: four of six deliveries are left out.
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=2)
    for i, village in enumerate(VILLAGES):
        make_delivery(
            Status.QUEUED,
            office=office,
            village_code=village,
            address=f"Jl. Uji No. {i}",
            window_start="09:00" if i == 0 else None,
            window_end="11:00" if i == 0 else None,
        )
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.route_plan_start(
            office=office,
            on_date=next_working_day(timezone.localdate()),
            actor=None,
            courier_ids=[couriers[0].pk],
            time_limit_s=1,
            horizon_days=3,
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    return plan


def _left(plan):
    return list(plan.items.filter(stop__isnull=True).order_by("id"))


def _url(plan):
    return f"/petugas/rencana/{plan.pk}/tertinggal/"


def test_the_left_out_list_is_grouped_by_reason_and_district(console, draft):
    page = console.get(f"/petugas/rencana/{draft.pk}/").content.decode()
    left = _left(draft)
    assert len(left) == 4
    districts = {i.delivery.village_code[:8] for i in left}
    # One group per reason and district, each heading with its count.
    assert page.count('<details class="group"') == len(
        {(i.dropped_reason, i.delivery.village_code[:8]) for i in left}
    )
    for code in districts:
        name = {"13.03.04": "Sijunjung", "13.03.05": "IV Nagari"}[code]
        assert f'data-district="{name}"' in page
    deadline = left[0].delivery.document.collection_deadline
    assert f'<td class="num">{(deadline - draft.date).days}</td>' in page
    assert "Hari lain" in page
    assert "Tahan semua" in page
    assert "Perkiraan hari kerja berikutnya" in page


def test_a_row_is_put_off_to_another_day_audited(console, draft):
    item = _left(draft)[0]
    until = next_working_day(draft.date)

    answer = console.post(
        _url(draft), {"act": f"defer:{item.pk}", "until": until.isoformat()}
    )

    assert answer.status_code == 302
    delivery = Delivery.objects.get(pk=item.delivery_id)
    assert delivery.not_before == until
    assert delivery.status == Status.QUEUED
    record = AuditRecord.objects.filter(subject=f"delivery:{delivery.pk}").last()
    assert record.data["reason_code"] == "deferred"
    assert record.actor.username == "petugas"


def test_a_day_after_the_deadline_or_not_a_working_day_is_refused(console, draft):
    item = _left(draft)[0]
    deadline = item.delivery.document.collection_deadline
    saturday = draft.date + timedelta(days=(5 - draft.date.weekday()) % 7)
    for day in (deadline + timedelta(days=3), saturday, timezone.localdate()):
        answer = console.post(
            _url(draft),
            {"act": f"defer:{item.pk}", "until": day.isoformat()},
            follow=True,
        )
        assert answer.status_code == 200
        assert Delivery.objects.get(pk=item.delivery_id).not_before is None


def test_a_whole_group_is_held_with_the_chosen_reason(console, draft):
    left = _left(draft)
    ids = ",".join(str(i.pk) for i in left[:2])

    console.post(
        _url(draft), {"act": f"hold:{ids}", "reason": "unreachable", "note": "x"}
    )

    held = Delivery.objects.filter(pk__in=[i.delivery_id for i in left[:2]])
    assert {d.status for d in held} == {Status.ON_HOLD}
    for delivery in held:
        event = delivery.events.order_by("at").last()
        assert event.note == "Pemohon tidak dapat dihubungi: x"
        assert AuditRecord.objects.filter(
            subject=f"delivery:{delivery.pk}", data__to_status="on_hold"
        ).exists()


def test_a_row_goes_on_the_chosen_route(console, draft):
    item = _left(draft)[0]
    route = draft.routes.get()

    console.post(
        _url(draft), {"act": f"restore:{item.pk}", "route": route.pk, "position": 1}
    )

    item.refresh_from_db()
    assert item.stop is not None
    assert item.stop.route_id == route.pk


def test_the_ticked_rows_are_held_without_a_row_named(console, draft):
    left = _left(draft)
    console.post(
        _url(draft), {"act": "hold", "item": [left[1].pk, left[2].pk], "reason": "wait"}
    )
    statuses = Delivery.objects.filter(
        pk__in=[i.delivery_id for i in left]
    ).values_list("status", flat=True)
    assert sorted(statuses) == ["on_hold", "on_hold", "queued", "queued"]


def test_rows_of_another_plan_or_no_rows_are_refused(console, draft):
    for act in ("hold:999999", "hold", "sleep:1"):
        answer = console.post(_url(draft), {"act": act, "reason": "wait"})
        assert answer.status_code == 302
    assert not Delivery.objects.filter(status=Status.ON_HOLD).exists()


def test_an_auditor_cannot_act_and_another_office_gets_404(client, draft, office):
    item = _left(draft)[0]
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    client.login(username=auditor.user.username, password=PASSWORD)
    assert client.get(f"/petugas/rencana/{draft.pk}/").status_code == 200
    assert client.post(_url(draft), {"act": f"hold:{item.pk}"}).status_code == 403

    stranger = StaffFactory(office=OfficeFactory(code="padang"), role=Role.DISPATCHER)
    client.login(username=stranger.user.username, password=PASSWORD)
    assert client.post(_url(draft), {"act": f"hold:{item.pk}"}).status_code == 404
    assert client.get(f"/petugas/rencana/{draft.pk}/perkiraan/").status_code == 404
    assert Delivery.objects.get(pk=item.delivery_id).status == Status.QUEUED


def test_the_forecast_page_shows_days_couriers_and_what_is_at_risk(console, draft):
    forecast = PlanForecast.objects.get(plan=draft)
    assert forecast.result["summary"]["planned"] == 6

    page = console.get(f"/petugas/rencana/{draft.pk}/perkiraan/").content.decode()

    assert "Perkiraan 3 hari kerja" in page
    assert 'id="forecast-days"' in page
    assert "Setiap pengantaran mendapat hari sebelum batas waktunya." in page
