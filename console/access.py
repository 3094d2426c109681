"""Who may use the console: dispatchers; auditors may read."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from delivery.access import caller_for
from delivery.models import Office, Role, Staff

SAFE_METHODS = frozenset({"GET", "HEAD"})
View = Callable[..., HttpResponse]


class StaffRequest(HttpRequest):
    """A request that `staff_view` let through: a logged-in user and their record."""

    user: User
    staff: Staff | None  # None only for a superuser without a staff record
    office: Office | None
    can_edit: bool  # False for read-only roles: their pages hide the forms


class OfficeRequest(StaffRequest):
    """A request that `console_view` or `dispatcher_only` let through."""

    staff: Staff
    office: Office


def staff_view(*roles: str, read_only: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Log in first; then only these roles (and superusers), some of them read-only.

    The view finds the caller's office as `request.office` (None for a superuser
    without an office) and their staff record as `request.staff`.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                login = reverse("console:login")
                return redirect(f"{login}?next={request.get_full_path()}")
            caller = caller_for(request.user)
            allowed = (*roles, *read_only)
            # A staff record decides; only a superuser without one passes on rank.
            # The checks below make it one; mypy cannot follow that.
            staff_request = cast(StaffRequest, request)
            staff_request.staff = caller.staff
            staff_request.office = caller.office
            staff_request.can_edit = caller.role not in read_only
            if caller.role not in allowed and not (
                caller.staff is None and caller.is_superuser
            ):
                return forbidden(request)
            if caller.role in read_only and request.method not in SAFE_METHODS:
                return forbidden(request)
            return view(staff_request, *args, **kwargs)

        return wrapper

    return decorate


def console_view(view: View) -> View:
    """Dispatchers of an office may do anything, its auditors may only read."""
    return _office_required(
        staff_view(Role.DISPATCHER, read_only=(Role.AUDITOR,))(view)
    )


def dispatcher_only(view: View) -> View:
    """Readable by dispatchers only, e.g. manifests with applicants' names."""
    return _office_required(staff_view(Role.DISPATCHER)(view))


def _office_required(view: View) -> View:
    """The queue and plans are an office's: a superuser needs a staff record too."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        caller = caller_for(request.user)
        if request.user.is_authenticated and caller.staff is None:
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request: HttpRequest) -> HttpResponse:
    """The console's own 403 page, in the page's language and layout."""
    caller = caller_for(request.user)
    # Only console staff see the console's links; anyone else just the way out.
    console_staff = caller.role in (Role.DISPATCHER, Role.AUDITOR)
    staff_request = cast(StaffRequest, request)
    staff_request.staff = caller.staff if console_staff else None
    staff_request.office = caller.office if console_staff else None
    home = reverse("console:audit" if caller.role == Role.AUDITOR else "console:queue")
    context = {"home": home if console_staff else None}
    return render(request, "console/403.html", context, status=403)


def landing_url(user: User | AnonymousUser) -> str:
    """Where a console user starts: auditors at the audit trail, others the queue."""
    role = caller_for(user).role
    return reverse("console:audit" if role == Role.AUDITOR else "console:queue")
