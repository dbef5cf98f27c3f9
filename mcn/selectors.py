"""Reads of the mcn app, each for the acting agency."""

from django.db.models import QuerySet

from creators.selectors import creators_directory
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
