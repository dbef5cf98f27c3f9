"""The incentive plan's ``original_streak`` milestones, observed from originality protection.

An item counts towards a streak when it has been indexed (checked for near-duplicates:
``OriginalitySignature``) and no flag that counts against the originality rate stands on it
(``OriginalityFlag.COUNTING``: open, contested or upheld). An open or contested flag breaks the
streak as an upheld one does, as the originality rate counts it: a flag overturned later mends
the streak from the next evaluation on. Items not yet checked neither extend nor break a streak
until they are. The streak at each item is the number of such original items in a row, in
publication order (ties by content id), ending at it; the milestone "N original items in a row"
is reached on the local day of the item that made the run N long (``creators.milestones``).
An award already paid stays when a later flag breaks the run: revoking it is the operator's call.

Registered for the kind from ``ComplianceConfig.ready``; reads every creator's items in bulk.
"""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators import milestones
from creators.milestone_sources import MilestoneSource, as_facts
from creators.models import MilestoneKind

from .models import OriginalityFlag, OriginalitySignature


def original_streak_facts(*, as_of, creator_ids=None, floor=None) -> pd.DataFrame:
    until = timezone.make_aware(datetime.combine(as_of, time.max))
    rows = OriginalitySignature.objects.unscoped().filter(published_at__lte=until)
    if creator_ids is not None:
        rows = rows.filter(creator_id__in=list(creator_ids))
    items = pd.DataFrame(
        list(rows.values_list("creator_id", "content_id", "published_at")),
        columns=["creator_id", "content_id", "published_at"],
    )
    if items.empty:
        return milestones.empty_facts()
    flagged = OriginalityFlag.objects.unscoped().filter(
        status__in=OriginalityFlag.COUNTING, content_id__in=rows.values("content_id")
    )
    copies = set(flagged.values_list("content_id", flat=True))
    local = pd.to_datetime(items["published_at"], utc=True).dt.tz_convert(
        timezone.get_current_timezone_name()
    )
    items["date"] = local.dt.date
    items["original"] = ~items["content_id"].isin(copies)
    items = items.sort_values(["creator_id", "published_at", "content_id"], kind="stable")
    items["order"] = range(len(items))
    facts = milestones.streaks(items)
    if floor is not None:
        facts = facts[facts["value"] >= floor]
    return as_facts(facts, kind=MilestoneKind.ORIGINAL_STREAK)


SOURCE = MilestoneSource(original_streak_facts, unit=_("original items in a row"))
