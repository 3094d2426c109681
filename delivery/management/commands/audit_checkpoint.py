"""Sign the audit chain's head now (the beat task does this periodically)."""

from django.core.management.base import BaseCommand

from delivery.services.audit import audit_checkpoint_record


class Command(BaseCommand):
    help = "Record a signed checkpoint of the audit chain's latest hash."

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint_record()
        if checkpoint is None:
            self.stdout.write("nothing new to sign")
            return
        self.stdout.write(f"checkpoint at record #{checkpoint.record_id_at}")
