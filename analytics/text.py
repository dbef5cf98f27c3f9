"""The ecosystem report as lines of text (the ``ecosystem_report`` command's readable output).

Shares print as percentages, money as yuan with thousands separators; a figure the data does
not give prints as "—", and the payload's ``missing`` list follows at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

NONE = "—"
BANDS = ("head", "mid", "waist", "tail")


def pct(value) -> str:
    return NONE if value is None else f"{value:.1%}"


def num(value, digits: int = 3) -> str:
    return NONE if value is None else f"{value:,.{digits}f}"


def yuan(value) -> str:
    return NONE if value is None else f"¥{value:,.0f}"


def _bands(shares: dict | None) -> str:
    if not shares:
        return NONE
    return ", ".join(f"{band} {pct(shares.get(band))}" for band in BANDS)


def _by_year(values: dict, change: dict | None) -> str:
    text = ", ".join(f"{year} {yuan(value)}" for year, value in values.items()) or NONE
    if change:
        text += f" (×{change['ratio']:.2f} {change['from']}→{change['to']})"
    return text


def _roi(figures: dict | None) -> str:
    if not figures:
        return NONE
    return (
        f"ROI {num(figures['roi'], 2)} (GMV {yuan(figures['gmv'])}, spend {yuan(figures['spend'])})"
    )


def lines(payload: dict, durations: dict) -> Iterator[str]:
    gini, bands = payload.get("gini", {}), payload.get("band_share", {})
    yield f"Ecosystem report as of {payload['as_of']}"
    for name in ("followers", "exposure", "revenue"):
        yield f"gini {name}: {num(gini.get(name))}"
    for name in ("creators", "tipping", "revenue"):
        yield f"band share of {name}: {_bands(bands.get(name))}"
    quarter = payload.get("concentration_quarter") or NONE
    yield (
        f"agency concentration {quarter}: CR5 {pct(payload.get('cr5'))}, "
        f"CR10 {pct(payload.get('cr10'))}, HHI {num(payload.get('hhi'), 4)}"
    )
    income = payload.get("avg_monthly_income_by_year", {})
    yield f"avg monthly income: {_by_year(income, payload.get('avg_monthly_income_change'))}"
    price = payload.get("unit_price_by_year", {})
    yield f"cooperation unit price: {_by_year(price, payload.get('unit_price_change'))}"
    reach = payload.get("reach_10k_in_3_months", {})
    yield (
        f"reach 10k in 3 months: trained {pct(reach.get('trained'))} "
        f"of {reach.get('trained_creators', 0):,}, untrained {pct(reach.get('untrained'))} "
        f"of {reach.get('untrained_creators', 0):,}"
    )
    yield f"complaint rate (30 days): {pct(payload.get('complaint_rate'))}"
    for row in payload.get("violations_by_quarter", [])[-4:]:
        yield f"violations {row['quarter']}: {row['cases']:,} (yoy {pct(row['yoy'])})"
    roi = payload.get("campaign_roi", {})
    yield f"campaign ROI: {_roi(roi.get('overall'))}"
    for mode, figures in roi.get("by_mode", {}).items():
        yield f"campaign ROI {mode}: {_roi(figures)}"
    for segment in ("young_mothers", "new_farmers", "silver_age"):
        reached = payload.get("segment_reach", {}).get("segments", {}).get(segment, {})
        yield f"segment reach {segment}: {pct(reached.get('share'))} of views"
    for name, seconds in durations.items():
        yield f"time {name}: {seconds:.2f} s"
    for what in payload.get("missing", []):
        yield f"missing: {what}"
