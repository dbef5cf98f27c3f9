"""Originality protection end to end: ingestion indexes and flags (the earliest publisher is
the original, whatever the ingestion order), re-ingestion is harmless, the rebuild equals the
incremental result, contests and decisions (audited; an overturned flag stops counting), who
sees flags and contests, rates per creator and agency, and the check API with its 400s."""

import datetime
import io
import random

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from compliance import originality
from compliance.models import (
    OriginalityBucket,
    OriginalityContest,
    OriginalityFlag,
    OriginalitySignature,
)
from compliance.selectors_originality import (
    ORIGINALITY_MERIT_WINDOW_DAYS,
    originality_agency_rates,
    originality_contest_get,
    originality_contests,
    originality_flag_get,
    originality_flags,
    originality_merit_adjustment,
    originality_metric_source,
    originality_rates,
)
from compliance.services import originality_contest_decide, originality_flag_contest
from creators.ingest import content_items_upsert
from tenancy.models import AuditEvent
from tenancy.scoping import Actor, acting_as
from tests.factories import CreatorFactory, OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

from .conftest import creator_actor, operator_actor
from .originality_texts import originals, reordered

pytestmark = pytest.mark.django_db
CHECK = "/api/v1/originality/check/"
TEXTS = originals()
NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
TABLES = (
    "compliance.OriginalitySignature",
    "compliance.OriginalityBucket",
    "compliance.OriginalityFlag",
    "compliance.OriginalityContest",
)


def partner() -> Actor:
    org = OrganizationFactory(kind="partner")
    return Actor(user_id=None, organization_id=org.pk, organization_kind="partner", role="api_key")


def item(creator, external_id, text, *, days_ago):
    return {
        "creator": creator.handle,
        "external_id": external_id,
        "kind": "video",
        "title": "直播切片",
        "text": text,
        "published_at": (NOW - datetime.timedelta(days=days_ago)).isoformat(),
        "views": 10,
        "engagement": 1,
    }


@pytest.fixture
def push(django_capture_on_commit_callbacks):
    actor = partner()

    def push(*rows):
        with acting_as(actor), django_capture_on_commit_callbacks(execute=True) as callbacks:
            content_items_upsert(actor=actor, rows=list(rows))
        return callbacks

    return push


def flags() -> set[tuple[str, str, float]]:
    rows = OriginalityFlag.objects.unscoped().values_list(
        "content__external_id", "source__external_id", "similarity", "status"
    )
    return {(c, s, round(sim, 9), status) for c, s, sim, status in rows}


@pytest.fixture
def world(push):
    """An original (A), a copy by B a day later, a copy of the copy by C, B's own repost, and
    an unrelated item of C's."""
    a, b, c = CreatorFactory(), CreatorFactory(), CreatorFactory()
    rng = random.Random(3)
    push(
        item(a, "a-orig", TEXTS[0], days_ago=5),
        item(b, "b-copy", reordered(TEXTS[0], rng), days_ago=4),
        item(c, "c-copy", TEXTS[0].replace("，", " "), days_ago=3),
        item(b, "b-repost", TEXTS[0], days_ago=2),
        item(c, "c-own", TEXTS[1], days_ago=2),
    )
    return a, b, c


def test_a_later_copy_is_flagged_with_its_source_not_the_original(world):
    a, b, c = world
    assert OriginalitySignature.objects.unscoped().count() == 5
    assert OriginalityBucket.objects.unscoped().count() == 5 * 40
    got = {(content, source) for content, source, _, _ in flags()}
    # Every copy names the earliest publisher; the original and the unrelated item are clean.
    assert got == {("b-copy", "a-orig"), ("c-copy", "a-orig"), ("b-repost", "a-orig")}
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="c-copy")
    assert flag.similarity == 1.0 and flag.creator_id == c.pk and flag.source_creator_id == a.pk
    assert flag.status == OriginalityFlag.Status.OPEN


def test_ingestion_order_does_not_decide_who_is_original(push):
    a, b = CreatorFactory(), CreatorFactory()
    push(item(b, "copy", TEXTS[2].replace("。", "！"), days_ago=1))
    assert not flags()  # nothing earlier is known yet
    push(item(a, "orig", TEXTS[2], days_ago=3))
    assert {(c, s) for c, s, _, _ in flags()} == {("copy", "orig")}
    # A third, even earlier publisher becomes the source of the open flag; the old one too is
    # now a copy.
    first = CreatorFactory()
    push(item(first, "first", TEXTS[2], days_ago=9))
    assert {(c, s) for c, s, _, _ in flags()} == {("copy", "first"), ("orig", "first")}


def test_a_creator_reposting_its_own_text_is_not_flagged(push):
    a = CreatorFactory()
    push(item(a, "one", TEXTS[3], days_ago=3), item(a, "two", TEXTS[3], days_ago=1))
    assert not flags()


def test_ingesting_the_same_items_twice_is_harmless(world, push):
    a, b, c = world
    before = flags()
    signatures = list(OriginalitySignature.objects.unscoped().values_list("content", "indexed_at"))
    rng = random.Random(3)
    push(
        item(a, "a-orig", TEXTS[0], days_ago=5),
        item(b, "b-copy", reordered(TEXTS[0], rng), days_ago=4),
        item(c, "c-copy", TEXTS[0].replace("，", " "), days_ago=3),
    )
    assert flags() == before
    assert OriginalityBucket.objects.unscoped().count() == 5 * 40
    after = list(OriginalitySignature.objects.unscoped().values_list("content", "indexed_at"))
    assert after == signatures  # unchanged texts are not even rewritten
    assert originality.index_items(content_ids=[s for s, _ in after]) == 0


def test_a_changed_text_moves_its_index_rows_and_drops_an_open_flag(world, push):
    a, b, c = world
    push(item(c, "c-copy", TEXTS[5], days_ago=3))
    assert "c-copy" not in {content for content, *_ in flags()}
    push(item(c, "c-copy", "太短了", days_ago=3))  # too short to index: out of the index
    ids = OriginalitySignature.objects.unscoped().values_list("content__external_id", flat=True)
    assert "c-copy" not in set(ids)


def test_a_changed_source_re_decides_the_flags_that_named_it(world, push):
    a, b, c = world
    push(item(a, "a-orig", TEXTS[5], days_ago=5))  # A's text is another one now
    got = {(content, source) for content, source, _, _ in flags()}
    # B's copy is the earliest left: C's copy names it, B's own repost is no copy of anyone.
    assert got == {("c-copy", "b-copy")}
    # Incremental indexing ended where a rebuild from the database ends.
    incremental = flags()
    call_command("build_originality_index", stdout=io.StringIO())
    assert flags() == incremental


def bucket_rows():
    buckets = OriginalityBucket.objects.unscoped().values_list("content", "band", "key")
    signatures = OriginalitySignature.objects.unscoped().values_list(
        "content", "creator", "published_at", "signature", "shingles", "text_digest"
    )
    return sorted(buckets), sorted((*row[:3], bytes(row[3]), *row[4:]) for row in signatures)


def test_the_rebuild_command_equals_the_incremental_result(world):
    incremental = flags()
    rows = bucket_rows()
    out = io.StringIO()
    call_command("build_originality_index", "--batch", "2", stdout=out)
    assert "5 of 5 items indexed" in out.getvalue() and "indexed 4 / 5" in out.getvalue()
    assert flags() == incremental
    assert bucket_rows() == rows
    # From nothing (index and open flags lost) the rebuild finds the same flags again.
    OriginalityFlag.objects.unscoped().all().delete()
    OriginalityBucket.objects.unscoped().all().delete()
    OriginalitySignature.objects.unscoped().all().delete()
    call_command("build_originality_index", stdout=io.StringIO())
    assert flags() == incremental


@pytest.mark.postgres
def test_the_rebuild_on_postgresql_restores_the_bucket_index_and_the_keys(world):
    from django.db import connection

    call_command("build_originality_index", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'compliance_orig_bucket'")
        (definition,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY("
            "ARRAY['compliance_originalitybucket', 'compliance_originalitysignature']::regclass[])"
        )
        (keys,) = cursor.fetchone()
    assert "(band, key) INCLUDE (content_id)" in definition
    assert keys == 3  # bucket → content; signature → content, creator


def test_the_rebuild_keeps_decided_flags(world):
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    contest = originality_flag_contest(
        actor=creator_actor(flag.creator), flag=flag, statement="我们是同一个品牌的合作方"
    )
    originality_contest_decide(actor=operator_actor(), contest=contest, decision="overturned")
    call_command("build_originality_index", stdout=io.StringIO())
    flag.refresh_from_db()
    assert flag.status == "overturned" and flag.source.external_id == "a-orig"


def test_the_rebuild_command_refuses_a_bad_batch():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("build_originality_index", "--batch", "0", stdout=io.StringIO())


# --- Contests ------------------------------------------------------------------------------------


def test_contest_flow_upheld_and_overturned_audited_and_counted(world):
    a, b, c = world
    reviewer = operator_actor()
    b_actor = creator_actor(b)
    assert originality_rates(actor=reviewer).loc[b.pk].to_dict() == {
        "items": 2,
        "flagged": 2,
        "originality_rate": 0.0,
    }
    flag = originality_flags(actor=b_actor).get(content__external_id="b-copy")
    contest = originality_flag_contest(actor=b_actor, flag=flag, statement="  这是我自己写的  ")
    flag.refresh_from_db()
    assert flag.status == "contested" and contest.statement == "这是我自己写的"
    assert list(originality_contests(actor=reviewer)) == [contest]
    with pytest.raises(ValidationError):
        originality_flag_contest(actor=b_actor, flag=flag, statement="再来一次")
    decided = originality_contest_decide(
        actor=reviewer, contest=contest, decision="overturned", note="品牌授权的文案"
    )
    flag.refresh_from_db()
    assert decided.status == flag.status == "overturned" and decided.decided_at is not None
    # The overturned flag stops counting; the other (the repost) still counts.
    assert originality_rates(actor=reviewer).loc[b.pk, "originality_rate"] == 0.5
    with pytest.raises(ValidationError):
        originality_contest_decide(actor=reviewer, contest=contest, decision="upheld")
    repost = originality_flags(actor=b_actor).get(content__external_id="b-repost")
    second = originality_flag_contest(actor=b_actor, flag=repost, statement="转发自己的")
    originality_contest_decide(actor=reviewer, contest=second, decision="upheld")
    repost.refresh_from_db()
    assert repost.status == "upheld" and repost.counts
    actions = list(
        AuditEvent.objects.unscoped()
        .filter(action__startswith="compliance.originality")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "compliance.originality_contested",
        "compliance.originality_contest_overturned",
        "compliance.originality_contested",
        "compliance.originality_contest_upheld",
    ]
    assert originality_contests(actor=reviewer, status="upheld").get() == second


@pytest.mark.parametrize(
    ("statement", "field"), [("", "statement"), ("   ", "statement"), ("字" * 2001, "statement")]
)
def test_a_bad_statement_is_refused_and_writes_nothing(world, statement, field):
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    before = row_counts(*TABLES)
    with pytest.raises(ValidationError) as error:
        originality_flag_contest(actor=creator_actor(flag.creator), flag=flag, statement=statement)
    assert field in error.value.message_dict
    assert row_counts(*TABLES) == before
    flag.refresh_from_db()
    assert flag.status == "open"


@pytest.mark.parametrize("decision", ["", "maybe", "approve"])
def test_a_bad_decision_is_refused(world, decision):
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    contest = originality_flag_contest(actor=creator_actor(flag.creator), flag=flag, statement="x")
    with pytest.raises(ValidationError):
        originality_contest_decide(actor=operator_actor(), contest=contest, decision=decision)
    with pytest.raises(ValidationError):
        originality_contest_decide(
            actor=operator_actor(), contest=contest, decision="upheld", note="字" * 2001
        )
    contest.refresh_from_db()
    assert contest.status == "open"


def test_only_the_flagged_creator_contests_and_only_reviewers_decide(world):
    a, b, c = world
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    # Another creator (even the original's) does not see the flag: 404.
    for outsider in (creator_actor(c), creator_actor(a)):
        with pytest.raises(OriginalityFlag.DoesNotExist):
            originality_flag_contest(actor=outsider, flag=flag, statement="不是我的")
    with pytest.raises(PermissionDenied):  # the operator does not contest for the creator
        originality_flag_contest(actor=operator_actor(), flag=flag, statement="x")
    contest = originality_flag_contest(actor=creator_actor(b), flag=flag, statement="我的")
    for not_reviewer in (creator_actor(b), operator_actor(role="viewer")):
        with pytest.raises(PermissionDenied):
            originality_contest_decide(actor=not_reviewer, contest=contest, decision="overturned")


def test_who_sees_flags_and_contests(world):
    a, b, c = world
    agency, other_agency = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    b.agency = agency
    b.save(update_fields=["agency"])
    agency_actor = Actor(
        user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner"
    )
    outsider_agency = Actor(
        user_id=None, organization_id=other_agency.pk, organization_kind="agency", role="owner"
    )
    brand = Actor(
        user_id=None,
        organization_id=OrganizationFactory(kind="brand").pk,
        organization_kind="brand",
        role="owner",
    )
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    contest = originality_flag_contest(actor=creator_actor(b), flag=flag, statement="我的")
    for insider in (operator_actor(role="viewer"), creator_actor(b), agency_actor):
        assert originality_flag_get(actor=insider, flag_id=flag.pk) == flag
        assert originality_contest_get(actor=insider, contest_id=contest.pk) == contest
    for outsider in (creator_actor(a), creator_actor(c), outsider_agency, brand):
        with pytest.raises(OriginalityFlag.DoesNotExist):
            originality_flag_get(actor=outsider, flag_id=flag.pk)
        with pytest.raises(OriginalityContest.DoesNotExist):
            originality_contest_get(actor=outsider, contest_id=contest.pk)
    assert originality_flags(actor=operator_actor(), status="counting").count() == 3
    assert set(originality_flags(actor=agency_actor)) == set(
        OriginalityFlag.objects.unscoped().filter(creator=b)
    )


# --- Rates ---------------------------------------------------------------------------------------


def test_rates_per_creator_and_agency_and_the_certification_input(world):
    a, b, c = world
    agency, empty = OrganizationFactory(kind="agency"), OrganizationFactory(kind="agency")
    for creator in (b, c):
        creator.agency = agency
        creator.save(update_fields=["agency"])
    reviewer = operator_actor()
    rates = originality_rates(actor=reviewer)
    assert rates["originality_rate"].to_dict() == {a.pk: 1.0, b.pk: 0.0, c.pk: 0.5}
    assert originality_rates(actor=creator_actor(c)).index.tolist() == [c.pk]
    by_agency = originality_agency_rates(actor=reviewer)
    assert by_agency.loc[agency.pk].to_dict() == {
        "items": 4,
        "flagged": 3,
        "originality_rate": 0.25,
    }
    agency_actor = Actor(
        user_id=None, organization_id=agency.pk, organization_kind="agency", role="owner"
    )
    assert set(originality_rates(actor=agency_actor).index) == {b.pk, c.pk}
    assert originality_agency_rates(actor=creator_actor(c)).empty
    # The window: only items published in it count; an agency without items has no rate.
    frame = originality_metric_source(
        window_start=(NOW - datetime.timedelta(days=3)).date(),
        as_of=NOW.date(),
        agency_ids=[agency.pk, empty.pk],
    )
    # In the window: c-copy and b-repost (flagged), c-own (clean).
    assert frame.loc[agency.pk, "originality_rate"] == pytest.approx(1 / 3)
    assert frame["originality_rate"].isna().tolist() == [False, True]


def test_traffic_merit_follows_the_originality_rate_in_the_window(world):
    a, b, c = world
    outsider = CreatorFactory()  # nothing indexed: its merit stays
    ids = sorted([a.pk, b.pk, c.pk, outsider.pk])
    merit = np.full(len(ids), 10.0)
    eligible = np.ones(len(ids), dtype=bool)
    adjusted, still = originality_merit_adjustment(
        as_of=NOW.date(), creator_ids=ids, merit=merit, eligible=eligible
    )
    expected = {a.pk: 10.0, b.pk: 0.0, c.pk: 5.0, outsider.pk: 10.0}
    assert adjusted.tolist() == [expected[i] for i in ids] and still.all()
    # An overturned flag stops counting: B's copy is original after all, its repost is not.
    flag = OriginalityFlag.objects.unscoped().get(content__external_id="b-copy")
    contest = originality_flag_contest(actor=creator_actor(b), flag=flag, statement="我的")
    originality_contest_decide(actor=operator_actor(), contest=contest, decision="overturned")
    adjusted, _ = originality_merit_adjustment(
        as_of=NOW.date(), creator_ids=ids, merit=merit, eligible=eligible
    )
    assert adjusted[ids.index(b.pk)] == 5.0
    # Items older than the window do not count: a month later every merit is whole again.
    later, _ = originality_merit_adjustment(
        as_of=NOW.date() + datetime.timedelta(days=ORIGINALITY_MERIT_WINDOW_DAYS + 5),
        creator_ids=ids, merit=merit, eligible=eligible,
    )  # fmt: skip
    assert later.tolist() == [10.0] * len(ids)


def test_traffic_reads_the_originality_merit_adjustment():
    from traffic.services import MERIT_ADJUSTMENTS

    assert originality_merit_adjustment in MERIT_ADJUSTMENTS


def test_the_certification_reads_the_originality_rate():
    from mcn import metrics

    assert originality_metric_source in metrics.METRIC_SOURCES


# --- The check API -------------------------------------------------------------------------------


@pytest.fixture
def checker():
    return api_key_client(OrganizationFactory(kind="partner"), ["originality:check"])[1]


def test_the_check_answers_matches_closest_first(world, checker):
    a, b, c = world
    before = row_counts(*TABLES)
    text = TEXTS[0][:-4] + "赶快下单"
    response = checker.post(CHECK, {"text": text}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["duplicate"] is True
    similarities = [m["similarity"] for m in body["matches"]]
    assert similarities == sorted(similarities, reverse=True) and similarities[0] < 1
    first = body["matches"][0]["content"]
    assert set(first) == {"id", "external_id", "creator", "published_at"}
    assert {m["content"]["external_id"] for m in body["matches"]} == {
        "a-orig",
        "b-copy",
        "c-copy",
        "b-repost",
    }
    orig = next(m["content"] for m in body["matches"] if m["content"]["external_id"] == "a-orig")
    assert orig["creator"] == a.handle and orig["published_at"].startswith("2026-05-27")
    assert row_counts(*TABLES) == before  # a check is a read

    unrelated = checker.post(CHECK, {"text": TEXTS[10]}, format="json").json()
    assert unrelated == {"duplicate": False, "matches": []}


def test_the_check_with_an_empty_index(checker):
    body = checker.post(CHECK, {"text": TEXTS[0]}, format="json").json()
    assert body == {"duplicate": False, "matches": []}


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "！？。，…… ～"},
        {"text": "太短了"},
        {"text": "字" * 20_001},
        {"text": 12},
        {"text": ["家人们晚上好欢迎来到直播间今天给大家带来"]},
        {"text": None},
        {},
    ],
)
def test_bad_input_is_a_clear_400(checker, body):
    response = checker.post(CHECK, body, format="json")
    assert response.status_code == 400, response.content
    assert "text" in response.json()["error"]["fields"]


def test_the_longest_text_is_checked_and_a_key_without_the_scope_is_refused(checker):
    response = checker.post(CHECK, {"text": "这款面霜很好用。" * 2500}, format="json")
    assert response.status_code == 200
    other = api_key_client(OrganizationFactory(kind="partner"), ["compliance:check"])[1]
    assert other.post(CHECK, {"text": TEXTS[0]}, format="json").status_code == 403


def test_ingestion_indexes_after_commit_not_before(django_capture_on_commit_callbacks):
    actor, creator = partner(), CreatorFactory()
    with acting_as(actor), django_capture_on_commit_callbacks(execute=False) as callbacks:
        content_items_upsert(actor=actor, rows=[item(creator, "x", TEXTS[4], days_ago=1)])
    assert not OriginalitySignature.objects.unscoped().exists()  # not yet: nothing committed
    for callback in callbacks:
        callback()
    assert OriginalitySignature.objects.unscoped().count() == 1
