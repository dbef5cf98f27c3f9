"""The chart tags build plotly figures from the numbers, and the app serves plotly.js itself."""

import re
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.template import Context, Template

from tests.ui.charts import figures
from ui.plotly_assets import BUNDLE, plotly_css
from ui.staticfinders import PLOTLY_PATH


def render(source: str, **context) -> str:
    return Template("{% load olive_charts %}" + source).render(Context(context))


def test_bar_chart_has_one_bar_per_item_hover_values_a_table_and_escaped_labels():
    page = render(
        "{% bar_chart items title='Age' percent=True value_header='Share' %}",
        items=[("<b>", 0.25), ("old", 0.75)],
    )
    (figure,) = figures(page)
    (bars,) = figure["data"]
    assert bars["type"] == "bar" and bars["orientation"] == "h"
    assert bars["y"] == ["<b>", "old"] and bars["x"] == [25.0, 75.0]  # shares as percentages
    assert bars["text"] == ["25.0%", "75.0%"] and "%{text}" in bars["hovertemplate"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Share"
    assert figure["layout"]["xaxis"]["ticksuffix"] == "%"
    assert "<b>" not in page and "&lt;b&gt;" in page  # escaped in the attribute and the table
    assert "<td>old</td><td>75.0%</td>" in page and "<caption>Age</caption>" in page


def test_line_chart_plots_every_point_with_axes_and_an_optional_reference_line():
    page = render(
        "{% line_chart points title='ROI' label_header='Week' value_header='GMV ÷ spend' "
        "reference=1 reference_label='Break-even' %}",
        points=[("w1", 5), ("w2", None), ("w3", 9)],
    )
    (figure,) = figures(page)
    (line,) = figure["data"]
    assert line["x"] == ["w1", "w3"] and line["y"] == [5.0, 9.0]  # a missing value is skipped
    layout = figure["layout"]
    assert layout["xaxis"]["title"]["text"] == "Week"
    assert layout["yaxis"]["title"]["text"] == "GMV ÷ spend"
    (shape,) = layout["shapes"]
    assert shape["y0"] == shape["y1"] == 1.0 and layout["annotations"][0]["text"] == "Break-even"
    assert "shapes" not in figures(render("{% line_chart p %}", p=[("w1", 3)]))[0]["layout"]


def test_empty_charts_say_so_and_draw_nothing():
    for tag in ("line_chart", "bar_chart", "lorenz_chart"):
        page = render(f"{{% {tag} p title='T' %}}", p=[])
        assert "No data yet." in page and not figures(page)


def test_lorenz_chart_draws_each_curve_against_the_line_of_equality():
    curves = [("Before", [(0, 0), (50, 10), (100, 100)]), ("After", [(0, 0), (50, 30), (100, 100)])]
    (figure,) = figures(render("{% lorenz_chart curves title='Lorenz' %}", curves=curves))
    equality, before, after = figure["data"]
    assert equality["x"] == [0, 100] and equality["y"] == [0, 100]
    assert before["name"] == "Before" and before["y"] == [0.0, 10.0, 100.0]
    assert after["y"] == [0.0, 30.0, 100.0]
    assert figure["layout"]["xaxis"]["range"] == [0, 100]


def test_the_figure_json_cannot_break_out_of_its_attribute():
    page = render("{% bar_chart items %}", items=[('"><script>alert(1)</script>', 1)])
    assert "<script>" not in page
    assert figures(page)[0]["data"][0]["y"] == ['"><script>alert(1)</script>']


def test_plotly_js_is_found_from_the_installed_package_and_nothing_else_of_it():
    assert finders.find(PLOTLY_PATH) == str(BUNDLE)
    assert finders.find("vendor/datasets/iris.csv.gz") is None
    listed = {
        f"{storage.prefix}/{path}" if getattr(storage, "prefix", None) else path
        for finder in finders.get_finders()
        for path, storage in finder.list([])
    }
    assert {p for p in listed if "plotly" in p} == {PLOTLY_PATH, "vendor/plotly.css"}


def test_the_shipped_plotly_css_is_the_bundles_own(settings):
    """plotly.js injects these rules itself unless the page links them; the CSP forbids the
    injection, so static/vendor/plotly.css must match the installed bundle (regenerate it with
    ``python -m ui.plotly_assets > static/vendor/plotly.css`` after an upgrade)."""
    shipped = (settings.BASE_DIR / "static" / "vendor" / "plotly.css").read_text(encoding="utf-8")
    assert shipped == plotly_css(BUNDLE.read_text(encoding="utf-8"))
    assert ".js-plotly-plot .plotly .modebar" in shipped and ".plotly-notifier" in shipped


def test_every_page_links_the_stylesheet_under_the_id_plotly_looks_for(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in page
    # collectstatic's manifest (CI, debug off) hashes the name: vendor/plotly.min.<hash>.js
    assert 'name="olive-plotly"' in page
    assert re.search(r'content="[^"]*vendor/plotly\.min(\.[0-9a-f]{12})?\.js"', page)


def test_bar_chart_may_draw_a_vertical_reference_line():
    page = render(
        "{% bar_chart items reference=1 reference_label='Break-even' %}",
        items=[("a", 3.2), ("b", 0.8)],
    )
    (shape,) = figures(page)[0]["layout"]["shapes"]
    assert shape["x0"] == shape["x1"] == 1.0 and shape["yref"] == "paper"
    assert figures(page)[0]["layout"]["annotations"][0]["text"] == "Break-even"


def test_money_in_the_tables_and_hover_labels_rounds_half_up_to_the_cent():
    page = render("{% bar_chart items %}", items=[("a", Decimal("12.345")), ("b", 0.125)])
    assert figures(page)[0]["data"][0]["text"] == ["12.35", "0.13"]
    assert "<td>a</td><td>12.35</td>" in page
