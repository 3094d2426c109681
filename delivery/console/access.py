"""Who may use the console: dispatchers; auditors may read."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from delivery.models import Role
from delivery.selectors import staff_for_user

SAFE_METHODS = frozenset({"GET", "HEAD"})


def console_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; dispatchers may do anything, auditors may only read."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            login = reverse("console:login")
            return redirect(f"{login}?next={request.get_full_path()}")
        staff = staff_for_user(request.user)
        readers = (Role.DISPATCHER, Role.AUDITOR)
        if staff is None or staff.role not in readers:
            raise PermissionDenied
        if staff.role != Role.DISPATCHER and request.method not in SAFE_METHODS:
            raise PermissionDenied
        request.staff = staff
        request.office = staff.office
        return view(request, *args, **kwargs)

    return wrapper


def dispatcher_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Readable by dispatchers only, e.g. manifests with applicants' names."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.staff.role != Role.DISPATCHER:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return console_view(wrapper)
