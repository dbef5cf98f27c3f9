"""seed_demo writes a calibrated world into the database: the figures come from the rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Case, Count, DecimalField, F, Sum, When

from brands.models import Campaign, Collaboration, Complaint, ContentSubmission, Order
from creators.models import (
    AudienceProfile,
    Course,
    Creator,
    Enrolment,
    LessonCompletion,
    MetricSnapshot,
)
from mcn.models import Contract
from tenancy.models import Organization

pytestmark = pytest.mark.django_db
END = datetime.date(2026, 11, 27)


def seed(**options):
    out = io.StringIO()
    args = {"creators": 1500, "weeks": 26, "seed": 1, "end_date": END, **options}
    call_command("seed_demo", stdout=out, **{k: v for k, v in args.items()})
    return out.getvalue()


def mid_band_tipping_share() -> float:
    mid = Case(
        When(followers__gte=100_000, followers__lt=1_000_000, then="tipping_revenue"),
        default=Decimal(0),
        output_field=DecimalField(),
    )
    totals = MetricSnapshot.objects.unscoped().aggregate(mid=Sum(mid), all=Sum("tipping_revenue"))
    return float(totals["mid"] / totals["all"])


def complaint_rate() -> float:
    return Complaint.objects.unscoped().count() / Order.objects.unscoped().count()


def test_calibration_measured_from_the_rows():
    seed()
    share, rate = mid_band_tipping_share(), complaint_rate()
    mid_creators = (
        Creator.objects.unscoped().filter(followers__range=(100_000, 999_999)).count() / 1500
    )
    assert 0.60 <= share <= 0.70, share
    assert 0.05 <= mid_creators <= 0.16, mid_creators
    assert 0 < rate < 0.008, rate


@pytest.mark.django_db(transaction=True)  # flush between the two worlds needs no open transaction
def test_another_seed_gives_another_world():
    seed(seed=1)
    first = (mid_band_tipping_share(), complaint_rate(), MetricSnapshot.objects.unscoped().count())
    call_command("flush", "--noinput", stdout=io.StringIO())
    seed(seed=2)
    second = (mid_band_tipping_share(), complaint_rate(), MetricSnapshot.objects.unscoped().count())
    assert first != second
    assert 0.60 <= second[0] <= 0.70 and second[1] < 0.008


def test_a_second_run_changes_nothing():
    seed(creators=300)
    tables = [
        Organization.objects,
        Creator.objects.unscoped(),
        AudienceProfile.objects.unscoped(),
        MetricSnapshot.objects.unscoped(),
        Contract.objects.unscoped(),
        Campaign.objects.unscoped(),
        Collaboration.objects.unscoped(),
        ContentSubmission.objects.unscoped(),
        Order.objects.unscoped(),
        Course.objects.unscoped(),
        Enrolment.objects.unscoped(),
        LessonCompletion.objects.unscoped(),
    ]
    before = [table.count() for table in tables]
    assert "already present" in seed(creators=300)
    assert [table.count() for table in tables] == before


def test_demo_users_get_real_data():
    seed(creators=300)
    creator = Creator.objects.unscoped().select_related("agency").get(user__username="creator")
    assert creator.agency.slug == "xinghuo-mcn"
    assert Contract.objects.unscoped().filter(creator=creator, status="active").exists()
    assert Collaboration.objects.unscoped().filter(creator=creator).exists()
    brand = Organization.objects.get(slug="huayang-beauty")
    assert Campaign.objects.unscoped().filter(organization=brand).count() > 0
    assert Creator.objects.unscoped().filter(agency=creator.agency).count() > 10
    statuses = set(Collaboration.objects.unscoped().values_list("status", flat=True))
    assert statuses == set(Collaboration.Status.values)


def test_content_behind_every_submitted_or_live_collaboration():
    """The review pages show content for each deal that got that far: awaiting review for
    content_submitted, approved when it went live; none for the others; none in the future."""
    seed(creators=300)
    rows = ContentSubmission.objects.unscoped()
    by_status = dict(
        rows.values_list("collaboration__status")
        .annotate(n=Count("id"))
        .values_list("collaboration__status", "n")
    )
    collaborations = Collaboration.objects.unscoped()
    for status in ("content_submitted", "live", "completed"):
        assert by_status.get(status) == collaborations.filter(status=status).count(), status
    assert set(by_status) <= {"content_submitted", "live", "completed"}
    pending = rows.filter(status="pending")
    assert set(pending.values_list("collaboration__status", flat=True)) == {"content_submitted"}
    assert not rows.filter(status="approved", reviewed_at__isnull=True).exists()
    end = datetime.datetime.combine(END + datetime.timedelta(days=1), datetime.time(), datetime.UTC)
    assert not rows.filter(submitted_at__gte=end).exists()
    assert not rows.filter(reviewed_at__lt=F("submitted_at")).exists()
    assert rows.filter(link__startswith="https://").count() == rows.count()
