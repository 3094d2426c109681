"""Who is calling: the one way to find the caller's office and role.

The console, the API, the admin, the courier app and the selectors all ask
`caller_for(user)`; none of them reads `Staff` on its own. A superuser without a
staff record is a caller of every office (`office is None`, every role allowed).
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import Office, Role, Staff

_CACHE_ATTR = "_antar_caller"


@dataclass(frozen=True)
class Caller:
    """A user with their staff record, if they have one."""

    user: User | AnonymousUser
    staff: Staff | None

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False))

    @property
    def office(self) -> Office | None:
        return self.staff.office if self.staff else None

    @property
    def role(self) -> str | None:
        return self.staff.role if self.staff else None

    def has_role(self, *roles: str) -> bool:
        """Whether the caller is a superuser or has one of these roles."""
        return self.is_superuser or (self.staff is not None and self.role in roles)


def staff_for_user(user: User | AnonymousUser) -> Staff | None:
    """Return the user's staff record (with office), or None."""
    return caller_for(user).staff


def caller_for(user: User | AnonymousUser) -> Caller:
    """The caller behind a user, read once per user object (i.e. per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    staff = None
    if user.is_authenticated:
        staff = Staff.objects.select_related("office").filter(user=user).first()
    caller = Caller(user=user, staff=staff)
    if user.is_authenticated:
        setattr(user, _CACHE_ATTR, caller)
    return caller


def signed_in_user(user: User | AnonymousUser) -> User:
    """The user of a request that a login check let through; never anonymous."""
    # Views ask only after their login check or permission class; an anonymous
    # user here is refused rather than taken for someone.
    if isinstance(user, AnonymousUser):
        raise PermissionDenied
    return user


def caller_office(user: User | AnonymousUser) -> Office:
    """The caller's office; a clear refusal for an account without one."""
    office = caller_for(user).office
    if office is None:
        raise DomainError(_("Your account is not attached to an office."))
    return office


__all__ = [
    "Caller",
    "Role",
    "caller_for",
    "caller_office",
    "signed_in_user",
    "staff_for_user",
]
