"""Charts as server-rendered inline SVG, each with the numbers behind it one click away.

No chart library and no JavaScript: a chart is a small SVG drawn here plus a ``<details>`` table
holding the same numbers, so the figures stay readable without colour or sight, and the page works
offline. Callers pass labels already translated (this app cannot know other apps' taxonomies).

    {% load olive_charts %}
    {% bar_chart items title=_("Gender") percent=True %}   items: [(label, value)]
    {% line_chart points title=_("Followers") %}            points: [(label, value)], oldest first
    {{ creator.followers|compact }}                         12.3K / 1.2万
    {{ snapshot.gmv|figure }}                               8,800.00
    {{ creator.engagement_rate|percent }}                   4.5%
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

WIDTH = 480  # viewBox units; the SVG scales to its container
BAR_ROW, LABEL_W, VALUE_W = 22, 150, 70
LINE_H, PAD = 150, 18


def format_value(value, percent: bool = False) -> str:
    """A figure as a table shows it: shares as percentages, money with cents, counts grouped."""
    if value is None:
        return "—"
    if percent:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, Decimal | float):
        return number_format(value, 2, force_grouping=True)
    return number_format(value, force_grouping=True)


@register.filter
def figure(value) -> str:
    """A figure in a table cell, formatted as the charts' tables format it."""
    return format_value(value)


@register.filter
def percent(value) -> str:
    """A share (0.0454) as one percentage with sensible precision: 4.5%, 0.32% below 1%, 27%
    from 10% on; grouped and localised like every other figure."""
    if value is None or value == "":
        return "—"
    number = float(value) * 100
    size = abs(number)
    places = 2 if 0 < size < 1 else 1 if size < 10 else 0
    return number_format(round(number, places), places, force_grouping=True) + "%"


@register.filter
def compact(value) -> str:
    """A large count in a few characters: 12.3K / 1.2M in English, 1.2万 / 3.4亿 in Chinese."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    zh = (get_language() or "").startswith("zh")
    steps = ((1e8, "亿"), (1e4, "万")) if zh else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for size, unit in steps:
        if abs(number) >= size:
            return f"{number / size:.1f}".removesuffix(".0") + unit
    return number_format(int(number), force_grouping=True)


def _numbers_table(items, title: str, percent: bool, label_header: str, value_header: str):
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td></tr>", ((k, format_value(v, percent)) for k, v in items)
    )
    return format_html(
        '<details class="chart-numbers"><summary>{}</summary><table class="table">'
        "<caption>{}</caption><thead><tr><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table></details>",
        _("Show the numbers"),
        title,
        label_header or _("Item"),
        value_header or _("Value"),
        rows,
    )


def _figure(title: str, svg, table):
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>{}{}</figure>', title, svg, table
    )


def _empty(title: str):
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption><p class="empty">{}</p></figure>',
        title,
        _("No data yet."),
    )


def _bar_row(index: int, label: str, value, length: float, percent: bool):
    return format_html(
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
        '<rect x="{}" y="4" width="{}" height="14" rx="2"></rect>'
        '<text x="{}" y="15">{}</text></g>',
        index * BAR_ROW,
        LABEL_W - 6,
        label,
        LABEL_W,
        f"{length:.1f}",  # format_html escapes its arguments to text: format numbers first
        f"{LABEL_W + length + 4:.1f}",
        format_value(value, percent),
    )


def _bar_rows(items: Sequence, percent: bool):
    top = max((float(v) for _k, v in items), default=0) or 1.0
    span = WIDTH - LABEL_W - VALUE_W
    return format_html_join(
        "",
        "{}",
        (
            (_bar_row(i, label, value, span * max(float(value), 0) / top, percent),)
            for i, (label, value) in enumerate(items)
        ),
    )


@register.simple_tag
def bar_chart(items, title="", percent=False, label_header="", value_header=""):
    """Horizontal bars, one per ``(label, value)``, longest bar = largest value."""
    items = list(items or ())
    if not items:
        return _empty(title)
    height = BAR_ROW * len(items) + 4
    svg = format_html(
        '<svg class="bar-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        height,
        title,
        _bar_rows(items, percent),
    )
    return _figure(title, svg, _numbers_table(items, title, percent, label_header, value_header))


def _polyline_points(values: list[float]) -> str:
    low, high = min(values), max(values)
    span = (high - low) or 1.0  # a flat series draws a flat line in the middle
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    coords = []
    for i, value in enumerate(values):
        x = PAD + i * step if len(values) > 1 else WIDTH / 2
        y = LINE_H / 2 if high == low else PAD + (high - value) / span * (LINE_H - 2 * PAD)
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords)


def _line_svg(points: list, title: str):
    values = [float(v) for _k, v in points]
    return format_html(
        '<svg class="line-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}">'
        '<polyline fill="none" points="{pts}"></polyline>'
        '<text x="2" y="12" class="max">{maxl}</text>'
        '<text x="2" y="{lowy}" class="min">{minl}</text>'
        '<text x="{pad}" y="{h}" class="axis">{first}</text>'
        '<text x="{right}" y="{h}" class="axis" text-anchor="end">{last}</text></svg>',
        w=WIDTH,
        h=LINE_H + 14,
        t=title,
        pts=_polyline_points(values),
        maxl=_("max %(value)s") % {"value": format_value(max(p[1] for p in points))},
        minl=_("min %(value)s") % {"value": format_value(min(p[1] for p in points))},
        lowy=LINE_H - 2,
        pad=PAD,
        right=WIDTH - PAD,
        first=points[0][0],
        last=points[-1][0],
    )


@register.simple_tag
def line_chart(points, title="", label_header="", value_header=""):
    """A trend as a polyline over ``(label, value)`` points (oldest first), min and max marked."""
    points = [(label, value) for label, value in points or () if value is not None]
    if not points:
        return _empty(title)
    table = _numbers_table(points, title, False, label_header, value_header)
    return _figure(title, _line_svg(points, title), table)
