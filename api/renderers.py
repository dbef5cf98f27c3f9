"""The browsable API, kept for developers and safe to show to any tenant.

We keep DRF's browsable API (a developer explores the API in a browser, with a session or a
key) instead of answering 406 to ``Accept: text/html``. Three things make it safe:

- it renders inside the actor: :class:`api.views.ActorAPIMixin` renders every response before
  ``dispatch`` resets the actor, so its forms query scoped managers, as the handler did;
- its dropdowns offer only the acting tenant's rows. DRF's serializer forms and django-filter's
  filter forms take their choices from the model's default manager; that is the actor-scoped
  one for every private table (``tenancy.managers``), and this renderer checks it again: a
  relation offers what ``Model.objects`` (scoped to the actor) holds, and a relation to a table
  without an actor manager offers nothing (fail closed: its id can still be typed into the raw
  JSON form);
- an API key's principal is no user; the page header names it (``tenancy.context_processors``).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.template import loader
from rest_framework import serializers
from rest_framework.renderers import BrowsableAPIRenderer, HTMLFormRenderer

from tenancy.scoping import current_actor


def visible_choices(queryset: QuerySet) -> QuerySet:
    """``queryset`` cut down to the acting tenant's rows; empty if its table is not theirs."""
    scoped = getattr(queryset.model, "objects", None)
    if current_actor() is None or not hasattr(scoped, "unscoped"):
        return queryset.none()
    return queryset.filter(pk__in=scoped.values("pk"))


def _scope_serializer(serializer) -> None:
    for field in serializer.fields.values():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.Serializer):
            _scope_serializer(field)
        elif isinstance(field, serializers.RelatedField) and field.queryset is not None:
            field.queryset = visible_choices(field.get_queryset())


class ScopedHTMLFormRenderer(HTMLFormRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        _scope_serializer(data.serializer)
        return super().render(data, accepted_media_type, renderer_context)


class ScopedBrowsableAPIRenderer(BrowsableAPIRenderer):
    form_renderer_class = ScopedHTMLFormRenderer

    def get_filter_form(self, data, view, request):
        """DRF's filter form, except that django-filter's choices are scoped as above."""
        if not self._lists_rows(data, view):
            return None
        queryset = view.get_queryset()
        elements = [
            html
            for backend in view.filter_backends
            if hasattr(backend, "to_html")
            and (html := self._filter_html(backend(), request, queryset, view))
        ]
        if not elements:
            return None
        return loader.get_template(self.filter_template).render({"elements": elements})

    @staticmethod
    def _lists_rows(data, view) -> bool:
        if not hasattr(view, "get_queryset") or not hasattr(view, "filter_backends"):
            return False
        if isinstance(data, list):
            return True
        paginator = getattr(view, "paginator", None)
        if paginator is None or data is None:
            return False
        try:
            paginator.get_results(data)
        except (TypeError, KeyError):
            return False
        return True

    @staticmethod
    def _filter_html(backend, request, queryset, view) -> str | None:
        if not hasattr(backend, "get_filterset"):  # e.g. OrderingFilter: field names only
            return backend.to_html(request, queryset, view)
        filterset = backend.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for field in filterset.form.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = visible_choices(field.queryset)
        return loader.get_template(backend.template).render({"filter": filterset}, request)
