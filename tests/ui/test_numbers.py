"""Figures are grouped by thousands in both languages: 12,345 on an English page and on a Chinese
one (Django's zh_Hans formats have no separator; config/formats/zh_Hans adds it).

``USE_THOUSAND_SEPARATOR`` stays off on purpose: it would group every number a template prints,
ids in links (/brand/campaigns/1,234/) and data attributes included. A figure is grouped where it
is shown instead, through ``|figure`` (counts, money), ``floatformat:"2g"`` or ``intcomma``, and
a count inside a plural sentence through ``count n=… with shown=…|figure``."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from compliance.models import ComplaintRateDaily
from tests.factories import MembershipFactory, OrganizationFactory

LANGUAGES = ("en", "zh-hans")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_grouping_is_explicit_not_global():
    assert not settings.USE_THOUSAND_SEPARATOR
    with translation.override("zh-hans"):
        assert Template("{{ n }}").render(Context({"n": 1234})) == "1234"  # an id stays an id


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("source", "value", "shown"),
    [
        ("{{ v|figure }}", 12345, "12,345"),
        ("{{ v|figure }}", 1234567.891, "1,234,567.89"),
        ('{{ v|floatformat:"2g" }}', 121000, "121,000.00"),
        ('{{ v|floatformat:"0g" }}', 98765.4, "98,765"),
        ("{{ v|intcomma }}", 12345, "12,345"),
        ("{{ v|percent }}", 12.3456, "1,235%"),
    ],
)
def test_the_figure_filters_group_in_both_languages(language, source, value, shown):
    template = Template("{% load humanize olive_charts %}" + source)
    with translation.override(language):
        assert template.render(Context({"v": value})) == shown


class _Page(list):
    """An empty page of a 12,345-row list: what the list templates read of a page."""

    paginator = SimpleNamespace(count=12345, num_pages=1)
    number = 1


@pytest.mark.parametrize(
    ("language", "says"), [("en", "12,345 campaigns"), ("zh-hans", "12,345 个营销活动")]
)
def test_a_list_count_is_grouped_and_keeps_its_plural(language, says):
    with translation.override(language):
        html = render_to_string("brands/_campaign_table.html", {"page": _Page()})
    assert says in html and "12345" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_complaint_rate_pages_group_their_figures(language):
    brand = OrganizationFactory(kind="brand")
    ComplaintRateDaily.objects.unscoped().create(
        subject_kind="brand", subject_id=brand.pk, date=timezone.localdate(),
        orders=1234567, complaints=12345, rate=12345 / 1234567,
    )  # fmt: skip
    client = Client()
    client.force_login(MembershipFactory(organization=OrganizationFactory(kind="operator")).user)
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    for path in ("/compliance/complaint-rates/", f"/compliance/complaint-rates/brand/{brand.pk}/"):
        page = client.get(path, **header).content.decode()
        assert "1,234,567" in page and "12,345" in page, path
        assert ">1234567<" not in page and ">12345<" not in page, path


#: Cells and figures whose value the view has already formatted, or that are never large
#: (tier letters, policy thresholds and weights, week headings, merit shares in %).
PREFORMATTED = {
    "compliance/policy.html": {"policy.block_threshold", "policy.review_threshold",
                               "policy.restrict_after", "policy.suspend_after"},
    "creators/_trend.html": {"column"},
    "mcn/_gate_row.html": {"gate.value"},  # metric_value(): formatted by mcn.labels
    "mcn/_tier_changes.html": {"row.after", "row.before"},  # tier letters
    "mcn/operator_concentration.html": {"c.agencies"},  # agencies per tier
    "mcn/operator_policy.html": {"weight", "threshold", "version.window_days"},
    "mcn/tier.html": {"row.value", "assessment.get_change_display", "benefit.brand_priority"},
    "traffic/_my_traffic.html": {"shown"},  # shown=…|figure
    "traffic/_run_results.html": {"total", "share", "after", "before"},  # |figure, |percent
}  # fmt: skip
BARE_FIGURE = re.compile(
    r'(?:class="num"|data-figure="[\w-]+"|data-count="[^"]*")[^>]*>\{\{ *([\w.]+) *\}\}'
)


def test_figure_cells_name_their_format():
    """A number cell or a data-figure prints its value through a filter that groups it (or the
    view formatted it, listed above): a bare ``{{ row.orders }}`` prints 1234567."""
    bare = [
        (str(path.relative_to(TEMPLATES)), name)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for name in BARE_FIGURE.findall(path.read_text())
        if name not in PREFORMATTED.get(str(path.relative_to(TEMPLATES)), set())
    ]
    assert bare == [], "group these figures with |figure (or floatformat:'2g')"
