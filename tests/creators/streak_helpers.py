"""Content items checked for originality, some flagged, for the original-streak tests."""

import datetime

from django.utils import timezone

from creators.models import ContentItem
from tests.creators.incentive_helpers import START
from tests.factories import CreatorFactory


def publish_items(creator, flagged: list) -> list[ContentItem]:
    """One indexed item a day from START at noon local time; ``flagged[i]``: False (original),
    True (an open flag) or a flag status."""
    from compliance.models import OriginalityFlag, OriginalitySignature

    source = None
    items = []
    for day, flag in enumerate(flagged):
        moment = timezone.make_aware(
            datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(12))
        )
        item = ContentItem.objects.unscoped().create(
            creator=creator, external_id=f"i{day}", kind="video", title=f"Item {day}",
            published_at=moment,
        )  # fmt: skip
        OriginalitySignature.objects.unscoped().create(
            content=item, creator=creator, published_at=moment, signature=b"\0" * 4,
            shingles=1, text_digest="t", indexed_at=moment,
        )  # fmt: skip
        if flag:
            if source is None:
                source = ContentItem.objects.unscoped().create(
                    creator=CreatorFactory(), external_id="src", kind="video", title="Source",
                    published_at=moment - datetime.timedelta(days=30),
                )  # fmt: skip
            OriginalityFlag.objects.unscoped().create(
                content=item, creator=creator, source=source, source_creator=source.creator,
                similarity=0.9, status="open" if flag is True else flag, flagged_at=moment,
                updated_at=moment,
            )  # fmt: skip
        items.append(item)
    return items
