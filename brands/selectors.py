"""Reads of the brands app. A collaboration is visible to its brand, its creator and the
creator's agency; everything else only to the owning brand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from statistics import median

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenancy import roles
from tenancy.scoping import Actor

from . import refund_rules
from .models import Campaign, Collaboration, Complaint, ContentSubmission, Order, Product, Refund
from .services import (  # the pages' buttons and figures obey these too
    COMMITTED_STATUSES,
    CONTENT_MOVES,
    OFFER_CAMPAIGN_STATUSES,
    SPENT_STATUSES,
    TRANSITIONS,
    parties_for,
    party_of,
)


def _fees(statuses) -> Coalesce:
    """The fees of a campaign's collaborations in ``statuses``, summed from the rows."""
    in_status = Q(collaborations__status__in=statuses)
    total = Sum("collaborations__fee", filter=in_status)
    return Coalesce(
        total, Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def campaigns_of_brand(*, actor: Actor) -> QuerySet[Campaign]:
    """The brand's campaigns with their collaboration counts and budget use (``committed``:
    fees of offers open or under way; ``spent``: of those gone live; ``brands.services``)."""
    # Explicit order: Meta.ordering does not apply to aggregating queries, and pages need one.
    return (
        Campaign.objects.for_actor(actor)
        .annotate(
            collaboration_count=Count("collaborations"),
            live_count=Count(
                "collaborations", filter=Q(collaborations__status__in=["live", "completed"])
            ),
            committed=_fees(COMMITTED_STATUSES),
            spent=_fees(SPENT_STATUSES),
        )
        .order_by("-start", "name", "-id")
    )


def campaign_of_brand(*, actor: Actor, campaign_id: int) -> Campaign:
    """Raises ``Campaign.DoesNotExist`` for another tenant's campaign (views turn it into 404)."""
    return campaigns_of_brand(actor=actor).get(pk=campaign_id)


def campaigns_taking_offers(*, actor: Actor) -> QuerySet[Campaign]:
    """The brand's campaigns an offer may go into (``collaboration_offer`` says the same)."""
    return campaigns_of_brand(actor=actor).filter(status__in=OFFER_CAMPAIGN_STATUSES)


def products_of_brand(*, actor: Actor) -> QuerySet[Product]:
    return Product.objects.for_actor(actor)


def products_taking_offers(*, actor: Actor) -> QuerySet[Product]:
    return products_of_brand(actor=actor).filter(archived_at__isnull=True).order_by("name", "id")


def product_of_brand(*, actor: Actor, product_id: int) -> Product:
    return products_of_brand(actor=actor).get(pk=product_id)


def orders_of_brand(*, actor: Actor) -> QuerySet[Order]:
    return Order.objects.for_actor(actor)


def refunds_of_brand(*, actor: Actor) -> QuerySet[Refund]:
    return Refund.objects.for_actor(actor)


def held_refunds_of_brand(*, actor: Actor) -> QuerySet[Refund]:
    """The refunds that count against GMV: every one but the rejected (a rejected refund
    returned no money; a pending one is held against the order until decided)."""
    return refunds_of_brand(actor=actor).filter(status__in=refund_rules.HOLDING)


def _with_order(rows: QuerySet) -> QuerySet:
    return rows.select_related(
        "order", "order__collaboration__creator", "order__collaboration__product"
    )


def refunds_visible(*, actor: Actor) -> QuerySet[Refund]:
    """Who sees a refund: its brand; the creator of the collaboration its order came through
    (read-only, in the portal); the operator, once it is the operator's to decide (disputed or
    escalated) or was decided by it. Nobody else (another brand: not found)."""
    rows = Refund.objects.unscoped()
    if actor.is_creator:
        rows = rows.filter(order__collaboration__creator_id=actor.creator_id)
    elif actor.kind == roles.BRAND:
        rows = rows.filter(organization_id=actor.organization_id)
    elif actor.is_operator:
        rows = rows.filter(
            Q(status__in=refund_rules.FOR_OPERATOR) | Q(final_decided_at__isnull=False)
        )
    else:
        rows = rows.none()
    return _with_order(rows)


def refunds_listed_for_brand(*, actor: Actor) -> QuerySet[Refund]:
    """The API's list: the acting brand's refunds, newest first (no other kind has one)."""
    if actor.kind != roles.BRAND:
        return Refund.objects.none()
    return refunds_visible(actor=actor).order_by("-requested_at", "-id")


def refund_get(*, actor: Actor, refund_id: int) -> Refund:
    return refunds_visible(actor=actor).get(pk=refund_id)


def refund_of_brand(*, actor: Actor, refund_id: int) -> Refund:
    if actor.kind != roles.BRAND:
        raise Refund.DoesNotExist
    return refund_get(actor=actor, refund_id=refund_id)


def refund_queue_of_brand(*, actor: Actor, status: str = "") -> QuerySet[Refund]:
    """The brand's refunds to decide, nearest deadline first (``status``: another status's
    rows instead, newest first)."""
    if actor.kind != roles.BRAND:
        return Refund.objects.none()
    rows = refunds_visible(actor=actor)
    if status and status != Refund.Status.PENDING:
        return rows.filter(status=status).order_by("-requested_at", "-id")
    return rows.filter(status=Refund.Status.PENDING).order_by("decision_deadline", "id")


def refund_queue_of_operator(*, actor: Actor) -> QuerySet[Refund]:
    """Disputed and escalated refunds, the longest waiting first."""
    if not actor.is_operator:
        return Refund.objects.none()
    waiting = Coalesce("disputed_at", "escalated_at")
    return (
        refunds_visible(actor=actor)
        .filter(status__in=refund_rules.FOR_OPERATOR)
        .select_related("organization")
        .annotate(waiting_since=waiting)
        .order_by("waiting_since", "id")
    )


def refund_for_operator(*, actor: Actor, refund_id: int) -> Refund:
    return refund_queue_of_operator(actor=actor).get(pk=refund_id)


def refund_counts_of_brand(*, actor: Actor, now=None) -> dict:
    """Pending and overdue counts for the brand's queue heading."""
    now = now or timezone.now()
    pending = refund_queue_of_brand(actor=actor)
    overdue = pending.filter(decision_deadline__lt=now)
    return {"pending": pending.count(), "overdue": overdue.count()}


def pending_refunds_count(*, actor: Actor) -> int:
    """The top bar's badge for a brand: refunds awaiting its decision."""
    if actor.kind != roles.BRAND:
        return 0
    return refund_queue_of_brand(actor=actor).order_by().count()


def operator_refunds_count(*, actor: Actor) -> int:
    """The top bar's badge for the operator: disputed and escalated refunds."""
    if not actor.is_operator:
        return 0
    return Refund.objects.unscoped().filter(status__in=refund_rules.FOR_OPERATOR).count()


def complaints_of_brand(*, actor: Actor) -> QuerySet[Complaint]:
    return Complaint.objects.for_actor(actor)


def complaints_visible(*, actor: Actor) -> QuerySet[Complaint]:
    """A complaint is seen by its brand and by the creator its order came through."""
    rows = Complaint.objects.unscoped()
    if actor.is_creator:
        rows = rows.filter(order__collaboration__creator_id=actor.creator_id)
    elif actor.kind == roles.BRAND:
        rows = rows.filter(organization_id=actor.organization_id)
    else:
        rows = rows.none()
    return _with_order(rows)


def order_by_reference(*, actor: Actor, reference) -> Order:
    """The brand's order by its external id, or else by its id (``DoesNotExist`` otherwise)."""
    reference = str(reference).strip()
    rows = orders_of_brand(actor=actor)
    found = rows.filter(external_id=reference).first()
    if found is not None:
        return found
    if reference.isascii() and reference.isdecimal():  # not "²" or "٣": int() refuses them
        return rows.get(pk=int(reference))
    raise Order.DoesNotExist


def collaborations_of_brand(*, actor: Actor) -> QuerySet[Collaboration]:
    """The brand's own collaborations: the ones its orders may name."""
    return Collaboration.objects.for_actor(actor)


def collaborations_visible(*, actor: Actor) -> QuerySet[Collaboration]:
    """The one place that decides who sees which collaboration."""
    rows = Collaboration.objects.unscoped().select_related("campaign", "product", "creator")
    if actor.is_creator:
        return rows.filter(creator_id=actor.creator_id)
    if actor.kind == roles.BRAND:
        return rows.filter(organization_id=actor.organization_id)
    if actor.kind == roles.AGENCY:
        return rows.filter(creator__agency_id=actor.organization_id)
    if actor.is_operator:
        return rows
    return rows.none()


def collaboration_visible(*, actor: Actor, collaboration_id: int) -> Collaboration:
    return collaborations_visible(actor=actor).get(pk=collaboration_id)


def collaborations_of_campaign(*, actor: Actor, campaign: Campaign) -> QuerySet[Collaboration]:
    return (
        collaborations_visible(actor=actor)
        .filter(campaign_id=campaign.pk)
        .order_by("-offered_at", "-id")
    )


def offers_inbox(*, actor: Actor) -> QuerySet[Collaboration]:
    """A creator's open offers first, then the rest, newest first."""
    still_open = Case(
        When(status=Collaboration.Status.OFFERED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        collaborations_visible(actor=actor)
        .annotate(closed=still_open)
        .order_by("closed", "-status_changed_at", "-id")
        .select_related("campaign__organization")
    )


def open_offers_count(*, actor: Actor, now: datetime.datetime | None = None) -> int:
    """How many offers wait for the acting creator's answer (offered, deadline not passed):
    the top bar's badge. One query, for a creator only; anyone else has none to answer."""
    if not actor.is_creator:
        return 0
    answerable = Q(response_deadline__isnull=True) | Q(response_deadline__gt=now or timezone.now())
    rows = collaborations_visible(actor=actor).filter(
        answerable, status=Collaboration.Status.OFFERED
    )
    return rows.order_by().count()


def collaboration_next_statuses(
    *, actor: Actor, collaboration: Collaboration, now: datetime.datetime | None = None
) -> list[str]:
    """The statuses ``actor`` may move ``collaboration`` to right now, in life-cycle order.

    Built from the service's TRANSITIONS, PARTY_FOR, party and deadline rules, so a page offers
    exactly the moves ``collaboration_transition`` would accept as a bare status change (the
    content moves have forms of their own: submitting content, reviewing it). No query for a
    brand or a creator; ``party_of`` asks one for an agency (whether it has signed the creator).
    """
    party = party_of(actor, collaboration)
    current = collaboration.status
    allowed = TRANSITIONS.get(current, frozenset())
    late = collaboration.response_deadline and collaboration.response_deadline < (
        now or timezone.now()
    )
    answers = {Collaboration.Status.ACCEPTED, Collaboration.Status.DECLINED}
    expired = late and current == Collaboration.Status.OFFERED
    return [
        status
        for status in Collaboration.Status.values
        if status in allowed
        and party in parties_for(current, status)
        and (current, status) not in CONTENT_MOVES
        and not (expired and status in answers)
    ]


def content_party(*, actor: Actor, collaboration: Collaboration) -> str | None:
    """What content move ``actor`` may make on ``collaboration`` now: ``"submit"`` (the
    creator or its agency, once accepted), ``"review"`` (the brand's writers, on submitted
    content) or None. The page shows the matching form; ``brands.review`` decides again."""
    current, party = collaboration.status, party_of(actor, collaboration)
    if current == Collaboration.Status.ACCEPTED and party in parties_for(
        current, Collaboration.Status.CONTENT_SUBMITTED
    ):
        return "submit"
    if current == Collaboration.Status.CONTENT_SUBMITTED and party in parties_for(
        current, Collaboration.Status.LIVE
    ):
        return "review"
    return None


def submissions_visible(*, actor: Actor) -> QuerySet[ContentSubmission]:
    """Submitted content, visible with its collaboration (``collaborations_visible``)."""
    visible = collaborations_visible(actor=actor).values("pk")
    return ContentSubmission.objects.unscoped().filter(collaboration_id__in=visible)


def submissions_of_collaboration(
    *, actor: Actor, collaboration: Collaboration
) -> QuerySet[ContentSubmission]:
    """Every submission of ``collaboration``, the latest first (its review history)."""
    rows = submissions_visible(actor=actor).filter(collaboration_id=collaboration.pk)
    return rows.order_by("-submitted_at", "-id")


def submission_pending(*, actor: Actor, collaboration: Collaboration) -> ContentSubmission:
    """The submission of ``collaboration`` awaiting review; ``DoesNotExist`` if none."""
    rows = submissions_visible(actor=actor).select_related("collaboration")
    return rows.get(collaboration_id=collaboration.pk, status=ContentSubmission.Status.PENDING)


def latest_submissions(*, actor: Actor, collaborations) -> dict[int, ContentSubmission]:
    """collaboration id → its latest submission, for a page of rows in one query."""
    ids = [c.pk for c in collaborations]
    rows = submissions_visible(actor=actor).filter(collaboration_id__in=ids)
    latest: dict[int, ContentSubmission] = {}
    for row in rows.order_by("collaboration_id", "-submitted_at", "-id"):
        latest.setdefault(row.collaboration_id, row)
    return latest


def submissions_awaiting_review(*, actor: Actor) -> QuerySet[ContentSubmission]:
    """The acting brand's content awaiting its review, newest first, with the collaboration,
    its campaign, product and creator loaded: ``.count()`` is the dashboard's figure and a
    slice its rows. Content of a collaboration cancelled meanwhile awaits nothing."""
    if actor.kind != roles.BRAND:
        return ContentSubmission.objects.none()
    return (
        ContentSubmission.objects.for_actor(actor)
        .filter(
            status=ContentSubmission.Status.PENDING,
            collaboration__status=Collaboration.Status.CONTENT_SUBMITTED,
        )
        .select_related(
            "collaboration__campaign", "collaboration__product", "collaboration__creator"
        )
        .order_by("-submitted_at", "-id")
    )


#: Collaborations that went ahead (the creator accepted): their fees are what the brand paid.
PAST_COLLABORATION_STATUSES = ("accepted", "content_submitted", "live", "completed")


class Median(Aggregate):
    """The median (the mean of the middle two of an even count): ``percentile_cont(0.5)`` on
    PostgreSQL; on SQLite, the ``MEDIAN`` aggregate that ``brands.apps`` adds to each connection
    (``statistics.median``, the same definition). A float on both."""

    function = "MEDIAN"
    name = "Median"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class SQLiteMedian:
    """``MEDIAN(x)`` for SQLite (``sqlite3.Connection.create_aggregate``): NULLs ignored, NULL
    for no rows, as ``percentile_cont`` does."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return float(median(self.values)) if self.values else None


MONEY = DecimalField(max_digits=14, decimal_places=2)


def directory_annotations_of_brand(*, actor: Actor) -> dict:
    """Creator-query annotations: the ``median_fee`` of this brand's own past collaborations
    with the creator and the ``gmv``, net of refunds, of this brand's orders through them
    (NULL without such collaborations or orders). Never another brand's rows: each subquery
    reads through the brand's tenant scope. The directory shows and sorts by these.

    Most creators never worked with the brand: a membership test against its creators (one
    hashed subquery on PostgreSQL) answers NULL for them before any per-creator subquery runs,
    which a sorted page otherwise ran for every creator, once per reference in its cursor.
    """
    of_creator = OuterRef("pk")
    worked_with = collaborations_of_brand(actor=actor).values("creator_id")

    def only_worked_with(figure, output_field):
        return Case(When(pk__in=worked_with, then=figure), output_field=output_field)

    def per_creator(rows, creator_path: str, figure, output_field):
        grouped = rows.filter(**{creator_path: of_creator}).order_by().values(creator_path)
        return Subquery(grouped.annotate(figure=figure).values("figure"), output_field=output_field)

    past = collaborations_of_brand(actor=actor).filter(status__in=PAST_COLLABORATION_STATUSES)
    sold = per_creator(
        orders_of_brand(actor=actor), "collaboration__creator_id", Sum("amount"), MONEY
    )
    refunded = per_creator(
        held_refunds_of_brand(actor=actor), "order__collaboration__creator_id", Sum("amount"), MONEY
    )
    # Each sum in its own subquery: one join of orders and refunds would count an order once
    # per refund.
    net = sold - Coalesce(refunded, Value(Decimal(0)), output_field=MONEY)
    return {
        "median_fee": only_worked_with(
            per_creator(past, "creator_id", Median("fee"), FloatField()), FloatField()
        ),
        "gmv": only_worked_with(net, MONEY),
    }
