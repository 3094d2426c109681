"""Bahasa Indonesia first: every message of ours is translated, English on request."""

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_indonesian_translation():
    entries = PO.read_text().split("\n\n")[1:]

    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""')]

    assert entries
    assert untranslated == []


def test_messages_come_out_in_indonesian_by_default_and_english_on_request():
    with translation.override(settings.LANGUAGE_CODE):
        indonesian = _("A reason is required.")
    with translation.override("en"):
        english = _("A reason is required.")

    assert indonesian == "Alasan wajib diisi."
    assert english == "A reason is required."
