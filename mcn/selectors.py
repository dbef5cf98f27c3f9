"""Reads of the mcn app: the agency directory (public) and each agency's own contracts."""

from django.db.models import Count, QuerySet

from creators.selectors import creators_directory
from tenancy.models import Organization
from tenancy.scoping import Actor

from .models import Contract


def contracts_of_agency(*, actor: Actor, status: str | None = Contract.Status.ACTIVE) -> QuerySet:
    contracts = Contract.objects.for_actor(actor).select_related("creator")
    return contracts.filter(status=status) if status else contracts


def contract_of_agency(*, actor: Actor, contract_id: int) -> Contract:
    """One of the acting agency's contracts; another agency's raises ``Contract.DoesNotExist``."""
    return contracts_of_agency(actor=actor, status=None).get(pk=contract_id)


def creator_id_for_handle(*, actor: Actor, handle: str) -> int | None:
    """The creator an agency names by handle (public directory data), or None if there is none."""
    found = creators_directory(actor=actor).filter(handle=handle)
    return found.values_list("pk", flat=True).first()


def agencies_directory(*, actor: Actor) -> QuerySet[Organization]:
    """MCN agencies and how many creators each has signed: public to every signed-in tenant."""
    if actor.organization_id is None and not actor.is_creator:
        return Organization.objects.none()
    return (
        Organization.objects.filter(kind=Organization.Kind.AGENCY)
        .annotate(signed_count=Count("signed_creators"))
        .order_by("-signed_count", "slug")
    )
