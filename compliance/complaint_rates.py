"""The complaint-rate job (consumer protection): every creator's, brand's and agency's rate over
the trailing window, stored once a day.

:func:`complaint_rates_store` reads the window's counts aggregated by the database
(``selectors.complaint_counts``: which orders and complaints count), hands them to the pure
engine (``engine.complaint_rates``) with each creator's current agency, and replaces that day's
rows in one transaction: a reader sees the old day or the new one, never half, and a rerun over
the same rows writes the same rows. The beat calls :func:`complaint_rates_due` several times a
day; it stores yesterday (the last complete day), so its result no longer moves with the hour.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from django.db import transaction
from django.utils import timezone

from bulkload.frames import load_frame
from creators.models import Creator
from tenancy import roles
from tenancy.scoping import Actor

from .engine import complaint_rates as engine
from .models import ComplaintRateDaily
from .selectors import complaint_counts


def complaint_rates_compute(*, as_of: date, window_days: int = engine.WINDOW_DAYS) -> pd.DataFrame:
    """The engine's frame for the window ``[as_of − window_days + 1, as_of]`` (nothing saved)."""
    start = as_of - timedelta(days=window_days - 1)
    pairs = complaint_counts(window_start=start, as_of=as_of)
    managed = Creator.objects.unscoped().filter(agency__isnull=False)
    agencies = pd.Series(dict(managed.values_list("pk", "agency_id")), dtype="float64")
    return engine.rates(pairs, agencies)


def complaint_rates_store(*, actor: Actor, as_of: date) -> int:
    """Compute and store ``as_of``'s rates, replacing that day's rows; returns how many rows.
    The operator's writers or the system only."""
    actor.require(kinds=[roles.OPERATOR], write=True)
    frame = complaint_rates_compute(as_of=as_of)
    frame = frame.assign(date=pd.Timestamp(as_of))
    with transaction.atomic():
        ComplaintRateDaily.objects.unscoped().filter(date=as_of).delete()
        return load_frame(ComplaintRateDaily, frame) if len(frame) else 0


def complaint_rates_due(*, actor: Actor, today: date | None = None) -> int:
    """Beat job: store yesterday's rates (the last complete local day). Rerunning it the same day
    replaces them with the same rows, unless orders or complaints arrived late for that day, in
    which case the stored rate catches up with them."""
    today = today or timezone.localdate()
    return complaint_rates_store(actor=actor, as_of=today - timedelta(days=1))
