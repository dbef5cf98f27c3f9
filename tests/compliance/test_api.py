"""POST /api/v1/compliance/check/ and /check-batch/: scope, answers, and clear 400s."""

import pytest

from compliance.models import Case
from tests.factories import OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

from .conftest import BLATANT, CLEAN

pytestmark = pytest.mark.django_db
CHECK, BATCH = "/api/v1/compliance/check/", "/api/v1/compliance/check-batch/"


@pytest.fixture
def partner():
    return api_key_client(OrganizationFactory(kind="partner"), ["compliance:check"])[1]


def test_a_check_answers_risk_decision_reasons_and_versions(partner):
    response = partner.post(CHECK, {"text": BLATANT}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision"] == "block" and 0.85 <= body["risk_score"] <= 1
    assert body["model_version"].startswith("tfidf-") and body["lexicon_version"]
    rules = [r for r in body["reasons"] if r["kind"] == "rule"]
    assert {"加微信", "私聊下单", "高仿"} <= {r["rule"] for r in rules}
    for reason in rules:
        assert BLATANT[reason["start"] : reason["end"]] == reason["text"]
    (model,) = [r for r in body["reasons"] if r["kind"] == "model"]
    assert 0 <= model["probability"] <= 1
    assert not Case.objects.unscoped().exists()  # a check is a read

    clean = partner.post(CHECK, {"text": CLEAN, "category": "beauty"}, format="json").json()
    assert clean["decision"] == "pass" and clean["risk_score"] < 0.5
    assert [r["kind"] for r in clean["reasons"]] == ["model"]


def test_a_batch_answers_in_order_like_single_checks(partner):
    texts = [CLEAN, BLATANT, "第一次来直播间的宝宝点个关注"]
    body = partner.post(BATCH, {"texts": texts}, format="json").json()
    singles = [partner.post(CHECK, {"text": t}, format="json").json() for t in texts]
    assert [r["risk_score"] for r in body["results"]] == [s["risk_score"] for s in singles]
    assert [r["decision"] for r in body["results"]][:2] == ["pass", "block"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (CHECK, {"text": ""}, "text"),
        (CHECK, {"text": "   "}, "text"),
        (CHECK, {"text": "字" * 20_001}, "text"),
        (CHECK, {"text": 12}, "text"),
        (CHECK, {"text": ["a"]}, "text"),
        (CHECK, {"text": None}, "text"),
        (CHECK, {}, "text"),
        (CHECK, {"text": "ok", "category": "weapons"}, "category"),
        (BATCH, {"texts": []}, "texts"),
        (BATCH, {"texts": "one"}, "texts"),
        (BATCH, {"texts": ["ok", ""]}, "texts"),
        (BATCH, {"texts": ["ok", 3]}, "texts"),
        (BATCH, {"texts": ["a"] * 1001}, "texts"),
    ],
)
def test_bad_input_is_a_clear_400_that_writes_nothing(partner, path, body, field):
    before = row_counts("compliance.Case", "compliance.Label")
    response = partner.post(path, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert row_counts("compliance.Case", "compliance.Label") == before


def test_the_longest_text_allowed_is_checked(partner):
    response = partner.post(CHECK, {"text": "这款面霜很好用。" * 2500}, format="json")
    assert response.status_code == 200


def test_a_key_without_the_scope_is_refused():
    _, client = api_key_client(OrganizationFactory(kind="partner"), ["creators:read"])
    assert client.post(CHECK, {"text": CLEAN}, format="json").status_code == 403
