"""Signals of the SMS app, so that other apps react to SMS without being imported."""

from django.dispatch import Signal

# Sent for each new inbound SMS that is not STOP/START, with `phone` (E.164) and
# `body`; a receiver returns a short name of what it handled it as, or None.
inbound_sms_received = Signal()
