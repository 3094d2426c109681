"""Printable manifests (PDF, reportlab): one per courier's route, and a day summary.

They carry applicants' names, so only dispatchers may download them.
"""

import io
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from delivery.gazetteer import load_gazetteer
from routing.models import Route, RoutePlan
from routing.selectors import route_plan_dropped, route_plan_with_routes

_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _hm(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value else "-"


def _render(title: str, flowables: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm
    )
    doc.build(flowables)
    return buffer.getvalue()


def route_manifest_pdf(*, plan: RoutePlan, route: Route) -> bytes:
    """A courier's manifest: stops in order, and signatures at loading and return."""
    styles = getSampleStyleSheet()
    title = _("Manifest %(courier)s, %(date)s") % {
        "courier": route.courier,
        "date": plan.date.isoformat(),
    }
    gazetteer = load_gazetteer()
    header = [_("No."), _("Tracking code"), _("Applicant, phone"), _("Address")]
    rows: list[list] = [[*header, _("Window")]]
    for stop in route.stops.all():
        for item in stop.items.all():
            delivery = item.delivery
            rows.append(
                [
                    str(stop.sequence),
                    delivery.tracking_code_display,
                    _cell(delivery.document.applicant.full_name,
                          delivery.document.applicant.phone, styles),
                    _cell(delivery.address_line,
                          gazetteer.label(delivery.village_code), styles),
                    f"{_hm(stop.eta_start_at)}-{_hm(stop.eta_end_at)}",
                ]
            )  # fmt: skip
    table = Table(rows, colWidths=[10 * mm, 30 * mm, 45 * mm, 70 * mm, 25 * mm])
    table.setStyle(_GRID)
    return _render(
        title,
        [
            Paragraph(f"{plan.office.name}", styles["Title"]),
            Paragraph(title, styles["Heading2"]),
            Paragraph(_route_line(route), styles["Normal"]),
            Paragraph(
                escape(_("Start and end: %(base)s") % {"base": route.base()[0]}),
                styles["Normal"],
            ),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 12 * mm),
            _signatures(),
        ],
    )


def _cell(first: str, second: str, styles) -> Paragraph:
    """Two lines in one cell, escaped: reportlab reads its text as markup."""
    return Paragraph(f"{escape(first)}<br/>{escape(second)}", styles["Normal"])


def _route_line(route: Route) -> str:
    return _(
        "%(stops)s stops, %(passports)s passports, %(km)s km, %(start)s-%(end)s"
    ) % {
        "stops": route.stops.count(),
        "passports": route.load,
        "km": f"{route.distance_m / 1000:.1f}",
        "start": _hm(route.start_at),
        "end": _hm(route.end_at),
    }


def _signatures() -> Table:
    line = "_" * 28
    rows = [
        ["", _("Courier"), _("Dispatcher")],
        [_("Signature at loading"), line, line],
        [_("Signature at return"), line, line],
    ]
    table = Table(rows, colWidths=[45 * mm, 65 * mm, 65 * mm], rowHeights=14 * mm)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def day_summary_pdf(*, plan: RoutePlan) -> bytes:
    """The day on one page: per courier its figures, and what was left out."""
    styles = getSampleStyleSheet()
    title = _("Day summary %(date)s") % {"date": plan.date.isoformat()}
    rows = [
        [
            _("Courier"),
            _("Stops"),
            _("Passports"),
            "km",
            _("Hours"),
            _("First ETA"),
            _("Last ETA"),
        ]
    ]
    for route in route_plan_with_routes(plan):
        stops = list(route.stops.all())
        rows.append(
            [
                str(route.courier),
                str(len(stops)),
                str(route.load),
                f"{route.distance_m / 1000:.1f}",
                f"{route.duration_s / 3600:.1f}",
                _hm(stops[0].eta_start_at) if stops else "-",
                _hm(stops[-1].eta_end_at) if stops else "-",
            ]
        )
    table = Table(rows)
    table.setStyle(_GRID)
    dropped = route_plan_dropped(plan).count()
    return _render(
        title,
        [
            Paragraph(plan.office.name, styles["Title"]),
            Paragraph(title, styles["Heading2"]),
            table,
            Spacer(1, 6 * mm),
            Paragraph(_("Left out: %(n)s") % {"n": dropped}, styles["Normal"]),
        ],
    )
