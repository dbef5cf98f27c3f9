"""Every filter on a related id, in the API and on the pages, resolves its choices through the
acting actor, so it cannot tell another tenant's id from a missing one.

django-filter builds a ``ModelChoiceFilter`` for a foreign key named in ``filterset_fields`` (or
``Meta.fields``) and validates the value against the related model's *default* manager, which
here is the unscoped one Django's own machinery needs: another tenant's id would be a valid
choice (200, empty list) and a missing id an invalid one (400). The filters are found from the
URL resolver (API viewsets, ``filterset_fields`` included) and from every app's ``filters``
module, so a new one is checked without being listed here.
"""

import importlib
from importlib.util import find_spec
from pathlib import Path

import django_filters
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend

from tenancy.scoping import NOBODY, Actor, NoActorError, acting_as


def _api_viewsets() -> set[type]:
    found = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                found.add(getattr(pattern.callback, "cls", None))

    walk(get_resolver().url_patterns)
    return found - {None}


def _api_filtersets() -> dict[str, type]:
    filtersets = {}
    for view_class in _api_viewsets():
        backends = getattr(view_class, "filter_backends", [])
        if not any(issubclass(backend, DjangoFilterBackend) for backend in backends):
            continue
        serializer = getattr(view_class, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is None:
            continue
        with acting_as(NOBODY):  # building a FilterSet resolves lookups on the scoped manager
            filterset = DjangoFilterBackend().get_filterset_class(
                view_class(), model._base_manager.none()
            )
        if filterset is not None:
            filtersets[f"api:{view_class.__name__}"] = filterset
    return filtersets


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _is_project_app(config) -> bool:
    path = Path(config.path)
    return path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts


def _page_filtersets() -> dict[str, type]:
    project = set()
    for config in filter(_is_project_app, apps.get_app_configs()):
        if find_spec(f"{config.name}.filters") is not None:
            importlib.import_module(f"{config.name}.filters")
        project.add(config.name)
    return {
        f"{fs.__module__}.{fs.__name__}": fs
        for fs in _subclasses(django_filters.FilterSet)
        if fs.__module__.split(".")[0] in project
    }


def _related_id_filters() -> dict[str, object]:
    filters = {}
    for label, filterset in {**_page_filtersets(), **_api_filtersets()}.items():
        for name, filter_ in filterset.base_filters.items():
            if isinstance(filter_, QuerySetRequestMixin):
                filters[f"{label}.{name}"] = filter_
    return filters


def test_the_related_id_filters_are_the_ones_with_a_cross_tenant_test():
    # Each one has a test that another tenant's id and a missing id answer alike
    # (tests/brands/test_api.py for the order filter). A new one needs such a test too.
    assert set(_related_id_filters()) == {
        "brands.filters.OrderFilter.collaboration",
        "api:OrderViewSet.collaboration",
    }


@pytest.mark.parametrize("label", sorted(_related_id_filters()))
def test_related_id_filter_takes_its_choices_from_the_actor(label):
    filter_ = _related_id_filters()[label]
    assert callable(filter_.queryset), (
        f"{label} has a fixed queryset: resolve it through the actor, "
        "e.g. queryset=lambda request: <selector>(actor=...)"
    )
    with pytest.raises(NoActorError):  # no actor, no choices: it reads through the actor
        filter_.get_queryset(None)


@pytest.mark.django_db
def test_the_selection_centres_campaign_filter_takes_its_choices_from_the_actor():
    """``matching.forms.MatchFilterForm`` (the selection page's and the API's filters) is a form,
    not a FilterSet: its one related id, ``campaign``, lists the acting brand's campaigns only
    (tests/matching/test_api.py: another brand's id answers like a missing one)."""
    from matching.forms import MatchFilterForm
    from tests.factories import CampaignFactory

    mine, theirs = CampaignFactory(), CampaignFactory()
    brand = mine.organization
    actor = Actor(
        user_id=None, organization_id=brand.pk, organization_kind=brand.kind, role="owner"
    )
    with acting_as(actor):
        form = MatchFilterForm({"campaign": theirs.pk}, actor=actor)
        assert list(form.fields["campaign"].queryset) == [mine]
        assert not form.is_valid() and list(form.errors) == ["campaign"]


@pytest.mark.django_db
def test_the_originality_pages_creator_filter_takes_its_choices_from_the_actor():
    """``compliance.forms.OriginalityFilterForm`` (the operator's and the agency's flag lists)
    is a form, not a FilterSet: its one related id, ``creator`` (a handle), resolves among the
    creators whose flags the actor sees (tests/compliance/test_originality_pages.py: another
    agency's creator answers like a missing one)."""
    from compliance.forms import OriginalityFilterForm
    from tests.factories import CreatorFactory, OrganizationFactory

    agency, other = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    mine, theirs = CreatorFactory(agency=agency), CreatorFactory(agency=other)
    actor = Actor(user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner")
    with acting_as(actor):
        form = OriginalityFilterForm({"creator": theirs.handle}, actor=actor)
        assert list(form.fields["creator"].queryset) == [mine]
        assert not form.is_valid() and list(form.errors) == ["creator"]
        assert OriginalityFilterForm({"creator": mine.handle}, actor=actor).is_valid()
    with pytest.raises(TypeError):  # no actor, no form: its choices need one
        OriginalityFilterForm({})
