"""The operator's ecosystem analytics in Chromium: the daily job has cached yesterday's report of
the demo world; the operator signs in (in English), follows the navigation to the analytics
page, sees every chart drawn by plotly.js (served by the app), opens a chart's numbers, switches
the page to Chinese with the header's language switcher and reads it in Chinese with figures
grouped by thousands, then downloads the CSV and the Excel export and reads them back.
No console error, no failed request, no request to another host."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from analytics.services import ecosystem_reports_due
from tenancy.scoping import SYSTEM, acting_as

from .test_walks import assert_charts_drawn, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d{2})?")


def test_operator_reads_the_ecosystem_report_in_both_languages_and_exports_it(walk, live_server):
    with acting_as(SYSTEM):
        ecosystem_reports_due(actor=SYSTEM)  # the beat's job: yesterday's report, cached
    as_of = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    walk = walk("en", "operator-analytics", 1280)
    page = walk.page
    sign_in(walk, live_server, "operator")
    with page.expect_navigation():
        page.click("header nav a[href='/operator/analytics/']")
    assert page.locator("h1[data-page=ecosystem-analytics]").inner_text() == "Ecosystem analytics"
    assert page.locator("[data-figure=as_of]").inner_text() == as_of
    assert page.locator("section.report-section").count() == 10
    assert_charts_drawn(page)  # every chart drawn, a bar's hover value is its table's
    walk.shot("report-en")

    with page.expect_navigation():  # the header's language switcher, as a visitor uses it
        page.locator("#language-form select").select_option("zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1[data-page=ecosystem-analytics]").inner_text() == "生态数据分析"
    assert page.locator("#report-concentration h2").inner_text().startswith("头部机构市场份额")
    assert_charts_drawn(page)
    numbers = page.locator("#table-concentration")
    numbers.locator("summary").click()  # the numbers behind the chart, one click away
    market = numbers.locator("tbody tr").first.locator("td").last.inner_text()
    assert GROUPED.fullmatch(market), market  # the market's GMV, grouped by thousands
    assert "数据：" in numbers.locator("summary").inner_text()
    walk.shot("report-zh")

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    assert csv_download.value.suggested_filename == f"ecosystem-report-{as_of}.csv"
    with open(csv_download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["report", "key", "value"] and ["meta", "as_of", as_of] in rows
    figures = {(report, key): value for report, key, value in rows[1:]}
    assert 0 < float(figures["gini", "followers"]) < 1

    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    assert xlsx_download.value.suggested_filename == f"ecosystem-report-{as_of}.xlsx"
    with open(xlsx_download.value.path(), "rb") as file:  # saved without an extension
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    assert book.sheetnames[:3] == ["report", "inequality", "bands"]
    gini = [row for row in book["inequality"].iter_rows(values_only=True) if row[0] == "粉丝数"]
    assert gini and isinstance(gini[0][1], float)  # a number, with the Chinese header

    # The headers as the browser's session gets them (its cookies: the operator signed in).
    for link, kind in (("#export-csv", "text/csv"), ("#export-xlsx", "spreadsheetml")):
        answer = walk.context.request.get(live_server.url + page.get_attribute(link, "href"))
        assert answer.status == 200 and kind in answer.headers["content-type"]
        assert f"ecosystem-report-{as_of}" in answer.headers["content-disposition"]
    csv_text = walk.context.request.get(live_server.url + page.get_attribute("#export-csv", "href"))
    assert list(csv.reader(io.StringIO(csv_text.text().lstrip("\ufeff"))))[0][0] == "report"
    walk.check()
