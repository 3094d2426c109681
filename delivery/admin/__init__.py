"""The back office: every model, with statuses changed only through the services.

Every page is limited to the caller's office (delivery.admin_scope); a superuser sees
all offices.
"""

# Django's autodiscovery imports only this package: importing the modules registers
# their admins.
from delivery.admin import applicants, deliveries, organisation, records

__all__ = ["applicants", "deliveries", "organisation", "records"]
