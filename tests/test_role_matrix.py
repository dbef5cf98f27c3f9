"""The role matrix: who may see and do what, walked over every page and API route.

``MATRIX`` is the table in the README's "Roles" section: ``test_readme_matrix_is_the_matrix``
compares them line by line and, on a difference, prints the table generated from MATRIX.
``ROUTES`` says which capability (column) each route and method exercises; a route the
resolver knows that has no entry fails ``test_every_route_is_in_the_walk``.

For each persona, ``test_walk`` builds that persona's own tenant and objects, requests every
route the way its user would (a session, a key, or nobody), and compares the outcome class
with the cell: ``yes``/``own`` allowed (2xx/3xx, and a write took effect), ``403`` forbidden,
``404`` not for you (an API list answers empty), ``login`` sign in first (302 to the login
page, or 401). All mismatches are reported together. Keys and the system are walked too.

Adding a route: give it an entry in ROUTES with the capability it exercises and a ``build`` that
makes the persona's own object; add a column to CAPABILITIES and MATRIX (and the README) if no
column fits.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from brands.models import Campaign, Collaboration, Complaint, Order, Product, Refund
from creators.models import (
    ContentItem,
    Course,
    Creator,
    Enrolment,
    Lesson,
    LessonCompletion,
    MetricSnapshot,
)
from mcn.models import AgencyAssessment, Appeal, CertificationRun, Contract, TierBenefit, TierPolicy
from tenancy.models import ApiKey, AuditEvent, Organization
from tenancy.scopes import SCOPES
from tenancy.scoping import SYSTEM, Actor, acting_as
from tenancy.services import api_key_create, audit_event_record
from tests.factories import (
    AudienceProfileFactory,
    CampaignFactory,
    CollaborationFactory,
    ComplaintFactory,
    ContentSubmissionFactory,
    ContractFactory,
    CourseFactory,
    CreatorFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
    RefundFactory,
    UserFactory,
)
from traffic.models import Allocation, AllocationRun
from webhooks.models import WebhookEndpoint

README = Path(__file__).resolve().parent.parent / "README.md"
#: Fixed dates: nothing here depends on today's date, the hour or the time zone.
DAY = datetime.date(2026, 3, 2)
LATER = datetime.date(2026, 9, 30)
MOMENT = "2026-03-02T10:00:00Z"
SECRET_GMV = "98765.43"  # the own creator's GMV: shown only where private figures are

# --- The matrix ---------------------------------------------------------------------------------

#: (key, column heading in the README), in the README's order.
CAPABILITIES = [
    ("account", "home, switcher, `me/`, API root"),
    ("creators.directory", "creator directory (page)"),
    ("creators.profiles", "creator profiles (public fields)"),
    ("creators.private", "private creator figures (income, GMV)"),
    ("campaigns.see", "campaigns, products, orders: see"),
    ("campaigns.change", "campaigns, products, offers: create, change"),
    ("collaborations.see", "collaborations: see"),
    ("offers.answer", "answer collaboration offers, submit content"),
    ("collaborations.live", "review content: approve (goes live), ask for changes"),
    ("collaborations.close", "complete, cancel"),
    ("push.orders", "push orders, refunds, complaints; relay a buyer's dispute (API)"),
    ("refunds.decide", "refunds: approve, reject (the brand's queue)"),
    ("refunds.disputes", "disputed and escalated refunds: see"),
    ("refunds.final", "disputed and escalated refunds: decide finally"),
    ("agencies.directory", "agency directory (API)"),
    (
        "roster.see",
        "agency roster & contracts, creators' violations, originality, training and awards: see",
    ),
    ("roster.change", "contracts: offer, withdraw, end"),
    ("contracts.answer", "contract offers: accept, decline"),
    ("assessments.api", "agency assessments, what-if (API)"),
    ("tier.appeal", "tier page: what-if, appeal"),
    ("traffic.see", "operator home, traffic runs: see"),
    ("traffic.start", "traffic runs: start"),
    ("traffic.publish", "traffic runs: publish"),
    ("traffic.api", "traffic runs (API)"),
    ("certification.see", "certification: cycles, appeals, policy, concentration: see"),
    ("certification.change", "certification: run a cycle, decide appeals, publish policy"),
    ("analytics.see", "ecosystem analytics and its CSV / Excel exports: see"),
    ("analytics.compute", "ecosystem report: compute now"),
    ("analytics.agency", "agency analytics (its own GMV, followers, tier trend): see"),
    (
        "compliance.queue",
        "compliance: queue, appeals, policy, model, figures, "
        "originality flags, contests, trends: see",
    ),
    (
        "compliance.review",
        "compliance: claim and decide cases, decide appeals and originality contests",
    ),
    ("compliance.policy", "compliance: edit the policy, retrain the model"),
    ("compliance.case", "a compliance case: see"),
    ("originality.flag", "an originality flag or contest: see"),
    ("compliance.appeal", "appeal a sanction, contest an originality flag"),
    ("compliance.check_api", "compliance pre-check of ad copy (API)"),
    ("compliance.rates", "complaint rates and their trend: see"),
    ("originality.check_api", "originality check of a text (API)"),
    ("matching.product_api", "selection centre: creators for a product (API)"),
    ("matching.creator_api", "selection centre: products for a creator (API)"),
    ("matching.lookalike_api", "lookalike creators (API)"),
    ("academy.see", "academy: courses and lessons (drafts too), enrolments and completion: see"),
    ("academy.change", "academy: create and edit courses and lessons, reorder, publish"),
    ("academy.learn", "academy: enrol, mark lessons done, leave a course"),
    ("academy.api", "academy courses and lessons (API)"),
    ("academy.enrolments", "academy enrolments and progress (API)"),
    ("growth.effect", "growth programmes: effect (cohorts, raw and matched rates): see"),
    (
        "portal",
        "creator portal, my traffic panel, my contracts, my compliance notices, my refunds and "
        "complaints, my originality flags, my academy (pages, `academy/me/`), my awards",
    ),
    ("incentives.see", "incentive plans, awards ledger, evaluation runs: see"),
    ("incentives.manage", "incentive plans: create, change, top up; revoke awards"),
    ("incentives.api", "incentive plans and milestones (API)"),
    ("awards.see", "incentive awards (API)"),
    ("keys.manage", "API keys: manage"),
    ("webhooks.manage", "webhooks: manage"),
    ("audit.see", "audit trail: see"),
    ("push.metrics", "push metrics & content (API)"),
]
CAPABILITY_KEYS = [key for key, _ in CAPABILITIES]

P404_A403 = "pages 404, API 403"
READ_ONLY = "pages 404, API 403 (read-only)"
NOT_PARTY = "pages 404, API 403 (not its move)"


def _row(*parts: dict[str, str], default: str = "404", **cells: str) -> dict[str, str]:
    """A MATRIX row: ``default`` everywhere, then ``parts`` and ``cells`` in order (keyword
    names spell the capability with ``_`` for ``.``)."""
    merged = {k: v for part in (*parts, cells) for k, v in part.items()}
    by_name = {key.replace(".", "_"): key for key in CAPABILITY_KEYS}
    assert set(merged) <= set(by_name), set(merged) - set(by_name)
    return {**dict.fromkeys(CAPABILITY_KEYS, default), **{by_name[k]: v for k, v in merged.items()}}


EVERY_TENANT = {
    "account": "yes",
    "incentives_api": "yes",
    "creators_directory": "yes",
    "creators_profiles": "yes",
    "creators_private": "no",
    "agencies_directory": "yes",
    "matching_lookalike_api": "yes",
    "compliance_check_api": "yes",
    "originality_check_api": "yes",
    "academy_api": "yes",
}
OWNER = {"keys_manage": "yes", "webhooks_manage": "yes", "audit_see": "yes"}
NOT_ADMIN = {"keys_manage": "403", "webhooks_manage": "403", "audit_see": "403"}
OPERATOR = {
    **EVERY_TENANT,
    "creators_private": "yes",
    "collaborations_see": "yes (all)",
    "offers_answer": NOT_PARTY,
    "collaborations_live": NOT_PARTY,
    "collaborations_close": NOT_PARTY,
    "traffic_see": "yes",
    "traffic_start": "yes",
    "traffic_publish": "yes",
    "traffic_api": "yes (all runs)",
    "certification_see": "yes",
    "certification_change": "yes",
    "analytics_see": "yes",
    "analytics_compute": "yes",
    "compliance_queue": "yes",
    "compliance_review": "yes",
    "compliance_policy": "yes",
    "compliance_case": "yes (all)",
    "compliance_rates": "yes (all: the leaders)",
    "originality_flag": "yes (all)",
    "push_metrics": "yes",
    "assessments_api": "yes",
    "matching_creator_api": "yes",
    "refunds_disputes": "yes",
    "refunds_final": "yes",
    "academy_see": "yes",
    "academy_change": "yes",
    "academy_enrolments": "yes (all)",
    "incentives_see": "yes",
    "incentives_manage": "yes",
    "awards_see": "yes (all)",
    "growth_effect": "yes",
}
OPERATOR_READER = {
    **OPERATOR,
    **NOT_ADMIN,
    "campaigns_change": READ_ONLY,
    "push_orders": "403",
    "roster_change": READ_ONLY,
    "contracts_answer": READ_ONLY,
    "traffic_start": "403",
    "traffic_publish": "403",
    "certification_change": "403",
    "analytics_compute": "403",
    "compliance_review": "403",
    "compliance_policy": "403",
    "push_metrics": "403",
    "refunds_final": "403",
    "academy_change": "403",
    "incentives_manage": "403",
}
BRAND = {
    **EVERY_TENANT,
    "campaigns_see": "own",
    "campaigns_change": "own",
    "collaborations_see": "own",
    "offers_answer": NOT_PARTY,
    "collaborations_live": "own",
    "collaborations_close": "own",
    "push_orders": "own",
    "refunds_decide": "own",
    "matching_product_api": "own (its own products)",
    "compliance_case": "own (about its products and submissions)",
    "compliance_rates": "own",
}
AGENCY = {
    **EVERY_TENANT,
    "creators_private": "own (signed creators: accepted, started)",
    "collaborations_see": "own (signed creators')",
    "offers_answer": "pages 404, API own (for signed creators)",
    "collaborations_live": NOT_PARTY,
    "collaborations_close": P404_A403,
    "roster_see": "own",
    "roster_change": "own",
    "contracts_answer": NOT_PARTY,
    "tier_appeal": "own",
    "analytics_agency": "own",
    "push_metrics": "own (signed creators)",
    "assessments_api": "own",
    "matching_creator_api": "own (signed creators)",
    "compliance_case": "own (its signed creators')",
    "compliance_rates": "own (and its creators')",
    "originality_flag": "own (its signed creators')",
    "academy_enrolments": "own (its signed creators')",
    "awards_see": "own (its signed creators')",
}
PARTNER = {
    **EVERY_TENANT,
    "traffic_api": "yes (published runs)",
    "push_metrics": "yes",
    "assessments_api": "yes",
}
#: What a read-only role changes in its kind's row: every write is refused with 403.
VIEWER = {
    "push_orders": "403",
    "roster_change": READ_ONLY,
    "contracts_answer": READ_ONLY,
    "push_metrics": "403",
}

MATRIX: dict[str, dict[str, str]] = {
    "operator owner/admin": _row(OPERATOR, OWNER),
    "operator member": _row(OPERATOR, NOT_ADMIN, compliance_review="403", compliance_policy="403"),
    "operator viewer": _row(OPERATOR_READER),
    "operator reviewer (compliance)": _row(OPERATOR_READER, compliance_review="yes"),
    "brand owner/admin": _row(BRAND, OWNER),
    "brand member": _row(BRAND, NOT_ADMIN),
    "brand viewer": _row(
        BRAND,
        NOT_ADMIN,
        VIEWER,
        campaigns_change="403",
        collaborations_live="403",
        collaborations_close="403",
        roster_change=READ_ONLY,
        refunds_decide="403",
    ),
    "agency owner/admin": _row(AGENCY, OWNER),
    "agency member": _row(AGENCY, NOT_ADMIN),
    "agency viewer": _row(
        AGENCY,
        NOT_ADMIN,
        VIEWER,
        campaigns_change=READ_ONLY,
        offers_answer=READ_ONLY,
        collaborations_live=READ_ONLY,
        roster_change="403",
        tier_appeal="403",
    ),
    "partner owner/admin": _row(PARTNER, OWNER),
    "partner member": _row(PARTNER, NOT_ADMIN),
    "partner viewer": _row(
        PARTNER,
        NOT_ADMIN,
        VIEWER,
        campaigns_change=READ_ONLY,
        offers_answer=READ_ONLY,
        collaborations_live=READ_ONLY,
        collaborations_close=READ_ONLY,
    ),
    "creator (portal login)": _row(
        NOT_ADMIN,
        keys_manage="pages 404, API 403 (no organization, no keys)",
        account="yes",
        creators_profiles="own (its own profile only)",
        creators_private="own",
        collaborations_see="own",
        offers_answer="own",
        collaborations_live=NOT_PARTY,
        collaborations_close=P404_A403,
        agencies_directory="yes",
        roster_see="pages 404, API own (its own contracts and offers)",
        roster_change=NOT_PARTY,
        contracts_answer="own",
        traffic_api="yes (published runs, its own allocation)",
        portal="own",
        matching_creator_api="own",
        matching_lookalike_api="404 (creators do not browse each other)",
        compliance_case="own",
        originality_flag="own",
        compliance_appeal="own",
        compliance_check_api="yes",
        compliance_rates="own",
        originality_check_api="yes",
        academy_learn="own",
        academy_api="yes",
        academy_enrolments="own",
        incentives_api="yes",
        awards_see="own",
    ),
    # A key acts as its organization's owner within its scopes (see KEY_ROW below); it opens
    # no page. The cells name the scopes; the walk checks them against the views' own.
    "API key (by scope)": _row(
        default="—",
        account="any key (`me/`)",
        creators_profiles="`creators:read`",
        creators_private="`creators:read`",
        campaigns_see="`campaigns:read`",
        campaigns_change="`campaigns:write`",
        collaborations_see="`campaigns:read`",
        offers_answer="`campaigns:write`",
        collaborations_live="`campaigns:write`",
        collaborations_close="`campaigns:write`",
        push_orders="`orders:write`",
        agencies_directory="`agencies:read`",
        roster_see="`agencies:read`",
        roster_change="`contracts:write`",
        contracts_answer="`contracts:write` (403 on its agency's offers: a key is no creator)",
        assessments_api="`agencies:read` (the what-if too: it writes nothing)",
        traffic_api="`traffic:read`",
        matching_product_api="`matching:read`",
        matching_creator_api="`matching:read`",
        matching_lookalike_api="`matching:read`",
        keys_manage="403 (keys cannot manage keys)",
        webhooks_manage="`webhooks:manage`",
        audit_see="`audit:read`",
        push_metrics="`content:write`, `metrics:write`",
        compliance_check_api="`compliance:check` (it writes nothing)",
        originality_check_api="`originality:check` (it writes nothing)",
        academy_api="`academy:read`",
        academy_enrolments="`academy:read`",
        portal="`academy:read` (`academy/me/`: a key is no creator, 404)",
        incentives_api="`incentives:read`",
        awards_see="`incentives:read`",
    ),
    # The system never browses; its cells say what its services accept (SYSTEM_CHECKS).
    "system (beat/CLI)": _row(
        default="—",
        offers_answer="no (it expires overdue offers)",
        roster_change="no (it has no agency; `contracts_start_due` begins accepted contracts)",
        contracts_answer="no (it is no creator; `contracts_expire` expires unanswered offers)",
        traffic_start="yes (`allocate_traffic`)",
        traffic_publish="yes",
        certification_change="yes (`certify_agencies`, the monthly beat job)",
        analytics_compute="yes (`ecosystem_report --store`, the daily beat job)",
        keys_manage="yes (`create_api_key`)",
        webhooks_manage="no",
        push_metrics="no (it sees no creator: every handle is unknown to it)",
    ),
    "signed out": _row(default="login"),
}
KEY_ROW, SYSTEM_ROW = "API key (by scope)", "system (beat/CLI)"


# --- Personas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """One way of calling the platform. ``row`` is its line in MATRIX."""

    row: str
    kind: str | None = None  # organization kind; None for a creator or nobody
    role: str | None = None  # membership role
    creator: bool = False  # signs in to the portal as a creator
    key_scopes: tuple[str, ...] | None = None  # calls the API with a key of a ``kind`` org


ALL_SCOPES = tuple(sorted(SCOPES))
#: Walk personas; several may share a MATRIX row. ``admin`` is walked for the operator and a
#: brand: it is the same role set (``roles.ADMIN_ROLES``) for every kind.
PERSONAS = {
    "operator-owner": Persona("operator owner/admin", "operator", "owner"),
    "operator-admin": Persona("operator owner/admin", "operator", "admin"),
    "operator-member": Persona("operator member", "operator", "member"),
    "operator-viewer": Persona("operator viewer", "operator", "viewer"),
    "operator-reviewer": Persona("operator reviewer (compliance)", "operator", "reviewer"),
    "brand-owner": Persona("brand owner/admin", "brand", "owner"),
    "brand-admin": Persona("brand owner/admin", "brand", "admin"),
    "brand-member": Persona("brand member", "brand", "member"),
    "brand-viewer": Persona("brand viewer", "brand", "viewer"),
    "agency-owner": Persona("agency owner/admin", "agency", "owner"),
    "agency-member": Persona("agency member", "agency", "member"),
    "agency-viewer": Persona("agency viewer", "agency", "viewer"),
    "partner-owner": Persona("partner owner/admin", "partner", "owner"),
    "partner-member": Persona("partner member", "partner", "member"),
    "partner-viewer": Persona("partner viewer", "partner", "viewer"),
    "creator": Persona("creator (portal login)", creator=True),
    "signed-out": Persona("signed out"),
    "key-operator": Persona("API key (by scope)", "operator", key_scopes=ALL_SCOPES),
    "key-brand": Persona("API key (by scope)", "brand", key_scopes=ALL_SCOPES),
    "key-agency": Persona("API key (by scope)", "agency", key_scopes=ALL_SCOPES),
    "key-partner": Persona("API key (by scope)", "partner", key_scopes=ALL_SCOPES),
    "key-no-scope": Persona("API key (by scope)", "partner", key_scopes=()),
}


# --- Each persona's own world -------------------------------------------------------------------


class World:
    """The persona's tenant, its client and its own objects, made on first use.

    "Own" is what the persona would reach through the product: a brand's own campaigns, an
    agency's signed creator and contracts, a creator's own profile and offers. A persona with
    no such object of a type gets one that concerns it most closely (an operator: any brand's),
    so a 404 means "not for you", never "no such row".
    """

    def __init__(self, name: str, persona: Persona):
        self.name, self.persona = name, persona
        self.org = OrganizationFactory(kind=persona.kind) if persona.kind else None
        self.user = None
        self.headers: dict[str, str] = {}
        if persona.key_scopes is not None:
            _, secret = api_key_create(
                actor=SYSTEM, organization=self.org, name="walk", scopes=list(persona.key_scopes)
            )
            self.headers = {"authorization": f"Api-Key {secret}"}
        elif persona.role:
            self.user = MembershipFactory(organization=self.org, role=persona.role).user
        elif persona.creator:
            self.user = UserFactory()
        self.client = self.new_client()

    def new_client(self) -> Client:
        client = Client(headers=self.headers)
        if self.user is not None:
            client.force_login(self.user)
        return client

    @property
    def actor(self) -> Actor:
        """The persona's tenant acting as its owner (to make fixtures, not to call as)."""
        org = self.org or self.other_org
        return Actor(user_id=None, organization_id=org.pk, organization_kind=org.kind, role="owner")

    @cached_property
    def other_org(self) -> Organization:
        """Another tenant, for objects a persona without a tenant can only try to reach."""
        return OrganizationFactory(kind="partner")

    @property
    def own_org(self) -> Organization:
        return self.org or self.other_org

    @cached_property
    def creator(self) -> Creator:
        """The persona's own creator: itself, its signed creator, or its collaborator."""
        kind = self.persona.kind
        creator = CreatorFactory(
            user=self.user if self.persona.creator else None,
            agency=self.org if kind == "agency" else None,
        )
        if kind == "agency":
            ContractFactory(organization=self.org, creator=creator, start=DAY)
        snapshot = MetricSnapshotFactory(creator=creator, gmv=Decimal(SECRET_GMV))
        AudienceProfileFactory(creator=snapshot.creator)
        ContentItem.objects.unscoped().create(
            creator=creator, external_id="walk-1", kind="video", title="t", published_at=MOMENT
        )
        return creator

    @cached_property
    def brand(self) -> Organization:
        return self.org if self.persona.kind == "brand" else OrganizationFactory(kind="brand")

    @cached_property
    def campaign(self):
        return CampaignFactory(organization=self.brand)

    @cached_property
    def product(self):
        return ProductFactory(organization=self.brand)

    def collaboration(self, status: str = "offered") -> Collaboration:
        """A deal of its own product: one open offer per campaign, product and creator."""
        product = ProductFactory(organization=self.brand)
        return CollaborationFactory(
            campaign=self.campaign, product=product, creator=self.creator, status=status
        )

    @cached_property
    def offer(self) -> Collaboration:
        return self.collaboration()

    @cached_property
    def order(self) -> Order:
        return OrderFactory(collaboration=self.offer)

    def agency(self) -> Organization:
        """The agency of a contract: the persona's own, else a fresh one."""
        return self.org if self.persona.kind == "agency" else OrganizationFactory(kind="agency")

    def contract(self) -> Contract:
        """An active contract (accepted, started): one of the agency's (a fresh creator); the
        creator's own (it has one active contract at most: made once, with a fresh agency);
        another agency's for the rest."""
        if self.persona.creator:
            active = Contract.objects.unscoped().filter(creator=self.creator, status="active")
            if active.exists():
                return active.get()
            agency = OrganizationFactory(kind="agency")
            Creator.objects.unscoped().filter(pk=self.creator.pk).update(agency=agency)
            return ContractFactory(organization=agency, creator=self.creator, start=DAY)
        agency = self.agency()
        creator = CreatorFactory(agency=agency)
        return ContractFactory(organization=agency, creator=creator, start=DAY)

    def contract_offer(self) -> Contract:
        """An open offer, made through the service: the agency's to a fresh creator; one to the
        creator from a fresh agency (its active contract, if any, ended first: nobody offers a
        contract to a creator under contract); another agency's to another creator for the rest."""
        from mcn.services import contract_offer

        self.free_creator()
        agency = self.agency()
        creator = self.creator if self.persona.creator else CreatorFactory()
        by = Actor(
            user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner"
        )
        with acting_as(by):
            return contract_offer(
                actor=by, creator_id=creator.pk, start=offer_start(), revenue_share_pct="20"
            )

    def free_creator(self) -> None:
        """The creator's active contract (if any) has ended: it may be offered another."""
        if self.persona.creator:
            active = Contract.objects.unscoped().filter(creator=self.creator, status="active")
            active.update(status="ended", end=F("start"), end_reason="walk")
            Creator.objects.unscoped().filter(pk=self.creator.pk).update(agency=None)

    @cached_property
    def own_contract(self) -> Contract:
        if self.persona.kind == "agency":
            self.creator  # noqa: B018 (signs it)
            return Contract.objects.unscoped().get(organization=self.org, creator=self.creator)
        return self.contract()

    @cached_property
    def assessed_agency(self) -> Organization:
        """An agency with an assessment (one certification cycle): the persona's own, else a
        fresh one."""
        from tests.mcn.test_certification import run_cycle, signed

        agency = self.agency()
        signed(agency)
        run_cycle()
        return agency

    @cached_property
    def run(self) -> AllocationRun:
        """The published run (runs are the platform's), with the own creator's line."""
        return succeeded_run(self.creator, published=True)

    @cached_property
    def award(self):
        """An award of the own creator (the operator's plans are the platform's)."""
        from tests.factories_incentives import AwardFactory

        return AwardFactory(creator=self.creator)

    @property
    def plan(self):
        return self.award.plan

    @property
    def milestone(self):
        return self.award.milestone

    def key(self) -> ApiKey:
        return api_key_create(actor=SYSTEM, organization=self.own_org, name="k", scopes=[])[0]

    def endpoint(self) -> WebhookEndpoint:
        return WebhookEndpoint.objects.unscoped().create(
            organization=self.own_org,
            url="http://127.0.0.1:9/hook",
            events=["collaboration.status_changed"],
            secret="whsec_walk",
        )

    @cached_property
    def audit_event(self) -> AuditEvent:
        return audit_event_record(actor=self.actor, action="walk.seen")

    def prepare(self) -> None:
        """Rows every list should show its owner."""
        self.run, self.own_contract, self.order, self.audit_event, self.award  # noqa: B018
        self.endpoint()
        # A refund and a complaint of the own order: the refund and complaint lists show one.
        RefundFactory(order=self.order, amount=Decimal("1.00"))
        ComplaintFactory(order=self.order)


def succeeded_run(creator: Creator, *, published: bool = False) -> AllocationRun:
    if published:
        AllocationRun.objects.unscoped().filter(published=True).update(published=False)
    run = AllocationRun.objects.unscoped().create(
        pool=1000,
        target_gini=0.5,
        as_of=DAY,
        status="succeeded",
        progress=100,
        creators=1,
        band_shares={"10k-100k": 1.0},
        published=published,
        published_at="2026-03-03T00:00:00Z" if published else None,
    )
    Allocation.objects.unscoped().create(
        run=run, creator=creator, merit=1.0, impressions=1000, eligible=True
    )
    return run


# --- The routes ---------------------------------------------------------------------------------


@dataclass
class Call:
    path: str
    data: dict | None = None
    #: For writes: did it take effect? Checked against the outcome (allowed ⇔ effect).
    effect: Callable[[], bool] | None = None
    fresh_client: bool = False  # the call ends the session (log out)


@dataclass(frozen=True)
class Route:
    capability: str  # a MATRIX column, or "public"
    build: Callable[[World], Call]
    api_list: bool = False  # an API list: "not for you" is an empty list


def status_is(collaboration: Collaboration, status: str) -> Callable[[], bool]:
    return lambda: Collaboration.objects.unscoped().get(pk=collaboration.pk).status == status


def moved(w: World, before: str, to: str, path: str, page: bool = False) -> Call:
    c = w.collaboration(before)
    data = {"to": to} if page else None
    return Call(path.format(pk=c.pk), data, status_is(c, to))


CONTENT = {"link": "https://v.example.com/walk", "caption": "Walk caption"}


def submit_call(w: World, path: str) -> Call:
    """Content for an accepted collaboration: the page's form or the API's body."""
    c = w.collaboration("accepted")
    return Call(path.format(pk=c.pk), CONTENT, status_is(c, "content_submitted"))


def review_call(w: World, path: str, data: dict | None) -> Call:
    """Approve the content awaiting review: the collaboration goes live."""
    c = w.collaboration("content_submitted")
    ContentSubmissionFactory(collaboration=c)
    return Call(path.format(pk=c.pk), data, status_is(c, "live"))


def count_grows(queryset) -> Callable[[], bool]:
    before = queryset.count()
    return lambda: queryset.count() > before


def new_unsigned_creator() -> Creator:
    return CreatorFactory()


def offer_start() -> datetime.date:
    """A start date the offer services accept: tomorrow, the platform's day as they count it (an
    earlier start is refused; tomorrow stays valid should midnight pass meanwhile)."""
    from mcn.services import contract_today

    return contract_today() + datetime.timedelta(days=1)


def contract_offer_call(w: World, path: str, api: bool) -> Call:
    """Offer a contract to a fresh creator."""
    creator = new_unsigned_creator()
    data = {"start": offer_start().isoformat(), "revenue_share_pct": "25.00"}
    data.update({"creator": creator.handle} if api else {"handle": creator.handle})
    if not api:
        data["expires_in_days"] = "14"  # the form asks; the API has a default
    offered = Contract.objects.unscoped().filter(creator=creator, status="offered")
    return Call(path, data, offered.exists)


def contract_status_is(contract: Contract, status: str) -> Callable[[], bool]:
    return Contract.objects.unscoped().filter(pk=contract.pk, status=status).exists


def withdraw_call(w: World, path: str) -> Call:
    offer = w.contract_offer()
    return Call(path.format(pk=offer.pk), {}, contract_status_is(offer, "withdrawn"))


def answer_call(w: World, path: str, to: str) -> Call:
    """Accept (``to="active"``) or decline an open offer."""
    offer = w.contract_offer()
    return Call(path.format(pk=offer.pk), {}, contract_status_is(offer, to))


def own_assessment(w: World) -> None:
    """An agency persona's tenant assessed in a succeeded cycle (what the what-if and the
    appeal act on); the other personas reach no assessment through the tier page anyway."""
    from mcn.certification import active_policy
    from mcn.models import AgencyAssessment, CertificationRun

    if (
        w.persona.kind != "agency"
        or AgencyAssessment.objects.unscoped().filter(organization=w.own_org).exists()
    ):
        return
    run = CertificationRun.objects.unscoped().create(
        policy=active_policy(), as_of=DAY, window_start=DAY - datetime.timedelta(days=89),
        status="succeeded",
    )  # fmt: skip
    AgencyAssessment.objects.unscoped().create(
        organization=w.own_org, run=run, tier="B", score=40.0,
        metrics={"active_creators": 5.0, "gmv": 1000.0},
    )  # fmt: skip


def what_if_call(w: World) -> Call:
    own_assessment(w)
    return Call("/agency/tier/what-if/", {"active_creators": "25"})


def appeal_call(w: World) -> Call:
    from mcn.models import Appeal

    own_assessment(w)
    Appeal.objects.unscoped().filter(organization=w.own_org, status="open").delete()
    return Call(
        "/agency/tier/appeal/",
        {"text": "Walk appeal"},
        count_grows(Appeal.objects.unscoped().filter(organization=w.own_org)),
    )


def end_call(w: World, path: str) -> Call:
    contract = w.contract()
    ended = Contract.objects.unscoped().filter(pk=contract.pk, status="ended")
    return Call(
        path.format(pk=contract.pk), {"end": LATER.isoformat(), "reason": "walk"}, ended.exists
    )


def revoke_call(w: World, path: str) -> Call:
    key = w.key()
    revoked = ApiKey.objects.filter(pk=key.pk, revoked=True)
    return Call(path.format(prefix=key.prefix), {}, revoked.exists)


def publish_call(w: World) -> Call:
    run = succeeded_run(w.creator)
    done = AllocationRun.objects.unscoped().filter(pk=run.pk, published=True)
    return Call(f"/operator/traffic/{run.pk}/publish/", {}, done.exists)


def campaign_body(w: World) -> dict:
    return {
        "name": f"Walk {w.name}",
        "objective": "GMV",
        "mode": "both",
        "budget": "1000.00",
        "start": DAY.isoformat(),
        "end": LATER.isoformat(),
        "status": "draft",
    }


def product_body(w: World) -> dict:
    shares = {"gender": {"female": 1.0}, "age": {"18_24": 1.0}}
    return {
        "name": f"Walk {w.name}",
        "category": "beauty",
        "price": "9.90",
        "target_gender": shares["gender"],
        "target_age": shares["age"],
        "target_city_tier": {"t1": 1.0},
        "target_interests": {"beauty": 1.0},
    }


def product_form(name: str) -> dict:
    """The product page's form: percentages per taxonomy key, each axis adding up to 100."""
    shares = {"gender__female": 100, "age__18_24": 100, "city_tier__t1": 100}
    return {"name": name, "category": "beauty", "price": "9.90", "interests__beauty": 100, **shares}


def page_new_call(w: World, model, path: str, form: Callable[[str], dict]) -> Call:
    """The page's create form posted; the effect: a row of ``model`` with the walk's name."""
    name = f"Walk page {w.name}"
    return Call(path, form(name), model.objects.unscoped().filter(name=name).exists)


def named(row, name: str) -> Callable[[], bool]:
    return lambda: type(row).objects.unscoped().get(pk=row.pk).name == name


def product_page_new_call(w: World) -> Call:
    return page_new_call(w, Product, "/brand/products/new/", product_form)


def product_page_edit_call(w: World) -> Call:
    product, name = ProductFactory(organization=w.brand), f"Walk edit {w.name}"
    path = f"/brand/products/{product.pk}/edit/"
    return Call(path, product_form(name), named(product, name))


def product_api_patch_call(w: World) -> Call:
    product, name = ProductFactory(organization=w.brand), f"Walk patch {w.name}"
    return Call(f"/api/v1/products/{product.pk}/", {"name": name}, named(product, name))


def product_delete_call(w: World) -> Call:
    product = ProductFactory(organization=w.brand)
    gone = lambda: not Product.objects.unscoped().filter(pk=product.pk).exists()  # noqa: E731
    return Call(f"/api/v1/products/{product.pk}/", None, gone)


def product_archive_call(w: World, path: str, archived: bool) -> Call:
    """A fresh product of the brand (the walk's own product must keep taking offers)."""
    product = ProductFactory(organization=w.brand, archived_at=None if archived else MOMENT)

    def done() -> bool:
        stored = Product.objects.unscoped().get(pk=product.pk).archived_at
        return (stored is not None) == archived

    return Call(path.format(pk=product.pk), {}, done)


def campaign_form(name: str) -> dict:
    return {
        "name": name,
        "mode": "both",
        "budget": "1000.00",
        "start": DAY.isoformat(),
        "end": "2026-12-31",  # after the factory's start too (an edit keeps a running start)
        "status": "draft",
    }


def campaign_page_new_call(w: World) -> Call:
    return page_new_call(w, Campaign, "/brand/campaigns/new/", campaign_form)


def campaign_edit_call(w: World, api: bool) -> Call:
    """A fresh campaign of the brand (the walk's own campaign keeps its name and status)."""
    campaign, name = CampaignFactory(organization=w.brand), f"Walk edit {w.name}"
    if api:
        return Call(f"/api/v1/campaigns/{campaign.pk}/", {"name": name}, named(campaign, name))
    return Call(f"/brand/campaigns/{campaign.pk}/edit/", campaign_form(name), named(campaign, name))


CAMPAIGN_MOVE_ROUTES = (
    ("brands:campaign_", "/brand/campaigns/"),
    ("api:campaign-", "/api/v1/campaigns/"),
)


def campaign_move_route(path: str, status: str, to: str) -> Route:
    def build(w: World) -> Call:
        campaign = CampaignFactory(organization=w.brand, status=status)
        done = lambda: Campaign.objects.unscoped().get(pk=campaign.pk).status == to  # noqa: E731
        return Call(path.format(pk=campaign.pk), {}, done)

    return Route("campaigns.change", build)


def archive_route(path: str, archived: bool) -> Route:
    return Route("campaigns.change", lambda w: product_archive_call(w, path, archived))


def offer_call(w: World) -> Call:
    creator = new_unsigned_creator()
    data = {
        "campaign": w.campaign.pk,
        "product": w.product.pk,
        "creator": creator.handle,
        "offer_type": "direct_order",
    }
    return Call(
        "/api/v1/collaborations/",
        data,
        Collaboration.objects.unscoped().filter(creator=creator).exists,
    )


def offer_page_call(w: World) -> Call:
    """The composer posted for a fresh creator of the brand's own campaign and product."""
    creator = new_unsigned_creator()
    data = {
        "campaign": w.campaign.pk,
        "product": w.product.pk,
        "creator": creator.handle,
        "offer_type": "direct_order",
        "fee": "0",
        "commission_pct": "10",
    }
    return Call(
        "/brand/offers/new/", data, Collaboration.objects.unscoped().filter(creator=creator).exists
    )


def metrics_call(w: World) -> Call:
    rows = [{"creator": w.creator.handle, "date": LATER.isoformat(), "followers": 123}]
    stored = MetricSnapshot.objects.unscoped().filter(creator=w.creator, date=LATER)
    return Call("/api/v1/metrics/bulk/", {"rows": rows}, stored.exists)


def content_call(w: World) -> Call:
    row = {"creator": w.creator.handle, "external_id": "walk-2", "kind": "video", "title": "x"}
    row["published_at"] = MOMENT
    stored = ContentItem.objects.unscoped().filter(creator=w.creator, external_id="walk-2")
    return Call("/api/v1/content/bulk/", {"rows": [row]}, stored.exists)


def order_call(w: World) -> Call:
    data = {"external_id": f"WALK-{w.name}", "amount": "10.00", "placed_at": MOMENT}
    return Call(
        "/api/v1/orders/",
        data,
        Order.objects.unscoped().filter(external_id=data["external_id"]).exists,
    )


def refund_call(w: World) -> Call:
    # Placed before the refund is requested (MOMENT): a refund cannot precede its order.
    placed = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    order = OrderFactory(collaboration=w.offer, placed_at=placed)
    data = {"amount": "1.00", "reason": "quality", "requested_at": MOMENT}
    return Call(
        f"/api/v1/orders/{order.pk}/refunds/",
        data,
        Refund.objects.unscoped().filter(order=order).exists,
    )


def refund_of(w: World, **fields) -> Refund:
    """A refund of the persona's own order (another brand's for a persona with none)."""
    return RefundFactory(order=w.order, amount=Decimal("1.00"), **fields)


def complaint_of(w: World) -> Complaint:
    return ComplaintFactory(order=w.order)


def refund_status_is(refund: Refund, status: str) -> Callable[[], bool]:
    return Refund.objects.unscoped().filter(pk=refund.pk, status=status).exists


def refund_push_call(w: World) -> Call:
    placed = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    order = OrderFactory(collaboration=w.offer, placed_at=placed)
    data = {"order": order.external_id, "external_id": f"R-{w.name}", "amount": "1.00"}
    data |= {"reason": "quality", "requested_at": MOMENT}
    return Call("/api/v1/refunds/", data, Refund.objects.unscoped().filter(order=order).exists)


def complaint_push_call(w: World) -> Call:
    placed = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    order = OrderFactory(collaboration=w.offer, placed_at=placed)
    data = {"order": order.external_id, "external_id": f"C-{w.name}", "category": "quality"}
    data["filed_at"] = MOMENT
    stored = Complaint.objects.unscoped().filter(order=order).exists
    return Call("/api/v1/complaints/", data, stored)


def dispute_call(w: World) -> Call:
    refund = refund_of(w, status="rejected", decision_note="walk")
    return Call(f"/api/v1/refunds/{refund.pk}/dispute/", {}, refund_status_is(refund, "disputed"))


def refund_decide_call(w: World) -> Call:
    refund = refund_of(w)
    path = f"/brand/refunds/{refund.pk}/decide/"
    return Call(path, {"decision": "approve"}, refund_status_is(refund, "approved"))


def refund_final_call(w: World) -> Call:
    refund = refund_of(w, status="disputed")
    path = f"/operator/refunds/{refund.pk}/decide/"
    return Call(path, {"decision": "approve"}, refund_status_is(refund, "approved"))


def complaint_call(w: World) -> Call:
    placed = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)  # before MOMENT, as in life
    order = OrderFactory(collaboration=w.offer, placed_at=placed)
    data = {"category": "quality", "filed_at": MOMENT}
    return Call(
        f"/api/v1/orders/{order.pk}/complaints/",
        data,
        Complaint.objects.unscoped().filter(order=order).exists,
    )


def key_create_call(w: World, path: str) -> Call:
    data = {"name": f"walk-{w.name}", "scopes": ["creators:read"]}
    return Call(path, data, ApiKey.objects.filter(name=data["name"]).exists)


def webhook_create_call(w: World) -> Call:
    url = f"http://127.0.0.1:9/{w.name}"
    data = {"url": url, "events": ["collaboration.status_changed"]}
    return Call(
        "/api/v1/webhooks/", data, WebhookEndpoint.objects.unscoped().filter(url=url).exists
    )


def webhook_delete_call(w: World) -> Call:
    endpoint = w.endpoint()
    gone = lambda: not WebhookEndpoint.objects.unscoped().filter(pk=endpoint.pk).exists()  # noqa: E731
    return Call(f"/api/v1/webhooks/{endpoint.pk}/", None, gone)


def run_start_call(w: World) -> Call:
    data = {"pool": "1000", "target_gini": "0.5", "floor": "0", "cap": ""}
    return Call("/operator/traffic/", data, count_grows(AllocationRun.objects.unscoped().all()))


def report_compute_call(w: World) -> Call:
    """Ask for a report: the audit record is the effect (the task runs after commit)."""
    from analytics.services_compute import REQUESTED

    asked = AuditEvent.objects.unscoped().filter(action=REQUESTED)
    return Call("/operator/analytics/compute/", {"as_of": DAY.isoformat()}, count_grows(asked))


def certification_cycle_call(w: World) -> Call:
    runs = CertificationRun.objects.unscoped().all()
    return Call("/operator/certification/", {"as_of": DAY.isoformat()}, count_grows(runs))


def certification_appeal(w: World):
    """An open appeal of a fresh agency's assessment in a cycle of its own."""
    from mcn.certification import appeal_file, certification_run_create, certification_run_execute

    agency = OrganizationFactory(kind="agency")
    ContractFactory(organization=agency, creator=CreatorFactory(), start=DAY)
    as_of = LATER - datetime.timedelta(days=CertificationRun.objects.unscoped().count())
    with acting_as(SYSTEM):
        run, _ = certification_run_create(actor=SYSTEM, as_of=min(as_of, contract_day()))
        run = certification_run_execute(actor=SYSTEM, run_id=run.pk)
    assessment = AgencyAssessment.objects.unscoped().get(run=run, organization=agency)
    by = Actor(user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner")
    with acting_as(by):
        return appeal_file(actor=by, assessment=assessment, text="Walk appeal")


def contract_day() -> datetime.date:
    from mcn.services import contract_today

    return contract_today()


def appeal_decide_call(w: World) -> Call:
    appeal = certification_appeal(w)
    decided = Appeal.objects.unscoped().filter(pk=appeal.pk, status="rejected")
    data = {"decision": "reject", "reason": "Walk reason"}
    return Call(f"/operator/certification/appeals/{appeal.pk}/decide/", data, decided.exists)


def policy_publish_call(w: World) -> Call:
    from mcn.default_policy import DEFAULT_POLICY

    data = {f"weight_{m}": str(v) for m, v in DEFAULT_POLICY["weights"].items()}
    data.update({f"threshold_{t}": str(v) for t, v in DEFAULT_POLICY["thresholds"].items()})
    data.update({"window_days": "60", "gates": json.dumps(DEFAULT_POLICY["gates"])})
    return Call(
        "/operator/certification/policy/", data, count_grows(TierPolicy.objects.unscoped().all())
    )


def benefits_call(w: World) -> Call:
    impressions = 7_000 + TierBenefit.objects.unscoped().count()
    data = {f"{f}_{t}": "1" for t in "SAB" for f in ("impressions", "priority")}
    data["impressions_S"] = str(impressions)
    done = TierBenefit.objects.unscoped().filter(tier="S", monthly_impressions=impressions)
    return Call("/operator/certification/benefits/", data, done.exists)


def compliance_case(w: World, **fields):
    """A case about the persona's own creator and brand (an operator sees every case)."""
    from compliance.models import Case

    return Case.objects.unscoped().create(
        source="submission", track="review", text="全网第一 walk", risk=0.7, category="absolute",
        model_probability=0.6, model_version="m-walk", lexicon_version="lex-walk",
        opened_at=MOMENT, creator=w.creator, organization=w.brand, **fields,
    )  # fmt: skip


def case_status_is(case, status: str) -> Callable[[], bool]:
    from compliance.models import Case

    return Case.objects.unscoped().filter(pk=case.pk, status=status).exists


def case_claim_call(w: World) -> Call:
    case = compliance_case(w)
    return Call(f"/compliance/cases/{case.pk}/claim/", {}, case_status_is(case, "claimed"))


def case_decide_call(w: World) -> Call:
    case = compliance_case(w, status="claimed", claimed_by=w.user)
    data = {"decision": "approve"}
    return Call(f"/compliance/cases/{case.pk}/decide/", data, case_status_is(case, "approved"))


def own_sanction(w: World, status: str = "active"):
    from compliance.models import Sanction

    case = compliance_case(w, status="rejected", violation_type="absolute", decided_at=MOMENT)
    return Sanction.objects.unscoped().create(
        creator=w.creator, case=case, level="warning", starts_on=DAY, reason="walk",
        created_at=MOMENT, status=status,
    )  # fmt: skip


def sanction_appeal_call(w: World) -> Call:
    from compliance.models import Appeal

    sanction = own_sanction(w)
    filed = Appeal.objects.unscoped().filter(sanction=sanction).exists
    return Call(f"/compliance/my/sanctions/{sanction.pk}/appeal/", {"text": "walk"}, filed)


def compliance_appeal_decide_call(w: World) -> Call:
    from compliance.models import Appeal

    sanction = own_sanction(w, status="appealed")
    appeal = Appeal.objects.unscoped().create(
        sanction=sanction, creator=w.creator, text="walk", created_at=MOMENT
    )
    upheld = Appeal.objects.unscoped().filter(pk=appeal.pk, status="upheld").exists
    return Call(f"/compliance/appeals/{appeal.pk}/decide/", {"decision": "uphold"}, upheld)


def compliance_policy_call(w: World) -> Call:
    from compliance.models import Policy

    data = {"category": "fake_price", "review_threshold": "0.33", "block_threshold": "0.9"}
    data.update({"restrict_after": "3", "suspend_after": "5"})
    saved = Policy.objects.unscoped().filter(category="fake_price", review_threshold=0.33)
    return Call("/compliance/policy/", data, saved.exists)


def retrain_call(w: World) -> Call:
    from compliance.models import RetrainRun

    return Call("/compliance/model/retrain/", {}, count_grows(RetrainRun.objects.unscoped()))


def retrain_status_call(w: World) -> Call:
    from compliance.models import RetrainRun

    run = RetrainRun.objects.unscoped().create(status="succeeded", progress=100)
    return Call(f"/compliance/model/runs/{run.pk}/status/")


def complaint_rate_call(w: World) -> Call:
    """The stored complaint rate of the persona's own subject: its brand, its agency, its
    creator (the operator's: any creator's)."""
    from compliance.models import ComplaintRateDaily

    kind = w.persona.kind if w.persona.kind in ("brand", "agency") else "creator"
    subject = w.own_org.pk if kind != "creator" else w.creator.pk
    ComplaintRateDaily.objects.unscoped().get_or_create(
        subject_kind=kind, subject_id=subject, date=DAY,
        defaults={"orders": 150, "complaints": 3, "rate": 0.02, "alert": True},
    )  # fmt: skip
    return Call(f"/compliance/complaint-rates/{kind}/{subject}/")


def originality_flag(w: World, status: str = "open"):
    """The persona's own creator's fresh item flagged as a copy of another creator's."""
    from compliance.models import OriginalityFlag

    n = ContentItem.objects.unscoped().count()
    source = ContentItem.objects.unscoped().create(
        creator=CreatorFactory(), external_id=f"walk-source-{n}", kind="video", title="s",
        published_at="2026-03-01T10:00:00Z",
    )  # fmt: skip
    copy = ContentItem.objects.unscoped().create(
        creator=w.creator, external_id=f"walk-copy-{n}", kind="video", title="c",
        published_at=MOMENT,
    )  # fmt: skip
    return OriginalityFlag.objects.unscoped().create(
        content=copy, creator=w.creator, source=source, source_creator=source.creator,
        similarity=0.9, status=status, flagged_at=MOMENT, updated_at=MOMENT,
    )  # fmt: skip


def originality_contest(w: World):
    from compliance.models import OriginalityContest

    flag = originality_flag(w, status="contested")
    return OriginalityContest.objects.unscoped().create(
        flag=flag, creator=w.creator, statement="walk", created_at=MOMENT
    )


def originality_contest_call(w: World) -> Call:
    from compliance.models import OriginalityFlag

    flag = originality_flag(w)
    done = OriginalityFlag.objects.unscoped().filter(pk=flag.pk, status="contested")
    path = f"/compliance/my/originality/{flag.pk}/contest/"
    return Call(path, {"statement": "walk"}, done.exists)


def originality_decide_call(w: World) -> Call:
    from compliance.models import OriginalityContest

    contest = originality_contest(w)
    done = OriginalityContest.objects.unscoped().filter(pk=contest.pk, status="upheld")
    path = f"/compliance/originality/contests/{contest.pk}/decide/"
    return Call(path, {"decision": "upheld", "note": "walk"}, done.exists)


# The academy's fixtures: a published course the persona's own creator is enrolled in, a draft
# course of the operator's with a lesson, and the calls that change them.


def academy_course(lessons: int = 2, **fields):
    course = CourseFactory(**fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position)
    return course


def academy_enrolment(w: World):
    return EnrolmentFactory(creator=w.creator, course=academy_course())


def academy_listed(w: World, path: str) -> Call:
    academy_enrolment(w)  # a course to list, and the own creator's enrolment
    return Call(path)


def academy_draft(w: World):
    return academy_course(lessons=1, published=False)


def academy_lesson(w: World):
    course = academy_course(lessons=2, published=False)
    return Lesson.objects.unscoped().get(course=course, position=2)


def academy_enrol_call(w: World) -> Call:
    course = academy_course()
    return Call(
        "/academy/enrol/",
        {"course": course.slug},
        Enrolment.objects.unscoped().filter(course=course).exists,
    )


def academy_done_call(w: World) -> Call:
    enrolment = academy_enrolment(w)
    lesson = Lesson.objects.unscoped().get(course=enrolment.course, position=1)
    marked = LessonCompletion.objects.unscoped().filter(enrolment=enrolment, lesson=lesson)
    return Call(f"/academy/lessons/{lesson.pk}/done/", {}, marked.exists)


def academy_leave_call(w: World) -> Call:
    enrolment = academy_enrolment(w)
    kept = Enrolment.objects.unscoped().filter(pk=enrolment.pk).exists
    return Call(f"/academy/enrolments/{enrolment.pk}/leave/", {}, lambda: not kept())


def _course_named(slug: str, title: str) -> Callable[[], bool]:
    return Course.objects.unscoped().filter(slug=slug, title=title).exists


def academy_new_call(w: World) -> Call:
    slug = f"walk-new-{w.name}"
    data = {"slug": slug, "track": "compliance", "title": "Walk new", "summary": ""}
    return Call("/academy/manage/new/", data, _course_named(slug, "Walk new"))


def academy_edit_call(w: World) -> Call:
    course = academy_draft(w)
    data = {"slug": course.slug, "track": course.track, "title": "Walk edited", "summary": ""}
    path = f"/academy/manage/courses/{course.slug}/"
    return Call(path, data, _course_named(course.slug, "Walk edited"))


def academy_lesson_add_call(w: World) -> Call:
    course = academy_draft(w)
    path = f"/academy/manage/courses/{course.slug}/lessons/"
    added = Lesson.objects.unscoped().filter(course=course, title="Walk lesson").exists
    return Call(path, {"title": "Walk lesson", "body": "", "minutes": "5"}, added)


def academy_publish_call(w: World) -> Call:
    course = academy_draft(w)
    published = type(course).objects.unscoped().filter(pk=course.pk, published=True).exists
    return Call(f"/academy/manage/courses/{course.slug}/publish/", {"published": "1"}, published)


def academy_lesson_edit_call(w: World) -> Call:
    lesson = academy_lesson(w)
    edited = type(lesson).objects.unscoped().filter(pk=lesson.pk, title="Walk renamed").exists
    data = {"title": "Walk renamed", "body": "", "minutes": "7"}
    return Call(f"/academy/manage/lessons/{lesson.pk}/", data, edited)


def academy_move_call(w: World) -> Call:
    lesson = academy_lesson(w)
    moved = type(lesson).objects.unscoped().filter(pk=lesson.pk, position=1).exists
    return Call(f"/academy/manage/lessons/{lesson.pk}/move/", {"direction": "up"}, moved)


def plan_new_call(w: World) -> Call:
    from creators.models import IncentivePlan

    name = f"Walk plan {w.name}"
    data = {"name": name, "budget": "1000", "starts_on": DAY.isoformat()}
    return Call("/operator/incentives/", data, IncentivePlan.objects.unscoped().filter(
        name=name).exists)  # fmt: skip


def plan_top_up_call(w: World) -> Call:
    from creators.models import IncentivePlan
    from tests.factories_incentives import IncentivePlanFactory

    plan = IncentivePlanFactory(budget=Decimal("100.00"))
    grown = IncentivePlan.objects.unscoped().filter(pk=plan.pk, budget=Decimal("150.00")).exists
    return Call(f"/operator/incentives/{plan.pk}/", {"action": "top_up", "amount": "50"}, grown)


def milestone_edit_call(w: World) -> Call:
    from creators.models import Milestone
    from tests.factories_incentives import MilestoneFactory

    milestone, title = MilestoneFactory(), f"Walk {w.name}"
    data = {"action": "save", "kind": "followers", "threshold": milestone.threshold,
            "amount": "100", "title": title}  # fmt: skip
    done = Milestone.objects.unscoped().filter(pk=milestone.pk, title=title).exists
    return Call(f"/operator/incentives/milestones/{milestone.pk}/", data, done)


def award_revoke_call(w: World) -> Call:
    from creators.models import Award, IncentivePlan
    from tests.factories_incentives import AwardFactory

    award = AwardFactory(creator=w.creator)
    IncentivePlan.objects.unscoped().filter(pk=award.plan_id).update(spent=award.amount)
    done = Award.objects.unscoped().filter(pk=award.pk, status="revoked").exists
    return Call(f"/operator/incentives/awards/{award.pk}/revoke/", {"reason": "walk"}, done)


def switch_call(w: World) -> Call:
    context = "creator" if w.persona.creator else (w.org.pk if w.org else "")
    return Call("/switch/", {"context": context})


def get(path: str) -> Callable[[World], Call]:
    return lambda w: Call(path)


# (URL name, method) → Route. Paths are built from the persona's world.
ROUTES: dict[tuple[str, str], Route] = {
    # Public: the same for everyone, signed in or not.
    ("tenancy:login", "GET"): Route("public", get("/login/")),
    ("tenancy:logout", "POST"): Route("public", lambda w: Call("/logout/", {}, fresh_client=True)),
    ("set_language", "POST"): Route("public", lambda w: Call("/i18n/setlang/", {"language": "en"})),
    ("healthz", "GET"): Route("public", get("/healthz")),
    ("schema", "GET"): Route("public", get("/api/schema/")),
    ("api-docs", "GET"): Route("public", get("/api/docs/")),
    # Signed in: home, tenant switcher, who am I.
    ("tenancy:home", "GET"): Route("account", get("/")),
    ("tenancy:switch", "POST"): Route("account", switch_call),
    ("api:me", "GET"): Route("account", get("/api/v1/me/")),
    ("api:api-root", "GET"): Route("account", get("/api/v1/")),
    # Creators.
    ("creators:directory", "GET"): Route("creators.directory", get("/creators/")),
    ("creators:detail", "GET"): Route(
        "creators.profiles", lambda w: Call(f"/creators/{w.creator.handle}/")
    ),
    ("api:creator-list", "GET"): Route("creators.profiles", get("/api/v1/creators/"), True),
    ("api:creator-detail", "GET"): Route(
        "creators.profiles", lambda w: Call(f"/api/v1/creators/{w.creator.handle}/")
    ),
    ("api:creator-audience", "GET"): Route(
        "creators.profiles", lambda w: Call(f"/api/v1/creators/{w.creator.handle}/audience/")
    ),
    ("api:creator-content", "GET"): Route(
        "creators.profiles", lambda w: Call(f"/api/v1/creators/{w.creator.handle}/content/")
    ),
    ("api:creator-metrics", "GET"): Route(
        "creators.profiles", lambda w: Call(f"/api/v1/creators/{w.creator.handle}/metrics/")
    ),
    ("creators:portal", "GET"): Route("portal", get("/portal/")),
    # The academy: the creator's pages and moves, the operator's management, the agency's view.
    ("creators:academy", "GET"): Route("portal", get("/academy/")),
    ("creators:academy_course", "GET"): Route(
        "portal", lambda w: Call(f"/academy/courses/{academy_enrolment(w).course.slug}/")
    ),
    ("api:academy-me", "GET"): Route("portal", get("/api/v1/academy/me/")),
    ("creators:academy_enrol", "POST"): Route("academy.learn", academy_enrol_call),
    ("creators:academy_lesson_done", "POST"): Route("academy.learn", academy_done_call),
    ("creators:academy_leave", "POST"): Route("academy.learn", academy_leave_call),
    ("creators:academy_manage", "GET"): Route("academy.see", get("/academy/manage/")),
    ("creators:academy_course_edit", "GET"): Route(
        "academy.see", lambda w: Call(f"/academy/manage/courses/{academy_draft(w).slug}/")
    ),
    ("creators:academy_lesson_edit", "GET"): Route(
        "academy.see", lambda w: Call(f"/academy/manage/lessons/{academy_lesson(w).pk}/")
    ),
    ("creators:academy_course_new", "GET"): Route("academy.change", get("/academy/manage/new/")),
    ("creators:academy_course_new", "POST"): Route("academy.change", academy_new_call),
    ("creators:academy_course_edit", "POST"): Route("academy.change", academy_edit_call),
    ("creators:academy_lesson_add", "POST"): Route("academy.change", academy_lesson_add_call),
    ("creators:academy_course_publish", "POST"): Route("academy.change", academy_publish_call),
    ("creators:academy_lesson_edit", "POST"): Route("academy.change", academy_lesson_edit_call),
    ("creators:academy_lesson_move", "POST"): Route("academy.change", academy_move_call),
    ("creators:academy_agency", "GET"): Route("roster.see", get("/academy/creators/")),
    ("creators:academy_agency_creator", "GET"): Route(
        "roster.see", lambda w: Call(f"/academy/creators/{w.creator.handle}/")
    ),
    ("api:academy-course-list", "GET"): Route(
        "academy.api", lambda w: academy_listed(w, "/api/v1/academy/courses/"), True
    ),
    ("api:academy-course-detail", "GET"): Route(
        "academy.api",
        lambda w: Call(f"/api/v1/academy/courses/{academy_enrolment(w).course.slug}/"),
    ),
    ("api:academy-enrolment-list", "GET"): Route(
        "academy.enrolments", lambda w: academy_listed(w, "/api/v1/academy/enrolments/"), True
    ),
    ("api:academy-enrolment-detail", "GET"): Route(
        "academy.enrolments",
        lambda w: Call(f"/api/v1/academy/enrolments/{academy_enrolment(w).pk}/"),
    ),
    # Brands: campaigns, products, orders, collaborations.
    ("brands:dashboard", "GET"): Route("campaigns.see", get("/brand/")),
    ("brands:dashboard_csv", "GET"): Route("campaigns.see", get("/brand/dashboard/campaigns.csv")),
    ("brands:campaigns", "GET"): Route("campaigns.see", get("/brand/campaigns/")),
    ("brands:campaign", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/brand/campaigns/{w.campaign.pk}/")
    ),
    ("api:campaign-list", "GET"): Route("campaigns.see", get("/api/v1/campaigns/"), True),
    ("api:campaign-detail", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/api/v1/campaigns/{w.campaign.pk}/")
    ),
    ("api:product-list", "GET"): Route("campaigns.see", get("/api/v1/products/"), True),
    ("api:product-detail", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/api/v1/products/{w.product.pk}/")
    ),
    ("api:order-list", "GET"): Route("campaigns.see", get("/api/v1/orders/"), True),
    ("api:order-detail", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/api/v1/orders/{w.order.pk}/")
    ),
    ("api:campaign-list", "POST"): Route(
        "campaigns.change",
        lambda w: Call(
            "/api/v1/campaigns/",
            campaign_body(w),
            Campaign.objects.unscoped().filter(name=f"Walk {w.name}").exists,
        ),
    ),
    ("api:product-list", "POST"): Route(
        "campaigns.change",
        lambda w: Call(
            "/api/v1/products/",
            product_body(w),
            Product.objects.unscoped().filter(name=f"Walk {w.name}").exists,
        ),
    ),
    ("api:collaboration-list", "POST"): Route("campaigns.change", offer_call),
    ("brands:products", "GET"): Route("campaigns.see", get("/brand/products/")),
    ("brands:product_new", "GET"): Route("campaigns.change", get("/brand/products/new/")),
    ("brands:product_new", "POST"): Route("campaigns.change", product_page_new_call),
    ("brands:product_edit", "GET"): Route(
        "campaigns.change", lambda w: Call(f"/brand/products/{w.product.pk}/edit/")
    ),
    ("brands:product_edit", "POST"): Route("campaigns.change", product_page_edit_call),
    ("brands:product_archive", "POST"): archive_route("/brand/products/{pk}/archive/", True),
    ("brands:product_unarchive", "POST"): archive_route("/brand/products/{pk}/unarchive/", False),
    # The product-selection centre: a brand's own products (a viewer sees, without invite).
    ("matching:selection", "GET"): Route("campaigns.see", get("/brand/selection/")),
    ("matching:selection_target", "GET"): Route("campaigns.see", get("/brand/selection/target/")),
    ("matching:selection_product", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/brand/selection/products/{w.product.pk}/")
    ),
    ("brands:offer_new", "GET"): Route("campaigns.change", get("/brand/offers/new/")),
    ("brands:offer_new", "POST"): Route("campaigns.change", offer_page_call),
    ("brands:campaign_new", "GET"): Route("campaigns.change", get("/brand/campaigns/new/")),
    ("brands:campaign_new", "POST"): Route("campaigns.change", campaign_page_new_call),
    ("brands:campaign_edit", "GET"): Route(
        "campaigns.change", lambda w: Call(f"/brand/campaigns/{w.campaign.pk}/edit/")
    ),
    ("brands:campaign_edit", "POST"): Route(
        "campaigns.change", lambda w: campaign_edit_call(w, api=False)
    ),
    ("api:campaign-detail", "PATCH"): Route(
        "campaigns.change", lambda w: campaign_edit_call(w, api=True)
    ),
    **{
        (name, "POST"): campaign_move_route(path, status, to)
        for prefix, sep in (
            ("brands:campaign_", "/brand/campaigns/"),
            ("api:campaign-", "/api/v1/campaigns/"),
        )
        for action, status, to in (
            ("pause", "active", "paused"),
            ("resume", "paused", "active"),
            ("close", "active", "completed"),
        )
        for name, path in [(prefix + action, sep + "{pk}/" + action + "/")]
    },
    ("api:product-detail", "PATCH"): Route("campaigns.change", product_api_patch_call),
    ("api:product-detail", "DELETE"): Route("campaigns.change", product_delete_call),
    ("api:product-archive", "POST"): archive_route("/api/v1/products/{pk}/archive/", True),
    ("api:product-unarchive", "POST"): archive_route("/api/v1/products/{pk}/unarchive/", False),
    ("api:collaboration-list", "GET"): Route(
        "collaborations.see", get("/api/v1/collaborations/"), True
    ),
    ("api:collaboration-detail", "GET"): Route(
        "collaborations.see", lambda w: Call(f"/api/v1/collaborations/{w.offer.pk}/")
    ),
    ("brands:collaboration_transition", "POST"): Route(
        "collaborations.close",
        lambda w: moved(
            w, "offered", "cancelled", "/brand/collaborations/{pk}/transition/", page=True
        ),
    ),
    ("api:collaboration-go-live", "POST"): Route(
        "collaborations.live",
        lambda w: review_call(w, "/api/v1/collaborations/{pk}/go-live/", None),
    ),
    ("api:collaboration-review", "POST"): Route(
        "collaborations.live",
        lambda w: review_call(w, "/api/v1/collaborations/{pk}/review/", {"decision": "approve"}),
    ),
    ("brands:collaboration_review", "POST"): Route(
        "collaborations.live",
        lambda w: review_call(w, "/brand/collaborations/{pk}/review/", {"decision": "approve"}),
    ),
    ("brands:reviews", "GET"): Route("campaigns.see", get("/brand/reviews/")),
    ("api:collaboration-submissions", "GET"): Route(
        "collaborations.see", lambda w: Call(f"/api/v1/collaborations/{w.offer.pk}/submissions/")
    ),
    ("api:collaboration-complete", "POST"): Route(
        "collaborations.close",
        lambda w: moved(w, "live", "completed", "/api/v1/collaborations/{pk}/complete/"),
    ),
    ("api:collaboration-cancel", "POST"): Route(
        "collaborations.close",
        lambda w: moved(w, "offered", "cancelled", "/api/v1/collaborations/{pk}/cancel/"),
    ),
    ("brands:offers", "GET"): Route("offers.answer", get("/portal/offers/")),
    ("brands:offer_respond", "POST"): Route(
        "offers.answer",
        lambda w: moved(w, "offered", "accepted", "/portal/offers/{pk}/respond/", page=True),
    ),
    ("api:collaboration-accept", "POST"): Route(
        "offers.answer",
        lambda w: moved(w, "offered", "accepted", "/api/v1/collaborations/{pk}/accept/"),
    ),
    ("api:collaboration-decline", "POST"): Route(
        "offers.answer",
        lambda w: moved(w, "offered", "declined", "/api/v1/collaborations/{pk}/decline/"),
    ),
    ("api:collaboration-submit-content", "POST"): Route(
        "offers.answer", lambda w: submit_call(w, "/api/v1/collaborations/{pk}/submit-content/")
    ),
    ("brands:offer_content", "GET"): Route(
        "offers.answer",
        lambda w: Call(f"/portal/offers/{w.collaboration('accepted').pk}/content/"),
    ),
    ("brands:offer_content", "POST"): Route(
        "offers.answer", lambda w: submit_call(w, "/portal/offers/{pk}/content/")
    ),
    ("api:order-list", "POST"): Route("push.orders", order_call),
    ("api:order-refunds", "POST"): Route("push.orders", refund_call),
    ("api:order-complaints", "POST"): Route("push.orders", complaint_call),
    # Refunds and complaints: the brand reads them (pages and API), pushes them by external
    # id and relays a buyer's dispute (API), decides refunds (its queue); the operator decides
    # disputed and escalated ones; the creator reads those of its collaborations (portal).
    ("api:refund-list", "GET"): Route("campaigns.see", get("/api/v1/refunds/"), True),
    ("api:refund-detail", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/api/v1/refunds/{refund_of(w).pk}/")
    ),
    ("api:complaint-list", "GET"): Route("campaigns.see", get("/api/v1/complaints/"), True),
    ("api:complaint-detail", "GET"): Route(
        "campaigns.see", lambda w: Call(f"/api/v1/complaints/{complaint_of(w).pk}/")
    ),
    ("api:refund-list", "POST"): Route("push.orders", refund_push_call),
    ("api:complaint-list", "POST"): Route("push.orders", complaint_push_call),
    ("api:refund-dispute", "POST"): Route("push.orders", dispute_call),
    ("brands:refunds", "GET"): Route("campaigns.see", get("/brand/refunds/")),
    ("brands:refund_decide", "POST"): Route("refunds.decide", refund_decide_call),
    ("brands:refund_disputes", "GET"): Route("refunds.disputes", get("/operator/refunds/")),
    ("brands:refund_final_decide", "POST"): Route("refunds.final", refund_final_call),
    ("brands:my_refunds", "GET"): Route("portal", get("/portal/refunds/")),
    # Agencies (mcn): the directory, the roster, contracts the agency offers, withdraws, ends.
    ("api:agency-list", "GET"): Route("agencies.directory", get("/api/v1/agencies/"), True),
    ("api:agency-detail", "GET"): Route(
        "agencies.directory",
        lambda w: Call(f"/api/v1/agencies/{w.own_contract.organization.slug}/"),
    ),
    ("mcn:tier", "GET"): Route("roster.see", get("/agency/tier/")),
    # Certification: an agency's assessments are its own, the operator's and partners'.
    ("api:agency-assessments", "GET"): Route(
        "assessments.api",
        lambda w: Call(f"/api/v1/agencies/{w.assessed_agency.slug}/assessments/"),
    ),
    ("api:agency-what-if", "POST"): Route(
        "assessments.api",
        lambda w: Call(
            f"/api/v1/agencies/{w.assessed_agency.slug}/what-if/", {"metrics": {"gmv": 1.0}}
        ),
    ),
    ("mcn:roster", "GET"): Route("roster.see", get("/agency/roster/")),
    ("mcn:tier_what_if", "GET"): Route("roster.see", get("/agency/tier/what-if/")),
    ("mcn:tier_what_if", "POST"): Route("tier.appeal", what_if_call),
    ("mcn:tier_appeal", "POST"): Route("tier.appeal", appeal_call),
    ("api:contract-list", "GET"): Route("roster.see", get("/api/v1/contracts/"), True),
    ("api:contract-detail", "GET"): Route(
        "roster.see", lambda w: Call(f"/api/v1/contracts/{w.own_contract.pk}/")
    ),
    ("mcn:roster", "POST"): Route(
        "roster.change", lambda w: contract_offer_call(w, "/agency/roster/", False)
    ),
    ("mcn:contract_withdraw", "POST"): Route(
        "roster.change", lambda w: withdraw_call(w, "/agency/contracts/{pk}/withdraw/")
    ),
    ("mcn:contract_end", "POST"): Route(
        "roster.change", lambda w: end_call(w, "/agency/contracts/{pk}/end/")
    ),
    ("api:contract-list", "POST"): Route(
        "roster.change", lambda w: contract_offer_call(w, "/api/v1/contracts/", True)
    ),
    ("api:contract-withdraw", "POST"): Route(
        "roster.change", lambda w: withdraw_call(w, "/api/v1/contracts/{pk}/withdraw/")
    ),
    ("api:contract-end", "POST"): Route(
        "roster.change", lambda w: end_call(w, "/api/v1/contracts/{pk}/end/")
    ),
    # The creator answers an agency's offer: in its portal, or with its own session in the API.
    ("mcn:portal_contracts", "GET"): Route("portal", get("/portal/contracts/")),
    ("matching:portal_products", "GET"): Route("portal", get("/portal/products/")),
    ("mcn:portal_contract_accept", "POST"): Route(
        "contracts.answer", lambda w: answer_call(w, "/portal/contracts/{pk}/accept/", "active")
    ),
    ("mcn:portal_contract_decline", "POST"): Route(
        "contracts.answer",
        lambda w: answer_call(w, "/portal/contracts/{pk}/decline/", "declined"),
    ),
    ("api:contract-accept", "POST"): Route(
        "contracts.answer",
        lambda w: answer_call(w, "/api/v1/contracts/{pk}/accept/", "active"),
    ),
    ("api:contract-decline", "POST"): Route(
        "contracts.answer",
        lambda w: answer_call(w, "/api/v1/contracts/{pk}/decline/", "declined"),
    ),
    # Traffic.
    ("analytics:operator_home", "GET"): Route("traffic.see", get("/operator/")),
    ("analytics:report", "GET"): Route("analytics.see", get("/operator/analytics/")),
    ("analytics:report_status", "GET"): Route(
        "analytics.see", get(f"/operator/analytics/status/?pending={DAY.isoformat()}&since=0")
    ),
    ("analytics:report_csv", "GET"): Route(
        "analytics.see", get("/operator/analytics/ecosystem-report.csv")
    ),
    ("analytics:report_xlsx", "GET"): Route(
        "analytics.see", get("/operator/analytics/ecosystem-report.xlsx")
    ),
    ("analytics:report_compute", "POST"): Route("analytics.compute", report_compute_call),
    ("analytics:agency", "GET"): Route("analytics.agency", get("/agency/analytics/")),
    ("traffic:runs", "GET"): Route("traffic.see", get("/operator/traffic/")),
    ("traffic:run", "GET"): Route("traffic.see", lambda w: Call(f"/operator/traffic/{w.run.pk}/")),
    ("traffic:run_status", "GET"): Route(
        "traffic.see", lambda w: Call(f"/operator/traffic/{w.run.pk}/status/")
    ),
    ("traffic:run_csv", "GET"): Route(
        "traffic.see", lambda w: Call(f"/operator/traffic/{w.run.pk}/allocations.csv")
    ),
    ("traffic:runs", "POST"): Route("traffic.start", run_start_call),
    ("traffic:run_publish", "POST"): Route("traffic.publish", publish_call),
    ("api:traffic-run-list", "GET"): Route("traffic.api", get("/api/v1/traffic/runs/"), True),
    ("api:traffic-run-detail", "GET"): Route(
        "traffic.api", lambda w: Call(f"/api/v1/traffic/runs/{w.run.pk}/")
    ),
    ("api:traffic-run-allocations", "GET"): Route(
        "traffic.api", lambda w: Call(f"/api/v1/traffic/runs/{w.run.pk}/allocations/")
    ),
    ("traffic:my_traffic", "GET"): Route("portal", get("/portal/traffic/")),
    # The incentive plan (光合计划): the operator's pages; plans and milestones public in the
    # API; awards the creator's, its agency's and the operator's.
    ("creators:incentive_plans", "GET"): Route("incentives.see", get("/operator/incentives/")),
    ("creators:incentive_plan", "GET"): Route(
        "incentives.see", lambda w: Call(f"/operator/incentives/{w.plan.pk}/")
    ),
    ("creators:incentive_milestone", "GET"): Route(
        "incentives.see", lambda w: Call(f"/operator/incentives/milestones/{w.milestone.pk}/")
    ),
    ("creators:incentive_awards", "GET"): Route(
        "incentives.see", get("/operator/incentives/awards/")
    ),
    ("creators:incentive_runs", "GET"): Route("incentives.see", get("/operator/incentives/runs/")),
    ("creators:incentive_plans", "POST"): Route("incentives.manage", plan_new_call),
    ("creators:incentive_plan", "POST"): Route("incentives.manage", plan_top_up_call),
    ("creators:incentive_milestone", "POST"): Route("incentives.manage", milestone_edit_call),
    ("creators:incentive_award_revoke", "POST"): Route("incentives.manage", award_revoke_call),
    ("api:incentive-plan-list", "GET"): Route(
        "incentives.api", get("/api/v1/incentives/plans/"), True
    ),
    ("api:incentive-plan-detail", "GET"): Route(
        "incentives.api", lambda w: Call(f"/api/v1/incentives/plans/{w.plan.pk}/")
    ),
    ("api:incentive-milestone-list", "GET"): Route(
        "incentives.api", get("/api/v1/incentives/milestones/"), True
    ),
    ("api:incentive-milestone-detail", "GET"): Route(
        "incentives.api", lambda w: Call(f"/api/v1/incentives/milestones/{w.milestone.pk}/")
    ),
    ("creators:my_awards", "GET"): Route("portal", get("/portal/awards/")),
    ("creators:agency_awards", "GET"): Route("roster.see", get("/agency/awards/")),
    ("api:incentive-award-list", "GET"): Route(
        "awards.see", get("/api/v1/incentives/awards/"), True
    ),
    ("api:incentive-award-detail", "GET"): Route(
        "awards.see", lambda w: Call(f"/api/v1/incentives/awards/{w.award.pk}/")
    ),
    # The selection centre's API (no index built here: the answers are empty, not refused).
    ("api:matching-product-creators", "GET"): Route(
        "matching.product_api",
        lambda w: Call(f"/api/v1/matching/products/{w.product.pk}/creators/"),
    ),
    ("api:matching-creator-products", "GET"): Route(
        "matching.creator_api",
        lambda w: Call(f"/api/v1/matching/creators/{w.creator.handle}/products/"),
    ),
    ("api:creator-lookalikes", "GET"): Route(
        "matching.lookalike_api",
        lambda w: Call(f"/api/v1/creators/{w.creator.handle}/lookalikes/"),
    ),
    # Certification (mcn): the operator's cycles, appeals, policy and concentration.
    ("mcn:certification_runs", "GET"): Route("certification.see", get("/operator/certification/")),
    ("mcn:certification_run", "GET"): Route(
        "certification.see",
        lambda w: Call(f"/operator/certification/{certification_appeal(w).assessment.run_id}/"),
    ),
    ("mcn:certification_appeals", "GET"): Route(
        "certification.see", get("/operator/certification/appeals/")
    ),
    ("mcn:certification_policy", "GET"): Route(
        "certification.see", get("/operator/certification/policy/")
    ),
    ("mcn:certification_concentration", "GET"): Route(
        "certification.see", get("/operator/certification/concentration/")
    ),
    ("mcn:certification_runs", "POST"): Route("certification.change", certification_cycle_call),
    # Growth programmes (creators): the operator's effect measurement.
    ("creators:growth_effect", "GET"): Route("growth.effect", get("/operator/growth-effect/")),
    ("mcn:certification_appeal_decide", "POST"): Route("certification.change", appeal_decide_call),
    ("mcn:certification_policy", "POST"): Route("certification.change", policy_publish_call),
    ("mcn:certification_benefits", "POST"): Route("certification.change", benefits_call),
    # Compliance: the operator's queue and its pages, a case for its parties, the creator's
    # notices and appeal, an agency's view of its creators' violations.
    ("compliance:queue", "GET"): Route("compliance.queue", get("/compliance/")),
    ("compliance:appeals", "GET"): Route("compliance.queue", get("/compliance/appeals/")),
    ("compliance:policy", "GET"): Route("compliance.queue", get("/compliance/policy/")),
    ("compliance:model", "GET"): Route("compliance.queue", get("/compliance/model/")),
    ("compliance:figures", "GET"): Route("compliance.queue", get("/compliance/figures/")),
    ("compliance:retrain_status", "GET"): Route("compliance.queue", retrain_status_call),
    ("compliance:case", "GET"): Route(
        "compliance.case", lambda w: Call(f"/compliance/cases/{compliance_case(w).pk}/")
    ),
    ("compliance:case_claim", "POST"): Route("compliance.review", case_claim_call),
    ("compliance:case_decide", "POST"): Route("compliance.review", case_decide_call),
    ("compliance:appeal_decide", "POST"): Route("compliance.review", compliance_appeal_decide_call),
    ("compliance:policy", "POST"): Route("compliance.policy", compliance_policy_call),
    ("compliance:retrain", "POST"): Route("compliance.policy", retrain_call),
    ("compliance:mine", "GET"): Route("portal", get("/compliance/my/")),
    ("compliance:appeal_file", "POST"): Route("compliance.appeal", sanction_appeal_call),
    ("compliance:violations", "GET"): Route("roster.see", get("/compliance/violations/")),
    ("compliance:complaint_rates", "GET"): Route(
        "compliance.rates", get("/compliance/complaint-rates/")
    ),
    ("compliance:complaint_rate", "GET"): Route("compliance.rates", complaint_rate_call),
    # Originality: the operator's flags, contests and trends; a flag or contest for its
    # parties; the creator's flags and contest; an agency's view of its creators'.
    ("compliance:originality_flags", "GET"): Route(
        "compliance.queue", get("/compliance/originality/")
    ),
    ("compliance:originality_contests", "GET"): Route(
        "compliance.queue", get("/compliance/originality/contests/")
    ),
    ("compliance:originality_trends", "GET"): Route(
        "compliance.queue", get("/compliance/originality/trends/")
    ),
    ("compliance:originality_flag", "GET"): Route(
        "originality.flag",
        lambda w: Call(f"/compliance/originality/flags/{originality_flag(w).pk}/"),
    ),
    ("compliance:originality_contest", "GET"): Route(
        "originality.flag",
        lambda w: Call(f"/compliance/originality/contests/{originality_contest(w).pk}/"),
    ),
    ("compliance:originality_contest_decide", "POST"): Route(
        "compliance.review", originality_decide_call
    ),
    ("compliance:originality_mine", "GET"): Route("portal", get("/compliance/my/originality/")),
    ("compliance:originality_contest_file", "POST"): Route(
        "compliance.appeal", originality_contest_call
    ),
    ("compliance:originality_agency", "GET"): Route(
        "roster.see", get("/compliance/originality/creators/")
    ),
    # The organization's own settings: keys, webhooks, audit.
    ("tenancy:api_keys", "GET"): Route("keys.manage", get("/settings/api-keys/")),
    ("tenancy:api_keys", "POST"): Route(
        "keys.manage", lambda w: key_create_call(w, "/settings/api-keys/")
    ),
    ("tenancy:api_key_revoke", "POST"): Route(
        "keys.manage", lambda w: revoke_call(w, "/settings/api-keys/{prefix}/revoke/")
    ),
    ("api:api-key-list", "GET"): Route("keys.manage", get("/api/v1/api-keys/"), True),
    ("api:api-key-list", "POST"): Route(
        "keys.manage", lambda w: key_create_call(w, "/api/v1/api-keys/")
    ),
    ("api:api-key-revoke", "POST"): Route(
        "keys.manage", lambda w: revoke_call(w, "/api/v1/api-keys/{prefix}/revoke/")
    ),
    ("api:webhook-list", "GET"): Route("webhooks.manage", get("/api/v1/webhooks/"), True),
    ("api:webhook-list", "POST"): Route("webhooks.manage", webhook_create_call),
    ("api:webhook-events", "GET"): Route("webhooks.manage", get("/api/v1/webhooks/events/")),
    ("api:webhook-detail", "GET"): Route(
        "webhooks.manage", lambda w: Call(f"/api/v1/webhooks/{w.endpoint().pk}/")
    ),
    ("api:webhook-detail", "DELETE"): Route("webhooks.manage", webhook_delete_call),
    ("api:webhook-deliveries", "GET"): Route(
        "webhooks.manage", lambda w: Call(f"/api/v1/webhooks/{w.endpoint().pk}/deliveries/")
    ),
    ("api:webhook-test", "POST"): Route(
        "webhooks.manage", lambda w: Call(f"/api/v1/webhooks/{w.endpoint().pk}/test/", {})
    ),
    ("api:audit-event-list", "GET"): Route("audit.see", get("/api/v1/audit-events/"), True),
    ("api:audit-event-detail", "GET"): Route(
        "audit.see", lambda w: Call(f"/api/v1/audit-events/{w.audit_event.pk}/")
    ),
    ("api:compliance-check", "POST"): Route(
        "compliance.check_api", lambda w: Call("/api/v1/compliance/check/", {"text": "全网最低价"})
    ),
    ("api:compliance-check-batch", "POST"): Route(
        "compliance.check_api",
        lambda w: Call("/api/v1/compliance/check-batch/", {"texts": ["全网最低价", "质地清爽"]}),
    ),
    ("api:originality-check", "POST"): Route(
        "originality.check_api",
        lambda w: Call(
            "/api/v1/originality/check/",
            {"text": "家人们晚上好，欢迎来到直播间，今天这款保温杯很好用"},
        ),
    ),
    ("api:metrics-bulk", "POST"): Route("push.metrics", metrics_call),
    ("api:content-bulk", "POST"): Route("push.metrics", content_call),
}


# --- Outcomes -----------------------------------------------------------------------------------


def outcome(response, route: Route, api: bool) -> str:
    """The class of an answer: yes, 403, 404 (an empty API list too), login, or the status."""
    code = response.status_code
    if route.capability != "public" and (
        code == 401 or (code == 302 and response["Location"].startswith("/login/"))
    ):
        return "login"
    if code in (403, 404):
        return str(code)
    if 200 <= code < 400:
        if route.api_list and api and not _rows(response):
            return "404"
        return "yes"
    return f"HTTP {code}"


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def request(w: World, method: str, call: Call):
    client = w.new_client() if call.fresh_client else w.client
    if method == "GET":
        response = client.get(call.path)
    elif call.path.startswith("/api/"):
        body = json.dumps(call.data) if call.data is not None else None
        response = client.generic(method, call.path, body, content_type="application/json")
    else:
        response = client.post(call.path, call.data or {})
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # streamed bodies run their queries now
    return response


# --- What the matrix expects --------------------------------------------------------------------

#: A cell: ``token`` or ``pages token, API token``, then an optional "(note)" for readers.
CELL = re.compile(r"^(?:pages (?P<page>\S+), API (?P<api>\S+)|(?P<both>[^(]+?))(?: \(.*\))?$")


def token(cell: str, *, api: bool) -> str:
    match = CELL.match(cell)
    assert match, f"unreadable cell {cell!r}"
    if match["both"]:
        return match["both"]
    return match["api"] if api else match["page"]


def is_api(url_name: str) -> bool:
    return url_name.startswith("api:")


def collection_write(url_name: str, method: str) -> bool:
    """A create or a push: no object to hide, so "not for you" is refused with 403."""
    return is_api(url_name) and method == "POST" and url_name.endswith(("-list", "-bulk"))


def as_outcome(tok: str, url_name: str, method: str) -> str:
    if tok == "own":
        return "yes"
    if tok == "404" and collection_write(url_name, method):
        return "403"
    return tok


def expected(persona: Persona, url_name: str, method: str) -> str:
    route = ROUTES[(url_name, method)]
    if route.capability == "public":
        return "yes"
    api = is_api(url_name)
    if persona.key_scopes is None:
        tok = token(MATRIX[persona.row][route.capability], api=api)
        return as_outcome(tok, url_name, method)
    if not api:
        return "login"  # a key opens no page
    scope = key_scopes_of_routes()[(url_name, method)]
    if scope is None or (scope != ANY_KEY and scope not in persona.key_scopes):
        return "403"
    # Within its scopes a key acts as its organization's owner.
    tok = token(MATRIX[f"{persona.kind} owner/admin"][route.capability], api=True)
    return as_outcome(tok, url_name, method)


# --- The routes the resolver knows --------------------------------------------------------------

ANY_KEY = "*"
SAFE = {"GET", "HEAD", "OPTIONS"}


def resolver_routes() -> dict[tuple[str, str | None], type | None]:
    """(URL name, method) → view class, for every route but Django's admin (``admin:``, staff
    users only; ``tests/test_admin.py``). API methods come from the viewset's actions (HEAD
    follows GET); a page route (method None) must be in ROUTES with the methods it serves."""
    found: dict[tuple[str, str | None], type | None] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}"
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                methods = [m.upper() for m in actions if m not in ("head", "options")]
                if not methods and view is not None and hasattr(view, "required_scope"):
                    methods = [m.upper() for m in ("get", "post") if hasattr(view, m)]
                for method in methods or [None]:
                    found[(name, method)] = view

    walk(get_resolver().url_patterns)
    return found


def key_scopes_of_routes() -> dict[tuple[str, str], str | None]:
    """The scope a key needs on each API route, read from the view (``read_scope`` for safe
    methods and POSTs that only read, ``write_scope`` for the rest); None: keys are refused."""
    from tests.test_api_read_only_writes import post_reads

    reads = {f"api:{name}" for name in post_reads()}
    scopes = {}
    for (name, method), view in resolver_routes().items():
        if method and is_api(name) and view is not None:
            read = method in SAFE or (method == "POST" and name in reads)
            scopes[(name, method)] = view.read_scope if read else view.write_scope
    return scopes


def test_every_route_is_in_the_walk():
    known = resolver_routes()
    pages = {name for name, method in known if method is None}
    missing = sorted(f"{n} {m}" for n, m in known if m and (n, m) not in ROUTES)
    missing += sorted(f"{n} (any method)" for n in pages - {name for name, _ in ROUTES})
    stale = sorted(f"{n} {m}" for n, m in ROUTES if (n, m) not in known and (n, None) not in known)
    assert not missing, f"routes the role-matrix walk does not know: {missing}"
    assert not stale, f"walk entries for routes that no longer exist: {stale}"
    assert {route.capability for route in ROUTES.values()} == {*CAPABILITY_KEYS, "public"} - {
        "creators.private"  # a property of the profile routes, see PRIVATE_PROBES
    }


def test_key_row_names_the_scopes_the_views_declare():
    """The key row's cells are the scopes the capability's API routes ask for, exactly."""
    scopes = key_scopes_of_routes()
    wrong = []
    for capability in CAPABILITY_KEYS:
        names = [
            key for key, route in ROUTES.items() if route.capability == capability and key in scopes
        ]
        if capability == "creators.private":
            names = [key for key in PRIVATE_PROBES if key in scopes]
        declared = {scopes[key] for key in names}
        if not declared:
            want = "—"
        elif declared == {ANY_KEY}:
            want = "any key"
        elif declared == {None}:
            want = "403"
        else:
            want = ", ".join(f"`{scope}`" for scope in sorted(declared))
        got = re.sub(r" \(.*\)$", "", MATRIX[KEY_ROW][capability])
        if got != want:
            wrong.append(f"{capability}: README says {got!r}, the views declare {want!r}")
    assert not wrong, "\n".join(wrong)


# --- The walk -----------------------------------------------------------------------------------

#: Private figures are a property of two profile routes: shown (``yes``/``own``) or not (``no``).
PRIVATE_PROBES = {
    ("creators:detail", "GET"): lambda handle: f"/creators/{handle}/",
    ("api:creator-metrics", "GET"): lambda handle: f"/api/v1/creators/{handle}/metrics/",
}
SHOWN_GMV = (SECRET_GMV, "98,765.43")  # the API's decimal string, the pages' grouped figure
#: Public routes answer everyone alike; walked for a few personas (the schema is slow to build).
PUBLIC_SAMPLE = {"signed-out", "brand-viewer", "creator", "key-no-scope"}


def private_expected(persona: Persona, url_name: str) -> str | None:
    api = is_api(url_name)
    if persona.key_scopes is not None:
        if not api or "creators:read" not in persona.key_scopes:
            return None  # no answer to look into (login / 403, checked by the walk)
        row = f"{persona.kind} owner/admin"
    else:
        row = persona.row
    tok = token(MATRIX[row]["creators.private"], api=api)
    return {"own": "yes"}.get(tok, tok)


def walk_private(w: World) -> list[str]:
    """The own creator's figures as the matrix says; for an agency, also creators it has no
    rights over yet (an open offer; an accepted contract whose start date has not come),
    whose figures it must not see."""
    creators = [(w.creator, None)]
    if w.persona.kind == "agency":
        creators += [(creator, "no") for creator in pending_creators(w)]
    problems = []
    for creator, override in creators:
        for (url_name, _method), build in PRIVATE_PROBES.items():
            want = private_expected(w.persona, url_name)
            if want not in ("yes", "no"):
                continue
            want = override or want
            response = w.client.get(build(creator.handle))
            body = response.content.decode()
            got = "yes" if any(shown in body for shown in SHOWN_GMV) else "no"
            if response.status_code != 200 or got != want:
                problems.append(
                    f"creators.private via {url_name} of @{creator.handle}: "
                    f"{response.status_code}, GMV shown: {got}, expected {want}"
                )
    return problems


def pending_creators(w: World) -> list[Creator]:
    """Two creators the persona's agency has no rights over yet, with private figures: one it
    has offered a contract, one that accepted a contract starting in a month (the platform's
    day, as the service counts it)."""
    from mcn.services import contract_today

    offered = w.contract_offer().creator
    later = CreatorFactory()
    start = contract_today() + datetime.timedelta(days=30)
    ContractFactory(organization=w.org, creator=later, start=start, accepted_at=MOMENT)
    for creator in (offered, later):
        MetricSnapshotFactory(creator=creator, gmv=Decimal(SECRET_GMV))
    return [offered, later]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(PERSONAS))
def test_walk(name, settings):
    """Every route, as this persona: the outcome class its MATRIX cell says, writes that take
    effect exactly when allowed, and private figures shown exactly where the matrix says."""
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True  # the endpoints point at loopback
    # The signed-out walk calls every API route from one address within a minute: more than
    # the anonymous rate (its own test, tests/api/test_throttling_anonymous.py) lets through.
    settings.OLIVE_API_ANON_RATE = "10000/min"
    persona = PERSONAS[name]
    w = World(name, persona)
    w.prepare()
    problems = []
    for (url_name, method), route in ROUTES.items():
        if route.capability == "public" and name not in PUBLIC_SAMPLE:
            continue
        call = route.build(w)
        response = request(w, method, call)
        got = outcome(response, route, is_api(url_name))
        want = expected(persona, url_name, method)
        where = f"{method} {call.path} ({url_name}, {route.capability})"
        if got != want:
            problems.append(f"{where}: got {got}, the matrix says {want}")
        elif call.effect is not None and call.effect() != (got == "yes"):
            took = "did not take" if got == "yes" else "took"
            problems.append(f"{where}: answered {got} but the write {took} effect")
    problems += walk_private(w)
    assert not problems, f"{name} ({persona.row}):\n  " + "\n  ".join(problems)


# --- The system (beat jobs, the CLI) ------------------------------------------------------------


def _system_transition(w):
    from brands.services import collaboration_transition

    collaboration_transition(actor=SYSTEM, collaboration=w.offer, to="accepted")


def _system_offer(w):
    from mcn.services import contract_offer

    creator_id = CreatorFactory().pk
    contract_offer(actor=SYSTEM, creator_id=creator_id, start=offer_start(), revenue_share_pct=10)


def _system_answer(w):
    from mcn.services import contract_accept

    contract_accept(actor=SYSTEM, contract=w.contract_offer())


def _system_start(w):
    from traffic.services import allocation_run_create

    allocation_run_create(actor=SYSTEM, pool=1000, target_gini=0.5, as_of=DAY)


def _system_publish(w):
    from traffic.services import allocation_run_publish

    allocation_run_publish(actor=SYSTEM, run=succeeded_run(w.creator))


def _system_report(w):
    from analytics.services import ecosystem_report_store

    ecosystem_report_store(actor=SYSTEM, as_of=DAY)


def _system_key(w):
    api_key_create(actor=SYSTEM, organization=OrganizationFactory(), name="cli", scopes=[])


def _system_webhook(w):
    from webhooks.services import webhook_endpoint_create

    events = ["collaboration.status_changed"]
    webhook_endpoint_create(actor=SYSTEM, url="http://127.0.0.1:9/cli", events=events)


def _system_metrics(w):
    from creators.ingest import RowErrors, metric_snapshots_upsert

    rows = [{"creator": w.creator.handle, "date": LATER.isoformat(), "followers": 1}]
    try:
        metric_snapshots_upsert(actor=SYSTEM, rows=rows)
    except RowErrors as refused:
        # The role check lets the system in, but the creators table shows it no row: every
        # handle is unknown to it, so nothing can be stored.
        assert {error["field"] for error in refused.errors} == {"creator"}, refused.errors
        raise PermissionDenied("the system sees no creator") from refused


#: capability → a service call as the system; its MATRIX cell says whether it is accepted.
def _system_certify(w):
    from mcn.certification import certification_run_create

    certification_run_create(actor=SYSTEM, as_of=DAY)


SYSTEM_CHECKS = {
    "certification.change": _system_certify,
    "offers.answer": _system_transition,
    "roster.change": _system_offer,
    "contracts.answer": _system_answer,
    "traffic.start": _system_start,
    "traffic.publish": _system_publish,
    "analytics.compute": _system_report,
    "keys.manage": _system_key,
    "webhooks.manage": _system_webhook,
    "push.metrics": _system_metrics,
}


@pytest.mark.django_db
def test_system_row(settings):
    """The system passes every role check (``Actor.require``); services that need a tenant of
    theirs still refuse it. Pages never serve it (``check_access`` answers 404)."""
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    w = World("system", Persona(SYSTEM_ROW, "brand", "owner"))
    cells = {k: token(v, api=True) for k, v in MATRIX[SYSTEM_ROW].items() if v != "—"}
    assert set(cells) == set(SYSTEM_CHECKS), "every yes/no cell of the system row has a check"
    problems = []
    for capability, check in SYSTEM_CHECKS.items():
        try:
            with acting_as(SYSTEM):  # as ``tenant_task`` and the CLI run it
                check(w)
        except PermissionDenied:
            got = "no"
        else:
            got = "yes"
        if got != cells[capability]:
            problems.append(
                f"{capability}: the system got {got}, the matrix says {cells[capability]}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_system_runs_the_contract_beat_jobs():
    """The notes of the system's contract cells: its beat jobs begin accepted contracts on their
    start date and expire unanswered offers (dates passed in: no clock involved)."""
    from mcn.services import contracts_expire, contracts_start_due

    agency = OrganizationFactory(kind="agency")
    accepted = ContractFactory(organization=agency, start=LATER)
    offered = ContractFactory(
        organization=agency,
        start=LATER,
        status="offered",
        offer_expires_at=datetime.datetime(2026, 3, 16, tzinfo=datetime.UTC),
    )
    assert contracts_start_due(actor=SYSTEM, today=LATER) == 1
    assert Creator.objects.unscoped().get(pk=accepted.creator_id).agency_id == agency.pk
    assert contracts_expire(actor=SYSTEM, now=datetime.datetime(2026, 3, 17, tzinfo=datetime.UTC))
    assert Contract.objects.unscoped().get(pk=offered.pk).status == "expired"


# --- The README ---------------------------------------------------------------------------------


def render_matrix() -> str:
    """The README's table, generated from MATRIX (paste it when the matrix changes)."""
    header = ["persona", *[title for _, title in CAPABILITIES]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row, cells in MATRIX.items():
        lines.append("| " + " | ".join([row, *[cells[key] for key in CAPABILITY_KEYS]]) + " |")
    return "\n".join(lines)


def readme_matrix() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Roles\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| persona |")]
    assert rows, "the README's Roles section has no table starting with '| persona |'"
    start = section.splitlines().index(rows[0])
    table = []
    for line in section.splitlines()[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table)


def test_readme_matrix_is_the_matrix():
    """The README's table and MATRIX cannot drift: a difference fails with the table to paste."""
    assert "\n## Roles\n" in README.read_text(encoding="utf-8"), "README lacks '## Roles'"
    ours, theirs = render_matrix().splitlines(), readme_matrix().splitlines()
    differences = [
        f"README: {b}\nMATRIX: {a}" for a, b in zip(ours, theirs, strict=False) if a != b
    ]
    if len(ours) != len(theirs):
        differences.append(f"the README has {len(theirs)} lines, MATRIX renders {len(ours)}")
    assert not differences, (
        "\n".join(differences) + "\n\nThe table from MATRIX:\n" + render_matrix()
    )
