"""Applicants' phone numbers: validated with phonenumbers and stored as E.164."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SMS_CAPABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def phone_normalize(raw: str, *, region: str = "ID") -> str:
    """Return the number as E.164; raise ValidationError if no SMS can reach it."""
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Not a phone number."), code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Not a valid phone number."), code="phone")
    if phonenumbers.region_code_for_number(number) != region:
        raise ValidationError(
            _("Only Indonesian (+62) numbers are served."), code="phone"
        )
    if phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise ValidationError(
            _("Not a mobile number: it cannot receive SMS."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_mask(e164: str) -> str:
    """Return the number with the middle digits hidden, for staff screens and logs."""
    return f"{e164[:5]}****{e164[-3:]}" if len(e164) > 8 else "****"
