"""Intake of completed passports into the dispatch queue: one, a batch, or a CSV file.

Idempotent on the application number: the same passport sent again is reported as
already present and changes nothing. Each good row is saved in its own transaction, so
one bad row never costs the others.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from delivery import tracking_codes
from delivery.errors import DomainError
from delivery.gazetteer import load_gazetteer
from delivery.intake_input import FIELD_LABELS, IntakeInput
from delivery.models import Applicant, Delivery, Document, LocationQuality, Office
from delivery.services.lifecycle import delivery_create, delivery_queue
from delivery.services.transitions import Actor

REQUIRED_COLUMNS = (
    "application_number",
    "passport_number",
    "full_name",
    "phone",
    "address",
    "issued_on",
)
MAX_CSV_ROWS = 5000


@dataclass
class RowError:
    """A refused row (CSV, numbered as a spreadsheet shows it) or batch item."""

    row: int
    application_number: str
    errors: list[str]


@dataclass
class ImportReport:
    """What an import did: created, already present, refused (with reasons)."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def delivery_intake(
    *, office: Office, actor: Actor, data: dict[str, Any]
) -> tuple[Delivery, bool]:
    """Create the delivery for validated intake data; return (delivery, created)."""
    existing = _existing(office, data["application_number"])
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            delivery = _create(office=office, actor=actor, data=data)
    except IntegrityError:
        # A concurrent intake of the same application won the race.
        existing = _existing(office, data["application_number"])
        if existing is None:
            raise
        return existing, False
    return delivery, True


def deliveries_intake_batch(
    *,
    office: Office,
    actor: Actor,
    items: list[dict[str, Any]],
    first_row: int = 1,
    seen: dict[str, int] | None = None,
    labelled: bool = False,
) -> ImportReport:
    """Validate and take in many raw items; report per item by its row number.

    `seen` maps the application numbers of earlier rows (a file imported in parts)
    to the row that first carried them, so a repeat is reported as a duplicate.
    `labelled` reasons name the column in the page's language (for people); else by
    its field name (for the API's clients).
    """
    report = ImportReport()
    seen = dict(seen or {})
    for row, raw in enumerate(items, start=first_row):
        number = str(raw.get("application_number") or "").strip()
        if number and number in seen:
            message = _("Duplicate of row %(row)s.") % {"row": seen[number]}
            report.errors.append(RowError(row, number, [message]))
            continue
        seen.setdefault(number, row)
        form = IntakeInput(data=raw)
        if not form.is_valid():
            reasons = flatten_errors(form.errors, labelled=labelled)
            report.errors.append(RowError(row, number, reasons))
            continue
        delivery, created = delivery_intake(
            office=office, actor=actor, data=form.validated_data
        )
        bucket = report.created if created else report.existing
        bucket.append(delivery.document.application_number)
    return report


def deliveries_import_csv(
    *, office: Office, actor: Actor, content: bytes | str
) -> ImportReport:
    """Import a CSV file (comma or semicolon separated, UTF-8 or Latin-1)."""
    rows = csv_rows(csv_text(content))
    # The header is row 1, as a spreadsheet numbers it.
    return deliveries_intake_batch(
        office=office, actor=actor, items=rows, first_row=2, labelled=True
    )


def csv_text(content: bytes | str) -> str:
    """The file's text: UTF-8 (with or without BOM), else Latin-1."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of a CSV text; refuses a file that is no CSV text, lacks the columns
    or is over the limit."""
    if "\x00" in text:
        # NUL never occurs in text: this is a binary file (a spreadsheet, an image).
        raise DomainError(_("This is not a CSV text file."))
    reader = _csv_reader(text)
    try:
        fieldnames = list(reader.fieldnames or [])
        # An empty cell means "not given", as it does to the person who filled it in.
        rows = [
            {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
            for row in reader
        ]
    except csv.Error:
        # Too long a field (over csv.field_size_limit) or a broken quote or line end.
        raise DomainError(
            _(
                "Line %(line)s cannot be read as CSV: a field is longer than "
                "%(max)s characters or the line is broken."
            )
            % {"line": reader.reader.line_num, "max": csv.field_size_limit()}
        ) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in fieldnames]
    if missing:
        raise DomainError(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}
        )
    if len(rows) > MAX_CSV_ROWS:
        raise DomainError(
            _("Too many rows (%(n)s); the limit is %(max)s per file.")
            % {"n": len(rows), "max": MAX_CSV_ROWS}
        )
    return rows


def flatten_errors(
    errors: Any, prefix: str = "", *, labelled: bool = False
) -> list[str]:
    """Turn a serializer's error tree into 'field: message' lines."""
    if isinstance(errors, dict):
        lines = []
        for name, value in errors.items():
            label = "" if name == "non_field_errors" else f"{name}: "
            if labelled and label:
                label = _field_label(name)
            lines += flatten_errors(value, prefix=label, labelled=labelled)
        return lines
    if isinstance(errors, list):
        return [
            line
            for item in errors
            for line in flatten_errors(item, prefix, labelled=labelled)
        ]
    return [f"{prefix}{errors}"]


def _field_label(name: str) -> str:
    """'Nomor paspor (passport_number): ': the word, and the column it is in."""
    if name not in FIELD_LABELS:
        return f"{name}: "
    return f"{FIELD_LABELS[name]} ({name}): "


def _existing(office: Office, application_number: str) -> Delivery | None:
    return (
        Delivery.objects.select_related("document")
        .filter(office=office, document__application_number=application_number)
        .first()
    )


def _create(*, office: Office, actor: Actor, data: dict[str, Any]) -> Delivery:
    applicant, _created = Applicant.objects.get_or_create(
        phone=data["phone"],
        full_name=data["full_name"],
        defaults={"language": data["language"]},
    )
    document = Document.objects.create(
        office=office,
        applicant=applicant,
        application_number=data["application_number"],
        passport_number=data["passport_number"],
        issued_on=data["issued_on"],
    )
    delivery = delivery_create(
        actor=actor,
        office=office,
        document=document,
        tracking_code=_new_tracking_code(),
        address_line=data["address"],
        village_code=data["village_code"],
        window_start=data.get("window_start"),
        window_end=data.get("window_end"),
        priority=data["priority"],
        notes=data.get("notes", ""),
        **_location(data),
    )
    if delivery.has_location:
        delivery = delivery_queue(delivery=delivery, actor=Actor.system())
    return delivery


def _location(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("lat") is not None:
        return {
            "lat": data["lat"],
            "lon": data["lon"],
            "location_quality": LocationQuality.PIN,
            "location_source": "manual",
        }
    place = load_gazetteer().get(data["village_code"])
    return {
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "location_quality": LocationQuality.VILLAGE if place else LocationQuality.NONE,
        "location_source": "gazetteer" if place else "",
    }


def _new_tracking_code() -> str:
    # 50 random bits: a collision is astronomically rare, but never trust luck.
    while True:
        code = tracking_codes.generate()
        if not Delivery.objects.filter(tracking_code=code).exists():
            return code


def _csv_reader(content: str) -> "csv.DictReader[str]":
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # newline="" as the csv module asks: a line may end in \r, \n or \r\n.
    return csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
