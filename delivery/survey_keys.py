"""Survey keys: the applicant's own key to the survey, sent only in the delivered SMS.

The tracking code alone does not open the survey, since others (a courier, a neighbour
shown the SMS about the appointment) may know it. The key is 10 characters of the
tracking codes' alphabet (50 bits from `secrets`); only its keyed hash is stored
(HMAC-SHA256 keyed by SECRET_KEY, which lives outside the database).
"""

import hmac
import secrets

from django.utils.crypto import salted_hmac

from delivery.tracking_codes import ALPHABET

KEY_LENGTH = 10
_SALT = "antar.survey-key"


def generate() -> str:
    """A new random survey key."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def key_hash(key: str) -> str:
    """The keyed hash of a key, as stored."""
    return salted_hmac(_SALT, key.strip().upper(), algorithm="sha256").hexdigest()


def matches(key: str, stored_hash: str) -> bool:
    """Whether `key` is the key whose hash is stored (constant time)."""
    if not (key and stored_hash) or len(key) > 2 * KEY_LENGTH:
        return False
    return hmac.compare_digest(key_hash(key), stored_hash)
