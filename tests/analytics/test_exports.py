"""CSV (long format report,key,value) and Excel (a sheet per report) exports of the cached
report: filenames with the as-of day, numbers as numbers, the range's cut, operator only."""

import csv
import datetime
import io

import openpyxl
import pytest

from analytics.exports import long_rows
from tests.analytics.test_page import FULL, QUARTERS, URL, cache, client_of

pytestmark = pytest.mark.django_db
CSV, XLSX = f"{URL}ecosystem-report.csv", f"{URL}ecosystem-report.xlsx"


def rows_of(answer) -> list[list[str]]:
    text = answer.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_is_the_whole_report_in_long_format():
    cache(**FULL)
    answer = client_of("operator").get(CSV)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"] == 'attachment; filename="ecosystem-report-2026-06-30.csv"'
    rows = rows_of(answer)
    assert rows[0] == ["report", "key", "value"]
    figures = {(report, key): value for report, key, value in rows[1:]}
    assert figures["meta", "as_of"] == "2026-06-30"
    assert float(figures["gini", "followers"]) == 0.8
    assert float(figures["band_share", "tipping.mid"]) == 0.65
    assert float(figures["concentration_by_quarter", "2026-Q2.market_gmv"]) == 4329791.77
    assert float(figures["lorenz", "followers.0.5"]) == 0.125  # population 50% holds 12.5%
    assert float(figures["cr5", "value"]) == 0.41
    assert figures["violations_by_quarter", "2025 Q2.yoy"] == ""  # no figure: an empty cell
    assert float(figures["campaign_roi", "by_brand.2.roi"]) == 4.73


def test_a_figure_the_data_does_not_give_is_empty_and_missing_is_listed():
    cache()  # the empty world
    rows = rows_of(client_of("operator").get(CSV))
    figures = {(report, key): value for report, key, value in rows[1:]}
    assert figures["gini", "followers"] == "" and figures["cr5", "value"] == ""
    missing = [value for report, _key, value in rows if report == "missing"]
    assert any("allocation run" in line for line in missing)


def test_every_leaf_of_the_payload_is_a_row():
    rows = list(long_rows(FULL, None))[3:]  # after the header and the two meta rows
    assert len(rows) == len(list(_leaves(FULL)))


def _leaves(value):
    """A figure per leaf; a Lorenz point (population share, value share) is one figure."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from _leaves(inner)
    elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, float) for v in value):
        yield value
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner)
    else:
        yield value


def test_the_workbook_has_a_sheet_per_report_with_numbers_as_numbers():
    cache(**FULL)
    answer = client_of("operator").get(XLSX)
    assert answer.status_code == 200
    assert answer["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer["Content-Disposition"].endswith('filename="ecosystem-report-2026-06-30.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "report", "inequality", "bands", "concentration", "income", "unit_price", "reach",
        "complaints", "violations", "campaign_roi", "segments",
    ]  # fmt: skip
    sheet = book["concentration"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    header = next(r for r in sheet.iter_rows() if r[0].value == "Quarter")
    line = next(r for r in sheet.iter_rows() if r[0].value == "2026-Q2")
    assert [c.value for c in header][:3] == ["Quarter", "CR5", "CR10"]
    assert line[1].value == 0.41 and line[1].number_format == "0.0%"
    assert line[5].value == 4329791.77 and line[5].number_format == "#,##0.00"
    assert isinstance(line[4].value, int) and line[4].number_format == "#,##0"
    assert "CR5" in cells
    assert book["report"]["B2"].value == "2026-06-30"


def test_the_exports_take_the_pages_range():
    cache(concentration_by_quarter=QUARTERS)
    cache(as_of=datetime.date(2026, 3, 31), concentration_by_quarter=QUARTERS[:2])
    client = client_of("operator")
    cut = rows_of(client.get(CSV, {"start": "2026-01-01"}))
    quarters = {k.split(".")[0] for report, k, _v in cut if report == "concentration_by_quarter"}
    assert quarters == {"2026-Q1", "2026-Q2"}
    older = client.get(XLSX, {"end": "2026-04-15"})
    assert older["Content-Disposition"].endswith('filename="ecosystem-report-2026-03-31.xlsx"')
    bad = client.get(CSV, {"start": "2026-06-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and b"on or before the end date" in bad.content


def test_no_report_to_export_goes_back_to_the_page_with_a_message():
    answer = client_of("operator").get(XLSX, follow=True)
    assert answer.redirect_chain == [(URL, 302)]
    assert "There is no cached report to export in this range." in answer.content.decode()


def test_the_exports_are_the_operators_only():
    cache(**FULL)
    assert client_of("operator", "viewer").get(CSV).status_code == 200  # reading, not writing
    for kind in ("brand", "agency", "partner"):
        for url in (CSV, XLSX):
            answer = client_of(kind).get(url)
            assert answer.status_code == 404 and b"4329791" not in answer.content


def test_excel_headers_follow_the_language():
    cache(**FULL)
    answer = client_of("operator", lang="zh-hans").get(XLSX)
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    values = [c.value for row in book["concentration"].iter_rows() for c in row]
    assert "季度" in values or any("季度" in str(v) for v in values)
