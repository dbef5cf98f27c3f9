"""Helpers every app's list and detail pages share: pagination, htmx partials, 404s."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 25


def paginate(request, rows, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def render_list(request, template: str, partial: str, context: dict):
    """The full page, or just the list partial when htmx asks (filter change, page link)."""
    chosen = partial if request.htmx and not request.htmx.boosted else template
    filtered = any(value for key, value in request.GET.items() if key != "page")
    response = render(request, chosen, {"filtered": filtered, **context})
    patch_vary_headers(response, ["HX-Request"])  # caches must not serve one for the other
    return response


def found(selector, **kwargs):
    """A selector's ``DoesNotExist`` (another tenant's row, or none) becomes a plain 404."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None
