"""The cached report (service, beat job, operator-only reads) and the ``ecosystem_report``
command (readable lines, one JSON object, a clear error for a bad date)."""

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from analytics import selectors, services
from analytics.models import EcosystemReport
from analytics.reports import reports
from tenancy.scoping import SYSTEM, Actor, WrongKind
from tests.factories import CreatorFactory, MetricSnapshotFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)
REQUIRED = {
    "gini", "band_share", "cr5", "cr10", "hhi", "avg_monthly_income_by_year",
    "reach_10k_in_3_months", "complaint_rate", "campaign_roi",
}  # fmt: skip


def test_an_empty_world_names_what_is_missing_and_invents_nothing():
    payload, durations = services.ecosystem_report_compute(as_of=AS_OF)
    assert set(durations) == set(reports())
    assert payload["gini"] == {"followers": None, "exposure": None, "revenue": None}
    assert payload["cr5"] is None and payload["complaint_rate"] is None
    assert payload["avg_monthly_income_by_year"] == {}
    assert len(payload["missing"]) >= len(reports())
    json.dumps(payload, allow_nan=False)


def test_storing_replaces_the_days_row_and_follows_the_data():
    creator = CreatorFactory(followers=100)
    CreatorFactory(followers=100)
    first = services.ecosystem_report_store(actor=SYSTEM, as_of=AS_OF)
    assert first.payload["gini"]["followers"] == 0.0
    creator.followers = 10_000
    creator.save()
    second = services.ecosystem_report_store(actor=SYSTEM, as_of=AS_OF)
    assert second.pk == first.pk and EcosystemReport.objects.unscoped().count() == 1
    assert second.payload["gini"]["followers"] > 0
    assert set(second.durations) == set(reports())


def test_the_beat_job_caches_yesterdays_report():
    from config.celery import app

    app.loader.import_default_modules()  # autodiscovery, as the worker and beat do
    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    entry = next(e for e in schedule if e["task"] == "analytics.ecosystem_reports_due")
    assert entry["schedule"] == 24 * 60 * 60
    report_id = app.tasks[entry["task"]].apply(kwargs=entry["kwargs"]).get()
    report = EcosystemReport.objects.unscoped().get(pk=report_id)
    assert report.as_of == timezone.localdate() - datetime.timedelta(days=1)


def actor_of(kind: str, role: str = "owner") -> Actor:
    org = OrganizationFactory(kind=kind)
    return Actor(user_id=None, organization_id=org.pk, organization_kind=kind, role=role)


def test_only_the_operator_reads_the_cache():
    services.ecosystem_report_store(actor=SYSTEM, as_of=AS_OF)
    operator = actor_of("operator", "viewer")
    assert selectors.ecosystem_report_latest(actor=operator).as_of == AS_OF
    before = AS_OF - datetime.timedelta(days=1)
    assert selectors.ecosystem_report_latest(actor=operator, as_of=before) is None
    for kind in ("brand", "agency", "partner"):
        assert selectors.ecosystem_report_latest(actor=actor_of(kind)) is None
    creator = Actor(user_id=None, creator_id=CreatorFactory().pk, role="creator")
    assert not selectors.ecosystem_reports_list(actor=creator).exists()


def test_a_brand_or_a_read_only_operator_may_not_store_a_report():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(WrongKind):
        services.ecosystem_report_store(actor=actor_of("brand"), as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        services.ecosystem_report_store(actor=actor_of("operator", "viewer"), as_of=AS_OF)
    assert not EcosystemReport.objects.unscoped().exists()


def _command(*args) -> str:
    out = io.StringIO()
    call_command("ecosystem_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_one_json_object_with_the_required_keys():
    creator = CreatorFactory(followers=200_000)
    MetricSnapshotFactory(creator=creator, date=AS_OF, followers=200_000, tipping_revenue=10)
    data = json.loads(_command("--as-of", AS_OF.isoformat(), "--json"))
    assert set(data) >= REQUIRED
    assert set(data["gini"]) == {"followers", "exposure", "revenue"}
    assert set(data["band_share"]["tipping"]) == {"head", "mid", "waist", "tail"}
    assert data["band_share"]["tipping"]["mid"] == 1.0
    assert {"trained", "untrained"} <= set(data["reach_10k_in_3_months"])
    assert data["as_of"] == AS_OF.isoformat() and isinstance(data["missing"], list)
    assert not EcosystemReport.objects.unscoped().exists()  # printing caches nothing


def test_the_command_prints_readably_and_can_store():
    CreatorFactory(followers=100)
    text = _command("--as-of", AS_OF.isoformat(), "--store")
    assert f"Ecosystem report as of {AS_OF}" in text and "gini followers: 0.000" in text
    assert "missing: exposure: no succeeded allocation run" in text
    assert EcosystemReport.objects.unscoped().get().as_of == AS_OF


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", ""])
def test_a_bad_date_is_one_clear_error_and_exit_2(bad):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("ecosystem_report", "--as-of", bad, stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 2
    assert err.getvalue().startswith("error: --as-of must be a date YYYY-MM-DD")
    assert not EcosystemReport.objects.unscoped().exists()
