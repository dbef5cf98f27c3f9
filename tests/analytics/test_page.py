"""The operator's analytics page: reads the cache (never computes), draws every report with its
numbers, says what is missing, takes a date range, computes on request with an audit record,
follows a report asked for, and keeps its query count whatever the payload holds."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from analytics import reports as report_registry
from analytics.models import EcosystemReport
from analytics.services import ecosystem_report_compute
from analytics.services_compute import REQUESTED
from tenancy.models import AuditEvent
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 6, 30)
URL = "/operator/analytics/"


def client_of(kind: str, role: str = "owner", lang: str = "en") -> Client:
    client = Client()
    organization = OrganizationFactory(kind=kind)
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    client.cookies["django_language"] = lang
    return client


def payload(**figures) -> dict:
    """The payload of an empty world (every key, nothing measured), with ``figures`` set."""
    data, _durations = ecosystem_report_compute(as_of=AS_OF)
    data.update(figures)
    return data


def cache(as_of=AS_OF, **figures) -> EcosystemReport:
    return EcosystemReport.objects.unscoped().create(
        as_of=as_of, computed_at=timezone.now(), payload=payload(**figures), durations={}
    )


QUARTERS = [
    {"quarter": q, "cr5": 0.41, "cr10": 0.52, "hhi": 0.123, "agencies": 9, "market_gmv": gmv}
    for q, gmv in (("2025-Q3", 1234567.5), ("2026-Q1", 7654321.25), ("2026-Q2", 4329791.77))
]


LORENZ = [[i / 4, (i / 4) ** 3] for i in range(5)]
BANDS = {"head": 0.1, "mid": 0.65, "waist": 0.2, "tail": 0.05}
#: One figure for every report (the shapes of the cached payload).
FULL = {
    "gini": {"followers": 0.8, "exposure": 0.6, "revenue": 0.83},
    "lorenz": {"followers": LORENZ, "exposure": LORENZ, "revenue": LORENZ},
    "band_share": {"creators": BANDS, "tipping": BANDS, "revenue": BANDS},
    "concentration_by_quarter": QUARTERS,
    "cr5": 0.41,
    "cr10": 0.52,
    "hhi": 0.123,
    "concentration_quarter": "2026-Q2",
    "avg_monthly_income_by_year": {"2024": 3200.0, "2025": 5693.6, "2026": 8700.0},
    "avg_monthly_income_change": {"from": "2024", "to": "2026", "ratio": 2.72},
    "unit_price_by_year": {"2025": 484.7, "2026": 1115.0},
    "unit_price_change": {"from": "2025", "to": "2026", "ratio": 2.3},
    "reach_10k_in_3_months": {
        "trained": 0.68, "trained_creators": 50, "untrained": 0.12, "untrained_creators": 1200
    },
    "complaint_rate": 0.0053,
    "complaints": {
        "window_days": 30, "orders": 15050, "complaints": 80,
        "stored": {"date": "2026-06-29", "alerts": {"creator": 3, "brand": 1}},
    },
    "violations_by_quarter": [
        {"quarter": "2025 Q2", "cases": 10, "accounts": 8, "yoy": None},
        {"quarter": "2026 Q2", "cases": 14, "accounts": 12, "yoy": 0.5},
    ],
    "violations_by_year": {"2025": {"cases": 10, "yoy": None}, "2026": {"cases": 14, "yoy": 0.4}},
    "campaign_roi": {
        "overall": {"gmv": 479057.61, "spend": 195700.27, "roi": 2.45},
        "by_brand": {"2": {"gmv": 267813.27, "spend": 56578.73, "roi": 4.73, "name": "Huayang"}},
        "by_mode": {"creator_distribution": {"gmv": 479057.61, "spend": 195700.27, "roi": 2.45}},
    },
    "segment_reach": {
        "window_days": 28, "without_portrait": 0,
        "segments": {"young_mothers": {"views": 6971986.0, "share": 0.082, "creators": 76}},
    },
    "missing": [],
}  # fmt: skip


def brands(n: int) -> dict:
    return {
        str(i): {"gmv": 1000.0 * i, "spend": 500.0, "roi": 2.0 * i, "name": f"Brand {i}"}
        for i in range(1, n + 1)
    }


def test_the_empty_state_offers_compute_now_to_writers_only():
    page = client_of("operator").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-empty"' in html and 'id="compute-form"' in html
    viewer = client_of("operator", "viewer").get(URL).content.decode()
    assert 'id="report-empty"' in viewer and 'id="compute-form"' not in viewer


def test_the_page_reads_the_cache_and_never_computes(monkeypatch):
    cache(**FULL)

    def refuse(*args, **kwargs):
        raise AssertionError("the page computed a report")

    monkeypatch.setattr(report_registry, "reports", refuse)
    monkeypatch.setattr("analytics.services.reports", refuse)
    html = client_of("operator").get(URL).content.decode()
    assert 'data-figure="as_of">2026-06-30<' in html
    # Every chart drawn (a plotly div each; no "no data" placeholder) with its numbers.
    assert html.count('class="plot"') == 15 and "No data yet." not in html
    assert html.count('<details class="chart-numbers"') == 27  # 14 charts' + 13 tables
    assert "4,329,791.77" in html and "15,050" in html  # money and counts grouped
    assert 'data-missing="' not in html  # nothing missing: no missing-input note


def test_missing_inputs_are_said_beside_their_report():
    cache()  # an empty world: every report misses its input
    html = client_of("operator").get(URL).content.decode()
    for key in ("inequality", "concentration", "income", "campaign_roi", "segments"):
        assert f'data-missing="{key}"' in html
    assert "no succeeded allocation run on or before 2026-06-30" in html


def test_missing_inputs_are_said_in_the_readers_language():
    cache()
    client = client_of("operator")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-06-30 及之前没有成功的流量分配运行" in html
    assert "no succeeded allocation run" not in html


def test_the_range_picks_the_report_and_cuts_the_series():
    cache(as_of=datetime.date(2026, 5, 31), concentration_by_quarter=QUARTERS[:2])
    cache(concentration_by_quarter=QUARTERS)
    client = client_of("operator")
    newest = client.get(URL).content.decode()
    assert 'data-figure="as_of">2026-06-30<' in newest
    older = client.get(URL, {"end": "2026-06-01"}).content.decode()
    assert 'data-figure="as_of">2026-05-31<' in older
    cut = client.get(URL, {"start": "2026-01-01"}).content.decode()
    table = cut[cut.index('id="table-concentration"') :]
    table = table[: table.index("</details>")]
    assert "2026-Q1" in table and "2026-Q2" in table and "2025-Q3" not in table
    none = client.get(URL, {"start": "2026-07-01"}).content.decode()
    assert 'id="report-empty"' in none and "No cached report in this date range." in none


@pytest.mark.parametrize(
    "query, words",
    [
        ({"start": "2026-06-01", "end": "2026-01-01"}, "on or before the end date"),
        ({"start": "30/02/2026"}, "Enter a valid date."),
    ],
)
def test_a_bad_range_is_a_400_in_words(query, words):
    cache()
    page = client_of("operator").get(URL, query)
    assert page.status_code == 400
    assert words in page.content.decode()


def test_compute_now_caches_the_report_and_audits_the_request(
    django_capture_on_commit_callbacks,
):
    creator = CreatorFactory(followers=1_000)
    CreatorFactory(followers=9_000)
    client = client_of("operator")
    day = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        answer = client.post(f"{URL}compute/", {"as_of": day.isoformat()})
    # The task is enqueued after commit (run here as the test's transaction "commits"), so
    # the page was told to follow it; it then finds the report arrived.
    assert len(enqueued) == 1 and answer.status_code == 302
    assert f"?pending={day.isoformat()}&since=" in answer["Location"]
    status = client.get(answer["Location"].replace("/?", "/status/?"))
    assert status["HX-Redirect"] == f"{URL}?end={day.isoformat()}"
    report = EcosystemReport.objects.unscoped().get(as_of=day)
    assert report.payload["gini"]["followers"] == pytest.approx(0.4)
    event = AuditEvent.objects.unscoped().get(action=REQUESTED)
    assert event.data == {"as_of": day.isoformat()}
    creator.followers = 9_000
    creator.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}compute/", {"as_of": day.isoformat()})  # again: the day is replaced
    report.refresh_from_db()
    assert report.payload["gini"]["followers"] == 0.0
    assert AuditEvent.objects.unscoped().filter(action=REQUESTED).count() == 2


@pytest.mark.parametrize("as_of", ["", "tomorrow", "today"])
def test_compute_now_refuses_a_bad_or_unfinished_day(as_of):
    if as_of == "today":
        as_of = timezone.localdate().isoformat()
    answer = client_of("operator").post(f"{URL}compute/", {"as_of": as_of})
    assert answer.status_code == 400
    assert not EcosystemReport.objects.unscoped().exists()
    assert not AuditEvent.objects.unscoped().filter(action=REQUESTED).exists()


def test_only_operator_writers_compute():
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert client_of("operator", "viewer").post(f"{URL}compute/", {"as_of": day}).status_code == 403
    for kind in ("brand", "agency", "partner"):
        assert client_of(kind).post(f"{URL}compute/", {"as_of": day}).status_code == 404
    assert not EcosystemReport.objects.unscoped().exists()


def test_the_page_follows_a_report_asked_for(monkeypatch):
    client = client_of("operator")
    since = int(timezone.now().timestamp()) - 5
    waiting = client.get(f"{URL}status/", {"pending": AS_OF.isoformat(), "since": since})
    assert waiting.status_code == 200 and "hx-get" in waiting.content.decode()
    assert "HX-Redirect" not in waiting
    page = client.get(URL, {"pending": AS_OF.isoformat(), "since": since}).content.decode()
    assert 'id="report-pending"' in page
    cache()
    arrived = client.get(f"{URL}status/", {"pending": AS_OF.isoformat(), "since": since})
    assert arrived["HX-Redirect"] == f"{URL}?end={AS_OF.isoformat()}"
    long_ago = int(timezone.now().timestamp()) - 3600
    late = client.get(f"{URL}status/", {"pending": "2026-06-01", "since": long_ago}).content
    assert b"hx-get" not in late and b"35 minutes" in late
    assert client.get(f"{URL}status/", {"pending": "nope"}).status_code == 400


def test_the_query_count_does_not_grow_with_the_payload(django_assert_max_num_queries):
    client = client_of("operator")
    small = cache(as_of=datetime.date(2026, 5, 31), campaign_roi={"overall": None,
                  "by_brand": brands(2), "by_mode": {}})  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"end": small.as_of.isoformat()}).status_code == 200
    cache(campaign_roi={"overall": None, "by_brand": brands(400), "by_mode": {}},
          concentration_by_quarter=QUARTERS * 20)  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(URL).content.decode()
    assert "Brand 400" in html
    assert len(few.captured_queries) <= 12


def test_numbers_are_grouped_in_chinese_too():
    cache(**FULL)
    html = client_of("operator", lang="zh-hans").get(URL).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "生态数据分析" in html
    assert "4,329,791.77" in html and "7,654,321.25" in html
    assert re.search(r"CR5</dt><dd>41%", html)
