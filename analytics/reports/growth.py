"""New creators reaching 10k followers within 3 months, trained against untrained.

One definition for the whole platform: the figures are the growth programmes' own effect report
(``creators.selectors_growth.growth_effect_report``, the operator's "Growth programmes — effect"
page), read here as the system. Its module docstring says which rows count: new creators (their
first snapshot within two weeks of joining), reached = a snapshot of at least 10,000 followers
within 91 days of joining, trained = an academy course completed within those 91 days, and only
creators watched for the 91 days count in a rate. Besides the raw shares the report carries the
matched comparison (vertical × starting-followers band) and the growth cycle.
"""

from __future__ import annotations

from datetime import date

from creators.selectors_growth import growth_effect_report
from tenancy.scoping import SYSTEM

from . import Figures
from . import missing as m
from .missing import line


def reach_10k_in_3_months(as_of: date) -> dict:
    """``{"trained", "untrained"}`` shares (``None`` for an empty group) with each group's size,
    the matched shares and the growth cycle (median days to 10k) of each group."""
    effect = growth_effect_report(actor=SYSTEM, as_of=as_of)
    cycle = effect.cycle
    return {
        "trained": effect.trained_rate.share,
        "trained_creators": effect.trained_rate.n,
        "untrained": effect.untrained_rate.share,
        "untrained_creators": effect.untrained_rate.n,
        "matched_trained": effect.matched.trained_share,
        "matched_untrained": effect.matched.untrained_share,
        "cycle_days_trained": cycle.trained,
        "cycle_days_untrained": cycle.untrained,
        "cycle_change": cycle.change,
    }


def reach_10k_report(*, as_of: date) -> Figures:
    shares = reach_10k_in_3_months(as_of)
    missing = []
    if not shares["trained_creators"] + shares["untrained_creators"]:
        missing.append(line("reach_10k_in_3_months", m.NOBODY_WATCHED))
    elif not shares["trained_creators"]:
        missing.append(line("reach_10k_in_3_months.trained", m.NOBODY_TRAINED))
    return Figures({"reach_10k_in_3_months": shares}, missing)
