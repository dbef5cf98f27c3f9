"""What is scored where: ingested captions and transcripts (a task after commit), product
claims (a task after the product is saved); clean items open nothing, nothing twice."""

import datetime

import pytest
from django.utils import timezone

from brands.services import product_create
from compliance.models import Case
from creators.ingest import RowErrors, content_items_upsert
from tenancy.scoping import Actor, acting_as
from tests.factories import AUDIENCE, CreatorFactory, OrganizationFactory

from .conftest import BLATANT, CLEAN

pytestmark = pytest.mark.django_db
AXES = ("gender", "age", "city_tier", "interests")


def partner() -> Actor:
    org = OrganizationFactory(kind="partner")
    return Actor(user_id=None, organization_id=org.pk, organization_kind="partner", role="api_key")


def row(creator, external_id, text, kind="live"):
    return {
        "creator": creator.handle,
        "external_id": external_id,
        "kind": kind,
        "title": "直播回放",
        "text": text,
        "published_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "views": 10,
        "engagement": 1,
    }


def test_ingested_transcripts_are_scored_after_commit(django_capture_on_commit_callbacks):
    creator, actor = CreatorFactory(), partner()
    rows = [row(creator, "a", BLATANT), row(creator, "b", CLEAN, kind="video")]
    with acting_as(actor), django_capture_on_commit_callbacks(execute=True) as callbacks:
        content_items_upsert(actor=actor, rows=rows)
    assert len(callbacks) == 2  # the scoring task and the originality indexing task
    (case,) = Case.objects.unscoped().all()
    assert case.source == Case.Source.CONTENT and case.creator_id == creator.pk
    assert case.content_item.external_id == "a" and BLATANT in case.text

    # Ingesting the same item again does not open a second case while the first is open.
    with acting_as(actor), django_capture_on_commit_callbacks(execute=True):
        content_items_upsert(actor=actor, rows=rows)
    assert Case.objects.unscoped().count() == 1


def test_a_refused_upload_scores_nothing(django_capture_on_commit_callbacks):
    creator, actor = CreatorFactory(), partner()
    rows = [row(creator, "a", BLATANT), {**row(creator, "b", CLEAN), "kind": "podcast"}]
    with (
        acting_as(actor),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RowErrors),
    ):
        content_items_upsert(actor=actor, rows=rows)
    assert callbacks == [] and not Case.objects.unscoped().exists()


def test_product_claims_are_scored_each_on_its_own(django_capture_on_commit_callbacks):
    brand = OrganizationFactory(kind="brand")
    actor = Actor(user_id=None, organization_id=brand.pk, organization_kind="brand", role="owner")
    claims = ["补水保湿，质地清爽", "用一次就能祛斑，根治痘痘，效果100%"]
    with acting_as(actor), django_capture_on_commit_callbacks(execute=True):
        product = product_create(
            actor=actor,
            name="面霜",
            category="beauty",
            price="99.00",
            claims=claims,
            **{f"target_{axis}": dict(AUDIENCE[axis]) for axis in AXES},
        )
    (case,) = Case.objects.unscoped().all()
    assert case.source == Case.Source.PRODUCT and case.product_id == product.pk
    assert case.organization_id == brand.pk and case.text == claims[1]
    assert case.category == "medical"
