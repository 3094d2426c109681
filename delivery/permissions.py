"""Role checks for the API. Object-level scoping is done by the selectors."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from delivery.access import caller_for
from delivery.models import Role


def _has_role(request: Request, *roles: str) -> bool:
    return caller_for(request.user).has_role(*roles)


class IsDispatcher(BasePermission):
    """Dispatchers (and superusers) of an office."""

    message = "Only dispatchers may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _has_role(request, Role.DISPATCHER)


class IsOfficeStaff(BasePermission):
    """Anyone with a role in an office: dispatcher, courier or auditor."""

    message = "Only office staff may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _has_role(request, Role.DISPATCHER, Role.COURIER, Role.AUDITOR)


class IsDispatcherOrAuditor(BasePermission):
    """Office staff who may see every courier's work (not couriers)."""

    message = "Only dispatchers and auditors may see this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return _has_role(request, Role.DISPATCHER, Role.AUDITOR)
