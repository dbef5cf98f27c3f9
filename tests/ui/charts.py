"""Reading the charts a page holds: each ``<div class="plot" data-plot=…>`` as its plotly figure."""

import html
import json
import re

PLOT = re.compile(r'<div class="plot" role="img" aria-label="([^"]*)" data-plot="([^"]*)">')


def figures(page: str) -> list[dict]:
    """Every chart's figure (data, layout, config), with its ``title`` (the aria label)."""
    return [
        {**json.loads(html.unescape(payload)), "title": html.unescape(title)}
        for title, payload in PLOT.findall(page)
    ]


def of_type(page: str, trace_type: str) -> list[dict]:
    """The figures whose first trace is a ``trace_type`` ("bar", "scatter")."""
    return [figure for figure in figures(page) if figure["data"][0]["type"] == trace_type]
