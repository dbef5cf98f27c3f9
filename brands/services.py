"""Writes of the brands app. Collaboration status changes all go through one function."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from .models import Campaign, Collaboration, Order, Product

S = Collaboration.Status

#: The collaboration life cycle: offered → accepted / declined / expired → content_submitted →
#: live → completed, or cancelled before going live. Submitted content the brand sends back
#: for changes returns the collaboration to accepted, for the creator to submit again.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.CONTENT_SUBMITTED, S.CANCELLED}),
    S.CONTENT_SUBMITTED: frozenset({S.LIVE, S.ACCEPTED, S.CANCELLED}),
    S.LIVE: frozenset({S.COMPLETED}),
}

#: Moves that carry content or a decision on it, made only by ``brands.review`` (a submission
#: with its link and caption; the brand's approval or request for changes): no bare status
#: button or API action can skip the review.
CONTENT_MOVES: frozenset[tuple[str, str]] = frozenset(
    {
        (S.ACCEPTED, S.CONTENT_SUBMITTED),
        (S.CONTENT_SUBMITTED, S.LIVE),
        (S.CONTENT_SUBMITTED, S.ACCEPTED),
    }
)
CONTENT_MOVE_ONLY = {
    S.CONTENT_SUBMITTED: _("Submit the content with its link and caption."),
    S.LIVE: _("Content goes live when the brand approves the submission."),
    S.ACCEPTED: _("Ask for changes with a reason in the content review."),
}

#: Which party may move a collaboration into each status.
PARTY_FOR: dict[str, frozenset[str]] = {
    # An MCN runs its signed creators' business, so it may answer and deliver for them.
    S.ACCEPTED: frozenset({roles.CREATOR, roles.AGENCY}),
    S.DECLINED: frozenset({roles.CREATOR, roles.AGENCY}),
    S.CONTENT_SUBMITTED: frozenset({roles.CREATOR, roles.AGENCY}),
    # Live only through the brand's approval of the submitted content (``brands.review``).
    S.LIVE: frozenset({roles.BRAND}),
    S.COMPLETED: frozenset({roles.BRAND}),
    S.CANCELLED: frozenset({roles.BRAND}),
    S.EXPIRED: frozenset({roles.SYSTEM_KIND}),
}
#: Moves whose party is not the target status's: sending content back for changes is the
#: brand's, though answering an offer with "accepted" is the creator's.
PARTY_FOR_MOVE: dict[tuple[str, str], frozenset[str]] = {
    (S.CONTENT_SUBMITTED, S.ACCEPTED): frozenset({roles.BRAND}),
}


def parties_for(current: str, to: str) -> frozenset[str]:
    """The parties that may move a collaboration from ``current`` to ``to``."""
    return PARTY_FOR_MOVE.get((current, to), PARTY_FOR.get(to, frozenset()))


def party_of(actor: Actor, collaboration: Collaboration) -> str | None:
    """Which side of ``collaboration`` the actor is on: creator, agency, brand or system."""
    if actor.is_system:
        return roles.SYSTEM_KIND
    if actor.is_creator and actor.creator_id == collaboration.creator_id:
        return roles.CREATOR
    if actor.organization_id == collaboration.organization_id and actor.can_write():
        return roles.BRAND
    if actor.kind == roles.AGENCY and actor.can_write():
        signed = (
            Creator.objects.for_actor(actor)
            .filter(pk=collaboration.creator_id, agency_id=actor.organization_id)
            .exists()
        )
        return roles.AGENCY if signed else None
    return None


def check_transition(
    actor: Actor, collaboration: Collaboration, to: str, now, *, with_content: bool = False
) -> None:
    """Refuse a move the life cycle, the actor's party or the response deadline forbids; a
    content move (``CONTENT_MOVES``) only ``with_content``, from ``brands.review``."""
    if to not in S.values:
        raise ValidationError({"status": _("Unknown status '%(to)s'.") % {"to": to}})
    current = collaboration.status
    if to not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "status": _("A collaboration that is '%(current)s' cannot become '%(to)s'.")
                % {"current": current, "to": to}
            }
        )
    if party_of(actor, collaboration) not in parties_for(current, to):
        raise PermissionDenied(_("You cannot mark this collaboration '%(to)s'.") % {"to": to})
    if (current, to) in CONTENT_MOVES and not with_content:
        raise ValidationError({"status": CONTENT_MOVE_ONLY[to]})
    late = collaboration.response_deadline and collaboration.response_deadline < now
    if current == S.OFFERED and to in (S.ACCEPTED, S.DECLINED) and late:
        raise ValidationError({"status": _("The response deadline has passed.")})


@transaction.atomic
def collaboration_transition(
    *, actor: Actor, collaboration: Collaboration, to: str, now=None, with_content: bool = False
) -> Collaboration:
    """Move ``collaboration`` to status ``to`` if the life cycle and the actor's party allow it.

    The update is conditional on the status the caller saw, so two concurrent clicks cannot
    both succeed; the loser gets a clear error and nothing changes. ``with_content`` is for
    ``brands.review`` alone: its services make the moves that carry content.
    """
    now = now or timezone.now()
    check_transition(actor, collaboration, to, now, with_content=with_content)
    previous = collaboration.status
    moved = (
        Collaboration.objects.unscoped()
        .filter(pk=collaboration.pk, status=previous)
        .update(status=to, status_changed_at=now)
    )
    if not moved:
        raise ValidationError({"status": _("This collaboration changed meanwhile; reload it.")})
    collaboration.status, collaboration.status_changed_at = to, now
    audit_event_record(
        actor=actor,
        action=f"collaboration.{to}",
        target=collaboration,
        organization_id=collaboration.organization_id,
        data={"from": previous, "to": to},
    )
    _notify_status_change(collaboration, previous, now)
    return collaboration


def _notify_status_change(collaboration: Collaboration, previous: str, now) -> None:
    """Webhook to the brand and to the creator's agency (sent only if this transaction commits)."""
    # Who to tell is the service's decision, whoever moved it (the expiry sweep acts as the
    # system): the creator's agency is read across tenants on purpose.
    creator = Creator.objects.unscoped().filter(pk=collaboration.creator_id)
    creator = creator.values("handle", "agency_id").get()
    webhook_emit(
        event="collaboration.status_changed",
        organization_ids=[o for o in (collaboration.organization_id, creator["agency_id"]) if o],
        data={
            "collaboration": collaboration.pk,
            "campaign": collaboration.campaign_id,
            "creator": creator["handle"],
            "from": previous,
            "to": collaboration.status,
            "at": now.isoformat(),
        },
    )


def collaborations_expire(*, actor: Actor, now=None) -> int:
    """Expire invitations whose response deadline has passed (a beat job, as the system)."""
    now = now or timezone.now()
    overdue = Collaboration.objects.unscoped().filter(status=S.OFFERED, response_deadline__lt=now)
    count = 0
    for collaboration in overdue.iterator():
        try:
            collaboration_transition(
                actor=actor, collaboration=collaboration, to=S.EXPIRED, now=now
            )
            count += 1
        except ValidationError:  # answered meanwhile
            continue
    return count


BRAND_WRITERS_ONLY = _("Only a brand member with write access can do this.")


def require_brand_writer(actor: Actor) -> None:
    actor.require(kinds=[roles.BRAND], write=True, message=BRAND_WRITERS_ONLY)


def _saved(instance):
    """Validate every field and constraint, then save: bad input never reaches the database."""
    instance.full_clean()
    instance.save()
    return instance


#: What a brand may set on a product (the rest is the platform's: owner, archive date).
PRODUCT_FIELDS = frozenset({"name", "category", "price", "description", "claims", *Product.TARGETS})


def _product_fields(fields: dict) -> dict:
    unknown = sorted(set(fields) - PRODUCT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    return fields


def _own_product(actor: Actor, product: Product) -> None:
    require_brand_writer(actor)
    if product.organization_id != actor.organization_id:
        raise ValidationError({"product": _("Unknown product.")})


@transaction.atomic
def product_create(*, actor: Actor, **fields) -> Product:
    require_brand_writer(actor)
    product = Product(organization_id=actor.organization_id, **_product_fields(fields))
    _saved(product)
    audit_event_record(actor=actor, action="product.created", target=product)
    return product


@transaction.atomic
def product_update(*, actor: Actor, product: Product, **fields) -> Product:
    """Change the given fields; every rule of a new product holds (all or nothing)."""
    _own_product(actor, product)
    return _changed(actor, product, _product_fields(fields), "product.updated")


def _changed(actor: Actor, row, fields: dict, action: str):
    """Set ``fields`` on ``row``, validate and save it, and audit which fields changed."""
    for name, value in fields.items():
        setattr(row, name, value)
    _saved(row)
    audit_event_record(actor=actor, action=action, target=row, data={"fields": sorted(fields)})
    return row


@transaction.atomic
def product_archive(*, actor: Actor, product: Product, archived: bool = True, now=None) -> Product:
    """Archive (or bring back) a product: archived ones take no new offers; their
    collaborations and orders stay as they are."""
    _own_product(actor, product)
    product.archived_at = (now or timezone.now()) if archived else None
    product.save(update_fields=["archived_at"])
    action = "product.archived" if archived else "product.unarchived"
    audit_event_record(actor=actor, action=action, target=product)
    return product


PRODUCT_HAS_ORDERS = _("This product has orders: archive it instead of deleting it.")
PRODUCT_WAS_OFFERED = _("This product has collaborations: archive it instead of deleting it.")


@transaction.atomic
def product_delete(*, actor: Actor, product: Product) -> None:
    """Only a product never offered can go: one with collaborations (and so orders) is
    archived instead, so the history that points at it stays whole."""
    _own_product(actor, product)
    deals = Collaboration.objects.unscoped().filter(product_id=product.pk)
    if Order.objects.unscoped().filter(collaboration__in=deals).exists():
        raise ValidationError({"product": PRODUCT_HAS_ORDERS})
    if deals.exists():
        raise ValidationError({"product": PRODUCT_WAS_OFFERED})
    audit_event_record(actor=actor, action="product.deleted", target=product)
    product.delete()


#: Where a campaign's life cycle begins: paused, completed and cancelled are where a running
#: campaign gets to, never where a new one starts.
CAMPAIGN_FIRST_STATUSES = (Campaign.Status.DRAFT, Campaign.Status.ACTIVE)


@transaction.atomic
def campaign_create(*, actor: Actor, **fields) -> Campaign:
    require_brand_writer(actor)
    if fields.get("status", Campaign.Status.DRAFT) not in CAMPAIGN_FIRST_STATUSES:
        raise ValidationError({"status": _("A new campaign starts as a draft or active.")})
    campaign = _saved(Campaign(organization_id=actor.organization_id, **fields))
    audit_event_record(actor=actor, action="campaign.created", target=campaign)
    return campaign


PRODUCT_ARCHIVED = _("This product is archived: bring it back before offering it.")
#: A campaign's money, from its collaborations' fees: *committed* to offers still open or under
#: way (offered, accepted, content submitted), *spent* on what went live. Both count against
#: the budget; declined, expired and cancelled ones release theirs.
COMMITTED_STATUSES = (S.OFFERED, S.ACCEPTED, S.CONTENT_SUBMITTED)
SPENT_STATUSES = (S.LIVE, S.COMPLETED)
BUDGET_EXCEEDED = "campaign.budget_exceeded"


def campaign_fees_in_use(campaign: Campaign) -> Decimal:
    """Committed plus spent fees of ``campaign``, summed from its collaboration rows."""
    rows = Collaboration.objects.unscoped().filter(
        campaign_id=campaign.pk, status__in=COMMITTED_STATUSES + SPENT_STATUSES
    )
    return rows.aggregate(total=Sum("fee"))["total"] or Decimal(0)


def _budget_refusal(field: str, in_use: Decimal, budget: Decimal) -> ValidationError:
    message = _(
        "This would commit %(in_use)s in fees, above the campaign's budget of %(budget)s."
    ) % {"in_use": f"{in_use:,.2f}", "budget": f"{budget:,.2f}"}
    return ValidationError({field: ValidationError(message, code=BUDGET_EXCEEDED)})


def _check_budget(campaign: Campaign, fee) -> None:
    """Refuse an offer whose fee takes committed and spent fees above the budget; the campaign
    row is locked first, so two offers at once cannot both squeeze under it."""
    fee = Decimal(fee or 0)
    if not fee:  # a commission-only offer commits no fee (even in a campaign spent already)
        return
    locked = Campaign.objects.unscoped().select_for_update().get(pk=campaign.pk)
    in_use = campaign_fees_in_use(locked) + fee
    if in_use > locked.budget:
        raise _budget_refusal("fee", in_use, locked.budget)


CS = Campaign.Status
CLOSED = (CS.COMPLETED, CS.CANCELLED)
#: What may change in a campaign, by status: everything in a draft; once it runs, not when it
#: started or how it runs; nothing once closed. Status moves only through the actions below.
EDITABLE: dict[str, frozenset[str]] = {
    CS.DRAFT: frozenset({"name", "objective", "brief", "mode", "budget", "start", "end"}),
    CS.ACTIVE: frozenset({"name", "objective", "brief", "budget", "end"}),
    CS.PAUSED: frozenset({"name", "objective", "brief", "budget", "end"}),
}
#: Action → (the statuses it starts from, the status it leads to).
CAMPAIGN_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "pause": ((CS.ACTIVE,), CS.PAUSED),
    "resume": ((CS.DRAFT, CS.PAUSED), CS.ACTIVE),
    "close": ((CS.DRAFT, CS.ACTIVE, CS.PAUSED), CS.COMPLETED),
}

MOVE_AUDIT = {"pause": "campaign.paused", "resume": "campaign.resumed", "close": "campaign.closed"}
MOVE_REFUSED = {
    "pause": _("Only an active campaign can be paused; this one is %(status)s."),
    "resume": _("Only a draft or paused campaign can be resumed; this one is %(status)s."),
    "close": _("This campaign is %(status)s: it is closed already."),
}


def _own_campaign(actor: Actor, campaign: Campaign) -> None:
    require_brand_writer(actor)
    if campaign.organization_id != actor.organization_id:
        raise ValidationError({"campaign": _("Unknown campaign.")})


def _check_editable(campaign: Campaign, fields: dict) -> None:
    allowed = EDITABLE.get(campaign.status, frozenset())
    if not allowed:
        raise ValidationError({"status": _("A closed campaign cannot be changed.")})
    refused = sorted(set(fields) - allowed)
    if refused:
        why = _("This cannot be changed while the campaign is %(status)s.") % {
            "status": campaign.get_status_display()
        }
        raise ValidationError(dict.fromkeys(refused, why))


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, **fields) -> Campaign:
    """Change what the campaign's status allows; the budget never drops below the fees
    committed and spent (refused with ``campaign.budget_exceeded``). All or nothing."""
    _own_campaign(actor, campaign)
    locked = Campaign.objects.unscoped().select_for_update().get(pk=campaign.pk)
    _check_editable(locked, fields)
    if "budget" in fields:
        in_use = campaign_fees_in_use(locked)
        if in_use > fields["budget"]:
            raise _budget_refusal("budget", in_use, fields["budget"])
    return _changed(actor, locked, fields, "campaign.updated")


@transaction.atomic
def campaign_move(*, actor: Actor, campaign: Campaign, action: str) -> Campaign:
    """Pause, resume (or activate a draft) or close a campaign, if its status allows; the
    update is conditional on the status seen, so a concurrent move makes this one refused."""
    _own_campaign(actor, campaign)
    sources, to = CAMPAIGN_MOVES[action]
    if campaign.status not in sources:
        why = MOVE_REFUSED[action] % {"status": campaign.get_status_display()}
        raise ValidationError({"status": why})
    moved = Campaign.objects.unscoped().filter(pk=campaign.pk, status=campaign.status)
    if not moved.update(status=to):
        raise ValidationError({"status": _("This campaign changed meanwhile; reload it.")})
    previous, campaign.status = campaign.status, to
    audit_event_record(
        actor=actor, action=MOVE_AUDIT[action], target=campaign, data={"from": previous, "to": to}
    )
    return campaign


#: A campaign takes new offers while it is being prepared or runs, not paused or closed.
OFFER_CAMPAIGN_STATUSES = (Campaign.Status.DRAFT, Campaign.Status.ACTIVE)
CAMPAIGN_TAKES_NO_OFFERS = _("Offers can be made only in draft or active campaigns.")
OPEN_OFFER = _("This creator already has an open offer for this product in this campaign.")


def _check_offer_terms(campaign, product, creator, terms, now) -> None:
    """A deadline that has passed would never expire (the sweep only moves offered rows it
    finds overdue later) and could not be answered; one open offer per campaign, product
    and creator (``collaboration_one_open_offer`` is the database's backstop)."""
    deadline = terms.get("response_deadline")
    if deadline is not None and deadline <= now:
        raise ValidationError(
            {"response_deadline": _("The response deadline must be in the future.")}
        )
    twins = Collaboration.objects.unscoped().filter(
        campaign=campaign, product=product, creator=creator, status=S.OFFERED
    )
    if twins.exists():
        raise ValidationError({"creator": OPEN_OFFER})


@transaction.atomic
def collaboration_offer(
    *, actor: Actor, campaign: Campaign, product: Product, creator: Creator, now=None, **terms
) -> Collaboration:
    """The brand offers ``creator`` to promote ``product`` in ``campaign`` (both its own)."""
    require_brand_writer(actor)
    if actor.organization_id not in (campaign.organization_id, product.organization_id) or (
        campaign.organization_id != product.organization_id
    ):
        raise ValidationError({"product": _("The product and campaign must both be yours.")})
    if product.archived_at is not None:
        raise ValidationError({"product": PRODUCT_ARCHIVED})
    if campaign.status not in OFFER_CAMPAIGN_STATUSES:
        raise ValidationError({"campaign": CAMPAIGN_TAKES_NO_OFFERS})
    if creator.status != Creator.Status.ACTIVE:
        raise ValidationError({"creator": _("This creator cannot take offers right now.")})
    now = now or timezone.now()
    _check_offer_terms(campaign, product, creator, terms, now)
    _check_budget(campaign, terms.get("fee"))
    offer = Collaboration(
        organization_id=actor.organization_id,
        campaign=campaign,
        product=product,
        creator=creator,
        offered_at=now,
        status_changed_at=now,
        **terms,
    )
    try:
        with transaction.atomic():
            collaboration = _saved(offer)
    except IntegrityError:  # a racing twin slipped past the check: the constraint caught it
        raise ValidationError({"creator": OPEN_OFFER}) from None
    audit_event_record(
        actor=actor,
        action="collaboration.offered",
        target=collaboration,
        data={"creator": creator.pk, "fee": str(collaboration.fee)},
    )
    _notify_status_change(collaboration, "", now)
    return collaboration
