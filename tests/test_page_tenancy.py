"""Every dashboard page is checked for tenant isolation, enumerated from the URL resolver.

The page version of ``tests/test_api_tenancy.py``. Every non-API, non-admin URL pattern with a
path parameter (an id, a handle, a key prefix) needs an entry in PAGES, and every one without a
parameter an entry in SIMPLE_PAGES, or ``test_every_page_route_is_covered`` fails: a new page
cannot ship without saying who may see it.

For an object page, the owning tenant's member sees the object (the positive control: a path
that 404s for everybody must not pass) and an outsider (another tenant of the same kind, or every
other kind for platform-wide objects) gets 404 on GET and on POST with none of the object's data,
and changes nothing. An action (POST only) answers GET with 405 to everybody, member included, so
the method says nothing about the object either. The one public object, a creator profile, shows
its public fields to every tenant and its income only to the creator, its agency and the operator.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from creators.models import Enrolment, Lesson, LessonCompletion
from tenancy.models import Membership
from tenancy.scoping import SYSTEM, Actor, acting_as
from tenancy.services import api_key_create
from tests.factories import (
    CollaborationFactory,
    ContentSubmissionFactory,
    ContractFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrderFactory,
    OrganizationFactory,
    ProductFactory,
    RefundFactory,
    UserFactory,
)
from tests.tenancy_helpers import make_personas

pytestmark = pytest.mark.django_db

KINDS = ("operator", "brand", "agency", "partner", "creator")
ORG_KINDS = KINDS[:-1]
LOGIN = "login"  # expected answer: a redirect to the sign-in page
HTMX = {"HTTP_HX_REQUEST": "true"}  # pages answering htmx with a partial must 404 it all the same
#: Outside the dashboard pages: the API has its own enumeration, the admin its own test.
NOT_PAGES = ("api/", "admin/")


def page_routes() -> dict[str, bool]:
    """``{"namespace:name": has a path parameter}`` for every page pattern of the resolver."""
    routes = {}

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                route = prefix + str(pattern.pattern)
                walk(pattern.url_patterns, route, f"{namespace}:{inner}" if namespace else inner)
            elif not (prefix + str(pattern.pattern)).startswith(NOT_PAGES):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                routes[name] = bool(pattern.pattern.regex.groupindex)

    walk(get_resolver().url_patterns)
    return routes


# --- object pages ---------------------------------------------------------------------------


@dataclass
class Built:
    """One tenant's object behind a route: the URL arguments, what only its owner may read, and
    the row an outsider's POST must leave alone (and an owner's action changes)."""

    args: list
    secrets: list[str]
    row: Model
    done: Callable[[dict], bool] | None = None  # actions: the owner's POST made this change
    shown: list[str] = field(default_factory=list)  # public objects: what every tenant sees


@dataclass(frozen=True)
class Page:
    owner: str  # the kind of tenant owning the object, or "creator" for a creator's login
    build: Callable[[object], Built]  # the owning Organization (or Creator) -> its object
    post: dict | None = None  # an action: POST only, with this body
    public: bool = False  # shown to every tenant; the check is on the private fields
    outsiders: tuple[str, ...] = ()  # platform-wide objects: every other kind is an outsider


def api_key(org) -> Built:
    key, _ = api_key_create(actor=SYSTEM, organization=org, name="Secret shop sync", scopes=[])
    return Built([key.prefix], ["Secret shop sync"], key, done=lambda row: row["revoked"])


def creator_profile(agency) -> Built:
    snapshot = MetricSnapshotFactory(
        creator__agency=agency,
        creator__display_name="Secret Star",
        tipping_revenue=Decimal("4321.09"),
        gmv=Decimal("98765.43"),
    )
    creator = snapshot.creator
    return Built([creator.handle], ["4,321.09", "98,765.43"], creator, shown=["Secret Star"])


def collaboration(org=None, **extra) -> Built:
    """A brand's collaboration; ``org`` None: the owner is the creator given in ``extra``."""
    if org is not None:
        extra["campaign__organization"] = org
    collab = CollaborationFactory(
        campaign__name="Secret launch", product__name="Secret serum", **extra
    )
    secrets = ["Secret launch", "Secret serum"]
    return Built([collab.pk], secrets, collab)


def campaign(org) -> Built:
    built = collaboration(org)
    built.args = [built.row.campaign_id]
    return built


def product(org, archived_at=None, done=None) -> Built:
    row = ProductFactory(organization=org, name="Secret serum", archived_at=archived_at)
    return Built([row.pk], ["Secret serum"], row, done=done)


def product_archived_by(org) -> Built:
    return product(org, done=lambda row: row["archived_at"] is not None)


def product_restored_by(org) -> Built:
    archived = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    return product(org, archived, done=lambda row: row["archived_at"] is None)


def campaign_moved(status: str, to: str) -> Callable[[object], Built]:
    def build(org) -> Built:
        built = campaign(org)
        built.row = built.row.campaign
        type(built.row)._base_manager.filter(pk=built.row.pk).update(status=status)
        built.done = lambda row: row["status"] == to
        return built

    return build


def campaign_row(org) -> Built:
    built = campaign(org)
    built.row, built.secrets = built.row.campaign, ["Secret launch"]
    return built


def brand_cancels(org) -> Built:
    built = collaboration(org)
    built.done = lambda row: row["status"] == "cancelled"
    return built


def brand_approves(org) -> Built:
    built = collaboration(org, status="content_submitted")
    ContentSubmissionFactory(collaboration=built.row)
    built.done = lambda row: row["status"] == "live"
    return built


def creator_content(creator) -> Built:
    return collaboration(creator=creator, status="accepted")


def creator_accepts(creator) -> Built:
    built = collaboration(creator=creator)
    built.done = lambda row: row["status"] == "accepted"
    return built


def open_offer(agency, creator, done: str) -> Built:
    contract = ContractFactory(
        organization=agency,
        creator=creator,
        status="offered",
        offer_expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    # The agency's page names the creator; the creator's names the agency.
    secret = creator.handle if creator.handle.startswith("secret") else agency.name
    return Built([contract.pk], [secret], contract, done=lambda row: row["status"] == done)


def offer_from(agency) -> Built:
    return open_offer(agency, CreatorFactory(handle="secret-suitee"), "withdrawn")


def offer_accepted_by(creator) -> Built:
    suitor = OrganizationFactory(kind="agency", name="Secret Suitor MCN")
    return open_offer(suitor, creator, "active")


def offer_declined_by(creator) -> Built:
    suitor = OrganizationFactory(kind="agency", name="Secret Suitor MCN")
    return open_offer(suitor, creator, "declined")


def agency_contract(agency) -> Built:
    contract = ContractFactory(
        organization=agency, creator__handle="secret-signee", creator__agency=agency
    )
    return Built(
        [contract.pk], ["secret-signee"], contract, done=lambda row: row["status"] == "ended"
    )


def allocation_run(operator_org) -> Built:
    """A succeeded run over one creator; runs are the platform's, not one operator's."""
    from traffic.services import allocation_run_create, allocation_run_execute

    as_of = datetime.date(2026, 3, 28)  # fixed: the suite runs at any hour, date and zone
    MetricSnapshotFactory(creator__handle="secret-ranked", date=as_of - datetime.timedelta(days=3))
    actor = Actor(
        user_id=None,
        organization_id=operator_org.pk,
        organization_kind="operator",
        role="owner",
    )
    with acting_as(actor):
        run = allocation_run_create(actor=actor, pool=987_654, target_gini=0.5, as_of=as_of)
        run = allocation_run_execute(actor=actor, run_id=run.pk)
    return Built([run.pk], ["987,654"], run)


def run_with(secrets: list[str], done=None) -> Callable[[object], Built]:
    def build(operator_org) -> Built:
        built = allocation_run(operator_org)
        built.secrets, built.done = secrets, done
        return built

    return build


NOT_OPERATORS = ("brand", "agency", "partner", "creator")


def incentive_award(operator_org, done=None) -> Built:
    """An award of a plan whose budget only the operator's pages show (plans are the
    platform's); the creator's handle is the ledger's secret."""
    from tests.factories_incentives import AwardFactory

    award = AwardFactory(
        creator__handle="secret-earner",
        milestone__plan__name="Secret plan",
        milestone__plan__budget=Decimal("98765.43"),
        milestone__title="Secret milestone",
    )
    type(award.plan)._base_manager.filter(pk=award.plan_id).update(spent=award.amount)
    return Built([award.pk], ["secret-earner"], award, done=done)


def incentive_plan_page(operator_org) -> Built:
    award = incentive_award(operator_org).row
    return Built([award.plan_id], ["98,765.43", "Secret milestone"], award.plan)


def incentive_milestone_page(operator_org) -> Built:
    award = incentive_award(operator_org).row
    return Built([award.milestone_id], ["Secret milestone", "Secret plan"], award.milestone)


def incentive_award_revoked_by(operator_org) -> Built:
    return incentive_award(operator_org, done=lambda row: row["status"] == "revoked")


def certification_run(operator_org) -> Built:
    """A succeeded cycle over one agency with a creator: runs are the platform's."""
    from mcn.certification import certification_run_create, certification_run_execute

    as_of = datetime.date(2026, 3, 28)
    agency = OrganizationFactory(kind="agency", name="Secret Certified MCN")
    contract = ContractFactory(organization=agency, start=datetime.date(2026, 1, 1))
    MetricSnapshotFactory(creator=contract.creator, date=as_of - datetime.timedelta(days=3))
    with acting_as(SYSTEM):
        run, _ = certification_run_create(actor=SYSTEM, as_of=as_of)
        run = certification_run_execute(actor=SYSTEM, run_id=run.pk)
    return Built([run.pk], ["Secret Certified MCN"], run)


def certification_appeal(operator_org) -> Built:
    """An open appeal of the cycle's agency; the operator's POST rejects it."""
    from mcn.certification import appeal_file
    from mcn.models import AgencyAssessment

    run = certification_run(operator_org).row
    assessment = AgencyAssessment.objects.unscoped().get(
        run=run, organization__name="Secret Certified MCN"
    )
    agency = Actor(
        user_id=None,
        organization_id=assessment.organization_id,
        organization_kind="agency",
        role="owner",
    )
    with acting_as(agency):
        appeal = appeal_file(actor=agency, assessment=assessment, text="Secret appeal text")
    return Built(
        [appeal.pk], ["Secret appeal text"], appeal, done=lambda row: row["status"] == "rejected"
    )


def compliance_case(brand=None, **fields) -> Built:
    """A review case (about the brand's product when given); the text is its secret."""
    from compliance.models import Case

    case = Case.objects.unscoped().create(
        source="product" if brand else "content",
        track="review",
        text="Secret claim: the best serum in the world",
        risk=0.7,
        category="absolute",
        model_probability=0.6,
        model_version="m-walk",
        lexicon_version="lex-walk",
        opened_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC),
        organization=brand,
        **fields,
    )
    return Built([case.pk], ["Secret claim"], case)


def complaint_rate_of(brand) -> Built:
    """The brand's stored complaint rate; its order count is the secret."""
    from compliance.models import ComplaintRateDaily

    row = ComplaintRateDaily.objects.unscoped().create(
        subject_kind="brand", subject_id=brand.pk, date=datetime.date(2026, 6, 30),
        orders=86421, complaints=97, rate=97 / 86421,
    )  # fmt: skip
    return Built(["brand", brand.pk], ["86,421"], row)  # the page groups figures by thousands


def owner_of(org):
    return Membership.objects.unscoped().filter(organization=org, role="owner").first().user


def case_claimed_by(operator_org) -> Built:
    built = compliance_case()
    built.done = lambda row: row["status"] == "claimed"
    return built


def case_decided_by(operator_org) -> Built:
    built = compliance_case(status="claimed", claimed_by=owner_of(operator_org))
    built.done = lambda row: row["status"] == "approved"
    return built


def sanction_of(creator) -> Built:
    """A warning in force on a confirmed case of the creator; its reason is the secret."""
    from compliance.models import Sanction

    case = compliance_case(creator=creator, status="rejected", violation_type="absolute").row
    sanction = Sanction.objects.unscoped().create(
        creator=creator,
        case=case,
        level="warning",
        starts_on=datetime.date(2026, 3, 2),
        reason="Secret sanction reason",
        created_at=datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC),
    )
    return Built(
        [sanction.pk],
        ["Secret sanction reason"],
        sanction,
        done=lambda r: r["status"] == "appealed",
    )


def sanction_appeal(operator_org) -> Built:
    from compliance.models import Appeal

    sanction = sanction_of(CreatorFactory()).row
    appeal = Appeal.objects.unscoped().create(
        sanction=sanction,
        creator_id=sanction.creator_id,
        text="Secret appeal text",
        created_at=datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC),
    )
    return Built(
        [appeal.pk], ["Secret appeal text"], appeal, done=lambda row: row["status"] == "upheld"
    )


def refund_of(org, **fields) -> Built:
    """A refund of ``org``'s order (a new brand's when ``org`` is the operator's)."""
    brand = org if org.kind == "brand" else OrganizationFactory(kind="brand")
    order = OrderFactory(
        collaboration__campaign__organization=brand, external_id=f"SECRET-ORDER-{brand.pk}"
    )
    refund = RefundFactory(order=order, **fields)
    return Built([refund.pk], [order.external_id], refund)


def refund_approved_by(org) -> Built:
    built = refund_of(org)
    built.done = lambda row: row["status"] == "approved"
    return built


def disputed_refund_approved_by(operator_org) -> Built:
    built = refund_of(operator_org, status="disputed", decision_note="Secret brand note")
    built.done = lambda row: row["status"] == "approved" and row["final_decided_at"] is not None
    return built


def retrain_run(operator_org) -> Built:
    from compliance.models import RetrainRun

    run = RetrainRun.objects.unscoped().create(status="failed", error="Secret failure")
    return Built([run.pk], ["Secret failure"], run)


def originality_flag(creator, status: str = "open") -> Built:
    """The creator's item flagged as a copy of another creator's; the copy's text is secret."""
    from compliance.models import OriginalityFlag
    from creators.models import ContentItem

    when = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    source = ContentItem.objects.unscoped().create(
        creator=CreatorFactory(), external_id="page-source", kind="video", title="Source",
        text="Source caption", published_at=when - datetime.timedelta(days=1),
    )  # fmt: skip
    copy = ContentItem.objects.unscoped().create(
        creator=creator, external_id="page-copy", kind="video", title="Copy",
        text="Secret copied caption", published_at=when,
    )  # fmt: skip
    flag = OriginalityFlag.objects.unscoped().create(
        content=copy, creator=creator, source=source, source_creator=source.creator,
        similarity=0.9, status=status, flagged_at=when, updated_at=when,
    )  # fmt: skip
    return Built([flag.pk], ["Secret copied caption"], flag)


def originality_flag_contested_by(creator) -> Built:
    built = originality_flag(creator)
    built.done = lambda row: row["status"] == "contested"
    return built


def originality_contest(creator) -> Built:
    from compliance.models import OriginalityContest

    flag = originality_flag(creator, status="contested").row
    contest = OriginalityContest.objects.unscoped().create(
        flag=flag, creator=creator, statement="Secret contest statement",
        created_at=datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC),
    )  # fmt: skip
    return Built([contest.pk], ["Secret contest statement", "Secret copied caption"], contest)


def originality_contest_decided_by(operator_org) -> Built:
    built = originality_contest(CreatorFactory())
    built.done = lambda row: row["status"] == "upheld"
    return built


def academy_course(lessons: int = 2, **fields):
    from tests.factories import CourseFactory, LessonFactory

    course = CourseFactory(**fields)
    for position in range(1, lessons + 1):
        LessonFactory(course=course, position=position, title=f"Secret lesson {position}")
    return course


def enrolled(creator, lessons: int = 2, done: int = 0, **fields):
    """The creator's enrolment in a fresh published course, its first ``done`` lessons done."""
    from tests.factories import EnrolmentFactory

    course = academy_course(lessons, **fields)
    enrolment = EnrolmentFactory(creator=creator, course=course)
    for lesson in Lesson.objects.unscoped().filter(course=course).order_by("position")[:done]:
        LessonCompletion.objects.unscoped().create(
            enrolment=enrolment, lesson=lesson, completed_at=enrolment.enrolled_at
        )
    return enrolment


def academy_course_of(creator) -> Built:
    """A published course: every creator sees it, only the enrolled one its progress."""
    enrolment = enrolled(creator, done=1, title="Open course")
    course = enrolment.course
    return Built([course.slug], ["1 / 2"], course, shown=["Open course"])


def academy_lesson_done_by(creator) -> Built:
    enrolment = enrolled(creator, lessons=1)
    lesson = Lesson.objects.unscoped().get(course=enrolment.course)
    done = lambda row: row["completed_at"] is not None  # noqa: E731
    return Built([lesson.pk], ["1 / 1"], enrolment, done=done)


def academy_left_by(creator) -> Built:
    enrolment = enrolled(creator, title="Secret leaving course")
    gone = lambda _row: not Enrolment.objects.unscoped().filter(pk=enrolment.pk).exists()  # noqa: E731
    return Built([enrolment.pk], ["Secret leaving course"], creator, done=gone)


def academy_draft(operator_org, done=None) -> Built:
    course = academy_course(lessons=1, title="Secret draft course", published=False)
    return Built([course.slug], ["Secret draft course"], course, done=done)


def academy_lesson_added_by(operator_org) -> Built:
    from creators.models import Lesson

    built = academy_draft(operator_org)
    built.done = lambda _row: Lesson.objects.unscoped().filter(title="Secret added").exists()
    return built


def academy_published_by(operator_org) -> Built:
    return academy_draft(operator_org, done=lambda row: row["published"])


def academy_lesson(operator_org) -> Built:
    course = academy_course(lessons=2, title="Secret draft course", published=False)
    lesson = Lesson.objects.unscoped().get(course=course, position=2)
    moved = lambda row: row["position"] == 1  # noqa: E731
    return Built([lesson.pk], ["Secret lesson 2"], lesson, done=moved)


def academy_trainee(agency) -> Built:
    trainee = CreatorFactory(agency=agency, handle="secret-trainee")
    enrolled(trainee, done=1)
    return Built([trainee.handle], ["secret-trainee", "1 / 2"], trainee)


PAGES = {
    "tenancy:api_key_revoke": Page("partner", api_key, post={}),
    "creators:detail": Page("agency", creator_profile, public=True),
    "brands:campaign": Page("brand", campaign),
    "brands:product_edit": Page("brand", product),
    "matching:selection_product": Page("brand", product),
    "brands:campaign_edit": Page("brand", campaign_row),
    "brands:campaign_pause": Page("brand", campaign_moved("active", "paused"), post={}),
    "brands:campaign_resume": Page("brand", campaign_moved("paused", "active"), post={}),
    "brands:campaign_close": Page("brand", campaign_moved("active", "completed"), post={}),
    "brands:product_archive": Page("brand", product_archived_by, post={}),
    "brands:product_unarchive": Page("brand", product_restored_by, post={}),
    "brands:collaboration_transition": Page("brand", brand_cancels, post={"to": "cancelled"}),
    "brands:offer_respond": Page("creator", creator_accepts, post={"to": "accepted"}),
    "brands:offer_content": Page("creator", creator_content),
    "brands:collaboration_review": Page("brand", brand_approves, post={"decision": "approve"}),
    "brands:refund_decide": Page("brand", refund_approved_by, post={"decision": "approve"}),
    "brands:refund_final_decide": Page(
        "operator",
        disputed_refund_approved_by,
        post={"decision": "approve"},
        outsiders=NOT_OPERATORS,
    ),
    "mcn:contract_end": Page(
        "agency", agency_contract, post={"end": "2026-06-30", "reason": "Secret reason"}
    ),
    "mcn:contract_withdraw": Page("agency", offer_from, post={}),
    "mcn:portal_contract_accept": Page("creator", offer_accepted_by, post={}),
    "mcn:portal_contract_decline": Page("creator", offer_declined_by, post={}),
    "traffic:run": Page("operator", allocation_run, outsiders=NOT_OPERATORS),
    "mcn:certification_run": Page("operator", certification_run, outsiders=NOT_OPERATORS),
    "mcn:certification_appeal_decide": Page(
        "operator",
        certification_appeal,
        post={"decision": "reject", "reason": "Secret reason"},
        outsiders=NOT_OPERATORS,
    ),
    "traffic:run_status": Page(
        "operator", run_with(['data-status="succeeded"']), outsiders=NOT_OPERATORS
    ),
    "traffic:run_csv": Page("operator", run_with(["secret-ranked"]), outsiders=NOT_OPERATORS),
    "compliance:case": Page("brand", compliance_case),
    "compliance:case_claim": Page("operator", case_claimed_by, post={}, outsiders=NOT_OPERATORS),
    "compliance:case_decide": Page(
        "operator", case_decided_by, post={"decision": "approve"}, outsiders=NOT_OPERATORS
    ),
    "compliance:appeal_decide": Page(
        "operator", sanction_appeal, post={"decision": "uphold"}, outsiders=NOT_OPERATORS
    ),
    "compliance:retrain_status": Page("operator", retrain_run, outsiders=NOT_OPERATORS),
    "compliance:appeal_file": Page("creator", sanction_of, post={"text": "Secret appeal"}),
    "compliance:complaint_rate": Page("brand", complaint_rate_of),
    "compliance:originality_flag": Page("creator", originality_flag),
    "compliance:originality_contest": Page("creator", originality_contest),
    "compliance:originality_contest_file": Page(
        "creator", originality_flag_contested_by, post={"statement": "Secret statement"}
    ),
    "compliance:originality_contest_decide": Page(
        "operator",
        originality_contest_decided_by,
        post={"decision": "upheld", "note": "Secret note"},
        outsiders=NOT_OPERATORS,
    ),
    "traffic:run_publish": Page(
        "operator",
        run_with(["987,654"], done=lambda row: row["published"]),
        post={},
        outsiders=NOT_OPERATORS,
    ),
    # The academy: a published course is every creator's to read (its progress the enrolled
    # one's); lessons are marked and courses left by their creator; drafts, lessons and
    # publishing are the operator's; a signed creator's training its agency's.
    "creators:academy_course": Page("creator", academy_course_of, public=True),
    "creators:academy_lesson_done": Page("creator", academy_lesson_done_by, post={}),
    "creators:academy_leave": Page("creator", academy_left_by, post={}),
    "creators:academy_course_edit": Page("operator", academy_draft, outsiders=NOT_OPERATORS),
    "creators:academy_lesson_add": Page(
        "operator",
        academy_lesson_added_by,
        post={"title": "Secret added", "minutes": "5"},
        outsiders=NOT_OPERATORS,
    ),
    "creators:academy_course_publish": Page(
        "operator", academy_published_by, post={"published": "1"}, outsiders=NOT_OPERATORS
    ),
    "creators:academy_lesson_edit": Page("operator", academy_lesson, outsiders=NOT_OPERATORS),
    "creators:academy_lesson_move": Page(
        "operator", academy_lesson, post={"direction": "up"}, outsiders=NOT_OPERATORS
    ),
    "creators:academy_agency_creator": Page("agency", academy_trainee),
    "creators:incentive_plan": Page("operator", incentive_plan_page, outsiders=NOT_OPERATORS),
    "creators:incentive_milestone": Page(
        "operator", incentive_milestone_page, outsiders=NOT_OPERATORS
    ),
    "creators:incentive_award_revoke": Page(
        "operator",
        incentive_award_revoked_by,
        post={"reason": "Secret reason"},
        outsiders=NOT_OPERATORS,
    ),
}


def login_of(kind: str):
    """A user acting as a fresh tenant of ``kind`` (its owner), or as a fresh creator."""
    if kind == "creator":
        return CreatorFactory(user=UserFactory()).user
    return MembershipFactory(organization=OrganizationFactory(kind=kind), role="owner").user


def owner_and_outsiders(case: Page):
    """The owning tenant, its member's login, and the outsiders' logins."""
    if case.owner == "creator":
        tenant = CreatorFactory(user=UserFactory())
        member, outsiders = tenant.user, [login_of("creator")]
    else:
        personas = make_personas(case.owner)
        tenant, member, outsiders = personas.tenant, personas.member, [personas.outsider]
    if case.outsiders:
        outsiders = [login_of(kind) for kind in case.outsiders]
    return tenant, member, outsiders


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def state_of(row: Model) -> dict:
    """The row as the database holds it now (the base manager: no actor, no scoping)."""
    return type(row)._base_manager.filter(pk=row.pk).values().get()


def assert_sees(response, secrets, path):
    assert response.status_code == 200, f"{path} gave {response.status_code} to its owner"
    body = body_of(response)
    for secret in secrets:
        assert secret in body, f"{path} does not show {secret!r} to its owner"


def assert_hides(response, secrets, what):
    body = body_of(response)
    for secret in secrets:
        assert secret not in body, f"{what} leaked {secret!r}"


def assert_outsider_refused(client, case: Page, built: Built, path: str, headers: dict):
    """404 on GET (405 on an action's GET, as for everybody) and on POST, with none of the
    object's private data; a public page shows the outsider its public part only."""
    what = f"{path} {headers or ''}"
    got = client.get(path, **headers)
    if case.public:
        assert_sees(got, built.shown, what)
    else:
        expected = 404 if case.post is None else 405
        assert got.status_code == expected, f"GET {what}: {got.status_code} to an outsider"
    assert_hides(got, built.secrets, f"GET {what}")
    posted = client.post(path, case.post or {}, **headers)
    if not case.public:
        assert posted.status_code == 404, f"POST {what}: {posted.status_code} to an outsider"
    assert_hides(posted, built.secrets, f"POST {what}")


def assert_owner_served(client, case: Page, built: Built, path: str):
    """The positive control: the owner sees the object, or its action redirects and acts."""
    if case.post is None:
        assert_sees(client.get(path), built.shown + built.secrets, path)
        return
    assert client.get(path).status_code == 405  # the answer the outsider had
    response = client.post(path, case.post, follow=True)
    assert response.redirect_chain, f"POST {path} did not redirect its owner"
    assert_sees(response, built.secrets, path)
    assert built.done(state_of(built.row)), f"the owner's POST to {path} changed nothing"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_outsider_gets_404_and_changes_nothing_while_the_owner_sees_it(name):
    case = PAGES[name]
    tenant, member, outsiders = owner_and_outsiders(case)
    built = case.build(tenant)
    path = reverse(name, args=built.args)
    before = state_of(built.row)
    for outsider, headers in itertools.product(outsiders, ({}, HTMX)):
        assert_outsider_refused(client_of(outsider), case, built, path, headers)
        assert state_of(built.row) == before, f"an outsider's POST to {path} changed the row"
    assert_owner_served(client_of(member), case, built, path)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_sign_in_and_changes_nothing(name):
    case = PAGES[name]
    tenant, _member, _outsiders = owner_and_outsiders(case)
    built = case.build(tenant)
    path = reverse(name, args=built.args)
    before = state_of(built.row)
    response = Client().post(path, case.post or {})
    assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    if case.post is None:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    assert state_of(built.row) == before


def missing(args: list) -> list:
    """URL arguments that name no object at all."""
    return [2**31 - 1 if isinstance(arg, int) else "no-such-object" for arg in args]


def org_outsiders(case: Page) -> list[str]:
    """The outsider kinds that have a read-only role (a creator login has none)."""
    return [kind for kind in case.outsiders or (case.owner,) if kind != "creator"]


@pytest.mark.parametrize(
    "name", sorted(n for n, case in PAGES.items() if org_outsiders(case) and not case.public)
)
def test_a_read_only_outsider_cannot_tell_the_object_exists(name):
    """A viewer elsewhere is refused a write before any lookup (403 for a read-only role):
    then it must be the answer for an id that names nothing, and change nothing."""
    case = PAGES[name]
    tenant, _member, _outsiders = owner_and_outsiders(case)
    built = case.build(tenant)
    before = state_of(built.row)
    for kind in org_outsiders(case):
        client = client_of(MembershipFactory(organization__kind=kind, role="viewer").user)
        for method in ("get", "post"):
            send = getattr(client, method)
            existing = send(reverse(name, args=built.args), case.post or {})
            nothing = send(reverse(name, args=missing(built.args)), case.post or {})
            assert existing.status_code == nothing.status_code != 200, (name, kind, method)
            assert_hides(existing, built.secrets, f"{method.upper()} {name} to a {kind} viewer")
    assert state_of(built.row) == before


def test_public_profile_shows_income_only_to_the_creator_its_agency_and_the_operator():
    agency = OrganizationFactory(kind="agency")
    built = PAGES["creators:detail"].build(agency)
    creator = built.row
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    path = reverse("creators:detail", args=built.args)
    private = [MembershipFactory(organization=agency).user, login_of("operator"), creator.user]
    for user in private:
        assert_sees(client_of(user).get(path), built.shown + built.secrets, path)
    for kind in ("agency", "brand", "partner"):  # another agency: same kind, other tenant
        response = client_of(login_of(kind)).get(path)
        assert_sees(response, built.shown, path)
        assert_hides(response, built.secrets, f"{path} to a {kind}")
        assert "Income figures are shown only to" in body_of(response)
    other_creator = client_of(login_of("creator"))  # creators do not browse each other
    for response in (other_creator.get(path), other_creator.post(path)):
        assert response.status_code == 404
        assert_hides(response, built.shown + built.secrets, f"{path} to another creator")


# --- pages without a parameter --------------------------------------------------------------


def only(*kinds: str) -> dict:
    """A page for ``kinds``: 200 to them, 404 to every other kind, sign-in to the anonymous."""
    return {"anonymous": LOGIN, **{kind: 200 if kind in kinds else 404 for kind in KINDS}}


def everyone(status, anonymous=None) -> dict:
    return {"anonymous": status if anonymous is None else anonymous, **dict.fromkeys(KINDS, status)}


@dataclass(frozen=True)
class Simple:
    answers: dict  # persona ("anonymous" or a kind) -> status code, or LOGIN
    method: str = "get"
    data: Callable[[str], dict] | None = None  # the POST body, given the persona's context


def yesterday() -> str:  # the last day a report may describe, as the form checks it
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


BENEFITS = {f"{field}_{tier}": "1" for tier in "SAB" for field in ("impressions", "priority")}

SIMPLE_PAGES = {
    "tenancy:home": Simple(everyone(302, anonymous=LOGIN)),  # each kind to its own home
    "tenancy:login": Simple(everyone(302, anonymous=200)),  # signed in: on to the home
    "tenancy:logout": Simple(everyone(302), method="post"),
    "tenancy:switch": Simple(
        everyone(302, anonymous=LOGIN), method="post", data=lambda context: {"context": context}
    ),
    "tenancy:api_keys": Simple(only(*ORG_KINDS)),
    "creators:directory": Simple(only(*ORG_KINDS)),
    "creators:portal": Simple(only("creator")),
    "creators:academy": Simple(only("creator")),
    # POST: a course that does not exist is refused on the page (400); other kinds 404.
    "creators:academy_enrol": Simple(
        {**only("creator"), "creator": 400}, method="post", data=lambda _: {"course": "no-such"}
    ),
    "creators:academy_manage": Simple(only("operator")),
    "creators:academy_course_new": Simple(only("operator")),
    "creators:academy_agency": Simple(only("agency")),
    "creators:growth_effect": Simple(only("operator")),
    "brands:dashboard": Simple(only("brand")),
    "brands:campaigns": Simple(only("brand")),
    "brands:products": Simple(only("brand")),
    "brands:campaign_new": Simple(only("brand")),
    "brands:product_new": Simple(only("brand")),
    "brands:offer_new": Simple(only("brand")),
    "brands:offers": Simple(only("creator")),
    "brands:reviews": Simple(only("brand")),
    "brands:refunds": Simple(only("brand")),
    "brands:refund_disputes": Simple(only("operator")),
    "brands:my_refunds": Simple(only("creator")),
    "mcn:tier": Simple(only("agency")),
    "mcn:tier_what_if": Simple(only("agency")),  # GET: the form (a fresh agency: none yet)
    # POST: a fresh agency has no assessment to appeal (400); other kinds 404.
    "mcn:tier_appeal": Simple(
        {**only("agency"), "agency": 400}, method="post", data=lambda _: {"text": "Why?"}
    ),
    "mcn:roster": Simple(only("agency")),
    "mcn:portal_contracts": Simple(only("creator")),
    "matching:selection": Simple(only("brand")),
    "matching:selection_target": Simple(only("brand")),
    "matching:portal_products": Simple(only("creator")),
    "traffic:runs": Simple(only("operator")),
    "traffic:my_traffic": Simple(only("creator")),
    "creators:incentive_plans": Simple(only("operator")),
    "creators:incentive_awards": Simple(only("operator")),
    "creators:incentive_runs": Simple(only("operator")),
    "creators:my_awards": Simple(only("creator")),
    "creators:agency_awards": Simple(only("agency")),
    "analytics:operator_home": Simple(only("operator")),
    "analytics:report": Simple(only("operator")),
    # POST: a day that has ended is asked for (302 to the page following it); others 404.
    "analytics:report_compute": Simple(
        {**only("operator"), "operator": 302}, method="post", data=lambda _: {"as_of": yesterday()}
    ),
    "analytics:report_status": Simple({**only("operator"), "operator": 400}),  # no report named
    # No report cached yet: back to the page with a message.
    "analytics:report_csv": Simple({**only("operator"), "operator": 302}),
    "analytics:report_xlsx": Simple({**only("operator"), "operator": 302}),
    "analytics:agency": Simple(only("agency")),
    "mcn:certification_runs": Simple(only("operator")),
    "mcn:certification_appeals": Simple(only("operator")),
    "mcn:certification_policy": Simple(only("operator")),
    "mcn:certification_concentration": Simple(only("operator")),
    "mcn:certification_benefits": Simple(
        {**only("operator"), "operator": 302}, method="post", data=lambda _: BENEFITS
    ),
    "compliance:queue": Simple(only("operator")),
    "compliance:appeals": Simple(only("operator")),
    "compliance:policy": Simple(only("operator")),
    "compliance:model": Simple(only("operator")),
    "compliance:figures": Simple(only("operator")),
    # POST: a retraining is requested (and enqueued after commit); other kinds 404.
    "compliance:retrain": Simple({**only("operator"), "operator": 302}, method="post"),
    "compliance:mine": Simple(only("creator")),
    "compliance:violations": Simple(only("agency")),
    "compliance:complaint_rates": Simple(only("operator", "brand", "agency", "creator")),
    "compliance:originality_flags": Simple(only("operator")),
    "compliance:originality_contests": Simple(only("operator")),
    "compliance:originality_trends": Simple(only("operator")),
    "compliance:originality_mine": Simple(only("creator")),
    "compliance:originality_agency": Simple(only("agency")),
    "set_language": Simple(everyone(302), method="post", data=lambda _: {"language": "en"}),
    "healthz": Simple(everyone(200)),
}


#: Pages whose path parameter picks a view of the signed-in tenant's own data, not an object:
#: route name → (its URL arguments, a builder of the owner's secret rows → what they show).
OWN_DATA_PAGES = {
    "brands:dashboard_csv": (["campaigns"], lambda org: [campaign(org).secrets[0]]),
}


@pytest.mark.parametrize("name", sorted(OWN_DATA_PAGES))
def test_own_data_page_shows_each_tenant_only_its_own_rows(name):
    """The owner sees its rows; another tenant of the kind gets its own (none of the owner's);
    every other kind 404, the anonymous the sign-in page; an unknown view of it 404."""
    args, build = OWN_DATA_PAGES[name]
    personas = make_personas("brand")
    secrets = build(personas.tenant)
    path = reverse(name, args=args)
    assert_sees(client_of(personas.member).get(path), secrets, path)
    other = client_of(personas.outsider).get(path)
    assert other.status_code == 200
    assert_hides(other, secrets, f"{path} to another brand")
    for kind in ("operator", "agency", "partner", "creator"):
        response = client_of(login_of(kind)).get(path)
        assert response.status_code == 404, f"{path} gave {response.status_code} to a {kind}"
        assert_hides(response, secrets, f"{path} to a {kind}")
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    unknown = reverse(name, args=missing(args))
    assert client_of(personas.member).get(unknown).status_code == 404


def test_every_page_route_is_covered():
    routes = page_routes()
    assert {name for name, has_parameter in routes.items() if has_parameter} == set(PAGES) | set(
        OWN_DATA_PAGES
    )
    assert {name for name, has_parameter in routes.items() if not has_parameter} == set(
        SIMPLE_PAGES
    )


def persona(kind: str):
    """``(client, switcher context)`` for ``kind``; the anonymous have neither login nor context."""
    if kind == "anonymous":
        return Client(), ""
    user = login_of(kind)
    membership = Membership.objects.unscoped().filter(user=user).first()
    context = "creator" if kind == "creator" else str(membership.organization_id)
    return client_of(user), context


@pytest.mark.parametrize("name", sorted(SIMPLE_PAGES))
def test_page_answers_its_kinds_and_404s_the_others(name):
    case = SIMPLE_PAGES[name]
    path = reverse(name)
    for who, expected in case.answers.items():
        client, context = persona(who)
        data = case.data(context) if case.data else {}
        response = getattr(client, case.method)(path, data)
        if expected == LOGIN:
            assert response.status_code == 302, f"{path} gave {response.status_code} to {who}"
            assert response["Location"].startswith("/login/"), f"{path} sent {who} elsewhere"
        else:
            assert response.status_code == expected, f"{path} gave {response.status_code} to {who}"
