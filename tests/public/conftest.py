"""Fixtures of the tracking tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_budget():
    """Every test starts with a full look-up budget (LocMem lives per process)."""
    cache.clear()
    yield
    cache.clear()
