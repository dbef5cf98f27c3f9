"""The cached ecosystem report shaped for people: sections of charts, tables and facts.

One function, :func:`report_sections`, turns a cached payload (``analytics.services``) into the
sections the operator's analytics page draws and the Excel export writes, so the page and the
export cannot disagree: each section has the charts (olive_charts tags with their arguments),
the tables behind them (raw numbers, each column with a kind saying how to show it), the headline
facts and the inputs the payload says are missing. Nothing is computed here but shapes and the
date range's filter; labels are translated in the active language.

The date range (``start``, ``end``) filters the series that are periods (quarters, years) to the
periods overlapping it; the distributions (Gini, bands, ROI, reach) describe the report's own
``as_of`` window and are shown whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from brands.models import Campaign
from creators import taxonomy

from .reports.missing import translated

#: Column kinds: how a table cell is shown (page) and stored (Excel number format).
TEXT, COUNT, MONEY, SHARE, RATIO = "text", "count", "money", "share", "ratio"
BAND_KEYS = ("head", "mid", "waist", "tail")
BAND_LABELS = {
    "head": gettext_lazy("Head (≥1M followers)"),
    "mid": gettext_lazy("Mid (100k–1M)"),
    "waist": gettext_lazy("Waist (10k–100k)"),
    "tail": gettext_lazy("Tail (<10k)"),
}
TOP_BRANDS = 15  # bars in the ROI-by-brand chart; the table and the export hold every brand
#: Where a payload's "missing" line belongs: its first word (before ":" or ".") → section key.
MISSING_SECTION = {
    "followers": "inequality",
    "exposure": "inequality",
    "revenue": "inequality",
    "band_share": "bands",
    "concentration": "concentration",
    "avg_monthly_income_by_year": "income",
    "unit_price": "unit_price",
    "reach_10k_in_3_months": "reach",
    "complaint_rate": "complaints",
    "violations": "violations",
    "campaign_roi": "campaign_roi",
    "segment_reach": "segments",
}


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (header, kind)
    rows: list[list]

    def cells(self) -> list[list[tuple[object, str]]]:
        """Each row as ``(value, kind)`` pairs, for a template to format cell by cell."""
        kinds = [kind for _header, kind in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


@dataclass
class Chart:
    tag: str  # a simple tag of ui.templatetags.olive_charts
    args: tuple
    kwargs: dict


@dataclass
class Section:
    key: str  # the anchor on the page, the sheet in Excel
    title: str
    note: str = ""
    facts: list[tuple[str, object, str]] = field(default_factory=list)  # (label, value, kind)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (key, message)


# --- periods and the date range ----------------------------------------------------------------

QUARTER = re.compile(r"^(\d{4})\D*Q([1-4])$")


def period_bounds(label: str) -> tuple[date, date] | None:
    """First and last day of a period label: "2024" (year), "2024-Q2" or "2024 Q2" (quarter)."""
    label = str(label).strip()
    if re.fullmatch(r"\d{4}", label):
        return date(int(label), 1, 1), date(int(label), 12, 31)
    match = QUARTER.match(label)
    if not match:
        return None
    year, quarter = int(match[1]), int(match[2])
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def in_range(label: str, start: date | None, end: date | None) -> bool:
    """Whether a period overlaps [start, end] (either end open)."""
    bounds = period_bounds(label)
    if bounds is None:
        return True
    first, last = bounds
    return (start is None or last >= start) and (end is None or first <= end)


# --- labels --------------------------------------------------------------------------------------


def segment_label(key: str) -> str:
    lang = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    try:
        return taxonomy.label(key, lang, axis="interests")
    except (KeyError, ValueError):
        return key


def mode_label(key: str) -> str:
    try:
        return str(Campaign.Mode(key).label)
    except ValueError:
        return key


def _missing_by_section(payload: dict) -> dict[str, list[tuple[str, str]]]:
    """Per section: ``(payload key, message in the reader's language)`` of each missing line."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in payload.get("missing", []):
        head = re.split(r"[:.]", str(line), maxsplit=1)[0].strip()
        found.setdefault(MISSING_SECTION.get(head, "other"), []).append(translated(str(line)))
    return found


# --- the sections -------------------------------------------------------------------------------


def _inequality(payload: dict) -> Section:
    gini, lorenz = payload.get("gini", {}), payload.get("lorenz", {})
    names = {
        "followers": _("Followers"),
        "exposure": _("Exposure (impressions)"),
        "revenue": _("Revenue (tipping + GMV)"),
    }
    section = Section("inequality", _("Inequality: Gini coefficients and Lorenz curves"))
    section.note = _(
        "0 is everyone equal, 1 one creator holding everything. Exposure is the latest succeeded "
        "allocation run's impressions; revenue is the last 365 days."
    )
    bars = [(names[k], gini.get(k)) for k in names if gini.get(k) is not None]
    section.charts.append(
        Chart("bar_chart", (bars,), {"title": _("Gini coefficient"), "value_header": "Gini"})
    )
    curves = [
        (names[k], [(100 * x, 100 * y) for x, y in lorenz.get(k) or []])
        for k in names
        if lorenz.get(k)
    ]
    section.charts.append(
        Chart(
            "lorenz_chart",
            (curves,),
            {
                "title": _("Lorenz curves"),
                "x_header": _("Creators, smallest first (%)"),
                "y_header": _("Share held (%)"),
            },
        )
    )
    section.facts = [(f"Gini · {names[k]}", gini.get(k), RATIO) for k in names]
    section.tables.append(
        Table(
            "gini",
            _("Gini coefficient"),
            [(_("Measure"), TEXT), ("Gini", RATIO)],
            [[names[k], gini.get(k)] for k in names],
        )
    )
    rows = [[names[k], x, y] for k in names for x, y in lorenz.get(k) or []]
    columns = [(_("Measure"), TEXT), (_("Creators (share)"), SHARE), (_("Held (share)"), SHARE)]
    section.tables.append(Table("lorenz", _("Lorenz curves, point by point"), columns, rows))
    return section


def _bands(payload: dict) -> Section:
    shares = payload.get("band_share", {})
    names = {
        "creators": _("Creators"),
        "tipping": _("Tipping"),
        "revenue": _("Revenue (tipping + GMV)"),
    }
    section = Section("bands", _("Shares by follower band (the olive)"))
    section.note = _(
        "An olive-shaped ecosystem has its weight in the middle: the brief's 100k–1M creators "
        "hold 65 per cent of tipping."
    )
    for key, name in names.items():
        items = [(BAND_LABELS[b], shares[key].get(b)) for b in BAND_KEYS] if shares.get(key) else []
        title = _("Share of %(what)s by follower band") % {"what": name}
        section.charts.append(
            Chart(
                "bar_chart",
                (items,),
                {
                    "title": title,
                    "percent": True,
                    "label_header": _("Band"),
                    "value_header": _("Share"),
                },
            )
        )
    columns = [(_("Band"), TEXT)] + [(name, SHARE) for name in names.values()]
    rows = [[BAND_LABELS[b]] + [(shares.get(k) or {}).get(b) for k in names] for b in BAND_KEYS]
    section.tables.append(Table("band_share", section.title, columns, rows))
    mid = (shares.get("tipping") or {}).get("mid")
    section.facts = [(_("Tipping held by the 100k–1M band"), mid, SHARE)]
    return section


def _concentration(payload: dict, start, end) -> Section:
    quarters = [
        q for q in payload.get("concentration_by_quarter", []) if in_range(q["quarter"], start, end)
    ]
    section = Section("concentration", _("Head agencies' market share (CR5, CR10) and HHI"))
    section.note = _(
        "CR5 and CR10: the five and ten biggest agencies' share of all GMV (independent "
        "creators included). HHI: over the agencies' shares of the agency market."
    )
    labels = [q["quarter"] for q in quarters]
    section.charts.append(
        Chart(
            "series_chart",
            (
                labels,
                [("CR5", [q["cr5"] for q in quarters]), ("CR10", [q["cr10"] for q in quarters])],
            ),
            {
                "title": _("CR5 and CR10 by quarter"),
                "label_header": _("Quarter"),
                "value_header": _("Share of GMV"),
                "percent": True,
            },
        )
    )
    section.charts.append(
        Chart(
            "line_chart",
            ([(q["quarter"], q["hhi"]) for q in quarters],),
            {"title": _("HHI by quarter"), "label_header": _("Quarter"), "value_header": "HHI"},
        )
    )
    section.facts = [
        (_("Latest quarter"), payload.get("concentration_quarter"), TEXT),
        ("CR5", payload.get("cr5"), SHARE),
        ("CR10", payload.get("cr10"), SHARE),
        ("HHI", payload.get("hhi"), RATIO),
    ]
    columns = [
        (_("Quarter"), TEXT),
        ("CR5", SHARE),
        ("CR10", SHARE),
        ("HHI", RATIO),
        (_("Agencies"), COUNT),
        (_("Market GMV"), MONEY),
    ]
    rows = [
        [q["quarter"], q["cr5"], q["cr10"], q["hhi"], q["agencies"], q["market_gmv"]]
        for q in quarters
    ]
    section.tables.append(Table("concentration", section.title, columns, rows))
    return section


def _by_year(payload, key, change_key, start, end, section: Section, what: str) -> Section:
    values = {y: v for y, v in (payload.get(key) or {}).items() if in_range(y, start, end)}
    section.charts.append(
        Chart(
            "line_chart",
            (list(values.items()),),
            {"title": section.title, "label_header": _("Year"), "value_header": what},
        )
    )
    change = payload.get(change_key)
    if change:
        label = _("Change %(first)s → %(last)s (×)") % {
            "first": change["from"],
            "last": change["to"],
        }
        section.facts.append((label, change["ratio"], RATIO))
    section.tables.append(
        Table(
            key,
            section.title,
            [(_("Year"), TEXT), (what, MONEY)],
            [[y, v] for y, v in values.items()],
        )
    )
    return section


def _income(payload, start, end) -> Section:
    section = Section("income", _("Average creator monthly income by year"))
    section.note = _(
        "Tipping per active creator per month, averaged over the year's complete months "
        "(brief: ¥3,200 in 2020 → ¥8,700 in 2023)."
    )
    return _by_year(
        payload,
        "avg_monthly_income_by_year",
        "avg_monthly_income_change",
        start,
        end,
        section,
        _("Income per month (¥)"),
    )


def _unit_price(payload, start, end) -> Section:
    section = Section("unit_price", _("Unit price of commercial cooperation by year"))
    section.note = _(
        "Mean fee of the paid collaborations that went ahead, by the year offered (brief: ×2.3)."
    )
    return _by_year(
        payload, "unit_price_by_year", "unit_price_change", start, end, section, _("Mean fee (¥)")
    )


def _reach(payload: dict) -> Section:
    reach = payload.get("reach_10k_in_3_months") or {}
    names = {"trained": _("Trained (completed a course)"), "untrained": _("Not trained")}
    section = Section("reach", _("New creators reaching 10k followers within 3 months"))
    items = [(names[k], reach.get(k)) for k in names if reach.get(k) is not None]
    section.charts.append(
        Chart(
            "bar_chart",
            (items,),
            {"title": section.title, "percent": True, "value_header": _("Share reaching 10k")},
        )
    )
    columns = [(_("Group"), TEXT), (_("Share reaching 10k"), SHARE), (_("Creators"), COUNT)]
    rows = [[names[k], reach.get(k), reach.get(f"{k}_creators", 0)] for k in names]
    section.tables.append(Table("reach_10k", section.title, columns, rows))
    return section


def _complaints(payload: dict) -> Section:
    counts = payload.get("complaints") or {}
    section = Section("complaints", _("Complaint rate"))
    section.note = _("Complaints ÷ orders over the last %(days)s days, platform-wide.") % {
        "days": counts.get("window_days", 30)
    }
    section.facts = [
        (_("Complaint rate"), payload.get("complaint_rate"), SHARE),
        (_("Orders"), counts.get("orders"), COUNT),
        (_("Complaints"), counts.get("complaints"), COUNT),
    ]
    stored = counts.get("stored") or {}
    alerts = sorted((stored.get("alerts") or {}).items())
    section.charts.append(
        Chart(
            "bar_chart",
            (alerts,),
            {
                "title": _("Subjects over the alert threshold"),
                "label_header": _("Kind"),
                "value_header": _("Alerts"),
            },
        )
    )
    section.tables.append(
        Table(
            "complaints",
            section.title,
            [(_("Figure"), TEXT), (_("Value"), COUNT)],
            [[_("Orders"), counts.get("orders")], [_("Complaints"), counts.get("complaints")]]
            + [[_("Alerts: %(kind)s") % {"kind": k}, n] for k, n in alerts],
        )
    )
    return section


def _violations(payload: dict, start, end) -> Section:
    quarters = [
        q for q in payload.get("violations_by_quarter", []) if in_range(q["quarter"], start, end)
    ]
    years = {
        y: v
        for y, v in (payload.get("violations_by_year") or {}).items()
        if in_range(y, start, end)
    }
    section = Section("violations", _("Violations handled"))
    section.note = _("Confirmed violations per quarter and year, with the change on a year before.")
    section.charts.append(
        Chart(
            "line_chart",
            ([(q["quarter"], q["cases"]) for q in quarters],),
            {
                "title": _("Violations per quarter"),
                "label_header": _("Quarter"),
                "value_header": _("Violations"),
            },
        )
    )
    columns = [
        (_("Quarter"), TEXT),
        (_("Violations"), COUNT),
        (_("Accounts"), COUNT),
        (_("Year on year (accounts)"), SHARE),
    ]
    rows = [[q["quarter"], q["cases"], q.get("accounts"), q.get("yoy")] for q in quarters]
    section.tables.append(
        Table("violations_by_quarter", _("Violations per quarter"), columns, rows)
    )
    columns = [(_("Year"), TEXT), (_("Violations"), COUNT), (_("Year on year"), SHARE)]
    rows = [[y, v["cases"], v.get("yoy")] for y, v in years.items()]
    section.tables.append(Table("violations_by_year", _("Violations per year"), columns, rows))
    return section


def _roi_columns(first: str) -> list[tuple[str, str]]:
    return [(first, TEXT), ("GMV", MONEY), (_("Spend"), MONEY), ("ROI", RATIO)]


def _campaign_roi(payload: dict) -> Section:
    roi = payload.get("campaign_roi") or {}
    section = Section("campaign_roi", _("Campaign ROI by brand and by mode"))
    section.note = _(
        "ROI is GMV (less refunds) ÷ spend (fees of live or completed collaborations plus "
        "commission)."
    )
    overall = roi.get("overall") or {}
    section.facts = [
        ("GMV", overall.get("gmv"), MONEY),
        (_("Spend"), overall.get("spend"), MONEY),
        ("ROI", overall.get("roi"), RATIO),
    ]
    modes = [(mode_label(m), f) for m, f in (roi.get("by_mode") or {}).items()]
    brands = sorted(
        ((f.get("name") or b, f) for b, f in (roi.get("by_brand") or {}).items()),
        key=lambda item: (-(item[1].get("gmv") or 0), str(item[0])),
    )
    section.charts.append(
        Chart(
            "bar_chart",
            ([(m, f["roi"]) for m, f in modes if f.get("roi") is not None],),
            {
                "title": _("ROI by campaign mode"),
                "label_header": _("Mode"),
                "value_header": "ROI",
                "reference": 1,
                "reference_label": _("Break-even (1 : 1)"),
            },
        )
    )
    top = [(n, f["roi"]) for n, f in brands[:TOP_BRANDS] if f.get("roi") is not None]
    section.charts.append(
        Chart(
            "bar_chart",
            (top,),
            {
                "title": _("ROI of the %(n)s brands with the most GMV") % {"n": TOP_BRANDS},
                "label_header": _("Brand"),
                "value_header": "ROI",
                "reference": 1,
                "reference_label": _("Break-even (1 : 1)"),
            },
        )
    )

    def rows(items):
        return [[name, f.get("gmv"), f.get("spend"), f.get("roi")] for name, f in items]

    section.tables.append(
        Table("roi_by_mode", _("ROI by campaign mode"), _roi_columns(_("Mode")), rows(modes))
    )
    section.tables.append(
        Table("roi_by_brand", _("ROI by brand"), _roi_columns(_("Brand")), rows(brands))
    )
    return section


def _segments(payload: dict) -> Section:
    reach = payload.get("segment_reach") or {}
    segments = reach.get("segments") or {}
    section = Section("segments", _("Audience segment reach"))
    section.note = _(
        "Views over the last %(days)s days split by each creator's audience interests; "
        "%(n)s creators with views have no audience portrait."
    ) % {"days": reach.get("window_days", 28), "n": reach.get("without_portrait", 0)}
    items = [
        (segment_label(k), v.get("share"))
        for k, v in segments.items()
        if v.get("share") is not None
    ]
    section.charts.append(
        Chart(
            "bar_chart",
            (items,),
            {
                "title": _("Share of views by audience segment"),
                "percent": True,
                "label_header": _("Segment"),
                "value_header": _("Share of views"),
            },
        )
    )
    columns = [
        (_("Segment"), TEXT),
        (_("Views"), COUNT),
        (_("Share of views"), SHARE),
        (_("Creators reaching it"), COUNT),
    ]
    rows = [
        [segment_label(k), v.get("views"), v.get("share"), v.get("creators")]
        for k, v in segments.items()
    ]
    section.tables.append(Table("segment_reach", section.title, columns, rows))
    return section


def report_sections(
    payload: dict, start: date | None = None, end: date | None = None
) -> list[Section]:
    """Every section of ``payload`` in the page's order, the period series cut to [start, end]."""
    sections = [
        _inequality(payload),
        _bands(payload),
        _concentration(payload, start, end),
        _income(payload, start, end),
        _unit_price(payload, start, end),
        _reach(payload),
        _complaints(payload),
        _violations(payload, start, end),
        _campaign_roi(payload),
        _segments(payload),
    ]
    missing = _missing_by_section(payload)
    for section in sections:
        section.missing = missing.pop(section.key, [])
    if missing:
        sections.append(
            Section("other", _("Other missing inputs"), missing=sum(missing.values(), []))
        )
    return sections
