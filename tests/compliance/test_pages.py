"""Compliance pages: the operator's queue, a case (claim → decide), appeals, policy, the model
and the figures; the creator's notices and appeal; the agency's view of its creators."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import Appeal, Case, Label, Policy, RetrainRun, Sanction
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "全网第一的面膜，加微信下单更便宜"


def new_case(**fields) -> Case:
    """An open review case with one rule hit on 全网第一 and the model's reason."""
    values = {
        "source": Case.Source.CONTENT,
        "track": Case.Track.REVIEW,
        "text": TEXT,
        "risk": 0.72,
        "category": "absolute",
        "reasons": [
            {
                "kind": "rule",
                "rule": "abs-001",
                "category": "absolute",
                "severity": 2,
                "start": 0,
                "end": 4,
                "text": "全网第一",
            },
            {
                "kind": "model",
                "rule": "m-test",
                "category": "absolute",
                "probability": 0.64,
                "start": None,
                "end": None,
                "text": "",
            },
        ],  # fmt: skip
        "model_probability": 0.64,
        "model_version": "m-test",
        "lexicon_version": "lex-test",
        "opened_at": timezone.now() - datetime.timedelta(hours=30),
        **fields,
    }
    return Case.objects.unscoped().create(**values)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def operator(role: str = "reviewer"):
    user = MembershipFactory(organization=OrganizationFactory(kind="operator"), role=role).user
    return user, login(user)


def creator_login(creator) -> Client:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    return login(creator.user)


def sanctioned(creator, **fields) -> Sanction:
    case = new_case(
        creator=creator, status="rejected", violation_type="absolute", decided_at=timezone.now()
    )
    values = {"level": "warning", "starts_on": timezone.localdate(), "reason": "Secret reason"}
    return Sanction.objects.unscoped().create(
        creator=creator, case=case, created_at=timezone.now(), **{**values, **fields}
    )


def stored(case: Case) -> Case:
    return Case.objects.unscoped().get(pk=case.pk)


# --- The queue -----------------------------------------------------------------------------------


def test_queue_lists_open_cases_oldest_first_with_their_sla_age_and_counts():
    old = new_case()
    fresh = new_case(opened_at=timezone.now() - datetime.timedelta(hours=2), text="新的")
    new_case(status="approved", decided_at=timezone.now(), text="已批准")
    _user, client = operator()
    body = client.get("/compliance/").content.decode()
    assert body.index(f'id="case-{old.pk}"') < body.index(f'id="case-{fresh.pk}"')
    assert f'id="case-{old.pk}" data-case="{old.pk}" class="overdue"' in body
    assert f'id="case-{fresh.pk}" data-case="{fresh.pk}">' in body
    assert '<dd data-count="open">2</dd>' in body and "已批准" not in body
    assert "30.0" in body


def test_queue_filters_by_status_and_category_and_answers_htmx_with_the_table():
    new_case()
    new_case(category="medical", text="治愈失眠")
    new_case(status="approved", decided_at=timezone.now(), text="已批准")
    _user, client = operator("viewer")
    medical = client.get("/compliance/?category=medical", **HTMX)
    body = medical.content.decode()
    assert "治愈失眠" in body and TEXT[:10] not in body and "<h1>" not in body
    approved = client.get("/compliance/?status=approved").content.decode()
    assert "已批准" in approved and "治愈失眠" not in approved


def test_empty_queue_says_so():
    _user, client = operator()
    assert "No case waits for review." in client.get("/compliance/").content.decode()


# --- One case: claim, decide ---------------------------------------------------------------------


def test_case_page_highlights_the_rule_spans_and_lists_the_reasons():
    brand = OrganizationFactory(kind="brand", name="Secret Brand")
    case = new_case(creator=CreatorFactory(handle="flagged"), organization=brand)
    _user, client = operator()
    body = client.get(f"/compliance/cases/{case.pk}/").content.decode()
    mark = '<mark title="abs-001 · Absolute claim" data-category="absolute" data-rule="abs-001">'
    assert f"{mark}全网第一</mark>" in body and "Rule abs-001 (Absolute claim)" in body
    assert "m-test" in body and "lex-test" in body and "0.64" in body
    assert "@flagged" in body and "Secret Brand" in body
    assert "claim-form" in body and "decide-form" not in body


def test_claim_then_reject_with_a_type_confirms_the_violation_and_sanctions():
    creator = CreatorFactory()
    case = new_case(creator=creator)
    user, client = operator()
    claimed = client.post(f"/compliance/cases/{case.pk}/claim/", follow=True)
    assert stored(case).status == "claimed" and stored(case).claimed_by == user
    assert "decide-form" in claimed.content.decode()
    data = {"decision": "reject", "violation_type": "absolute", "note": "clear"}
    response = client.post(f"/compliance/cases/{case.pk}/decide/", data)
    assert response.status_code == 302 and response["Location"] == f"/compliance/cases/{case.pk}/"
    case = stored(case)
    assert (case.status, case.violation_type, case.decided_by) == ("rejected", "absolute", user)
    assert Label.objects.unscoped().get(case=case).label == "absolute"
    assert Sanction.objects.unscoped().filter(case=case, level="warning").exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="rejected"' in page and "decide-form" not in page


def test_reject_without_a_violation_type_is_400_and_changes_nothing():
    case = new_case()
    _user, client = operator()
    client.post(f"/compliance/cases/{case.pk}/claim/")
    response = client.post(f"/compliance/cases/{case.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 400
    assert "Choose the violation type of a rejected case." in response.content.decode()
    assert stored(case).status == "claimed" and not Label.objects.unscoped().exists()


def test_escalate_needs_a_note_and_then_goes_back_to_the_queue():
    case = new_case()
    _user, client = operator()
    client.post(f"/compliance/cases/{case.pk}/claim/")
    refused = client.post(f"/compliance/cases/{case.pk}/decide/", {"decision": "escalate"})
    assert refused.status_code == 400 and stored(case).status == "claimed"
    data = {"decision": "escalate", "note": "needs a lawyer"}
    assert client.post(f"/compliance/cases/{case.pk}/decide/", data).status_code == 302
    assert stored(case).status == "escalated"
    # A reviewer may not take an escalated case: the service says so in a message.
    _other, reviewer = operator()
    page = reviewer.post(f"/compliance/cases/{case.pk}/claim/", follow=True).content.decode()
    assert "owners and admins" in page and stored(case).status == "escalated"


def test_deciding_an_unclaimed_case_is_refused_with_400():
    case = new_case()
    _user, client = operator()
    response = client.post(f"/compliance/cases/{case.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 400 and "Claim the case before deciding it." in (
        response.content.decode()
    )
    assert stored(case).status == "open"


def test_someone_elses_claim_is_refused_in_a_message():
    case = new_case()
    _first, first = operator()
    first.post(f"/compliance/cases/{case.pk}/claim/")
    _second, second = operator()
    page = second.post(f"/compliance/cases/{case.pk}/claim/", follow=True).content.decode()
    assert "Someone else has claimed or decided this case." in page
    assert "decide-form" not in page and stored(case).claimed_by == _first


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_a_read_only_or_non_reviewing_operator_cannot_claim_or_decide(role):
    case = new_case()
    _user, client = operator(role)
    page = client.get(f"/compliance/cases/{case.pk}/").content.decode()
    assert "claim-form" not in page
    assert client.post(f"/compliance/cases/{case.pk}/claim/").status_code == 403
    data = {"decision": "approve"}
    assert client.post(f"/compliance/cases/{case.pk}/decide/", data).status_code == 403
    assert stored(case).status == "open"


def test_the_parties_see_their_case_and_outsiders_get_404():
    brand = OrganizationFactory(kind="brand")
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    case = new_case(creator=creator, organization=brand, text="全网第一 Secret caption")
    path = f"/compliance/cases/{case.pk}/"
    parties = [
        login(MembershipFactory(organization=brand).user),
        login(MembershipFactory(organization=agency, role="viewer").user),
        creator_login(creator),
    ]
    for client in parties:
        page = client.get(path)
        assert page.status_code == 200 and "Secret caption" in page.content.decode()
        assert "claim-form" not in page.content.decode()
    outsiders = [
        login(MembershipFactory(organization__kind="brand").user),
        login(MembershipFactory(organization__kind="agency").user),
        login(MembershipFactory(organization__kind="partner").user),
        creator_login(CreatorFactory()),
    ]
    for client in outsiders:
        for response in (client.get(path), client.post(f"{path}claim/")):
            assert response.status_code == 404
            assert "Secret caption" not in response.content.decode()
    assert stored(case).status == "open"


# --- Appeals -------------------------------------------------------------------------------------


def filed_appeal(creator=None) -> Appeal:
    creator = creator or CreatorFactory()
    sanction = sanctioned(creator, status="appealed")
    return Appeal.objects.unscoped().create(
        sanction=sanction, creator=creator, text="Secret appeal", created_at=timezone.now()
    )


def test_operator_overturns_an_appeal_and_the_case_shows_it():
    appeal = filed_appeal()
    _user, client = operator()
    assert "Secret appeal" in client.get("/compliance/appeals/").content.decode()
    data = {"decision": "overturn", "note": "the claim was true"}
    response = client.post(f"/compliance/appeals/{appeal.pk}/decide/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/compliance/cases/{appeal.sanction.case_id}/"
    assert "the claim was true" in response.content.decode()
    assert Appeal.objects.unscoped().get(pk=appeal.pk).status == "overturned"
    assert Sanction.objects.unscoped().get(pk=appeal.sanction_id).status == "overturned"


def test_appeal_decision_without_a_choice_is_400_and_outsiders_get_404():
    appeal = filed_appeal()
    _user, client = operator()
    assert client.post(f"/compliance/appeals/{appeal.pk}/decide/", {}).status_code == 400
    for kind in ("brand", "agency", "partner"):
        outsider = login(MembershipFactory(organization__kind=kind).user)
        response = outsider.post(f"/compliance/appeals/{appeal.pk}/decide/", {"decision": "uphold"})
        assert response.status_code == 404
    assert creator_login(CreatorFactory()).get("/compliance/appeals/").status_code == 404
    assert Appeal.objects.unscoped().get(pk=appeal.pk).status == "open"


# --- Policy, model, figures ----------------------------------------------------------------------


def policy_data(**values) -> dict:
    data = {"category": "medical", "review_threshold": "0.4", "block_threshold": "0.8"}
    return {**data, "restrict_after": "2", "suspend_after": "4", **values}


def test_policy_page_edits_one_category_and_refuses_a_broken_ladder_with_400():
    _user, client = operator("admin")
    page = client.get("/compliance/policy/").content.decode()
    assert page.count('class="policy-form"') == 5
    assert client.post("/compliance/policy/", policy_data()).status_code == 302
    assert Policy.objects.unscoped().get(category="medical").review_threshold == 0.4
    refused = client.post("/compliance/policy/", policy_data(suspend_after="1"))
    assert refused.status_code == 400
    assert "suspension more than" in refused.content.decode()
    assert Policy.objects.unscoped().get(category="medical").suspend_after == 4


def test_only_owners_and_admins_edit_the_policy():
    _user, reviewer = operator()
    assert 'class="policy-form"' not in reviewer.get("/compliance/policy/").content.decode()
    assert reviewer.post("/compliance/policy/", policy_data()).status_code == 403
    assert Policy.objects.unscoped().get(category="medical").review_threshold != 0.4


def test_retrain_button_requests_a_run_and_enqueues_it(monkeypatch):
    from compliance import views

    sent = []
    monkeypatch.setattr(views, "enqueue", lambda task, **kwargs: sent.append((task, kwargs)))
    _user, client = operator("owner")
    response = client.post("/compliance/model/retrain/", follow=True)
    run = RetrainRun.objects.unscoped().get()
    assert sent == [(views.tasks.retrain_execute, {"actor": sent[0][1]["actor"], "run_id": run.pk})]
    body = response.content.decode()
    assert f'id="retrain-{run.pk}"' in body and "hx-get" in body  # pending: it polls
    status = client.get(f"/compliance/model/runs/{run.pk}/status/", **HTMX)
    assert 'data-status="pending"' in status.content.decode() and "HX-Refresh" not in status
    # A second request while one is pending is refused in a message.
    again = client.post("/compliance/model/retrain/", follow=True).content.decode()
    assert "already under way" in again and RetrainRun.objects.unscoped().count() == 1
    RetrainRun.objects.unscoped().filter(pk=run.pk).update(status="succeeded", progress=100)
    status = client.get(f"/compliance/model/runs/{run.pk}/status/", **HTMX)
    assert status["HX-Refresh"] == "true"


def test_a_reviewer_sees_the_model_page_but_cannot_retrain():
    _user, client = operator()
    assert "retrain-form" not in client.get("/compliance/model/").content.decode()
    assert client.post("/compliance/model/retrain/").status_code == 403
    assert not RetrainRun.objects.unscoped().exists()


def test_figures_show_quarters_and_the_reference():
    decided = datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
    new_case(
        creator=CreatorFactory(), status="rejected", violation_type="absolute", decided_at=decided
    )
    _user, client = operator("viewer")
    body = client.get("/compliance/figures/").content.decode()
    assert 'data-quarter="2025 Q2"' in body and "123K accounts" in body and "2023 Q2" in body
    zh = client.get("/compliance/figures/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "12.3万" in zh and "123k" not in zh.lower()  # the brief's figure, in Chinese


# --- The creator's notices and the agency's view -------------------------------------------------


def test_creator_sees_its_notices_and_appeals_a_sanction_in_force():
    creator = CreatorFactory()
    sanction = sanctioned(creator)
    client = creator_login(creator)
    page = client.get("/compliance/my/").content.decode()
    assert "Secret reason" in page and 'class="appeal-form"' in page and TEXT[:8] in page
    path = f"/compliance/my/sanctions/{sanction.pk}/appeal/"
    refused = client.post(path, {"text": "   "})
    assert refused.status_code == 400 and not Appeal.objects.unscoped().exists()
    assert client.post(path, {"text": "It was a quote."}).status_code == 302
    assert Appeal.objects.unscoped().get().text == "It was a quote."
    assert Sanction.objects.unscoped().get(pk=sanction.pk).status == "appealed"
    assert 'class="appeal-form"' not in client.get("/compliance/my/").content.decode()
    again = client.post(path, {"text": "Once more."})
    assert again.status_code == 400 and "already under appeal" in again.content.decode()
    assert Appeal.objects.unscoped().count() == 1


def test_another_creator_cannot_see_or_appeal_a_sanction():
    sanction = sanctioned(CreatorFactory())
    other = creator_login(CreatorFactory())
    assert "Secret reason" not in other.get("/compliance/my/").content.decode()
    path = f"/compliance/my/sanctions/{sanction.pk}/appeal/"
    assert other.post(path, {"text": "mine"}).status_code == 404
    assert not Appeal.objects.unscoped().exists()


def test_agency_sees_its_creators_violations_and_sanctions_only():
    agency = OrganizationFactory(kind="agency")
    mine = sanctioned(CreatorFactory(agency=agency, handle="signed-one"))
    theirs = sanctioned(CreatorFactory(handle="someone-else"), reason="Other reason")
    client = login(MembershipFactory(organization=agency, role="viewer").user)
    body = client.get("/compliance/violations/").content.decode()
    assert "@signed-one" in body and f'data-sanction="{mine.pk}"' in body
    assert "someone-else" not in body and f'data-sanction="{theirs.pk}"' not in body
    assert (
        login(MembershipFactory(organization__kind="brand").user)
        .get("/compliance/violations/")
        .status_code
        == 404
    )


# --- Bounded queries -----------------------------------------------------------------------------


def queries_of(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def rows_for(creator, reviewer, n: int) -> None:
    for _ in range(n):
        appeal = filed_appeal(creator)
        case = new_case(creator=creator, status="claimed", claimed_by=reviewer)
        assert appeal.pk and case.pk


@pytest.mark.parametrize(
    "path, who", [("/compliance/", "operator"), ("/compliance/appeals/", "operator"),
                  ("/compliance/my/", "creator"), ("/compliance/violations/", "agency")],
)  # fmt: skip
def test_pages_cost_the_same_queries_at_two_rows_or_twelve(path, who):
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    user, client = operator()
    clients = {
        "operator": client,
        "creator": creator_login(creator),
        "agency": login(MembershipFactory(organization=agency).user),
    }
    rows_for(creator, user, 2)
    few = queries_of(clients[who], path)
    rows_for(creator, user, 10)
    assert queries_of(clients[who], path) == few
