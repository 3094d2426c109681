"""The satisfaction survey and the IKM, the official way (PermenPAN-RB 14/2017).

Nine elements (unsur), each scored 1-4. Per element, NRR = total score / respondents;
each weighs 1/9; the unit's IKM is the sum of the weighted NRRs (1-4), and the
converted IKM is that times 25 (25-100), which falls in a quality category A-D.
Exact fractions are used throughout; only the published values are rounded.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delivery.errors import DomainError
from delivery.models import ActorKind, Delivery, Status, SurveyResponse
from delivery.services.audit import audit_append

ELEMENTS = [f"u{i}" for i in range(1, 10)]
ELEMENT_LABELS = {
    "u1": gettext_lazy("Requirements"),
    "u2": gettext_lazy("Procedure"),
    "u3": gettext_lazy("Service time"),
    "u4": gettext_lazy("Cost / tariff"),
    "u5": gettext_lazy("What you received (the service product)"),
    "u6": gettext_lazy("Competence of the staff"),
    "u7": gettext_lazy("Behaviour of the staff"),
    "u8": gettext_lazy("Handling of complaints and suggestions"),
    "u9": gettext_lazy("Facilities"),
}
SURVEY_OPEN = (Status.DELIVERED, Status.RETURNED_TO_OFFICE)
# (lowest converted value, category, label), best first: the regulation's table.
CATEGORIES = [
    (Decimal("88.31"), "A", gettext_lazy("Very good")),
    (Decimal("76.61"), "B", gettext_lazy("Good")),
    (Decimal("65.00"), "C", gettext_lazy("Not good enough")),
    (Decimal("25.00"), "D", gettext_lazy("Poor")),
]
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Ikm:
    """An IKM result: per-element NRR, the unit value, the converted value, category."""

    respondents: int
    nrr: dict[str, Decimal]
    unit: Decimal
    converted: Decimal
    category: str
    label: str


def ikm_category(converted: Decimal) -> tuple[str, str]:
    """The quality category (letter, label) of a converted IKM rounded to 2 places."""
    value = converted.quantize(_CENT, rounding=ROUND_HALF_UP)
    for lowest, letter, label in CATEGORIES:
        if value >= lowest:
            return letter, str(label)
    return "D", str(CATEGORIES[-1][2])


def ikm_compute(*, totals: dict[str, int], respondents: int) -> Ikm | None:
    """IKM from per-element score totals and the number of respondents."""
    if respondents <= 0:
        return None
    nrr = {u: Fraction(totals[u], respondents) for u in ELEMENTS}
    unit = sum(
        (value * Fraction(1, len(ELEMENTS)) for value in nrr.values()), Fraction()
    )
    converted = _decimal(unit * 25, "0.01")
    letter, label = ikm_category(converted)
    return Ikm(
        respondents=respondents,
        nrr={u: _decimal(value, "0.01") for u, value in nrr.items()},
        unit=_decimal(unit, "0.0001"),
        converted=converted,
        category=letter,
        label=label,
    )


def _decimal(value: Fraction, places: str) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def ikm_for_responses(responses: QuerySet[SurveyResponse]) -> Ikm | None:
    """IKM of a set of survey responses (e.g. a period, a district)."""
    sums = responses.aggregate(n=Count("id"), **{u: Sum(u) for u in ELEMENTS})
    return ikm_compute(totals=sums, respondents=sums["n"])


def ikm_for_period(
    *, start: datetime, end: datetime, district_code: str | None = None
) -> Ikm | None:
    """IKM of the responses given in [start, end), optionally for one district."""
    responses = SurveyResponse.objects.filter(created_at__gte=start, created_at__lt=end)
    if district_code:
        responses = responses.filter(district_code=district_code)
    return ikm_for_responses(responses)


def ikm_by_district(*, start: datetime, end: datetime) -> dict[str, Ikm]:
    """IKM of each district that answered in [start, end)."""
    responses = SurveyResponse.objects.filter(created_at__gte=start, created_at__lt=end)
    codes = responses.values_list("district_code", flat=True).distinct()
    by_district: dict[str, Ikm] = {}
    for code in sorted(codes):
        ikm = ikm_for_responses(responses.filter(district_code=code))
        if ikm is not None:  # always: every district listed here has answered
            by_district[code] = ikm
    return by_district


def survey_submit(
    *, delivery: Delivery, scores: dict[str, int], comment: str = "", source="web"
) -> SurveyResponse:
    """Record the applicant's one survey for a delivered or returned passport."""
    if delivery.status not in SURVEY_OPEN:
        raise DomainError(_("The survey opens once the passport is handed over."))
    if sorted(scores) != ELEMENTS or any(
        v not in (1, 2, 3, 4) for v in scores.values()
    ):
        raise DomainError(_("Give every element a score from 1 to 4."))
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                delivery=delivery,
                district_code=delivery.village_code[:8],
                comment=comment.strip()[:2000],
                source=source,
                **scores,
            )
            audit_append(
                action="survey.submitted",
                subject=f"delivery:{delivery.pk}",
                actor_kind=ActorKind.APPLICANT,
                data={"survey_id": response.pk, "source": source},
            )
    except IntegrityError:
        raise DomainError(
            _("This delivery has already been rated. Thank you!")
        ) from None
    return response


def survey_sms_rating(*, phone: str, rating: int) -> bool:
    """A one-digit SMS reply: an overall rating, audited but kept out of the IKM
    (the IKM needs all nine elements). False when no finished delivery matches."""
    delivery = (
        Delivery.objects.filter(
            document__applicant__phone=phone, status__in=SURVEY_OPEN
        )
        .order_by("-status_changed_at", "-id")
        .first()
    )
    if delivery is None or rating not in (1, 2, 3, 4):
        return False
    audit_append(
        action="survey.sms_rating",
        subject=f"delivery:{delivery.pk}",
        actor_kind=ActorKind.APPLICANT,
        data={"rating": rating},
    )
    return True
