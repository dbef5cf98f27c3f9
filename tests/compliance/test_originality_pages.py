"""Originality pages: the creator's flags and its contest of one; the operator's flags list
(filters), contests queue, a contest decided (uphold / overturn with a note, audited) and the
trends; the agency's read-only view of its creators; one flag's page for each of its parties.
Outsiders (another creator, another agency, a brand, a partner) get 404 on flags and contests."""

import datetime

import pytest
import time_machine
from django.test import Client

from compliance.models import OriginalityContest, OriginalityFlag, OriginalitySignature
from creators.models import ContentItem
from tenancy.models import AuditEvent
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
#: Fixed moments, mid-month (a month's label does not hinge on the time zone).
MARCH = datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
APRIL = datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC)
ORIGINAL = "这款面霜质地清爽，适合混油皮，夏天用也不闷痘，我已经回购三次了。"
COPY = "这款面霜质地清爽适合混油皮，夏天用也不闷痘，我已经回购三次啦！"


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


def member_of(org, role: str = "owner") -> Client:
    return login(MembershipFactory(organization=org, role=role).user)


def item(creator, external_id: str, text: str, when) -> ContentItem:
    content = ContentItem.objects.unscoped().create(
        creator=creator,
        external_id=external_id,
        kind="video",
        title=f"Title {external_id}",
        text=text,
        published_at=when,
    )
    OriginalitySignature.objects.unscoped().create(
        content=content,
        creator=creator,
        published_at=when,
        signature=b"\0" * 4,
        shingles=10,
        text_digest=external_id[:32],
        indexed_at=when,
    )
    return content


_serial = iter(range(10**6))


def flagged(creator, *, source_creator=None, similarity=0.9, status="open", when=APRIL, text=COPY):
    """A copy by ``creator`` of an earlier item by ``source_creator``, flagged."""
    n = next(_serial)
    source_creator = source_creator or CreatorFactory()
    source = item(source_creator, f"orig-{n}", ORIGINAL, when - datetime.timedelta(days=2))
    copy = item(creator, f"copy-{n}", text, when)
    return OriginalityFlag.objects.unscoped().create(
        content=copy,
        creator=creator,
        source=source,
        source_creator=source_creator,
        similarity=similarity,
        status=status,
        flagged_at=when,
        updated_at=when,
    )


def contested(flag, statement: str = "Secret statement: I wrote it first", **fields):
    OriginalityFlag.objects.unscoped().filter(pk=flag.pk).update(
        status=fields.get("status", "contested")
    )
    return OriginalityContest.objects.unscoped().create(
        flag=flag, creator_id=flag.creator_id, statement=statement, created_at=flag.flagged_at,
        **fields,
    )  # fmt: skip


def flag_of(flag) -> OriginalityFlag:
    return OriginalityFlag.objects.unscoped().get(pk=flag.pk)


def contest_of(contest) -> OriginalityContest:
    return OriginalityContest.objects.unscoped().get(pk=contest.pk)


def audits() -> list[str]:
    rows = AuditEvent.objects.unscoped().filter(action__startswith="compliance.originality")
    return list(rows.order_by("id").values_list("action", flat=True))


# --- The creator ---------------------------------------------------------------------------------


def test_creator_sees_its_flags_with_source_similarity_and_rate():
    creator = CreatorFactory()
    source_creator = CreatorFactory(handle="the-original")
    flag = flagged(creator, source_creator=source_creator, similarity=0.873)
    item(creator, "own-clean", "我自己写的另一段文字", MARCH)  # two items, one flagged: 50%
    flagged(CreatorFactory(), text="Someone else's secret copy")
    body = creator_login(creator).get("/compliance/my/originality/").content.decode()
    assert f'id="flag-{flag.pk}"' in body and "@the-original" in body and "87%" in body
    assert ORIGINAL[:10] in body and 'class="contest-form"' in body
    assert '<dd id="my-originality-rate">50%</dd>' in body
    assert "Someone else" not in body


def test_creator_without_flags_sees_the_empty_state():
    body = creator_login(CreatorFactory()).get("/compliance/my/originality/").content.decode()
    assert "None of your content is flagged as a duplicate." in body
    assert 'id="my-originality-rate"' not in body  # no indexed item: no rate (not 100%)


@pytest.mark.parametrize(
    "statement, message",
    [("   ", "Say why your content is original."),
     ("x" * 2001, "Ensure this value has at most 2000 characters")],
)  # fmt: skip
def test_a_bad_statement_is_400_and_writes_nothing(statement, message):
    creator = CreatorFactory()
    flag = flagged(creator)
    client = creator_login(creator)
    response = client.post(
        f"/compliance/my/originality/{flag.pk}/contest/", {"statement": statement}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert flag_of(flag).status == "open" and not OriginalityContest.objects.unscoped().exists()
    assert audits() == []


def test_creator_contests_a_flag_once_and_then_reads_the_decision():
    creator = CreatorFactory()
    flag = flagged(creator)
    client = creator_login(creator)
    path = f"/compliance/my/originality/{flag.pk}/contest/"
    response = client.post(path, {"statement": "  I filmed this myself.  "}, follow=True)
    assert response.redirect_chain[-1][0] == "/compliance/my/originality/"
    contest = OriginalityContest.objects.unscoped().get()
    assert (contest.flag_id, contest.statement, contest.status) == (
        flag.pk,
        "I filmed this myself.",
        "open",
    )
    assert flag_of(flag).status == "contested"
    assert audits() == ["compliance.originality_contested"]
    body = response.content.decode()
    assert 'class="contest-form"' not in body and 'data-status="open"' in body
    # One contest per flag: a second is refused and writes nothing.
    again = client.post(path, {"statement": "Once more."})
    assert again.status_code == 400 and "already been contested or decided" in (
        again.content.decode()
    )
    assert OriginalityContest.objects.unscoped().count() == 1
    # The operator overturns it; the creator reads the decision and its note.
    _user, reviewer = operator()
    data = {"decision": "overturned", "note": "Secret note: filmed on the creator's own set"}
    assert (
        reviewer.post(f"/compliance/originality/contests/{contest.pk}/decide/", data).status_code
        == 302
    )
    body = client.get("/compliance/my/originality/").content.decode()
    assert 'data-status="overturned"' in body and "Secret note" in body


def test_another_creator_gets_404_on_a_flag_and_its_contest():
    creator = CreatorFactory()
    flag = flagged(creator)
    contest = contested(flag)
    other = creator_login(CreatorFactory())
    assert "Secret statement" not in other.get("/compliance/my/originality/").content.decode()
    for path in (
        f"/compliance/originality/flags/{flag.pk}/",
        f"/compliance/originality/contests/{contest.pk}/",
    ):
        response = other.get(path)
        assert response.status_code == 404 and "Secret statement" not in response.content.decode()
    response = other.post(f"/compliance/my/originality/{flag.pk}/contest/", {"statement": "mine"})
    assert response.status_code == 404
    decide = other.post(
        f"/compliance/originality/contests/{contest.pk}/decide/",
        {"decision": "overturned", "note": "n"},
    )
    assert decide.status_code == 404
    assert (
        contest_of(contest).status == "open" and OriginalityContest.objects.unscoped().count() == 1
    )


# --- One flag, one contest: the parties and the outsiders ---------------------------------------


def test_parties_see_the_flag_and_contest_and_outsiders_get_404():
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    flag = flagged(creator)
    contest = contested(flag)
    paths = [
        f"/compliance/originality/flags/{flag.pk}/",
        f"/compliance/originality/contests/{contest.pk}/",
    ]
    _user, reviewer = operator()
    parties = [reviewer, member_of(agency, "viewer"), creator_login(creator)]
    for client in parties:
        for path in paths:
            page = client.get(path)
            body = page.content.decode()
            assert page.status_code == 200 and "Secret statement" in body, path
            assert ORIGINAL[:10] in body and COPY[:10] in body  # both texts, side by side
    outsiders = [
        member_of(OrganizationFactory(kind="agency")),
        member_of(OrganizationFactory(kind="brand")),
        member_of(OrganizationFactory(kind="partner")),
        creator_login(CreatorFactory()),
    ]
    for client in outsiders:
        for path in paths:
            for response in (client.get(path), client.get(path, **HTMX)):
                assert response.status_code == 404, path
                assert "Secret statement" not in response.content.decode()


def test_only_an_operator_reviewer_sees_the_decision_form():
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    contest = contested(flagged(creator))
    path = f"/compliance/originality/contests/{contest.pk}/"
    _user, reviewer = operator()
    assert 'class="decide-form contest-decide-form"' in reviewer.get(path).content.decode()
    for client in (operator("viewer")[1], operator("member")[1], member_of(agency)):
        assert "contest-decide-form" not in client.get(path).content.decode()
    # The creator contested it; the agency (its agency, even its owner) only reads.
    assert "contest-decide-form" not in creator_login(creator).get(path).content.decode()


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_a_read_only_or_non_reviewing_operator_cannot_decide(role):
    contest = contested(flagged(CreatorFactory()))
    _user, client = operator(role)
    data = {"decision": "upheld", "note": "walk"}
    response = client.post(f"/compliance/originality/contests/{contest.pk}/decide/", data)
    assert response.status_code == 403
    assert contest_of(contest).status == "open" and audits() == []


def test_agency_cannot_decide_its_creators_contest():
    agency = OrganizationFactory(kind="agency")
    contest = contested(flagged(CreatorFactory(agency=agency)))
    response = member_of(agency).post(
        f"/compliance/originality/contests/{contest.pk}/decide/",
        {"decision": "overturned", "note": "ours"},
    )
    assert response.status_code == 404 and contest_of(contest).status == "open"


# --- The operator: decide ------------------------------------------------------------------------


def test_reviewer_upholds_a_contest_with_a_note_audited():
    flag = flagged(CreatorFactory())
    contest = contested(flag)
    user, client = operator()
    path = f"/compliance/originality/contests/{contest.pk}/"
    page = client.get(path).content.decode()
    assert 'class="text-pair"' in page and "Secret statement" in page and "90%" in page
    response = client.post(
        f"{path}decide/", {"decision": "upheld", "note": "The same caption word for word"},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == path
    contest = contest_of(contest)
    assert (contest.status, contest.decided_by, contest.note) == (
        "upheld",
        user,
        "The same caption word for word",
    )
    assert flag_of(flag).status == "upheld"
    assert audits() == ["compliance.originality_contest_upheld"]
    event = AuditEvent.objects.unscoped().get(action="compliance.originality_contest_upheld")
    assert event.data["note"] == "The same caption word for word"
    assert "contest-decide-form" not in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [({"note": "no choice"}, "This field is required."),
     ({"decision": "maybe", "note": "n"}, "Select a valid choice."),
     ({"decision": "overturned"}, "Say why you decide so."),
     ({"decision": "overturned", "note": "   "}, "Say why you decide so."),
     ({"decision": "upheld", "note": "x" * 2001}, "at most 2000 characters")],
)  # fmt: skip
def test_a_bad_decision_is_400_and_changes_nothing(data, message):
    flag = flagged(CreatorFactory())
    contest = contested(flag)
    _user, client = operator()
    response = client.post(f"/compliance/originality/contests/{contest.pk}/decide/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert contest_of(contest).status == "open" and flag_of(flag).status == "contested"
    assert audits() == []


def test_a_decided_contest_cannot_be_decided_again():
    flag = flagged(CreatorFactory())
    contest = contested(flag)
    _user, client = operator()
    path = f"/compliance/originality/contests/{contest.pk}/decide/"
    assert client.post(path, {"decision": "overturned", "note": "original"}).status_code == 302
    again = client.post(path, {"decision": "upheld", "note": "changed my mind"})
    assert again.status_code == 400 and "already decided" in again.content.decode()
    assert contest_of(contest).status == "overturned" and flag_of(flag).status == "overturned"


# --- The operator: lists, queue, trends ----------------------------------------------------------


def test_operator_flags_list_filters_by_status_creator_and_similarity():
    alice, bob = CreatorFactory(handle="alice"), CreatorFactory(handle="bob")
    high = flagged(alice, similarity=0.95)
    low = flagged(bob, similarity=0.55)
    upheld = flagged(bob, similarity=0.75, status="upheld")
    _user, client = operator("viewer")
    every = client.get("/compliance/originality/").content.decode()
    assert all(f'id="flag-{f.pk}"' in every for f in (high, low, upheld))
    assert '<dd data-count="open">2</dd>' in every and '<dd data-count="upheld">1</dd>' in every

    def shown(query: str) -> set[int]:
        response = client.get(f"/compliance/originality/?{query}", **HTMX)
        assert response.status_code == 200 and "<h1>" not in response.content.decode()
        body = response.content.decode()
        return {f.pk for f in (high, low, upheld) if f'id="flag-{f.pk}"' in body}

    assert shown("status=upheld") == {upheld.pk}
    assert shown("status=counting") == {high.pk, low.pk, upheld.pk}
    assert shown("creator=bob") == {low.pk, upheld.pk}
    assert shown("similarity_min=70") == {high.pk, upheld.pk}
    assert shown("similarity_min=60&similarity_max=80") == {upheld.pk}
    assert shown("status=overturned") == set()
    empty = client.get("/compliance/originality/?status=overturned").content.decode()
    assert "No flag matches these filters." in empty


@pytest.mark.parametrize(
    "query, message",
    [("similarity_min=abc", "Enter a whole number."),
     ("similarity_max=101", "less than or equal to 100"),
     ("similarity_min=80&similarity_max=20", "The upper bound is below the lower one."),
     ("creator=nobody-here", "No creator with this handle among yours."),
     ("status=deleted", "Select a valid choice.")],
)  # fmt: skip
def test_a_bad_filter_is_400_with_its_error_and_narrows_nothing(query, message):
    flag = flagged(CreatorFactory())
    _user, client = operator()
    for headers in ({}, HTMX):
        response = client.get(f"/compliance/originality/?{query}", **headers)
        body = response.content.decode()
        assert response.status_code == 400 and message in body
        assert f'id="flag-{flag.pk}"' in body


def test_empty_flag_list_and_queue_say_so():
    _user, client = operator()
    assert "No originality flag." in client.get("/compliance/originality/").content.decode()
    body = client.get("/compliance/originality/contests/").content.decode()
    assert "No creator has contested a flag." in body
    trends = client.get("/compliance/originality/trends/").content.decode()
    assert "No content indexed yet." in trends and "No data yet." in trends
    assert "No creator has a flag counting against its rate." in trends


def test_contests_queue_puts_open_first_oldest_first_with_their_age():
    now = APRIL + datetime.timedelta(days=1)
    old = contested(flagged(CreatorFactory(), when=APRIL - datetime.timedelta(days=3)))
    fresh = contested(flagged(CreatorFactory(), when=APRIL))
    decided = contested(
        flagged(CreatorFactory(), when=APRIL - datetime.timedelta(days=9)),
        status="upheld", decided_at=APRIL - datetime.timedelta(days=8), note="dup",
    )  # fmt: skip
    _user, client = operator("viewer")
    with time_machine.travel(now, tick=False):
        body = client.get("/compliance/originality/contests/").content.decode()
    order = [body.index(f'id="contest-{c.pk}"') for c in (old, fresh, decided)]
    assert order == sorted(order)
    assert "96.0" in body and "24.0" in body  # hours waiting: 4 days and 1 day
    assert '<dd data-count="open">2</dd>' in body
    only = client.get("/compliance/originality/contests/?status=upheld", **HTMX).content.decode()
    assert f'id="contest-{decided.pk}"' in only and f'id="contest-{old.pk}"' not in only


def test_trends_show_the_rate_per_month_and_the_most_flagged():
    agency = OrganizationFactory(kind="agency", name="Copycat MCN")
    copier = CreatorFactory(handle="copier", agency=agency)
    flagged(copier, when=MARCH)
    flagged(copier, when=APRIL)
    flagged(CreatorFactory(handle="once"), when=APRIL, status="overturned")  # does not count
    _user, client = operator("viewer")
    body = client.get("/compliance/originality/trends/").content.decode()
    # Each copy comes two days after its source: March has one source and one (flagged) copy;
    # April two sources and two copies, one flagged, one overturned (not counting).
    assert 'data-month="2026-03"' in body and 'data-month="2026-04"' in body
    march = body.split('data-month="2026-03"')[1].split("</tr>")[0]
    assert '<td class="num">2</td><td class="num">1</td><td class="num">50%</td>' in march
    april = body.split('data-month="2026-04"')[1].split("</tr>")[0]
    assert '<td class="num">4</td><td class="num">1</td><td class="num">75%</td>' in april
    leaders = body.split('id="originality-creators"')[1].split('id="originality-agencies"')[0]
    assert 'data-creator="copier"' in leaders
    assert "@once" not in leaders  # its one flag is overturned: it is not among the flagged
    assert f'data-agency="{agency.pk}"' in body and "Copycat MCN" in body
    assert body.count('class="plot"') == 3 and "Show the numbers" in body


# --- The agency ----------------------------------------------------------------------------------


def test_agency_sees_its_creators_rates_and_flags_read_only():
    agency = OrganizationFactory(kind="agency")
    signed = CreatorFactory(handle="signed-one", agency=agency)
    flag = flagged(signed)
    item(signed, "clean", "我自己写的文字", MARCH)
    theirs = flagged(
        CreatorFactory(handle="someone-else", agency=OrganizationFactory(kind="agency"))
    )
    client = member_of(agency, "viewer")
    body = client.get("/compliance/originality/creators/").content.decode()
    assert f'id="flag-{flag.pk}"' in body and 'data-creator="signed-one"' in body
    assert f'id="flag-{theirs.pk}"' not in body and "someone-else" not in body
    assert '<dd id="agency-originality-rate">50%</dd>' in body  # 1 of its creator's 2 items
    assert "contest-form" not in body and "decide-form" not in body
    # Its creator filter knows its own creators only: another agency's is as unknown as none.
    for handle in ("someone-else", "no-such-creator"):
        refused = client.get(f"/compliance/originality/creators/?creator={handle}")
        assert refused.status_code == 400
        assert "No creator with this handle among yours." in refused.content.decode()
    mine = client.get("/compliance/originality/creators/?creator=signed-one", **HTMX)
    assert mine.status_code == 200 and f'id="flag-{flag.pk}"' in mine.content.decode()


def test_agency_without_creators_sees_empty_states():
    body = member_of(OrganizationFactory(kind="agency")).get("/compliance/originality/creators/")
    text = body.content.decode()
    assert "None of your creators has indexed content yet." in text
    assert "No originality flag." in text


@pytest.mark.parametrize(
    "path, allowed",
    [("/compliance/originality/", "operator"), ("/compliance/originality/contests/", "operator"),
     ("/compliance/originality/trends/", "operator"), ("/compliance/my/originality/", "creator"),
     ("/compliance/originality/creators/", "agency")],
)  # fmt: skip
def test_each_list_is_for_its_kind_only(path, allowed):
    clients = {
        "operator": operator("viewer")[1],
        "agency": member_of(OrganizationFactory(kind="agency")),
        "brand": member_of(OrganizationFactory(kind="brand")),
        "partner": member_of(OrganizationFactory(kind="partner")),
        "creator": creator_login(CreatorFactory()),
    }
    for kind, client in clients.items():
        assert client.get(path).status_code == (200 if kind == allowed else 404), kind


# --- Bounded queries -----------------------------------------------------------------------------


def queries_of(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def rows_for(creator, n: int) -> None:
    for index in range(n):
        flag = flagged(creator, source_creator=CreatorFactory(agency=creator.agency))
        if index % 2:
            contested(flag)


@pytest.mark.parametrize(
    "path, who",
    [("/compliance/originality/", "operator"), ("/compliance/originality/contests/", "operator"),
     ("/compliance/originality/trends/", "operator"),
     ("/compliance/originality/?creator=counted&similarity_min=10", "operator"),
     ("/compliance/my/originality/", "creator"), ("/compliance/originality/creators/", "agency")],
)  # fmt: skip
def test_pages_cost_the_same_queries_at_two_rows_or_twelve(path, who):
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency, handle="counted")
    clients = {
        "operator": operator()[1],
        "creator": creator_login(creator),
        "agency": member_of(agency),
    }
    rows_for(creator, 2)
    few = queries_of(clients[who], path)
    rows_for(creator, 10)
    assert queries_of(clients[who], path) == few


# --- Chinese -------------------------------------------------------------------------------------


def test_the_pages_speak_chinese():
    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory(agency=agency)
    contest = contested(flagged(creator))
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    _user, reviewer = operator()
    pages = {
        "/compliance/originality/": (reviewer, "原创性标记"),
        "/compliance/originality/contests/": (reviewer, "原创性申诉"),
        f"/compliance/originality/contests/{contest.pk}/": (reviewer, "维持标记：内容重复"),
        "/compliance/originality/trends/": (reviewer, "每月原创度"),
        "/compliance/originality/creators/": (member_of(agency), "各创作者原创度"),
        "/compliance/my/originality/": (creator_login(creator), "我的原创性标记"),
    }
    for path, (client, text) in pages.items():
        main = client.get(path, **zh).content.decode().split("<main", 1)[1]
        assert text in main and "达人" not in main, path  # 创作者 on these pages
