"""Every SMS template, rendered with long realistic values: GSM-7, brand first, link in,
one segment where it fits and never more than two."""

from pathlib import Path

import pytest
from django.conf import settings

from notifications import gsm
from notifications.services import sms_render

TEMPLATES = sorted(
    p.stem
    for p in (Path(settings.BASE_DIR) / "notifications/templates/sms/id").glob("*")
)
LINK = "https://antar-sijunjung.imigrasi.go.id/t/K7M2QX9PRT4"
LONG_VALUES = {
    "link": LINK,
    "date": "Rabu, 30 September",
    "start": "13.30",
    "end": "15.30",
    "time": "14.05",
    "courier": "Muhammad Rizki Pratama Syahputra",  # 31 characters, the longest seen
    "code": "483920",
    "reason": "alamat tidak ditemukan",
    "attempts": 3,
    "office": "Kantor Imigrasi Sijunjung",
    "hours": "Senin-Jumat 08.00-16.00 WIB",
    "deadline": "30 September 2026",
    "ticket": "ADU-7K2M9QXP",
    "days": 14,
    # The delivered SMS links to the survey with the applicant's key (10 characters).
    "survey_link": LINK + "/nilai/K7M2QX9PRT/",
}
# These carry more than fits one segment (office hours and deadline). The handover
# code is one segment: a delivered passport costs at most five messages.
TWO_SEGMENTS = {"returned_to_office"}


def test_there_is_a_template_for_every_step_in_both_languages():
    english = {
        p.stem
        for p in (Path(settings.BASE_DIR) / "notifications/templates/sms/en").glob("*")
    }

    assert set(TEMPLATES) == english
    assert {
        "queued",
        "scheduled",
        "handover_code",
        "delivered",
        "attempt_failed",
        "returned_to_office",
        "handover_locked",
    } <= set(TEMPLATES)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_template_is_gsm7_branded_linked_and_short(template, language):
    text = sms_render(template=template, language=language, context=LONG_VALUES)

    assert gsm.is_gsm7(text)
    assert text.startswith(f"{settings.ANTAR_BRAND}: ")
    assert LINK in text
    assert "{" not in text
    assert "  " not in text
    limit = 2 if template in TWO_SEGMENTS else 1
    assert gsm.segments(text) <= limit, (len(text), text)


def test_unknown_language_falls_back_to_indonesian():
    text = sms_render(template="queued", language="fr", context=LONG_VALUES)

    assert "Paspor Anda" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),
        ("{" * 81, 2),
        ("é" * 160, 1),
        ("ą" * 70, 1),
        ("ą" * 71, 2),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_segment_counting_follows_gsm_03_38(text, expected):
    assert gsm.segments(text) == expected


def test_non_gsm_characters_are_replaced_not_sent_as_ucs2():
    assert gsm.to_gsm7("“Muhammad” – Ąnisa…") == '"Muhammad" - Anisa...'


@pytest.mark.parametrize("language", ["id", "en"])
def test_handover_code_with_the_longest_courier_name_is_one_segment(language):
    text = sms_render(template="handover_code", language=language, context=LONG_VALUES)

    assert gsm.segments(text) == 1, (len(text), text)
    assert "483920" in text
    assert "Muhammad Rizki" in text
