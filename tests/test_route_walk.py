"""Every route the URL resolver knows answers every kind of visitor without a 5xx.

The routes are enumerated from the resolver: pages and the API, plus a sample of the admin (its
other routes are Django's own). Path parameters are filled from a small seeded world by route
name (``PARAMETERS``); a new route with a parameter the walk cannot fill fails
``test_every_route_with_parameters_can_be_filled``, so nothing joins the site unwalked. Each
route is fetched with GET, once as a browser (``Accept: text/html``) and once as a program
(``Accept: application/json``), by the owner of each organization kind, a creator, an API key
with every scope for each organization kind (API routes only: pages do not take keys), a staff
member (admin sample only) and an anonymous visitor. A streamed body is read to its end, so an
error while streaming counts. All failures are listed in one assertion message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from analytics.services import ecosystem_report_store
from creators.models import ContentItem
from matching.services import match_index_build
from mcn.certification import appeal_file, certification_run_create, certification_run_execute
from mcn.models import AgencyAssessment
from mcn.services import contract_accept, contract_offer, contract_today
from tenancy.scopes import SCOPES
from tenancy.scoping import SYSTEM, Actor, acting_as
from tenancy.services import audit_event_record
from tests.factories import (
    AudienceProfileFactory,
    CollaborationFactory,
    ComplaintFactory,
    ContentSubmissionFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
    RefundFactory,
    UserFactory,
)
from tests.tenancy_helpers import api_key_client
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
KINDS = ("operator", "brand", "agency", "partner")
#: The admin routes walked; the rest of the admin is Django's own machinery.
ADMIN_SAMPLE = {
    "admin:index",
    "admin:login",
    "admin:brands_collaboration_changelist",
    "admin:brands_collaboration_change",
}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "brands:campaign", "api:order-detail"
    path: str  # the pattern, for messages
    parameters: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")


def resolver_routes() -> list[Route]:
    routes = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = namespace + (pattern.name or "")
                parameters = tuple(sorted(pattern.pattern.regex.groupindex))
                routes.append(Route(name, prefix + str(pattern.pattern), parameters))

    walk(get_resolver().url_patterns)
    static = (settings.STATIC_URL or "/static/").lstrip("/")
    return [
        route
        for route in routes
        if not route.path.startswith(static)
        and (not route.name.startswith("admin:") or route.name in ADMIN_SAMPLE)
    ]


@dataclass
class World:
    """One organization of each kind with its owner, and one of each object, all related."""

    owners: dict
    creator: object
    creator_user: object
    campaign: object
    collaboration: object
    order: object
    contract: object
    run: object
    webhook: object
    api_key: object
    audit_event: object
    key_clients: dict
    certification_run: object = None
    appeal: object = None
    compliance: dict | None = None  # a case, its sanction, an appeal of it, a retraining
    refund: object = None  # disputed: on the operator's queue; a pending one on the brand's
    complaint: object = None
    academy: dict | None = None  # a published course, its lesson, the creator's enrolment
    award: object = None  # an incentive award of the creator (plan, milestone through it)


def owner_actor(organization) -> Actor:
    return Actor(
        user_id=None,
        organization_id=organization.pk,
        organization_kind=organization.kind,
        role="owner",
    )


def seed_world() -> World:
    from traffic.services import allocation_run_create, allocation_run_execute

    today = timezone.localdate()
    organizations = {kind: OrganizationFactory(kind=kind) for kind in KINDS}
    owners = {
        kind: MembershipFactory(organization=org, role="owner").user
        for kind, org in organizations.items()
    }
    creator_user = UserFactory()
    creator = CreatorFactory(user=creator_user)
    MetricSnapshotFactory(creator=creator, date=today - datetime.timedelta(days=3))
    AudienceProfileFactory(creator=creator)
    ContentItem.objects.unscoped().create(
        creator=creator,
        external_id="walk-1",
        kind="video",
        title="Walk video",
        published_at=timezone.now() - datetime.timedelta(days=2),
    )
    agency = owner_actor(organizations["agency"])
    with acting_as(agency):
        contract = contract_offer(
            actor=agency, creator_id=creator.pk, start=contract_today(), revenue_share_pct="30"
        )
    own = Actor(user_id=creator_user.pk, creator_id=creator.pk, role="creator")
    with acting_as(own):
        contract = contract_accept(actor=own, contract=contract)
    collaboration = CollaborationFactory(
        campaign__organization=organizations["brand"], creator=creator
    )
    order = OrderFactory(collaboration=collaboration)
    RefundFactory(order=order, amount="10.00")  # pending: the brand's queue has a row
    refund = RefundFactory(order=order, status="disputed", decision_note="walk")
    complaint = ComplaintFactory(order=order)
    ContentSubmissionFactory(  # the review pages show a row
        collaboration__campaign=collaboration.campaign, collaboration__creator=creator
    )
    operator = owner_actor(organizations["operator"])
    with acting_as(operator):
        run = allocation_run_create(actor=operator, pool=100_000, target_gini=0.5)
        run = allocation_run_execute(actor=operator, run_id=run.pk)
    # A certification cycle (the agency's tier page shows an assessment, not the empty state) and
    # an open appeal (the operator's queue has one to decide).
    certification_run, appeal = certification_cycle(operator, organizations["agency"])
    partner = owner_actor(organizations["partner"])
    with acting_as(partner):
        webhook, _secret = webhook_endpoint_create(
            actor=partner, url="http://127.0.0.1:9/walk", events=["collaboration.status_changed"]
        )
    brand = owner_actor(organizations["brand"])
    audit_event = audit_event_record(actor=brand, action="walk.seeded")
    keys = {kind: api_key_client(org, list(SCOPES)) for kind, org in organizations.items()}
    # A match index over the world: the selection centre's routes answer with results.
    AudienceProfileFactory(creator=CreatorFactory())
    with acting_as(SYSTEM):
        match_index_build(actor=SYSTEM)
    compliance = compliance_rows(creator, organizations["brand"])
    academy = academy_rows(creator)
    award = incentive_rows(creator)
    with acting_as(SYSTEM):  # the analytics page and its exports draw a cached report
        ecosystem_report_store(actor=SYSTEM, as_of=today - datetime.timedelta(days=1))
    return World(
        academy=academy,
        award=award,
        compliance=compliance,
        owners=owners,
        creator=creator,
        creator_user=creator_user,
        campaign=collaboration.campaign,
        collaboration=collaboration,
        order=order,
        contract=contract,
        run=run,
        webhook=webhook,
        api_key=keys["brand"][0],
        audit_event=audit_event,
        key_clients={kind: client for kind, (_key, client) in keys.items()},
        certification_run=certification_run,
        appeal=appeal,
        refund=refund,
        complaint=complaint,
    )


def certification_cycle(operator: Actor, agency) -> tuple:
    """Today's certification cycle and an open appeal of the agency's assessment."""
    with acting_as(operator):
        run, _ = certification_run_create(actor=operator, as_of=contract_today())
        run = certification_run_execute(actor=operator, run_id=run.pk)
    assessment = AgencyAssessment.objects.unscoped().get(run=run, organization=agency)
    agency_actor = owner_actor(agency)
    with acting_as(agency_actor):
        appeal = appeal_file(actor=agency_actor, assessment=assessment, text="Walk appeal")
    return run, appeal


def incentive_rows(creator):
    """A plan with a milestone the creator reached, evaluated (the ledger, the runs, the
    creator's awards and progress have rows)."""
    from creators.incentive_runs import incentive_run_execute
    from tests.factories_incentives import IncentivePlanFactory, MilestoneFactory

    today = timezone.localdate()
    plan = IncentivePlanFactory(starts_on=today - datetime.timedelta(days=30))
    MilestoneFactory(plan=plan, threshold=1_000)
    MilestoneFactory(plan=plan, threshold=10_000_000)
    with acting_as(SYSTEM):
        incentive_run_execute(actor=SYSTEM, as_of=today)
    return creator.awards.model.objects.unscoped().filter(creator=creator).first()


def compliance_rows(creator, brand) -> dict:
    """A confirmed case about the creator and the brand, its sanction under appeal, the open
    appeal, and a pending retraining (its status polls): every compliance page has rows."""
    from compliance.models import Appeal, Case, ComplaintRateDaily, RetrainRun, Sanction

    now = timezone.now()
    case = Case.objects.unscoped().create(
        source="content", track="review", text="全网第一 walk", risk=0.7, category="absolute",
        reasons=[{"kind": "rule", "rule": "walk", "category": "absolute", "start": 0, "end": 4,
                  "text": "全网第一"}],
        model_probability=0.6, model_version="m-walk", lexicon_version="lex-walk",
        opened_at=now, creator=creator, organization=brand, status="rejected",
        violation_type="absolute", decided_at=now,
    )  # fmt: skip
    Case.objects.unscoped().create(
        source="content", track="block", text="open walk", risk=0.9, category="medical",
        model_probability=0.9, model_version="m-walk", lexicon_version="lex-walk",
        opened_at=now, creator=creator,
    )  # fmt: skip
    sanction = Sanction.objects.unscoped().create(
        creator=creator, case=case, level="warning", starts_on=now.date(), reason="walk",
        created_at=now, status="appealed",
    )  # fmt: skip
    appeal = Appeal.objects.unscoped().create(
        sanction=sanction, creator=creator, text="walk appeal", created_at=now
    )
    run = RetrainRun.objects.unscoped().create()
    rate = ComplaintRateDaily.objects.unscoped().create(
        subject_kind="creator", subject_id=creator.pk, date=now.date(), orders=120,
        complaints=2, rate=2 / 120, alert=True,
    )  # fmt: skip
    flag, contest = originality_rows(creator, now)
    return {
        "case": case,
        "sanction": sanction,
        "appeal": appeal,
        "run": run,
        "rate": rate,
        "flag": flag,
        "contest": contest,
    }


def originality_rows(creator, now) -> tuple:
    """The creator's walk video flagged as a copy of another creator's earlier item, and its
    open contest (the originality pages have rows; the trends a month)."""
    from compliance.models import OriginalityContest, OriginalityFlag, OriginalitySignature

    copy = ContentItem.objects.unscoped().get(creator=creator, external_id="walk-1")
    source = ContentItem.objects.unscoped().create(
        creator=CreatorFactory(), external_id="walk-source", kind="video", title="Walk source",
        text="walk source text", published_at=copy.published_at - datetime.timedelta(days=1),
    )  # fmt: skip
    for content in (source, copy):
        OriginalitySignature.objects.unscoped().create(
            content=content, creator=content.creator, published_at=content.published_at,
            signature=b"\0" * 4, shingles=1, text_digest="walk", indexed_at=now,
        )  # fmt: skip
    flag = OriginalityFlag.objects.unscoped().create(
        content=copy, creator=creator, source=source, source_creator=source.creator,
        similarity=0.8, status="contested", flagged_at=now, updated_at=now,
    )  # fmt: skip
    contest = OriginalityContest.objects.unscoped().create(
        flag=flag, creator=creator, statement="walk statement", created_at=now
    )
    return flag, contest


def academy_rows(creator) -> dict:
    """A published course of two lessons, the (signed) creator enrolled with one done, and a
    draft course: every academy page has rows."""
    from creators.models import LessonCompletion
    from tests.factories import CourseFactory, EnrolmentFactory, LessonFactory

    course = CourseFactory(slug="walk-course")
    lessons = [LessonFactory(course=course, position=n) for n in (1, 2)]
    CourseFactory(slug="walk-draft", published=False)
    enrolment = EnrolmentFactory(creator=creator, course=course)
    LessonCompletion.objects.unscoped().create(
        enrolment=enrolment, lesson=lessons[0], completed_at=enrolment.enrolled_at
    )
    return {"course": course, "lesson": lessons[1], "enrolment": enrolment, "creator": creator}


def _academy(row: str, field: str = "pk") -> Callable[[World], dict]:
    return lambda world: {field: getattr(world.academy[row], field)}


def _compliance(row: str) -> Callable[[World], dict]:
    return lambda world: {"pk": world.compliance[row].pk}


def _pk(attribute: str) -> Callable[[World], dict]:
    return lambda world: {"pk": getattr(world, attribute).pk}


#: Route name → its path parameters, from objects of the world of the route's model.
PARAMETERS: dict[str, Callable[[World], dict]] = {
    "tenancy:api_key_revoke": lambda w: {"prefix": w.api_key.prefix},
    "creators:detail": lambda w: {"handle": w.creator.handle},
    "brands:campaign": _pk("campaign"),
    "brands:dashboard_csv": lambda w: {"table": "campaigns"},
    **{
        f"brands:campaign_{suffix}": _pk("campaign")
        for suffix in ("edit", "pause", "resume", "close")
    },
    **{f"api:campaign-{suffix}": _pk("campaign") for suffix in ("pause", "resume", "close")},
    **{
        f"brands:product_{suffix}": lambda w: {"pk": w.collaboration.product_id}
        for suffix in ("edit", "archive", "unarchive")
    },
    "brands:collaboration_transition": _pk("collaboration"),
    "matching:selection_product": lambda w: {"product_id": w.collaboration.product_id},
    "brands:offer_respond": _pk("collaboration"),
    "brands:offer_content": _pk("collaboration"),
    "brands:collaboration_review": _pk("collaboration"),
    "mcn:contract_end": _pk("contract"),
    "mcn:contract_withdraw": _pk("contract"),
    "mcn:portal_contract_accept": _pk("contract"),
    "mcn:portal_contract_decline": _pk("contract"),
    "traffic:run": _pk("run"),
    "mcn:certification_run": _pk("certification_run"),
    "mcn:certification_appeal_decide": _pk("appeal"),
    "traffic:run_status": _pk("run"),
    "traffic:run_publish": _pk("run"),
    "traffic:run_csv": _pk("run"),
    "compliance:case": _compliance("case"),
    "compliance:case_claim": _compliance("case"),
    "compliance:case_decide": _compliance("case"),
    "compliance:appeal_decide": _compliance("appeal"),
    "compliance:appeal_file": _compliance("sanction"),
    "compliance:retrain_status": _compliance("run"),
    "compliance:complaint_rate": lambda w: {
        "kind": "creator",
        "subject_id": w.compliance["rate"].subject_id,
    },
    "compliance:originality_flag": _compliance("flag"),
    "compliance:originality_contest_file": _compliance("flag"),
    "compliance:originality_contest": _compliance("contest"),
    "compliance:originality_contest_decide": _compliance("contest"),
    "api:audit-event-detail": _pk("audit_event"),
    "api:api-key-revoke": lambda w: {"prefix": w.api_key.prefix},
    "api:webhook-detail": _pk("webhook"),
    "api:webhook-deliveries": _pk("webhook"),
    "api:webhook-test": _pk("webhook"),
    **{
        f"api:creator-{suffix}": (lambda w: {"handle": w.creator.handle})
        for suffix in ("detail", "audience", "content", "metrics")
    },
    **{
        f"api:product-{suffix}": lambda w: {"pk": w.collaboration.product_id}
        for suffix in ("detail", "archive", "unarchive")
    },
    "api:campaign-detail": _pk("campaign"),
    **{
        f"api:collaboration-{suffix}": _pk("collaboration")
        for suffix in (
            "detail",
            "accept",
            "decline",
            "submit-content",
            "go-live",
            "review",
            "submissions",
            "complete",
            "cancel",
        )
    },
    **{f"api:order-{suffix}": _pk("order") for suffix in ("detail", "complaints", "refunds")},
    "api:refund-detail": _pk("refund"),
    "api:refund-dispute": _pk("refund"),
    "api:complaint-detail": _pk("complaint"),
    "brands:refund_decide": _pk("refund"),
    "brands:refund_final_decide": _pk("refund"),
    **{
        f"api:agency-{suffix}": lambda w: {"slug": w.contract.organization.slug}
        for suffix in ("detail", "assessments", "what-if")
    },
    "api:contract-detail": _pk("contract"),
    "api:contract-end": _pk("contract"),
    "api:contract-withdraw": _pk("contract"),
    "api:contract-accept": _pk("contract"),
    "api:contract-decline": _pk("contract"),
    "api:matching-product-creators": lambda w: {"product_id": w.collaboration.product_id},
    "api:matching-creator-products": lambda w: {"handle": w.creator.handle},
    "api:creator-lookalikes": lambda w: {"handle": w.creator.handle},
    "api:traffic-run-detail": _pk("run"),
    "creators:incentive_plan": lambda w: {"pk": w.award.plan_id},
    "creators:incentive_milestone": lambda w: {"pk": w.award.milestone_id},
    "creators:incentive_award_revoke": _pk("award"),
    "api:incentive-plan-detail": lambda w: {"pk": w.award.plan_id},
    "api:incentive-milestone-detail": lambda w: {"pk": w.award.milestone_id},
    "api:incentive-award-detail": _pk("award"),
    "api:traffic-run-allocations": _pk("run"),
    "admin:brands_collaboration_change": lambda w: {"object_id": w.collaboration.pk},
    **{
        f"creators:academy_{name}": _academy("course", "slug")
        for name in ("course", "course_edit", "lesson_add", "course_publish")
    },
    **{
        f"creators:academy_{name}": _academy("lesson")
        for name in ("lesson_done", "lesson_edit", "lesson_move")
    },
    "creators:academy_leave": _academy("enrolment"),
    "creators:academy_agency_creator": lambda w: {"handle": w.academy["creator"].handle},
    "api:academy-course-detail": _academy("course", "slug"),
    "api:academy-enrolment-detail": _academy("enrolment"),
}


def fill(route: Route, world: World) -> dict:
    if not route.parameters:
        return {}
    if route.name not in PARAMETERS:
        pytest.fail(f"{route.name} ({route.path}) has parameters the walk cannot fill: add it")
    return PARAMETERS[route.name](world)


def test_every_route_with_parameters_can_be_filled():
    """A new route with a path parameter needs an entry in PARAMETERS (and a stale one goes)."""
    with_parameters = {route.name for route in resolver_routes() if route.parameters}
    assert sorted(with_parameters - set(PARAMETERS)) == [], "routes the walk cannot fill"
    assert sorted(set(PARAMETERS) - with_parameters) == [], "PARAMETERS for unknown routes"


def test_every_route_has_a_name():
    assert [route.path for route in resolver_routes() if not route.name.split(":")[-1]] == []


def visitors(world: World) -> dict[str, Client]:
    """People of each kind, a staff member, a key of each organization kind, and nobody."""
    people = {f"{kind} owner": world.owners[kind] for kind in KINDS}
    people["creator"] = world.creator_user
    people["staff"] = UserFactory(username="walk-staff", is_staff=True, is_superuser=True)
    clients = {"anonymous": Client()}
    for label, user in people.items():
        clients[label] = Client()
        clients[label].force_login(user)
    clients.update({f"{kind} key": client for kind, client in world.key_clients.items()})
    for client in clients.values():
        client.raise_request_exception = False  # a 500 is collected, not raised
    return clients


def plausible(label: str, route: Route) -> bool:
    """Keys only call the API (pages do not take them); only staff uses the admin."""
    if label.endswith(" key"):
        return route.is_api
    if label == "staff":
        return route.name.startswith("admin:")
    return True


def fetch(client: Client, path: str, accept: str) -> tuple[int, str]:
    """The status and, for a 5xx or a failed stream, what went wrong."""
    response = client.get(path, HTTP_ACCEPT=accept)
    if response.status_code >= 500:
        exc_info = getattr(response, "exc_info", None)
        return response.status_code, repr(exc_info[1]) if exc_info else ""
    if response.streaming:
        try:
            b"".join(response.streaming_content)
        except Exception as error:  # the headers went out as 200; the body broke
            return 500, f"while streaming: {error!r}"
    return response.status_code, ""


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_no_route_answers_5xx_to_anyone(accept, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True  # the world's endpoint is on loopback
    world = seed_world()
    routes, clients = resolver_routes(), visitors(world)
    failures, walked = [], 0
    for route in routes:
        path = reverse(route.name, kwargs=fill(route, world))
        for label, client in clients.items():
            if not plausible(label, route):
                continue
            status, problem = fetch(client, path, accept)
            walked += 1
            if status >= 500:
                failures.append(f"{label:>15}  GET {path}  → {status} {problem}")
    assert walked > 400 and len(routes) > 60  # the walk did walk
    assert failures == [], f"{len(failures)} answers ≥ 500 ({accept}):\n" + "\n".join(failures)
