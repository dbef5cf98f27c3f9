"""Who reads a compliance row: the querysets the models of this package share."""

from tenancy import roles
from tenancy.managers import ActorQuerySet, OperatorOnlyQuerySet

__all__ = ["AboutCreatorQuerySet", "OperatorOnlyQuerySet"]


class AboutCreatorQuerySet(ActorQuerySet):
    """Rows about a creator: the operator's, the creator's own, its current agency's."""

    def visible_to(self, actor):
        if actor.is_operator:
            return self
        if actor.is_creator:
            return self.filter(creator_id=actor.creator_id)
        if actor.kind == roles.AGENCY:
            return self.filter(creator__agency_id=actor.organization_id)
        return self.none()
