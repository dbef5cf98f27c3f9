"""Default managers of every private table: scoped to the acting actor, closed without one.

A model's queryset class says who may see which of its rows (:meth:`ActorQuerySet.visible_to`);
its default manager applies that rule to every query, Django's own included: reverse relations
(``campaign.collaborations``), ``get_object_or_404(Model, …)`` and DRF's related fields all go
through it. With no actor set, a query raises :class:`~tenancy.scoping.NoActorError`.

``Model.objects.unscoped()`` is the named escape hatch for operator jobs, admin, factories and
the selectors that cross tenants on purpose: it reads as a warning sign in review, and
``tests/test_query_paths.py`` keeps it (and ``.objects``) out of views, APIs, forms and tasks.
"""

from django.db import models

from .scoping import Actor, require_actor


class ActorQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor):
        raise NotImplementedError(f"{type(self).__name__} must say who may see its rows")

    def for_actor(self, actor: Actor):
        return self.visible_to(actor)


class ActorManager(models.Manager):
    """The default manager of a private table; its queryset class carries the rule."""

    def get_queryset(self):
        return self.for_actor(require_actor())

    def for_actor(self, actor: Actor):
        if actor.sees_every_row:
            return self.unscoped()
        return self.unscoped().visible_to(actor)

    def none(self):
        # An empty queryset reveals nothing, so it needs no actor (schema generation uses it).
        return self.unscoped().none()

    def unscoped(self):
        return super().get_queryset()


class TenantQuerySet(ActorQuerySet):
    """Rows owned by one organization: its members' and keys' only."""

    def visible_to(self, actor: Actor):
        if actor.organization_id is None:
            return self.none()
        return self.filter(organization_id=actor.organization_id)


class SignedInQuerySet(ActorQuerySet):
    """Rows every signed-in party may read (public creator fields, audiences, content, agency
    and brand profiles): still closed without an actor, and to an actor that acts for nobody."""

    def visible_to(self, actor: Actor):
        if actor.organization_id is None and not actor.is_creator:
            return self.none()
        return self


class OperatorOnlyQuerySet(ActorQuerySet):
    """Platform-side rows (runs, queues, models): the operator's staff only."""

    def visible_to(self, actor: Actor):
        return self if actor.is_operator else self.none()


TenantManager = ActorManager.from_queryset(TenantQuerySet)
SignedInManager = ActorManager.from_queryset(SignedInQuerySet)
