"""Serializer fields whose choices depend on who asks."""

from __future__ import annotations

from rest_framework import serializers

from tenancy.scoping import require_actor


class ActorRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable relation whose choices a selector gives, asked with the acting actor when the
    input is validated: another tenant's id then reads as a missing one (same error).

    The base viewset refuses any other writable relation (``api.views.require_scoped_relations``).
    """

    def __init__(self, *, model, selector, **kwargs):
        self.selector = selector
        # Never read for choices (get_queryset asks the selector); it tells DRF and the schema
        # which model the ids are of.
        super().__init__(queryset=model._base_manager.none(), **kwargs)

    def get_queryset(self):
        return self.selector(actor=require_actor())
