"""Personal data at rest: Fernet encryption and a keyed index for exact search.

Passport numbers and proof photos are stored encrypted with a key that lives outside
the database (DATA_ENCRYPTION_KEY), so a copy of the database or of the media folder
alone reveals neither. A passport number that must be found again (admin search, the
dispatchers' queue search) also gets a keyed hash (HMAC-SHA256), whose key is derived
from the same secret: equal numbers give equal hashes, but the hash cannot be reversed
or recomputed without the key.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "keyed_index", "passport_index"]

_INDEX_LABEL = b"antar keyed index v1"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "DATA_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes)"
        ) from None


def _key() -> str:
    key = settings.DATA_ENCRYPTION_KEY
    if not key:
        raise ImproperlyConfigured("DATA_ENCRYPTION_KEY is not set")
    return key


def encrypt(data: bytes) -> bytes:
    """Encrypt (and authenticate) bytes with the data key."""
    return _fernet(_key()).encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Decrypt bytes written by `encrypt`; InvalidToken if altered or another key."""
    return _fernet(_key()).decrypt(token)


def keyed_index(value: str) -> str:
    """A keyed hash (hex) of a value, for exact search without storing it readable."""
    # A key of its own, derived from the data key: the index never reuses the
    # encryption key directly.
    index_key = hmac.new(_key().encode(), _INDEX_LABEL, hashlib.sha256).digest()
    return hmac.new(index_key, value.encode(), hashlib.sha256).hexdigest()


def passport_index(number: str) -> str:
    """The keyed index of a passport number, spaces and case ignored."""
    return keyed_index(number.replace(" ", "").upper())
