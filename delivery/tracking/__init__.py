"""The applicants' public tracking page and its small JSON API (no login, no PII)."""
