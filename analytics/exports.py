"""The cached ecosystem report as files: CSV (long format) and Excel (a sheet per report).

**CSV**: one row per figure, columns ``report,key,value``. ``report`` is the payload's top-level
key (``gini``, ``cr5``, ``concentration_by_quarter`` …), ``key`` the path inside it joined with
``.``: a dict's keys, a quarter's label for a list of quarters (``2024-Q2.cr5``), a Lorenz
point's population share (``followers.0.25`` → that share's value share), an index otherwise;
``value`` for a figure at the top. A figure the data does not give is an empty cell; the
``missing`` lines come as ``missing,<n>,<text>``. Two ``meta`` rows first: ``as_of`` and
``computed_at``. Keys and values are the payload's own (English, machine-readable), so a
script reads the file in either language.

**Excel**: a first sheet ``report`` (as of, computed at, the date range, what is missing), then
one sheet per section of :func:`analytics.sections.report_sections` (the page's sections: the
same tables, headers in the page's language), numbers stored as numbers with a number format
(shares as percentages, money with two decimals, counts grouped).

Both honour the page's date range: the period series (quarters, years) are cut to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .sections import COUNT, MONEY, RATIO, SHARE, in_range, report_sections

#: Payload keys whose values are series of periods: a list of {"quarter": …} or {year: …}.
PERIOD_SERIES = (
    "concentration_by_quarter",
    "violations_by_quarter",
    "avg_monthly_income_by_year",
    "unit_price_by_year",
    "violations_by_year",
)
NUMBER_FORMATS = {COUNT: "#,##0", MONEY: "#,##0.00", SHARE: "0.0%", RATIO: "0.000"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def in_period(payload: dict, start: date | None, end: date | None) -> dict:
    """``payload`` with its period series cut to the periods overlapping [start, end]."""
    if start is None and end is None:
        return payload
    cut = dict(payload)
    for key in PERIOD_SERIES:
        value = payload.get(key)
        if isinstance(value, list):
            cut[key] = [row for row in value if in_range(row.get("quarter", ""), start, end)]
        elif isinstance(value, dict):
            cut[key] = {y: v for y, v in value.items() if in_range(y, start, end)}
    return cut


def _is_point(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    )


def _flat(value, path: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and all(_is_point(v) for v in value):
        for x, y in value:  # a Lorenz curve: population share → value share
            yield f"{path}.{x:g}" if path else f"{x:g}", y
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            name = inner.get("quarter", index) if isinstance(inner, dict) else index
            yield from _flat(inner, f"{path}.{name}" if path else str(name))
    else:
        yield path or "value", value


def long_rows(payload: dict, computed_at) -> Iterator[list]:
    """``[report, key, value]`` rows of the whole payload (header included)."""
    yield ["report", "key", "value"]
    yield ["meta", "as_of", payload.get("as_of")]
    yield ["meta", "computed_at", computed_at.isoformat() if computed_at else ""]
    for report, value in payload.items():
        if report == "as_of":
            continue
        for key, figure in _flat(value, ""):
            yield [report, key, "" if figure is None else figure]


def csv_text(payload: dict, computed_at) -> str:
    """The long format as text, with a BOM so that Excel opens it as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(long_rows(payload, computed_at))
    return buffer.getvalue()


def _cell(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def workbook_bytes(payload: dict, computed_at, start=None, end=None) -> bytes:
    """The Excel workbook of ``payload`` (already cut to the range by the caller or not)."""
    book = Workbook()
    about = book.active
    about.title = "report"
    bold = Font(bold=True)
    about.append([_("Ecosystem report")])
    about["A1"].font = bold
    about.append([_("As of"), payload.get("as_of")])
    about.append([_("Computed at"), computed_at.isoformat() if computed_at else ""])
    about.append([_("From"), start.isoformat() if start else ""])
    about.append([_("To"), end.isoformat() if end else ""])
    about.append([])
    about.append([_("Missing inputs")])
    for line in payload.get("missing", []):
        about.append([str(line)])
    for section in report_sections(payload, start, end):
        sheet = book.create_sheet(section.key[:31])
        sheet.append([_cell(section.title)])
        sheet.cell(row=1, column=1).font = bold
        for label, value, kind in section.facts:
            sheet.append([_cell(label), _cell(value)])
            if kind in NUMBER_FORMATS and isinstance(value, int | float):
                sheet.cell(row=sheet.max_row, column=2).number_format = NUMBER_FORMATS[kind]
        for table in section.tables:
            sheet.append([])
            sheet.append([_cell(table.title)])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append([_cell(header) for header, _kind in table.columns])
            for row in table.rows:
                sheet.append([_cell(value) for value in row])
                for column, (_header, kind) in enumerate(table.columns, start=1):
                    if kind in NUMBER_FORMATS:
                        sheet.cell(row=sheet.max_row, column=column).number_format = NUMBER_FORMATS[
                            kind
                        ]
        for key, message in section.missing:
            sheet.append([_("Missing input"), f"{key}: {message}"])
        sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
