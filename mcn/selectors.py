"""Reads of the mcn app: the agency directory (public), each agency's own contracts and offers,
and a creator's own contract offers (the one cross-tenant read of contracts: a creator sees
the contracts and offers made to it, by any agency, and nobody else's)."""

from django.db.models import Case, Count, QuerySet, When

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


def contracts_of_creator(*, actor: Actor) -> QuerySet[Contract]:
    """The acting creator's own contracts and offers, with the agency's name; nobody else's."""
    if not actor.is_creator:
        return Contract.objects.none()
    rows = Contract.objects.unscoped().filter(creator_id=actor.creator_id)
    is_open = Case(When(status=Contract.Status.OFFERED, then=0), default=1)
    return rows.select_related("organization", "creator").order_by(is_open, "-created_at", "-id")


def contract_of_creator(*, actor: Actor, contract_id: int) -> Contract:
    """One of the acting creator's contracts; anyone else's raises ``Contract.DoesNotExist``."""
    return contracts_of_creator(actor=actor).get(pk=contract_id)


def contracts_visible(*, actor: Actor) -> QuerySet[Contract]:
    """What the API lists: a creator's own contracts, or an agency's own (empty for others)."""
    if actor.is_creator:
        return contracts_of_creator(actor=actor)
    return contracts_of_agency(actor=actor, status=None)


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
