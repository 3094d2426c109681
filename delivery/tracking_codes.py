"""Tracking codes: unguessable, easy to read aloud and type, with a check character.

Ten random characters from Crockford's base32 alphabet (no I, L, O or U, so nothing
looks alike; 50 bits from `secrets`) and one check character computed with the Luhn
mod N algorithm over the same alphabet, which catches every single mistyped character
and most swaps of neighbours. Shown in groups: K7M2-QX9P-RT4.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_LENGTH = 10
CODE_LENGTH = PAYLOAD_LENGTH + 1
# What people type for characters the alphabet leaves out.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvalidTrackingCode(ValueError):
    """The text is not a well-formed tracking code."""


def _luhn_sum(chars: str, *, double_first: bool) -> int:
    n = len(ALPHABET)
    total = 0
    factor = 2 if double_first else 1
    for char in reversed(chars):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 3 - factor
    return total


def check_character(payload: str) -> str:
    """Return the check character for a payload of alphabet characters."""
    remainder = _luhn_sum(payload, double_first=True) % len(ALPHABET)
    return ALPHABET[(len(ALPHABET) - remainder) % len(ALPHABET)]


def generate() -> str:
    """Return a new random tracking code in its stored form (11 characters)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return payload + check_character(payload)


def normalize(text: str) -> str:
    """Return the stored form of a typed code, or raise InvalidTrackingCode."""
    code = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        raise InvalidTrackingCode("wrong length or characters")
    if _luhn_sum(code, double_first=False) % len(ALPHABET) != 0:
        raise InvalidTrackingCode("check character does not match")
    return code


def display(code: str) -> str:
    """Return the code grouped for reading: XXXX-XXXX-XXX."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
