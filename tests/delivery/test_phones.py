import pytest
from django.core.exceptions import ValidationError

from delivery.phones import phone_mask, phone_normalize


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "62812345678 90",
        "+6281234567890",
    ],
)
def test_indonesian_mobile_numbers_are_stored_as_e164(raw):
    assert phone_normalize(raw) == "+6281234567890"


@pytest.mark.parametrize(
    "raw", ["", "hello", "0812", "0751 123456", "+1 202 555 0100", "+65 9123 4567"]
)
def test_numbers_that_cannot_get_an_sms_are_refused(raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw)


def test_masked_number_hides_the_middle():
    assert phone_mask("+6281234567890") == "+6281****890"
