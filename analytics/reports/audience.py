"""Audience segment reach: how far the ecosystem's views reach each audience segment (the
interest keys of ``creators.taxonomy``: young_mothers, new_farmers, silver_age …).

Each creator's views over the :data:`WINDOW_DAYS` up to ``as_of`` (Σ snapshot views, summed by the
database) are split by its audience portrait's interest shares (``AudienceProfile.interests``):
a segment's reach is the estimated views by that segment, its share of the views of creators
with a portrait, and the number
of creators with at least ``analytics.engine.SEGMENT_MIN_SHARE`` of their audience in it.
Creators without a portrait count in no segment (and are counted in ``without_portrait``).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from creators import taxonomy
from creators.models import AudienceProfile

from .. import engine
from . import Figures
from . import missing as m
from .inequality import _snapshots
from .missing import line

WINDOW_DAYS = 28


def segment_reach(*, as_of: date) -> Figures:
    window = _snapshots(as_of, WINDOW_DAYS)
    views = dict(
        window.values("creator_id").annotate(views=Sum("views")).values_list("creator_id", "views")
    )
    portraits = dict(
        AudienceProfile.objects.unscoped()
        .filter(creator_id__in=window.values("creator_id"))
        .order_by()
        .values_list("creator_id", "interests")
        .iterator(chunk_size=20_000)
    )
    with_portrait = [creator for creator in views if creator in portraits]
    reach = engine.segment_reach(
        [float(views[c]) for c in with_portrait],
        [portraits[c] for c in with_portrait],
        taxonomy.INTEREST,
    )
    missing = []
    if not views:
        missing.append(line("segment_reach", m.NO_VIEWS, days=WINDOW_DAYS))
    elif not with_portrait:
        missing.append(line("segment_reach", m.NO_PORTRAITS))
    values = {"window_days": WINDOW_DAYS, "without_portrait": len(views) - len(with_portrait)}
    return Figures({"segment_reach": {**values, "segments": reach}}, missing)
