"""Writes a generated :class:`~demo.world.World` into the database, in bulk.

Rows get their primary keys here (``next_ids``), so every ``*_index`` column of the world maps
to an id with one numpy lookup and related tables load without reading anything back.
The two demo brands and the two demo agencies of ``demo.services`` take the world's first
brands and agencies (the largest agencies), so demo users see real data.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.db import models

from brands.models import (
    BrandProfile,
    Campaign,
    Collaboration,
    Complaint,
    ContentSubmission,
    Order,
    Product,
    Refund,
)
from bulkload.frames import load_frame, next_ids, reset_sequence
from creators import taxonomy
from creators.models import (
    AudienceProfile,
    Course,
    Creator,
    Enrolment,
    Lesson,
    LessonCompletion,
    MetricSnapshot,
)
from demo.world import World, portrait_dicts
from mcn.models import AgencyProfile, Contract
from tenancy.models import Membership, Organization


def _ids(model: type[models.Model], count: int) -> np.ndarray:
    return np.asarray(next_ids(model, count), dtype=np.int64)


def _lookup(ids: np.ndarray, index: pd.Series) -> pd.Series:
    """Map 0-based row numbers (-1 = none) to ids (missing)."""
    positions = index.to_numpy()
    mapped = pd.Series(ids[np.maximum(positions, 0)], index=index.index, dtype="Int64")
    return mapped.mask(positions < 0)


def _load(model, frame: pd.DataFrame) -> None:
    load_frame(model, frame)
    reset_sequence(model)


def world_end(world: World) -> pd.Timestamp:
    """The world's "now": the last second of end_date (the last snapshot date)."""
    return world.snapshots["date"].max() + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)


def world_start(world: World) -> pd.Timestamp:
    """Before anything in the world happened: a day before the first creator joined."""
    return world.creators["joined"].min() - pd.Timedelta(days=1)


def organizations(
    world: World, *, kind: str, frame: pd.DataFrame, demo_slugs: list[str], prefix: str
) -> np.ndarray:
    """Ids of the organizations for ``frame``'s rows: the demo ones first, then new ones."""
    existing = [Organization.objects.get(slug=slug).pk for slug in demo_slugs]
    extra = frame.iloc[len(existing) :]
    new = [
        Organization(kind=kind, name=name, slug=f"{prefix}-{i:03d}")
        for i, name in zip(extra.index, extra["name"], strict=True)
    ]
    created = Organization.objects.bulk_create(new)
    return np.asarray(existing + [o.pk for o in created], dtype=np.int64)


def creators(world: World, agency_ids: np.ndarray) -> np.ndarray:
    frame = world.creators
    ids = _ids(Creator, len(frame))
    _load(
        Creator,
        pd.DataFrame(
            {
                "id": ids,
                "handle": frame["handle"],
                "display_name": frame["display_name"],
                "vertical": frame["vertical"],
                "region": frame["region"],
                "city_tier": frame["city_tier"],
                "followers": frame["followers"],
                "joined": frame["joined"],
                "status": frame["status"],
                "agency_id": _lookup(agency_ids, frame["agency_index"]),
                "created_at": frame["joined"],
            }
        ),
    )
    return ids


def audiences(world: World, creator_ids: np.ndarray) -> None:
    frame = world.audiences
    columns = {axis: portrait_dicts(frame, axis) for axis in taxonomy.AUDIENCE_AXES}
    _load(
        AudienceProfile,
        pd.DataFrame(
            {
                "creator_id": creator_ids[frame["creator_index"].to_numpy()],
                **columns,
                "updated_at": world_end(world),
            }
        ),
    )


def snapshots(world: World, creator_ids: np.ndarray) -> None:
    frame = world.snapshots
    table = frame.drop(columns=["creator_index"])
    table.insert(0, "creator_id", creator_ids[frame["creator_index"].to_numpy()])
    load_frame(MetricSnapshot, table, rebuild_foreign_keys=True)


def contracts(world: World, creator_ids: np.ndarray, agency_ids: np.ndarray) -> None:
    signed = world.creators[world.creators["agency_index"] >= 0]
    _load(
        Contract,
        pd.DataFrame(
            {
                "organization_id": agency_ids[signed["agency_index"].to_numpy()],
                "creator_id": creator_ids[signed["creator_index"].to_numpy()],
                "start": signed["contract_start"],
                "revenue_share_pct": signed["revenue_share_pct"],
                "status": "active",  # the world's history: contracts its creators accepted
                "end_reason": "",
                "accepted_at": signed["contract_start"],
                "created_at": signed["contract_start"],
            }
        ),
    )


def profiles(brand_ids: np.ndarray, brands: pd.DataFrame, agency_ids: np.ndarray) -> None:
    BrandProfile.objects.unscoped().bulk_create(
        [
            BrandProfile(organization_id=int(i), industry=str(v))
            for i, v in zip(brand_ids, brands["vertical"], strict=True)
        ],
        ignore_conflicts=True,
    )
    AgencyProfile.objects.unscoped().bulk_create(
        [AgencyProfile(organization_id=int(i)) for i in agency_ids], ignore_conflicts=True
    )


def products(world: World, brand_ids: np.ndarray) -> np.ndarray:
    frame = world.products
    ids = _ids(Product, len(frame))
    _load(
        Product,
        pd.DataFrame(
            {
                "id": ids,
                "organization_id": brand_ids[frame["brand_index"].to_numpy()],
                "name": frame["name"],
                "category": frame["category"],
                "price": frame["price"],
                **{f"target_{axis}": frame[f"target_{axis}"] for axis in taxonomy.AUDIENCE_AXES},
                "description": frame["description"],
                "claims": frame["claims"],
                "created_at": frame["created_at"],
            }
        ),
    )
    return ids


def campaigns(world: World, brand_ids: np.ndarray) -> np.ndarray:
    frame = world.campaigns
    ids = _ids(Campaign, len(frame))
    _load(
        Campaign,
        pd.DataFrame(
            {
                "id": ids,
                "organization_id": brand_ids[frame["brand_index"].to_numpy()],
                "name": frame["name"],
                "objective": frame["objective"],
                "brief": "",  # the demo world writes no briefs yet
                "mode": frame["mode"],
                "budget": frame["budget"],
                "start": frame["start"],
                "end": frame["end"],
                "status": frame["status"],
                "created_at": frame["created_at"],
            }
        ),
    )
    return ids


def collaborations(world: World, keys: dict[str, np.ndarray]) -> np.ndarray:
    frame = world.collaborations
    brand_of_campaign = keys["brand"][world.campaigns["brand_index"].to_numpy()]
    ids = _ids(Collaboration, len(frame))
    campaign = frame["campaign_index"].to_numpy()
    _load(
        Collaboration,
        pd.DataFrame(
            {
                "id": ids,
                "organization_id": brand_of_campaign[campaign],
                "campaign_id": keys["campaign"][campaign],
                "product_id": keys["product"][frame["product_index"].to_numpy()],
                "creator_id": keys["creator"][frame["creator_index"].to_numpy()],
                "offer_type": frame["offer_type"],
                "response_deadline": frame["response_deadline"],
                "fee": frame["fee"],
                "commission_pct": frame["commission_pct"],
                "status": frame["status"],
                "offered_at": frame["offered_at"],
                "status_changed_at": frame["offered_at"],
                "message": "",  # the demo world writes no offer messages yet
            }
        ),
    )
    return ids


#: A demo caption per content, by position: the product and an everyday creator's line.
CAPTIONS = (
    "{product}｜用了一周的真实感受，细节都在视频里",
    "{product} 开箱试用，优缺点一次说清",
    "跟我一起试试 {product}，链接在购物车",
)


def content_submissions(world: World, keys: dict[str, np.ndarray]) -> None:
    """The content behind every deal that got that far: awaiting review for a collaboration
    in content_submitted, approved (when it went live) for a live or completed one."""
    frame = world.collaborations
    done = frame[frame["content_submitted_at"].notna()]
    position = done["collaboration_index"].to_numpy()
    handles = world.creators["handle"].to_numpy()[done["creator_index"].to_numpy()]
    products = world.products["name"].to_numpy()[done["product_index"].to_numpy()]
    ids = keys["collaboration"][position]
    approved = done["content_approved_at"].notna().to_numpy()
    brand_of_campaign = keys["brand"][world.campaigns["brand_index"].to_numpy()]
    _load(
        ContentSubmission,
        pd.DataFrame(
            {
                "organization_id": brand_of_campaign[done["campaign_index"].to_numpy()],
                "collaboration_id": ids,
                "link": [
                    f"https://video.olive.example/{h}/{i}"
                    for h, i in zip(handles, ids, strict=True)
                ],
                "caption": [
                    CAPTIONS[i % len(CAPTIONS)].format(product=p)
                    for i, p in zip(position, products, strict=True)
                ],
                "submitted_at": done["content_submitted_at"],
                "status": np.where(approved, "approved", "pending"),
                "review_reason": "",
                "reviewed_at": done["content_approved_at"],
                "check_findings": [[] for _ in range(len(done))],
            }
        ),
    )


def orders(world: World, keys: dict[str, np.ndarray]) -> np.ndarray:
    frame = world.orders
    ids = _ids(Order, len(frame))
    _load(
        Order,
        pd.DataFrame(
            {
                "id": ids,
                "organization_id": keys["brand"][frame["brand_index"].to_numpy()],
                "collaboration_id": _lookup(keys["collaboration"], frame["collaboration_index"]),
                "amount": frame["amount"],
                "placed_at": frame["placed_at"],
                "delivered_at": frame["delivered_at"],
                "external_id": frame["external_id"],
                "refunded_total": held_refunds(world),
            }
        ),
    )
    return ids


def held_refunds(world: World) -> np.ndarray:
    """Each order's refunds held against it (every status but rejected), as the service keeps
    ``Order.refunded_total``."""
    refunds = world.refunds[world.refunds["status"] != "rejected"]
    totals = refunds.groupby("order_index")["amount"].sum()
    held = totals.reindex(range(len(world.orders)), fill_value=0.0).to_numpy()
    return np.round(held, 2)


def backdate_tenants(world: World, organization_ids: np.ndarray, usernames: list[str]) -> None:
    """Organizations, their memberships and their users existed before the world began.

    They are created "now" (auto_now_add), which is after end_date whenever the world ends
    earlier (by default it ends yesterday): nothing the demo writes may lie in its future.
    """
    start = world_start(world).to_pydatetime().replace(tzinfo=datetime.UTC)
    ids = [int(i) for i in organization_ids]
    Organization.objects.filter(pk__in=ids).update(created_at=start)
    memberships = Membership.objects.unscoped().filter(organization_id__in=ids)
    memberships.update(created_at=start)
    get_user_model().objects.filter(username__in=usernames).update(date_joined=start)


REFUND_COLUMNS = [
    "amount",
    "reason",
    "requested_at",
    "status",
    "auto_approved",
    "decision_deadline",
    "decided_at",
    "decision_note",
    "disputed_at",
    "dispute_note",
    "escalated_at",
]


def order_followups(world: World, keys: dict[str, np.ndarray]) -> None:
    """Refunds and complaints, owned by the order's brand."""
    brand_of_order = keys["brand"][world.orders["brand_index"].to_numpy()]
    # The demo's shop systems sent no external ids; no refund reached the operator's decision.
    for model, frame, columns, blank in [
        (Refund, world.refunds, REFUND_COLUMNS, ["external_id", "final_note"]),
        (Complaint, world.complaints, ["category", "status", "filed_at"], ["external_id"]),
    ]:
        order = frame["order_index"].to_numpy()
        _load(
            model,
            pd.DataFrame(
                {
                    "organization_id": brand_of_order[order],
                    "order_id": keys["order"][order],
                    **{column: frame[column] for column in columns},
                    **dict.fromkeys(blank, ""),
                }
            ),
        )


def academy(world: World, creator_ids: np.ndarray) -> None:
    """The academy's catalogue (the operator's, created before the world began) and every
    creator's enrolments and lesson completions."""
    created = world_start(world)
    course_ids = _ids(Course, len(world.courses))
    _load(
        Course,
        world.courses.drop(columns=["course_index"]).assign(
            id=course_ids, created_at=created, updated_at=created
        ),
    )
    lessons = world.lessons
    lesson_ids = _ids(Lesson, len(lessons))
    _load(
        Lesson,
        pd.DataFrame(
            {
                "id": lesson_ids,
                "course_id": course_ids[lessons["course_index"].to_numpy()],
                **{column: lessons[column] for column in ("position", "title", "body", "minutes")},
            }
        ),
    )
    enrolments = world.enrolments
    enrolment_ids = _ids(Enrolment, len(enrolments))
    _load(
        Enrolment,
        pd.DataFrame(
            {
                "id": enrolment_ids,
                "creator_id": creator_ids[enrolments["creator_index"].to_numpy()],
                "course_id": course_ids[enrolments["course_index"].to_numpy()],
                "enrolled_at": enrolments["enrolled_at"],
                "completed_at": enrolments["completed_at"],
            }
        ),
    )
    done = world.lesson_completions
    _load(
        LessonCompletion,
        pd.DataFrame(
            {
                "enrolment_id": enrolment_ids[done["enrolment_index"].to_numpy()],
                "lesson_id": lesson_ids[done["lesson_index"].to_numpy()],
                "completed_at": done["completed_at"],
            }
        ),
    )
