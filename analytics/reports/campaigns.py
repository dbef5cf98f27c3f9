"""Campaign ROI by brand and by campaign mode, with the brand dashboard's definitions
(``brands.dashboard``), over every brand:

* **GMV** of a campaign: the amounts of the orders through its collaborations placed up to
  ``as_of``, less the refunds held against them (every refund but a rejected one). A brand's
  self-broadcast orders belong to no campaign and are not in it.
* **spend**: the fees of its collaborations that went live or completed
  (``brands.services.SPENT_STATUSES``), plus each collaboration's commission (its
  ``commission_pct`` of that collaboration's net GMV).
* **ROI** = GMV ÷ spend, ``None`` when nothing was spent.

Three aggregated queries (collaborations, their orders' sums, their refunds' sums), then pandas.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from django.db.models import Sum

from brands import refund_rules
from brands.models import Collaboration, Order, Refund
from brands.services import SPENT_STATUSES
from tenancy.models import Organization

from .. import engine
from . import Figures
from . import missing as m
from .market import end_of
from .missing import line


def _sums(rows, path: str) -> pd.Series:
    grouped = rows.order_by().values(path).annotate(total=Sum("amount")).values_list(path, "total")
    return pd.Series({key: float(total) for key, total in grouped}, dtype=np.float64)


def _collaborations(as_of: date) -> pd.DataFrame:
    end = end_of(as_of)
    rows = Collaboration.objects.unscoped().filter(offered_at__lt=end).order_by()
    frame = pd.DataFrame(
        list(
            rows.values_list(
                "pk", "organization_id", "campaign__mode", "fee", "status", "commission_pct"
            )
        ),
        columns=["id", "brand", "mode", "fee", "status", "pct"],
    ).set_index("id")
    orders = Order.objects.unscoped().filter(collaboration__isnull=False, placed_at__lt=end)
    held = Refund.objects.unscoped().filter(
        status__in=refund_rules.HOLDING, order__in=orders.values("pk")
    )
    sold = _sums(orders, "collaboration_id").reindex(frame.index, fill_value=0.0)
    refunded = _sums(held, "order__collaboration_id").reindex(frame.index, fill_value=0.0)
    frame["gmv"] = sold - refunded
    fees = frame["fee"].astype(np.float64).where(frame["status"].isin(SPENT_STATUSES), 0.0)
    frame["spend"] = fees + frame["gmv"] * frame["pct"].astype(np.float64) / 100
    return frame


def campaign_roi(*, as_of: date) -> Figures:
    frame = _collaborations(as_of)
    if frame.empty:
        empty = {"overall": None, "by_brand": {}, "by_mode": {}}
        return Figures({"campaign_roi": empty}, [f"campaign_roi: no collaboration up to {as_of}"])
    by_brand = engine.roi_by(frame, "brand")
    names = dict(
        Organization.objects.filter(pk__in=[int(b) for b in by_brand]).values_list("pk", "name")
    )
    for brand, figures in by_brand.items():
        figures["name"] = names.get(int(brand), "")
    overall = engine.roi_by(frame.assign(all="all"), "all")["all"]
    missing = [] if overall["spend"] else [line("campaign_roi", m.NO_SPEND)]
    return Figures(
        {
            "campaign_roi": {
                "overall": overall,
                "by_brand": by_brand,
                "by_mode": engine.roi_by(frame, "mode"),
            }
        },
        missing,
    )
