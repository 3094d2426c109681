import pytest

from notifications.backends import get_backend
from tests.twilio_double import TwilioDouble


@pytest.fixture
def twilio(settings):
    """A local Twilio double, with the service's Twilio backend pointed at it."""
    with TwilioDouble() as double:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = double.account_sid
        settings.TWILIO_AUTH_TOKEN = double.auth_token
        settings.TWILIO_API_BASE_URL = double.base_url
        settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32
        settings.TWILIO_TIMEOUT_S = 1
        get_backend.cache_clear()
        yield double
        get_backend.cache_clear()
