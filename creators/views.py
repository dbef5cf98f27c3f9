"""Creator pages: the directory and profiles that tenants browse, and the creator's own portal.

Views stay thin: the rows come from ``selectors`` (which apply who-may-see-what), the filters
from ``filters``; what is left here is shaping rows into what the templates and chart tags draw.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from tenancy import roles
from tenancy.views_base import TenantView, tenant_view
from ui.pages import paginate

from . import taxonomy
from .filters import CreatorFilter, taxonomy_lang
from .selectors import (
    can_see_private,
    creator_of_portal,
    creator_profile,
    creators_directory,
    directory_extra_columns,
    directory_figures,
    directory_ordering,
    directory_ordering_refusal,
    directory_page_rows,
    directory_sort_fields,
    metric_trend,
)

#: Tenants that browse creators; portal creators do not (they get 404), see creator_profile.
DIRECTORY_KINDS = roles.ORGANIZATION_KINDS
TREND_WEEKS = 26

METRIC_LABELS = {
    "followers": _("Followers"),
    "views": _("Views"),
    "likes": _("Likes"),
    "comments": _("Comments"),
    "shares": _("Shares"),
    "live_minutes": _("Live minutes"),
    "tipping_revenue": _("Tipping revenue"),
    "gmv": _("GMV"),
    "orders": _("Orders"),
}
#: Metrics drawn as charts; the tables may hold more columns.
CHARTED = ("followers", "views", "tipping_revenue", "gmv", "orders")
#: The profile page shows reach, plus income when the actor may see it (metric_trend decides).
DETAIL_COLUMNS = CHARTED
PORTAL_COLUMNS = tuple(METRIC_LABELS)
AXIS_TITLES = {
    "gender": _("Gender"),
    "age": _("Age"),
    "city_tier": _("City tier"),
    "interests": _("Interests"),
}


#: Links an app to the right puts on a creator's directory row and page (brands: "Invite to
#: campaign"), so creators names no app to its right: ``link(*, actor, creator)`` answers
#: ``(label, url)``, or None when this viewer may not follow it (no query: it runs per row).
CREATOR_LINKS: list = []


def register_creator_link(link) -> None:
    if link not in CREATOR_LINKS:
        CREATOR_LINKS.append(link)


def with_links(creators: list, *, actor) -> list:
    for creator in creators:
        answers = (link(actor=actor, creator=creator) for link in CREATOR_LINKS)
        creator.links = [answer for answer in answers if answer]
    return creators


#: Sections an app to the right adds to a creator's page (matching: "Lookalike creators"):
#: ``section(*, actor, creator)`` answers ``(template name, context)``, or None to show nothing.
CREATOR_SECTIONS: list = []


def register_creator_section(section) -> None:
    if section not in CREATOR_SECTIONS:
        CREATOR_SECTIONS.append(section)


def creator_sections(*, actor, creator) -> list[tuple[str, dict]]:
    answers = (section(actor=actor, creator=creator) for section in CREATOR_SECTIONS)
    return [answer for answer in answers if answer]


@tenant_view(kinds=DIRECTORY_KINDS)
def directory(request, *, actor):
    # One FilterSet with the API (creators.api.CreatorViewSet), and the API's ordering values.
    filterset = CreatorFilter(request.GET, queryset=creators_directory(actor=actor))
    asked = request.GET.get("ordering")
    refusal = directory_ordering_refusal(actor=actor, value=asked)
    ordering = directory_ordering(None if refusal else asked, actor=actor)
    page = paginate(request, directory_page_rows(filterset.qs, ordering, actor=actor))
    page.object_list, extra_columns = with_figures(with_labels(page.object_list), actor=actor)
    page.object_list = with_links(page.object_list, actor=actor)
    sort_links = _sort_links(request.GET, ordering, directory_sort_fields(actor=actor))
    context = {
        "filter": filterset,
        "page": page,
        "page_query": _without_page(request.GET),
        "ordering": ordering,
        "ordering_error": refusal,
        "sort_links": sort_links,
        "extra_headers": [(label, sort_links[key]) for key, label in extra_columns],
        "extra_labels": [label for _key, label in extra_columns],
        "row_links": any(creator.links for creator in page.object_list),
    }
    response = _page_or_partial(
        request, "creators/directory.html", "creators/_directory_table.html", context
    )
    if refusal:
        response.status_code = 400
    return response


@tenant_view(kinds=(*DIRECTORY_KINDS, roles.CREATOR))
def detail(request, handle, *, actor):
    creator = creator_profile(actor=actor, handle=handle)
    trend = metric_trend(actor=actor, creator=creator, last=TREND_WEEKS)
    context = {
        "creator": with_links(with_labels([creator]), actor=actor)[0],
        "private": can_see_private(actor=actor, creator=creator),
        "audience_charts": audience_charts(creator),
        "sections": creator_sections(actor=actor, creator=creator),
        **trend_context(trend, DETAIL_COLUMNS),
    }
    return render(request, "creators/detail.html", context)


class PortalView(TenantView, TemplateView):
    tenant_kinds = [roles.CREATOR]
    template_name = "creators/portal.html"

    def get_context_data(self, **kwargs):
        creator = creator_of_portal(actor=self.actor)
        trend = metric_trend(actor=self.actor, creator=creator, last=TREND_WEEKS)
        return super().get_context_data(
            creator=with_labels([creator])[0],
            private=True,  # the creator's own figures
            audience_charts=audience_charts(creator),
            **trend_context(trend, PORTAL_COLUMNS),
            **kwargs,
        )


def _page_or_partial(request, page_template: str, partial_template: str, context: dict):
    """htmx swaps in only the results; a history restore (htmx cache miss) needs the page."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, partial_template if partial else page_template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _without_page(params) -> str:
    """The query string of the current filters, for pagination links to append ``page=`` to."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def _sort_links(params, ordering: str, fields) -> dict[str, dict]:
    """Per sortable column in ``fields``: the query string that sorts by it (descending first
    for counts, figures and dates, ascending for the handle; the sorted column's link flips its
    direction) and its current direction ("ascending", "descending" or "none"), for the
    header's ``aria-sort``."""
    params = params.copy()
    params.pop("page", None)
    links = {}
    for name in fields:
        first = name if name == "handle" else f"-{name}"
        flipped = name if ordering == f"-{name}" else f"-{name}"
        params["ordering"] = flipped if ordering.removeprefix("-") == name else first
        state = "none"
        if ordering.removeprefix("-") == name:
            state = "descending" if ordering.startswith("-") else "ascending"
        links[name] = {"query": params.urlencode(), "state": state}
    return links


def with_figures(creators: list, *, actor) -> tuple[list, list]:
    """Attach the window's engagement rate and average views, and the columns other apps add
    for this viewer (a brand's own median fee and GMV): a bounded number of queries per page."""
    ids = [creator.pk for creator in creators]
    figures = directory_figures(actor=actor, creator_ids=ids)
    columns, extra = directory_extra_columns(actor=actor, creator_ids=ids)
    for creator in creators:
        mine = figures.get(creator.pk, {})
        creator.avg_views = mine.get("avg_views")
        creator.engagement_rate = mine.get("engagement_rate")
        creator.extra = extra[creator.pk]
    return creators, columns


def with_labels(creators) -> list:
    """Attach taxonomy labels in the page's language (model choices carry English only)."""
    lang, creators = taxonomy_lang(), list(creators)
    for creator in creators:
        creator.vertical_label = taxonomy.label(creator.vertical, lang, axis="vertical")
        creator.city_tier_label = taxonomy.label(creator.city_tier, lang, axis="city_tier")
        creator.region_label = taxonomy.region_label(creator.region, lang)
    return creators


def audience_charts(creator) -> list[tuple[str, list]]:
    """``[(axis title, [(label, share)])]`` per audience axis; empty without a portrait."""
    audience = getattr(creator, "audience", None)  # select_related: None costs no query
    if audience is None:
        return []
    lang = taxonomy_lang()
    return [
        (AXIS_TITLES[axis], _shares(axis, getattr(audience, axis), lang))
        for axis in taxonomy.AUDIENCE_AXES
    ]


def _shares(axis: str, shares: dict, lang: str) -> list[tuple[str, float]]:
    keys = taxonomy.keys(axis)
    if axis == "interests":  # 13 keys: only those the audience has, largest first
        keys = sorted((key for key in keys if shares.get(key)), key=lambda key: -shares[key])
    return [(taxonomy.label(key, lang, axis=axis), shares.get(key, 0)) for key in keys]


def trend_context(trend: list[dict], columns: tuple[str, ...]) -> dict:
    """Charts and a table of the weekly rows, limited to the columns the selector returned."""
    shown = [column for column in columns if trend and column in trend[0]]
    return {
        "trend_weeks": TREND_WEEKS,
        "trend_columns": [METRIC_LABELS[column] for column in shown],
        "trend_rows": [(row["date"], [row[column] for column in shown]) for row in trend],
        "trend_charts": [
            (METRIC_LABELS[column], [(row["date"].isoformat(), row[column]) for row in trend])
            for column in shown
            if column in CHARTED
        ],
    }
