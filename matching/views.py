"""The product-selection centre (选品中心) for brands, products that fit a creator's fans in
the portal, and the lookalike section of a creator's page.

The rows come from ``selectors`` (tenancy, the index, the tie-break); here they are shaped for
the templates: labels in the page's language, the audience-vs-target chart, the invite link.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from brands.selectors import products_taking_offers
from brands.views_offers import invite_link
from creators import taxonomy
from creators.filters import taxonomy_lang
from creators.selectors import creator_of_portal
from creators.views import AXIS_TITLES, with_labels
from tenancy import roles
from tenancy.views_base import tenant_view

from . import engine, features
from .labels import shown_reasons
from .selectors import (
    audiences_of,
    creators_for_product,
    creators_for_target,
    lookalikes,
    product_for_matching,
    products_for_creator,
)
from .services import index_in_force
from .target_form import FilterPageForm, TargetForm

#: Interests drawn in a result's chart: those the creator's fans or the target weigh most.
CHART_INTERESTS = 5
LOOKALIKES_SHOWN = 6


@tenant_view(kinds=[roles.BRAND])
def selection(request, *, actor):
    """Pick a product, or describe a target audience."""
    context = {
        "products": list(products_taking_offers(actor=actor)),
        "target_form": TargetForm(),
        "index_built": index_in_force() is not None,
    }
    return render(request, "matching/selection.html", context)


@tenant_view(kinds=[roles.BRAND])
def selection_product(request, product_id: int, *, actor):
    product = product_for_matching(actor=actor, product_id=product_id)
    target = features.product_of(product)
    form = FilterPageForm(request.GET or None, actor=actor)

    def rank(filters, limit):
        return creators_for_product(actor=actor, product=product, filters=filters, limit=limit)

    context = {"product": product, "filter_form": form, "forms": [form]}
    return _ranked_page(request, actor, context, target, rank)


@tenant_view(kinds=[roles.BRAND])
def selection_target(request, *, actor):
    """Creators for a described target audience: the target's fields and the filters in one
    GET form, so the list updates the same way as for a product."""
    target_form = TargetForm(request.GET)
    form = FilterPageForm(request.GET, actor=actor)
    context = {"target_form": target_form, "filter_form": form, "forms": [target_form, form]}
    if not target_form.is_valid():
        return _ranked_page(request, actor, context, None, None)
    target = target_form.product()

    def rank(filters, limit):
        return creators_for_target(actor=actor, target=target, filters=filters, limit=limit)

    return _ranked_page(request, actor, context, target, rank)


def _ranked_page(request, actor, context: dict, target, rank):
    """The page (or, for htmx, the results partial); a form error answers 400 with it shown."""
    form = context["filter_form"]
    valid = all(f.is_valid() for f in context["forms"] if f.is_bound)
    matches, campaign = None, None
    if valid and rank is not None:
        filters, limit = (form.filters(), form.top_k) if form.is_bound else (engine.Filters(), 20)
        matches = rank(filters, limit)
        campaign = form.cleaned_data.get("campaign") if form.is_bound else None
    context.update(
        valid=valid,
        matches=matches,
        index_built=matches is None or matches.index_version is not None,
        results=_results(actor, matches, target, campaign) if matches else [],
        can_invite=actor.can_write(),
    )
    partial = request.htmx and not request.htmx.history_restore_request
    template = "matching/_results.html" if partial else "matching/results.html"
    response = render(request, template, context, status=200 if valid else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _results(actor, matches, target, campaign) -> list[dict]:
    creators = with_labels([match.subject for match in matches.results])
    audiences = audiences_of(actor=actor, creator_ids=[creator.pk for creator in creators])
    lang = taxonomy_lang()
    target_portrait = _portrait(target)
    return [
        {
            "match": match,
            "creator": creator,
            "reasons": shown_reasons(match.reasons),
            "chart": _chart(audiences.get(creator.pk), target_portrait, lang),
            "invite": _invite(actor, creator, campaign),
        }
        for match, creator in zip(matches.results, creators, strict=True)
    ]


def _portrait(target: engine.Product) -> dict[str, dict[str, float]]:
    return {
        axis: dict(zip(engine.AXIS_KEYS[axis], target.shares[block].tolist(), strict=True))
        for axis, block in engine.AXIS_SLICES.items()
    }


def _chart(audience, target: dict, lang: str) -> dict | None:
    """Labels and two series (the creator's fans, the target) over every axis's keys; the
    interests narrowed to the few either side weighs most."""
    if audience is None:
        return None
    labels, fans, wanted = [], [], []
    for axis in engine.AUDIENCE_AXES:
        keys = list(engine.AXIS_KEYS[axis])
        if axis == "interests":
            weight = {k: max(audience[axis].get(k, 0), target[axis][k]) for k in keys}
            keys = sorted(keys, key=lambda k: -weight[k])[:CHART_INTERESTS]
        for key in keys:
            labels.append(f"{AXIS_TITLES[axis]}: {taxonomy.label(key, lang, axis=axis)}")
            fans.append(audience[axis].get(key, 0.0))
            wanted.append(target[axis][key])
    return {"labels": labels, "series": [(_("Fans"), fans), (_("Target"), wanted)]}


def _invite(actor, creator, campaign) -> str | None:
    """The offer composer for this creator (and the chosen campaign): brand writers only."""
    link = invite_link(actor=actor, creator=creator)
    if link is None:
        return None
    url = link[1]
    return f"{url}&campaign={campaign.pk}" if campaign is not None else url


@tenant_view(kinds=[roles.CREATOR])
def portal_products(request, *, actor):
    """Products on offer whose target audience the creator's fans fit best."""
    creator = creator_of_portal(actor=actor)
    matches = products_for_creator(actor=actor, creator=creator)
    lang = taxonomy_lang()
    results = [
        {
            "match": match,
            "product": match.subject,
            "category": _category_label(match.subject.category, lang),
            "reasons": shown_reasons(match.reasons),
        }
        for match in matches.results
    ]
    context = {"matches": matches, "results": results}
    return render(request, "matching/portal_products.html", context)


def _category_label(category: str, lang: str) -> str:
    return taxonomy.label(category, lang, axis="vertical") if category else ""


def lookalike_section(*, actor, creator) -> tuple[str, dict] | None:
    """The creator page's "Lookalike creators" (registered with ``creators.views``)."""
    if actor.is_creator:
        return None
    found = lookalikes(actor=actor, creator=creator, limit=LOOKALIKES_SHOWN)
    rows = with_labels([lookalike.creator for lookalike in found])
    shown = [(row, lookalike.similarity) for row, lookalike in zip(rows, found, strict=True)]
    return "matching/_lookalikes.html", {"lookalikes": shown}
