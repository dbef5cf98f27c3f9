"""Template helpers of the analytics pages: draw a section's chart, show a table cell by kind.

{% load analytics_page %}
{% draw chart %}                 a analytics.sections.Chart, drawn by ui's olive_charts
{{ value|cell:kind }}            count, money, share, ratio or text, grouped and localised
"""

from django import template
from django.utils.formats import number_format

from ui.templatetags import olive_charts

from ..sections import COUNT, MONEY, RATIO, SHARE

register = template.Library()
CHARTS = {
    name: getattr(olive_charts, name)
    for name in ("bar_chart", "line_chart", "lorenz_chart", "series_chart")
}


@register.simple_tag
def draw(chart):
    return CHARTS[chart.tag](*chart.args, **chart.kwargs)


@register.filter
def cell(value, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == SHARE:
        return olive_charts.percent(value)
    if kind == MONEY:
        return olive_charts.format_value(float(value))
    if kind == COUNT:
        return number_format(round(float(value)), force_grouping=True)
    if kind == RATIO:
        return number_format(round(float(value), 3), 3, force_grouping=True)
    return str(value)
