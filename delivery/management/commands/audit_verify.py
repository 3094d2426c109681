"""Verify the audit hash chain, its checkpoints and every delivery event against it."""

from django.core.management.base import BaseCommand, CommandError

from delivery.services.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail; fail naming the first broken record or event."

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"audit trail BROKEN: {result.problem}")
        self.stdout.write(
            f"audit trail OK: {result.records} records, {result.events} delivery "
            f"events, {result.checkpoints} checkpoints"
        )
