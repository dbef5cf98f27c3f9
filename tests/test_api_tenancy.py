"""Every API route that names an object is checked for tenant isolation.

The routes are enumerated from the URL resolver, so a new route without an entry in ROUTES
fails ``test_every_object_route_is_covered``. Private objects: the owning tenant sees them, an
outsider of the same kind gets 404 with none of their data (and a POST changes nothing).
Public objects (creators, agencies) are shared by design; for them the check is that the
outsider does not see the private fields.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

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
    MembershipFactory,
    MetricSnapshotFactory,
    OrderFactory,
    ProductFactory,
    RefundFactory,
)
from tests.tenancy_helpers import assert_only_tenant_sees, assert_outsider_gets_404, make_personas
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    kind: str  # the tenant kind that owns the object
    method: str = "get"
    public: bool = False
    outsider_kind: str | None = None  # platform-level objects: the outsider is another kind


def object_route_names() -> set[str]:
    names = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (
                isinstance(pattern, URLPattern)
                and (prefix + str(pattern.pattern)).startswith("api/v1/")
                and pattern.pattern.regex.groupindex
            ):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


ROUTES = {
    "audit-event-detail": Case("brand"),
    "api-key-revoke": Case("brand", "post"),
    "webhook-detail": Case("partner"),
    "webhook-deliveries": Case("partner"),
    "webhook-test": Case("partner", "post"),
    "creator-detail": Case("agency", public=True),
    "creator-metrics": Case("agency", public=True),
    "creator-audience": Case("agency", public=True),
    "creator-content": Case("agency", public=True),
    "product-detail": Case("brand"),
    "product-archive": Case("brand", "post"),
    "product-unarchive": Case("brand", "post"),
    "campaign-detail": Case("brand"),
    **{f"campaign-{a}": Case("brand", "post") for a in ("pause", "resume", "close")},
    "collaboration-detail": Case("brand"),
    **{
        f"collaboration-{a}": Case("brand", "post")
        for a in (
            "accept",
            "decline",
            "submit-content",
            "go-live",
            "review",
            "complete",
            "cancel",
        )
    },
    "collaboration-submissions": Case("brand"),
    "order-detail": Case("brand"),
    "order-refunds": Case("brand", "post"),
    "order-complaints": Case("brand", "post"),
    "refund-detail": Case("brand"),
    "refund-dispute": Case("brand", "post"),
    "complaint-detail": Case("brand"),
    "agency-detail": Case("agency", public=True),
    # The agency is public, its assessments are not: another agency gets 404 (so does a brand;
    # the operator and partners read them: tests/mcn/test_certification_api.py).
    "agency-assessments": Case("agency"),
    "agency-what-if": Case("agency", "post"),
    "contract-detail": Case("agency"),
    "contract-end": Case("agency", "post"),
    # Offers: the agency withdraws, the creator (its own session) accepts or declines; an
    # outsider agency finds none of them.
    "contract-withdraw": Case("agency", "post"),
    "contract-accept": Case("agency", "post"),
    "contract-decline": Case("agency", "post"),
    # The selection centre: a brand's product's matches are its own; a creator's product fits
    # are the creator's, its agency's and the operator's; lookalikes are public fields.
    "matching-product-creators": Case("brand"),
    "matching-creator-products": Case("agency"),
    "creator-lookalikes": Case("agency", public=True),
    # The academy: courses are public to signed-in callers, an enrolment is the creator's, its
    # agency's and the operator's.
    "academy-course-detail": Case("agency", public=True),
    "academy-enrolment-detail": Case("agency"),
    "traffic-run-detail": Case("operator", outsider_kind="brand"),
    "traffic-run-allocations": Case("operator", outsider_kind="brand"),
    # The incentive plan: plans and milestones are public rules (the budget is the operator's);
    # an award is its creator's, its agency's and the operator's: another agency gets 404.
    "incentive-plan-detail": Case("operator", public=True, outsider_kind="brand"),
    "incentive-milestone-detail": Case("operator", public=True, outsider_kind="brand"),
    "incentive-award-detail": Case("agency"),
}


def test_every_object_route_is_covered():
    assert object_route_names() == set(ROUTES)


def traffic_run(operator):
    """A succeeded allocation run over one creator (runs belong to the platform operator)."""
    from traffic.services import allocation_run_create, allocation_run_execute

    MetricSnapshotFactory(date=datetime.date.today() - datetime.timedelta(days=3))
    with acting_as(operator):
        run = allocation_run_create(actor=operator, pool=987_654, target_gini=0.5)
        return allocation_run_execute(actor=operator, run_id=run.pk)


def assessed(agency) -> None:
    """A certification cycle that assessed ``agency`` (one signed creator), its tier overridden
    with a reason only those who may read its assessments should see."""
    from mcn.models import AgencyAssessment, CertificationRun
    from tests.mcn.test_certification import AS_OF, run_cycle, signed

    signed(agency)
    # A cycle of its own (a cycle is a policy and a day): the other tenant's is another one.
    earlier = datetime.timedelta(days=CertificationRun.objects.unscoped().count())
    run = run_cycle(AS_OF - earlier)
    AgencyAssessment.objects.unscoped().filter(run=run, organization=agency).update(
        override_tier="A", override_reason="secret-override"
    )


def match_index() -> None:
    from matching.services import match_index_build

    with acting_as(SYSTEM):
        match_index_build(actor=SYSTEM)


def matching_object(name: str, tenant):
    """A matched pair the tenant may see: its product's creators, its signed creator's
    products, its signed creator's lookalikes; an index built over them."""
    handle = f"secret-match-{tenant.pk}"
    if name == "matching-product-creators":
        product = ProductFactory(organization=tenant)
        AudienceProfileFactory(creator__handle=handle)
        match_index()
        return f"/api/v1/matching/products/{product.pk}/creators/", [handle]
    creator = CreatorFactory(handle=handle, agency=tenant)
    AudienceProfileFactory(creator=creator)
    AudienceProfileFactory()  # someone to look alike
    ProductFactory(organization=CampaignFactory().organization, name="Secret offer")
    match_index()
    if name == "matching-creator-products":
        return f"/api/v1/matching/creators/{handle}/products/", ["Secret offer"]
    return f"/api/v1/creators/{handle}/lookalikes/", [tenant.slug]


def incentive_object(name: str, tenant):
    """A plan's milestone (its budget is the secret: the operator's only) or an award of the
    agency's signed creator."""
    from tests.factories_incentives import AwardFactory

    if name == "incentive-award-detail":
        award = AwardFactory(creator__agency=tenant, creator__handle=f"secret-earner-{tenant.pk}")
        return f"/api/v1/incentives/awards/{award.pk}/", ["secret-earner"]
    award = AwardFactory(milestone__plan__budget="98765.43")
    if name == "incentive-plan-detail":
        return f"/api/v1/incentives/plans/{award.plan_id}/", ["98765.43"]
    return f"/api/v1/incentives/milestones/{award.milestone_id}/", []


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def owned_object(name: str, tenant):
    """A path to tenant's object for route ``name`` and strings that identify its data."""
    actor_of = {
        "user_id": None,
        "organization_id": tenant.pk,
        "organization_kind": tenant.kind,
        "role": "owner",
    }

    owner = Actor(**actor_of)
    if name == "audit-event-detail":
        event = audit_event_record(actor=owner, action="secret.action")
        return f"/api/v1/audit-events/{event.pk}/", ["secret.action"]
    if name == "api-key-revoke":
        key, _ = api_key_create(actor=SYSTEM, organization=tenant, name="k", scopes=[])
        return f"/api/v1/api-keys/{key.prefix}/revoke/", [key.prefix]
    if name.startswith("webhook-"):
        endpoint, _ = webhook_endpoint_create(
            actor=owner,
            url="http://127.0.0.1:9/secret-hook",
            events=["collaboration.status_changed"],
        )
        suffix = {
            "webhook-detail": "",
            "webhook-deliveries": "deliveries/",
            "webhook-test": "test/",
        }[name]
        shown = [] if name == "webhook-deliveries" else ["secret-hook"]  # a list of deliveries
        return f"/api/v1/webhooks/{endpoint.pk}/{suffix}", shown
    if name.startswith("creator-"):
        snapshot = MetricSnapshotFactory(creator__agency=tenant, gmv="98765.43")
        AudienceProfileFactory(creator=snapshot.creator)
        suffix = name.removeprefix("creator-").replace("detail", "")
        return f"/api/v1/creators/{snapshot.creator.handle}/{suffix + '/' if suffix else ''}", [
            "98765.43" if suffix == "metrics" else tenant.slug
        ]
    if name == "agency-detail":
        ContractFactory(organization=tenant)
        return f"/api/v1/agencies/{tenant.slug}/", []
    if name in ("agency-assessments", "agency-what-if"):
        assessed(tenant)
        suffix = name.removeprefix("agency-")
        return f"/api/v1/agencies/{tenant.slug}/{suffix}/", ["secret-override"]
    if name == "academy-course-detail":
        course = CourseFactory(slug=f"course-of-{tenant.pk}")
        return f"/api/v1/academy/courses/{course.slug}/", []
    if name == "academy-enrolment-detail":
        trainee = CreatorFactory(handle=f"secret-trainee-{tenant.pk}", agency=tenant)
        enrolment = EnrolmentFactory(creator=trainee)
        return f"/api/v1/academy/enrolments/{enrolment.pk}/", [trainee.handle]
    if name.startswith("matching-") or name == "creator-lookalikes":
        return matching_object(name, tenant)
    if name.startswith("traffic-run-"):
        run = traffic_run(owner)
        suffix = "allocations/" if name.endswith("allocations") else ""
        return f"/api/v1/traffic/runs/{run.pk}/{suffix}", [str(run.pool)]
    if name.startswith("incentive-"):
        return incentive_object(name, tenant)
    if name.startswith("contract-"):
        action = name.removeprefix("contract-")
        until = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
        offer = {"status": "offered", "offer_expires_at": until}
        terms = offer if action in ("withdraw", "accept", "decline") else {}
        contract = ContractFactory(
            organization=tenant, creator__handle=f"secret-signee-{tenant.pk}", **terms
        )
        suffix = "" if action == "detail" else f"{action}/"
        return f"/api/v1/contracts/{contract.pk}/{suffix}", ["secret-signee"]
    collab = CollaborationFactory(
        campaign__organization=tenant, campaign__name="Secret launch", product__name="Secret serum"
    )
    order = OrderFactory(collaboration=collab, external_id="SECRET-ORDER")
    if name.startswith("refund-"):
        refund = RefundFactory(order=order, status="rejected", decision_note="Secret note")
        suffix = "dispute/" if name == "refund-dispute" else ""
        return f"/api/v1/refunds/{refund.pk}/{suffix}", ["SECRET-ORDER", "Secret note"]
    if name == "complaint-detail":
        complaint = ComplaintFactory(order=order)
        return f"/api/v1/complaints/{complaint.pk}/", ["SECRET-ORDER"]
    if name == "collaboration-submissions":
        ContentSubmissionFactory(collaboration=collab, caption="Secret caption")
        return f"/api/v1/collaborations/{collab.pk}/submissions/", ["Secret caption"]
    paths = {
        "product-detail": (f"/api/v1/products/{collab.product_id}/", ["Secret serum"]),
        "campaign-detail": (f"/api/v1/campaigns/{collab.campaign_id}/", ["Secret launch"]),
        "collaboration-detail": (f"/api/v1/collaborations/{collab.pk}/", [collab.creator.handle]),
        "order-detail": (f"/api/v1/orders/{order.pk}/", ["SECRET-ORDER"]),
        "order-refunds": (f"/api/v1/orders/{order.pk}/refunds/", ["SECRET-ORDER"]),
        "order-complaints": (f"/api/v1/orders/{order.pk}/complaints/", ["SECRET-ORDER"]),
    }
    if name in ("campaign-pause", "campaign-resume", "campaign-close"):
        action = name.removeprefix("campaign-")
        return f"/api/v1/campaigns/{collab.campaign_id}/{action}/", ["Secret launch"]
    if name in ("product-archive", "product-unarchive"):
        return f"/api/v1/products/{collab.product_id}/{name.removeprefix('product-')}/", [
            "Secret serum"
        ]
    if name.startswith("collaboration-") and name != "collaboration-detail":
        action = name.removeprefix("collaboration-")
        return f"/api/v1/collaborations/{collab.pk}/{action}/", [collab.creator.handle]
    return paths[name]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_outsider_gets_404_or_only_public_fields(name, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True  # the test endpoints are on loopback
    case = ROUTES[name]
    personas = make_personas(case.kind)
    if case.outsider_kind:
        personas.outsider = MembershipFactory(organization__kind=case.outsider_kind).user
    path, secrets = owned_object(name, personas.tenant)
    member, outsider = session(personas.member), session(personas.outsider)
    if case.public:
        response = outsider.get(path)
        assert response.status_code in (200, 404)
        for secret in secrets:
            assert secret not in response.content.decode(), f"{path} leaked {secret}"
        assert member.get(path).status_code == 200
    elif case.method == "get":
        assert_only_tenant_sees(member, outsider, path, secrets=secrets)
    else:
        assert_outsider_gets_404(outsider, path, secrets=secrets, method="post", data={})
