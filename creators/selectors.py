from django.http import Http404

from tenancy.scoping import Actor

from .models import Creator


def creator_of_portal(*, actor: Actor) -> Creator:
    """The creator a portal user acts as; anyone else has no portal (404)."""
    if not actor.is_creator:
        raise Http404
    return Creator.objects.get(pk=actor.creator_id)
