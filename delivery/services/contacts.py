"""An applicant's contact: the number handover codes go to, so every change is audited.

A changed number while a passport is on its way would let an insider divert it: the
re-issued handover code would go to the new number. Such changes are refused until the
delivery is back in the office's hands, and every change leaves an audit record.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import ActorKind, Applicant, Delivery, Status
from delivery.phones import phone_mask, phone_normalize
from delivery.services.audit import audit_append

# While a passport is planned for or with a courier, its code must reach the same phone.
CONTACT_FROZEN = (Status.SCHEDULED, Status.OUT_FOR_DELIVERY)
CONTACT_CHANGED = "applicant.contact_changed"


def applicant_contact_change_check(*, applicant: Applicant) -> None:
    """Raise DomainError if the applicant's number may not change now."""
    on_the_way = Delivery.objects.filter(
        document__applicant=applicant, status__in=CONTACT_FROZEN
    )
    if on_the_way.exists():
        raise DomainError(
            _(
                "The phone number cannot be changed while a passport of this "
                "applicant is scheduled or out for delivery."
            )
        )


@transaction.atomic
def applicant_change_contact(
    *, applicant: Applicant, actor: User, phone: str
) -> Applicant:
    """Change an applicant's phone number; audited, refused while a passport travels."""
    try:
        new_phone = phone_normalize(phone)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    # Lock the applicant's deliveries so that none is scheduled while we decide.
    delivery_ids = list(
        Delivery.objects.select_for_update(of=("self",))
        .filter(document__applicant_id=applicant.pk)
        .values_list("id", flat=True)
    )
    locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if new_phone == locked.phone:
        return locked
    applicant_contact_change_check(applicant=locked)
    old_phone, locked.phone = locked.phone, new_phone
    _save_phone(locked)
    audit_append(
        action=CONTACT_CHANGED,
        subject=f"applicant:{locked.pk}",
        actor=actor,
        actor_kind=ActorKind.STAFF,
        data={
            "old_phone": phone_mask(old_phone),
            "new_phone": phone_mask(new_phone),
            "delivery_ids": delivery_ids,
        },
    )
    return locked


def _save_phone(applicant: Applicant) -> None:
    try:
        with transaction.atomic():
            applicant.save(update_fields=["phone"])
    except IntegrityError:
        raise DomainError(
            _("Another applicant with this name already has this phone number.")
        ) from None
