"""The ecosystem reports: each reads raw rows (aggregated by the database where it can) across
every tenant on purpose, and computes with the pure ``analytics.engine``.

A report is ``fn(*, as_of: date) -> Figures``: the figures it adds to the payload (top-level keys,
nested dicts merged one level deep, so three reports can fill ``gini``) and what it could not
measure (``missing``: named inputs absent from the data; never a made-up number in their place).
:data:`REPORTS` lists them in the order the payload and the command show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figures:
    values: dict
    missing: list[str] = field(default_factory=list)


def _registry() -> dict[str, Callable[..., Figures]]:
    from . import audience, campaigns, growth, inequality, market, safety

    return {
        "gini_followers": inequality.followers_inequality,
        "gini_exposure": inequality.exposure_inequality,
        "gini_revenue": inequality.revenue_inequality,
        "band_share": inequality.band_share,
        "concentration": market.agency_concentration,
        "income": market.monthly_income,
        "unit_price": market.cooperation_unit_price,
        "reach_10k": growth.reach_10k_report,
        "complaint_rate": safety.complaint_rate,
        "violations": safety.violations_handled,
        "campaign_roi": campaigns.campaign_roi,
        "segment_reach": audience.segment_reach,
    }


REPORTS: dict[str, Callable[..., Figures]] = {}


def reports() -> dict[str, Callable[..., Figures]]:
    """Name → report function (imported on first use: the modules read models)."""
    if not REPORTS:
        REPORTS.update(_registry())
    return REPORTS


def merged(payload: dict, figures: dict) -> dict:
    """``figures`` added to ``payload``: a dict under a key both have is updated, not replaced."""
    for key, value in figures.items():
        if isinstance(value, dict) and isinstance(payload.get(key), dict):
            payload[key].update(value)
        else:
            payload[key] = value
    return payload
