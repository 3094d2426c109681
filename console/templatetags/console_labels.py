"""Template filters that turn stored codes into words in the page's language."""

from django import template

from console import labels

register = template.Library()


@register.filter
def failure_reason(code: str) -> str:
    """`not_at_home` -> "Nobody at home" (translated)."""
    return labels.label(labels.FAILURE_REASONS, code)


@register.filter
def complaint_category(code: str) -> str:
    """`late` -> "Late or missed delivery" (translated)."""
    return labels.label(labels.CATEGORIES, code)


@register.filter
def audit_action(code: str) -> str:
    """`complaint.filed` -> "Complaint filed" (translated)."""
    return labels.label(labels.ACTIONS, code)


@register.filter
def audit_lines(data: dict) -> list[tuple[str, str]]:
    """A record's data as (label, value) lines."""
    return labels.audit_lines(data)


@register.filter
def wib(value) -> str:
    """A time in the office's zone with its offset."""
    return labels.local_iso(value)


@register.filter
def audit_subject(code: str) -> str:
    """`delivery:12` -> "Delivery 12" (translated)."""
    return labels.subject(code)


@register.filter
def actor_kind(code: str) -> str:
    """`applicant` -> "Applicant" (translated)."""
    return labels.label(labels.ACTOR_KINDS, code)
