"""Base classes every API view derives from; they own the actor and the tenant scoping.

The actor is worked out right after authentication and set for the rest of the request (the
permission checks, the handler and rendering: the response is rendered in
``finalize_response``, before ``dispatch`` returns), then reset when ``dispatch`` leaves.
Subclasses of :class:`TenantViewSet` implement :meth:`scoped_queryset`; ``get_queryset`` always
passes it the actor, so another tenant's row is simply not found (404).
"""

from __future__ import annotations

import datetime
from contextlib import ExitStack

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from tenancy.models import ApiKey
from tenancy.scoping import Actor, acting_as
from tenancy.selectors import actor_for_api_key, actor_for_user
from tenancy.views_base import SESSION_CONTEXT_KEY

from . import idempotency
from .fields import ActorRelatedField
from .permissions import ANY_KEY, HasActor

#: What a subclass may not override: the actor, the permission order and the scoping are the
#: base's (PostHog's ``routing.py`` does the same). A view changes its rows in scoped_queryset.
SEALED = (
    "dispatch",
    "initial",
    "perform_authentication",
    "get_permissions",
    "check_permissions",
    "get_queryset",
    "get_serializer",
    "queryset",
)


def require_scoped_relations(serializer) -> None:
    """Every writable relation of an API serializer takes its choices from the actor."""
    serializer = getattr(serializer, "child", serializer)  # many=True: the row serializer
    for name, field in serializer.fields.items():
        relation = getattr(field, "child_relation", field)
        writable = isinstance(relation, serializers.RelatedField) and not relation.read_only
        if writable and not isinstance(relation, ActorRelatedField):
            raise ImproperlyConfigured(
                f"{type(serializer).__name__}.{name} is a writable relation whose choices do not "
                "come from the actor: declare it as api.fields.ActorRelatedField(selector=…)."
            )


class ActorAPIMixin:
    """``read_scope`` / ``write_scope``: the key scope that safe / unsafe methods need; a view
    that declares none refuses keys (``permissions.ANY_KEY`` admits every valid key).

    :class:`~api.permissions.HasActor` always runs first, whatever ``permission_classes`` a
    subclass lists: they can only add conditions.
    """

    read_scope: str | None = None
    write_scope: str | None = None
    #: Actions that take their question as a POST body but write nothing (a what-if): they
    #: need ``read_scope`` and a read-only role may call them. tests/test_api_read_only_writes.py
    #: lists each one (``POST_READS``) and checks that it changes no row.
    read_actions: frozenset[str] = frozenset()
    keys_refused_message: str | None = None
    actor: Actor | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in SEALED if name in vars(cls)]
        if overridden and not vars(cls).get("_olive_base"):
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: the tenant scoping and the "
                "mandatory permissions belong to the base class. Implement scoped_queryset "
                "(and add permission_classes) instead."
            )

    def get_permissions(self):
        extra = [permission() for permission in self.permission_classes]
        return [HasActor(), *[p for p in extra if not isinstance(p, HasActor)]]

    def dispatch(self, request, *args, **kwargs):
        self._actor_context = ExitStack()
        # The API speaks UTC: stable offsets for clients (the pages show local time).
        with self._actor_context, timezone.override(datetime.UTC):
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        self.actor = self._resolve_actor(request)
        if self.actor is not None:
            self._actor_context.enter_context(acting_as(self.actor))

    def _resolve_actor(self, request) -> Actor | None:
        if isinstance(request.auth, ApiKey):
            return actor_for_api_key(request.auth)
        return actor_for_user(user=request.user, context=request.session.get(SESSION_CONTEXT_KEY))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_claim = idempotency.begin(request, self.actor)
        # Freed when dispatch leaves, however the request ends: an exception that becomes a 500
        # never reaches finalize_response.
        self._actor_context.callback(idempotency.release, self._idempotency_claim)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return idempotency.replayed(exc)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Kept before rendering: the answer to an Idempotency-Key is the data of a write that
        # happened, whatever the representation; if rendering it fails, a retry with the key
        # (say, as JSON) replays it instead of writing again.
        idempotency.finish(getattr(self, "_idempotency_claim", None), response)
        self._render_inside_actor(response)
        return response

    @staticmethod
    def _render_inside_actor(response) -> None:
        """Render now, while ``dispatch`` still holds the actor (and the UTC override).

        Django would render a DRF response only after ``dispatch`` returned, outside the actor:
        the browsable API (``api.renderers``) builds its forms from scoped querysets. An error
        while rendering propagates (a 500) after ``dispatch`` has reset the actor as usual.
        """
        if hasattr(response, "render") and not response.is_rendered:
            response.render()

    def is_read(self, request) -> bool:
        """A safe method, or one of the view's ``read_actions``."""
        safe = request.method in permissions.SAFE_METHODS
        return safe or getattr(self, "action", None) in self.read_actions

    def required_scope(self, request) -> str | None:
        return self.read_scope if self.is_read(request) else self.write_scope


class TenantAPIView(ActorAPIMixin, APIView):
    _olive_base = True


class TenantViewSet(ActorAPIMixin, viewsets.GenericViewSet):
    _olive_base = True

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        require_scoped_relations(serializer)
        return serializer

    def scoped_queryset(self, *, actor: Actor):
        raise NotImplementedError(f"{type(self).__name__} must implement scoped_queryset(actor=)")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no actor
            return self.get_serializer_class().Meta.model._base_manager.none()
        return self.scoped_queryset(actor=self.actor)


class ApiRootView(TenantAPIView):
    """``GET /api/v1/``: where each resource lives, for any valid key (no scope needed) and any
    signed-in user acting for someone. It names endpoints, never data, so it is the same for
    every tenant; what a caller may then do there is each endpoint's business."""

    read_scope = ANY_KEY
    #: name → URL name of the endpoint, given by the URL conf (``config/urls.py``), which is
    #: what knows every app's routes.
    resources: dict[str, str] = {}

    @extend_schema(
        operation_id="api_root",
        responses={200: OpenApiTypes.OBJECT},
        summary="The API's resources and URLs",
    )
    def get(self, request):
        return Response(
            {name: reverse(url_name, request=request) for name, url_name in self.resources.items()}
        )
