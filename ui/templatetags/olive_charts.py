"""Charts drawn by plotly.js (served by the app itself), each with its numbers one click away.

A chart is a ``<div class="plot" data-plot="…">`` holding a plotly figure (data, layout,
config) as JSON, which static/js/olive.js hands to plotly.js, plus a ``<details>`` table with the
same numbers, so the figures stay readable without colour, sight or JavaScript. Hover labels show
each value formatted as the table formats it. Callers pass labels already translated (this app
cannot know other apps' taxonomies).

    {% load olive_charts %}
    {% bar_chart items title=_("Gender") percent=True %}   items: [(label, value)]
    {% line_chart points title=_("Followers") %}            points: [(label, value)], oldest first
    {% line_chart points title=… reference=1 reference_label=_("Break-even") %}   a target line
    {% lorenz_chart curves title=… %}   curves: [(name, [(population %, share %)])], equality line
    {% series_chart labels series title=… %}   series: [(name, [value per label])], one line each
    {{ creator.followers|compact }}                         12.3K / 1.2万
    {{ snapshot.gmv|figure }}                               8,800.00
    {{ creator.engagement_rate|percent }}                   4.5%
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.templatetags.static import static
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ui.plotly_assets import MAP_STYLE_ID

register = template.Library()

BAR_ROW, LINE_HEIGHT, MARGIN = 28, 260, 48  # pixels; widths follow the container
#: One look for every chart: the page's font (CJK included), no toolbar (the numbers table is
#: the export), hover on the nearest x.
FONT = {"family": 'system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif', "size": 12}
CONFIG = {"displayModeBar": False, "responsive": True}
ACCENT, MUTED = "#6b7d2a", "#9aa5b1"  # the olive of olive.css


def format_value(value, percent: bool = False) -> str:
    """A figure as a table shows it: shares as percentages, money with cents, counts grouped."""
    if value is None:
        return "—"
    if percent:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, Decimal | float):
        return number_format(cents(value), 2, force_grouping=True)
    return number_format(value, force_grouping=True)


def cents(value) -> Decimal:
    """Money rounded half up to the cent, as ``floatformat`` rounds it elsewhere on the page:
    ``number_format`` alone would cut 12.345 to 12.34."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


@register.simple_tag
def plotly_head():
    """For base.html's head: plotly.js's stylesheet as a file, under the id that tells the
    library not to inject it (the CSP refuses inline styles), and where olive.js loads the
    bundle from, on an element whose id stops the unused map library's own injection."""
    return format_html(
        '<link rel="stylesheet" href="{}" id="plotly.js-style-global" class="no-inline-styles">'
        '<meta name="olive-plotly" id="{}" content="{}">',
        static("vendor/plotly.css"),
        MAP_STYLE_ID,
        static("vendor/plotly.min.js"),
    )


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


def _plot(title: str, figure: dict, table):
    """The figure as plotly JSON in a data attribute (escaped as any attribute), then the table."""
    payload = json.dumps({**figure, "config": CONFIG}, ensure_ascii=False, default=str)
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>'
        '<div class="plot" role="img" aria-label="{}" data-plot="{}"></div>{}</figure>',
        title,
        title,
        payload,
        table,
    )


def _empty(title: str):
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption><p class="empty">{}</p></figure>',
        title,
        _("No data yet."),
    )


def _layout(height: int, x_title: str, y_title: str, **extra) -> dict:
    return {
        "height": height,
        "margin": {"l": MARGIN, "r": 16, "t": 8, "b": MARGIN},
        "font": FONT,
        "showlegend": False,
        "hovermode": "closest",
        "dragmode": False,  # a stray drag would zoom; these charts are read, not explored
        "xaxis": {"title": {"text": str(x_title)}, "automargin": True},
        "yaxis": {"title": {"text": str(y_title)}, "automargin": True},
        **extra,
    }


def _number(value, percent: bool = False) -> float:
    return float(value) * 100 if percent else float(value)


def _reference_line(value, label: str, across: str = "x") -> tuple[list, list]:
    """A dashed line across the plot at ``value``: horizontal (across x) or vertical (across
    y, for horizontal bars), labelled at its end."""
    at, along = ("y", "x") if across == "x" else ("x", "y")
    shape = {
        "type": "line",
        f"{along}ref": "paper",
        f"{along}0": 0,
        f"{along}1": 1,
        f"{at}0": float(value),
        f"{at}1": float(value),
        "line": {"dash": "dash", "color": MUTED, "width": 1},
    }
    note = {
        f"{along}ref": "paper",
        along: 1,
        at: float(value),
        "xanchor": "right" if across == "x" else "left",
        "yanchor": "bottom",
        "text": str(label or format_value(value)),
        "showarrow": False,
        "font": {"color": MUTED},
    }
    return [shape], [note]


@register.simple_tag
def bar_chart(
    items,
    title="",
    percent=False,
    label_header="",
    value_header="",
    reference=None,
    reference_label="",
):
    """Horizontal bars, one per ``(label, value)``, in the order given (first on top), with an
    optional vertical reference line (a target, break-even…) at ``reference``."""
    items = list(items or ())
    if not items:
        return _empty(title)
    labels = [str(label) for label, _v in items]
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": labels,
        "x": [_number(v, percent) for _k, v in items],
        "text": [format_value(v, percent) for _k, v in items],
        "textposition": "auto",
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "marker": {"color": ACCENT},
    }
    layout = _layout(
        BAR_ROW * len(items) + 2 * MARGIN,
        value_header or _("Value"),
        "",
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
    )
    if percent:
        layout["xaxis"]["ticksuffix"] = "%"
    if reference is not None:
        layout["shapes"], layout["annotations"] = _reference_line(
            _number(reference, percent), reference_label, across="y"
        )
    table = _numbers_table(items, title, percent, label_header, value_header)
    return _plot(title, {"data": [trace], "layout": layout}, table)


@register.simple_tag
def line_chart(
    points, title="", label_header="", value_header="", reference=None, reference_label=""
):
    """A trend over ``(label, value)`` points (oldest first), with an optional reference line."""
    points = [(label, value) for label, value in points or () if value is not None]
    if not points:
        return _empty(title)
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": [str(label) for label, _v in points],
        "y": [_number(v) for _k, v in points],
        "text": [format_value(v) for _k, v in points],
        "hovertemplate": "%{x}: %{text}<extra></extra>",
        "line": {"color": ACCENT},
    }
    layout = _layout(LINE_HEIGHT, label_header, value_header)
    layout["xaxis"]["type"] = "category"
    if reference is not None:
        layout["shapes"], layout["annotations"] = _reference_line(reference, reference_label)
    table = _numbers_table(points, title, False, label_header, value_header)
    return _plot(title, {"data": [trace], "layout": layout}, table)


def _lorenz_trace(name: str, points: Sequence, index: int) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": str(name),
        "x": [float(x) for x, _y in points],
        "y": [float(y) for _x, y in points],
        "line": {"color": ACCENT if index else MUTED, "dash": "dot" if not index else "solid"},
        "hovertemplate": f"{name}<br>%{{x:.0f}}% → %{{y:.1f}}%<extra></extra>",
    }


@register.simple_tag
def lorenz_chart(curves, title="", x_header="", y_header=""):
    """Lorenz curves (population %, share %) against the line of equality (everyone the same)."""
    curves = [(name, list(points)) for name, points in curves or () if points]
    if not curves:
        return _empty(title)
    equality = {
        "type": "scatter",
        "mode": "lines",
        "name": _("Equality"),
        "x": [0, 100],
        "y": [0, 100],
        "line": {"color": "#cbd2d9", "dash": "dash", "width": 1},
        "hoverinfo": "skip",
    }
    traces = [equality] + [_lorenz_trace(n, p, i) for i, (n, p) in enumerate(curves)]
    layout = _layout(LINE_HEIGHT + 40, x_header, y_header, showlegend=True)
    for axis in ("xaxis", "yaxis"):
        layout[axis].update({"range": [0, 100], "ticksuffix": "%"})
    layout["legend"] = {"orientation": "h", "y": -0.3}
    return _plot(title, {"data": traces, "layout": layout}, "")


#: Line colours of ``series_chart``, one per series in turn (the olive first).
SERIES_COLOURS = (ACCENT, "#c2813a", "#3a7cc2", MUTED, "#8e44ad", "#2a9d8f")


def _series_table(labels, series, title: str, percent: bool, label_header: str):
    head = format_html_join("", "<th>{}</th>", ((str(name),) for name, _v in series))
    body = format_html_join(
        "",
        "<tr><td>{}</td>{}</tr>",
        (
            (
                label,
                format_html_join("", "<td>{}</td>", ((format_value(v, percent),) for v in row)),
            )
            for label, row in zip(labels, zip(*(v for _n, v in series), strict=True), strict=True)
        ),
    )
    return format_html(
        '<details class="chart-numbers"><summary>{}</summary><table class="table">'
        "<caption>{}</caption><thead><tr><th>{}</th>{}</tr></thead><tbody>{}</tbody></table>"
        "</details>",
        _("Show the numbers"),
        title,
        label_header or _("Item"),
        head,
        body,
    )


@register.simple_tag
def series_chart(labels, series, title="", label_header="", value_header="", percent=False):
    """Several trends over the same ``labels`` (oldest first): ``series`` is ``[(name,
    [value per label])]``, one line each with a legend; a missing value (None) leaves a gap.
    The numbers table has a column per series."""
    labels = [str(label) for label in labels or ()]
    series = [(str(name), list(values)) for name, values in series or ()]
    if not labels or not series:
        return _empty(title)
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": labels,
            "y": [None if v is None else _number(v, percent) for v in values],
            "text": [format_value(v, percent) for v in values],
            "hovertemplate": f"{name}<br>%{{x}}: %{{text}}<extra></extra>",
            "line": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]},
        }
        for index, (name, values) in enumerate(series)
    ]
    layout = _layout(LINE_HEIGHT + 40, label_header, value_header, showlegend=True)
    layout["xaxis"]["type"] = "category"
    layout["legend"] = {"orientation": "h", "y": -0.3}
    if percent:
        layout["yaxis"]["ticksuffix"] = "%"
    table = _series_table(labels, series, title, percent, label_header)
    return _plot(title, {"data": traces, "layout": layout}, table)
