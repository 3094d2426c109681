"""Import completed passports from a CSV file into the dispatch queue."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from delivery import services
from delivery.errors import DomainError
from delivery.models import Office


class Command(BaseCommand):
    help = "Import a CSV of completed passports; prints a row-by-row report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--office", default="sijunjung", help="office code")
        parser.add_argument(
            "--json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args: Any, csv_file: Path, office: str, **options: Any) -> None:
        try:
            target = Office.objects.get(code=office)
        except Office.DoesNotExist:
            raise CommandError(f"No office with code {office!r}.") from None
        try:
            content = csv_file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc.strerror}") from None
        try:
            report = services.deliveries_import_csv(
                office=target, actor=services.Actor.system(), content=content
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._print(report, as_json=options["json"])

    def _print(self, report: services.ImportReport, *, as_json: bool) -> None:
        if as_json:
            errors = [vars(e) for e in report.errors]
            body = {
                "created": report.created,
                "existing": report.existing,
                "errors": errors,
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{len(report.created)} imported, {len(report.existing)} already present, "
            f"{len(report.errors)} refused."
        )
        for error in report.errors:
            reasons = "; ".join(error.errors)
            self.stdout.write(
                f"  row {error.row} ({error.application_number}): {reasons}"
            )
