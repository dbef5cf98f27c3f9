"""Factories for tests. Private rows are created through ``.unscoped()`` managers: a factory
builds fixtures, it does not act for anyone."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from creators.models import Creator
from tenancy.models import Membership, Organization


class UnscopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        manager = super()._get_manager(model_class)
        return manager.unscoped() if hasattr(manager, "unscoped") else manager


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-123")


class OrganizationFactory(UnscopedFactory):
    class Meta:
        model = Organization

    kind = "brand"
    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "owner"


class CreatorFactory(UnscopedFactory):
    class Meta:
        model = Creator

    handle = factory.Sequence(lambda n: f"creator-{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
    vertical = "beauty"
    region = "CN-ZJ"
    city_tier = "t3"
    followers = 50_000
    joined = datetime.date(2024, 3, 1)


AUDIENCE = {
    "gender": {"female": 0.6, "male": 0.4},
    "age": {"18_24": 0.3, "25_30": 0.4, "31_40": 0.3},
    "city_tier": {"t1": 0.1, "t2": 0.2, "t3": 0.3, "t4": 0.2, "t5": 0.2},
    "interests": {"young_mothers": 0.5, "beauty": 0.3, "foodies": 0.2},
}


class AudienceProfileFactory(UnscopedFactory):
    class Meta:
        model = "creators.AudienceProfile"

    creator = factory.SubFactory(CreatorFactory)
    gender = factory.LazyFunction(lambda: dict(AUDIENCE["gender"]))
    age = factory.LazyFunction(lambda: dict(AUDIENCE["age"]))
    city_tier = factory.LazyFunction(lambda: dict(AUDIENCE["city_tier"]))
    interests = factory.LazyFunction(lambda: dict(AUDIENCE["interests"]))


class MetricSnapshotFactory(UnscopedFactory):
    class Meta:
        model = "creators.MetricSnapshot"

    creator = factory.SubFactory(CreatorFactory)
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(weeks=n))
    followers = 50_000
    views = 120_000
    likes = 6_000
    tipping_revenue = Decimal("320.50")
    gmv = Decimal("8800.00")
    orders = 40


class ProductFactory(UnscopedFactory):
    class Meta:
        model = "brands.Product"

    organization = factory.SubFactory(OrganizationFactory, kind="brand")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "beauty"
    price = Decimal("99.00")
    target_gender = factory.LazyFunction(lambda: dict(AUDIENCE["gender"]))
    target_age = factory.LazyFunction(lambda: dict(AUDIENCE["age"]))
    target_city_tier = factory.LazyFunction(lambda: dict(AUDIENCE["city_tier"]))
    target_interests = factory.LazyFunction(lambda: dict(AUDIENCE["interests"]))
    claims = factory.LazyFunction(lambda: ["48-hour no-reason returns"])


class CampaignFactory(UnscopedFactory):
    class Meta:
        model = "brands.Campaign"

    organization = factory.SubFactory(OrganizationFactory, kind="brand")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    objective = "GMV"
    budget = Decimal("100000.00")
    start = datetime.date(2026, 11, 1)
    end = datetime.date(2026, 12, 31)
    status = "active"


class CollaborationFactory(UnscopedFactory):
    class Meta:
        model = "brands.Collaboration"

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SelfAttribute("campaign.organization")
    product = factory.SubFactory(
        ProductFactory, organization=factory.SelfAttribute("..campaign.organization")
    )
    creator = factory.SubFactory(CreatorFactory)
    offer_type = "invitation"
    response_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    fee = Decimal("5000.00")
    commission_pct = Decimal("20.00")
    status = "offered"
    offered_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)


class ContentSubmissionFactory(UnscopedFactory):
    """Content awaiting review (give the collaboration ``status="content_submitted"``)."""

    class Meta:
        model = "brands.ContentSubmission"

    collaboration = factory.SubFactory(CollaborationFactory, status="content_submitted")
    organization = factory.SelfAttribute("collaboration.organization")
    link = factory.Sequence(lambda n: f"https://v.example.com/{n}")
    caption = "Secret caption"
    submitted_at = factory.LazyFunction(timezone.now)
    status = "pending"


class OrderFactory(UnscopedFactory):
    class Meta:
        model = "brands.Order"

    collaboration = factory.SubFactory(CollaborationFactory)
    organization = factory.SelfAttribute("collaboration.organization")
    amount = Decimal("199.00")
    placed_at = factory.LazyFunction(timezone.now)
    external_id = factory.Sequence(lambda n: f"ORD-{n:06d}")


class RefundFactory(UnscopedFactory):
    """A refund row as the lifecycle leaves it (default: awaiting the brand); the order's
    ``refunded_total`` is kept as ``brands.services`` keeps it."""

    class Meta:
        model = "brands.Refund"
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    organization = factory.SelfAttribute("order.organization")
    amount = Decimal("50.00")
    reason = "quality"
    requested_at = factory.LazyFunction(timezone.now)
    status = "pending"
    decision_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=72))

    @factory.post_generation
    def held(self, create, extracted, **kwargs):
        from django.db.models import F

        from brands import refund_rules

        if create and self.status in refund_rules.HOLDING:
            type(self.order).objects.unscoped().filter(pk=self.order_id).update(
                refunded_total=F("refunded_total") + self.amount
            )


class ComplaintFactory(UnscopedFactory):
    class Meta:
        model = "brands.Complaint"

    order = factory.SubFactory(OrderFactory)
    organization = factory.SelfAttribute("order.organization")
    category = "quality"
    filed_at = factory.LazyFunction(timezone.now)


class ContractFactory(UnscopedFactory):
    class Meta:
        model = "mcn.Contract"

    organization = factory.SubFactory(OrganizationFactory, kind="agency")
    creator = factory.SubFactory(CreatorFactory)
    start = datetime.date(2026, 1, 1)
    revenue_share_pct = Decimal("30.00")


class CourseFactory(UnscopedFactory):
    class Meta:
        model = "creators.Course"

    slug = factory.Sequence(lambda n: f"course-{n}")
    track = "content_planning"
    title = factory.Sequence(lambda n: f"Course {n}")
    published = True


class LessonFactory(UnscopedFactory):
    class Meta:
        model = "creators.Lesson"

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    minutes = 10


class EnrolmentFactory(UnscopedFactory):
    class Meta:
        model = "creators.Enrolment"

    creator = factory.SubFactory(CreatorFactory)
    course = factory.SubFactory(CourseFactory)
    enrolled_at = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
