"""Managers of tenant-owned tables: scoped to the acting organization, closed without an actor."""

from django.db import models

from .scoping import require_actor


class TenantQuerySet(models.QuerySet):
    def for_actor(self, actor):
        if actor.organization_id is None:
            return self.none()
        return self.filter(organization_id=actor.organization_id)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of every table with an ``organization`` foreign key.

    ``Model.objects.all()`` yields only the acting organization's rows and raises
    :class:`~tenancy.scoping.NoActorError` when nothing acts. ``Model.objects.unscoped()`` is the
    named escape hatch for operator jobs, admin and cross-tenant selectors: it reads as a warning
    sign in review.

    Tenant-owned models also declare ``internal = models.Manager()`` and name it
    ``Meta.default_manager_name``: that is the manager *Django itself* reaches for (uniqueness
    validation, admin, serializer validators, reverse relations from an object already found
    through a scoped query). Validation must see every tenant's rows, or a duplicate across
    tenants would reach the database as an IntegrityError. Project code never uses it.
    """

    def get_queryset(self):
        return super().get_queryset().for_actor(require_actor())

    def none(self) -> TenantQuerySet:
        # An empty queryset reveals nothing, so it needs no actor (schema generation uses it).
        return super().get_queryset().none()

    def unscoped(self) -> TenantQuerySet:
        return super().get_queryset()
