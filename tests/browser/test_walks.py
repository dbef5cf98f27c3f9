"""Each demo role's main path, clicked through in Chromium on a live server: in Simplified
Chinese at desktop width, and in English at 390 px where no page may scroll sideways.

Only the first page of each role is opened by address (the login page); everything after is a
click, a typed field or a chosen option. Selectors use ids, names and addresses, not wording, so
the same walk runs in both languages. Screenshots: test-output/<lang>/<role>/NN-step.png.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from brands.models import Campaign, Collaboration, Product
from brands.services import collaboration_offer
from creators import taxonomy
from creators.models import Creator
from mcn.default_policy import DEFAULT_BENEFITS, DEFAULT_POLICY
from mcn.models import AgencyAssessment, CertificationRun, Contract, TierBenefit, TierPolicy
from tenancy.models import Organization
from tenancy.scoping import Actor, acting_as
from traffic.models import AllocationRun

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RUNS = [pytest.param("zh-hans", 1280, id="zh-hans-desktop"), pytest.param("en", 390, id="en-390px")]


def brand_actor() -> Actor:
    org = Organization.objects.get(slug="huayang-beauty")
    user = get_user_model().objects.get(username="brand")
    return Actor(user_id=user.pk, organization_id=org.pk, organization_kind=org.kind, role="owner")


def open_offers() -> tuple[Collaboration, Collaboration]:
    """Two fresh offers of one active campaign of the demo brand: one to the demo creator (who
    accepts it), one to another creator (whom the brand cancels). The seeded world's own offers
    depend on the day it was generated; these do not."""
    actor = brand_actor()
    with acting_as(actor):
        campaign = Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk").first()
        product = Product.objects.order_by("pk").first()
        mine = Creator.objects.unscoped().get(user__username="creator")
        other = (
            Creator.objects.unscoped()
            .filter(status=Creator.Status.ACTIVE)
            .exclude(pk=mine.pk)
            .order_by("pk")
            .first()
        )
        deadline = timezone.now() + datetime.timedelta(days=7)
        terms = {"offer_type": Collaboration.OfferType.choices[0][0], "response_deadline": deadline}
        return tuple(
            collaboration_offer(
                actor=actor, campaign=campaign, product=product, creator=creator, **terms
            )
            for creator in (mine, other)
        )


def independent_handle() -> str:
    signed = Contract.objects.unscoped().values("creator_id")
    creator = (
        Creator.objects.unscoped()
        .filter(status=Creator.Status.ACTIVE, user__isnull=True)
        .exclude(pk__in=signed)
        .order_by("pk")
        .first()
    )
    return creator.handle


def sign_in(walk, live_server, username: str) -> None:
    page = walk.page
    page.goto(f"{live_server.url}/login/")
    language = page.locator("#language-form select")
    if language.input_value() != walk.lang:
        with page.expect_navigation():
            language.select_option(walk.lang)
    assert page.locator("html").get_attribute("lang") == walk.lang
    walk.shot("login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url, f"{username} could not sign in"


def status_of(row) -> str:
    return row.locator("span.status").get_attribute("class")


def walk_brand(walk, live_server, cancelled: Collaboration) -> None:
    page = walk.page
    sign_in(walk, live_server, "brand")
    assert page.locator("[data-home=brand]").count() == 1
    walk.shot("dashboard")
    page.click("a[href='/brand/campaigns/']")
    walk.shot("campaigns")
    search = page.locator("form.filters [name=q]")  # the list is paginated: find it by name
    search.fill(cancelled.campaign.name)
    with page.expect_response(lambda response: "q=" in response.url):
        search.press("Enter")
    page.click(f"#campaign-table a[href='/brand/campaigns/{cancelled.campaign_id}/']")
    walk.shot("campaign")
    page.select_option("form.filters select[name=status]", "offered")  # htmx reloads the table
    row = page.locator(f"#collaboration-{cancelled.pk}")
    row.wait_for()
    walk.shot("campaign-offered")
    row.locator("form:has(input[value=cancelled]) button").click()
    page.wait_for_selector(f"#collaboration-{cancelled.pk} span.status-cancelled")
    walk.shot("offer-cancelled")
    cancelled.refresh_from_db()
    assert cancelled.status == Collaboration.Status.CANCELLED


def fill_new_product(page, name: str, price: str, women: str, men: str) -> None:
    """From the product list: the new product form filled (each other axis all on one key)."""
    page.click("a[href='/brand/products/new/']")
    page.fill("[name=name]", name)
    page.fill("[name=price]", price)
    page.fill("[name=gender__female]", women)
    page.fill("[name=gender__male]", men)
    for axis in ("age", "city_tier", "interests"):
        page.fill(f"[name={axis}__{taxonomy.keys(axis)[0]}]", "100")


def new_campaign(walk, name: str, budget: str) -> Campaign:
    """From the campaign list: a new active campaign of 30 days from today, created."""
    page = walk.page
    page.click("a[href='/brand/campaigns/']")
    page.click("a[href='/brand/campaigns/new/']")
    today = timezone.localdate()
    page.fill("[name=name]", name)
    page.fill("[name=budget]", budget)
    page.fill("[name=start]", today.isoformat())
    page.fill("[name=end]", (today + datetime.timedelta(days=30)).isoformat())
    page.select_option("[name=status]", "active")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#budget-remaining")
    walk.shot("campaign-created")
    return Campaign.objects.unscoped().get(name=name)


def walk_brand_catalogue(walk, live_server) -> None:
    """The brand adds a product (an audience axis off 100 first, refused on the page) and a
    campaign, then pauses the campaign through its confirm dialog."""
    page = walk.page
    sign_in(walk, live_server, "brand")
    page.click("a[href='/brand/products/']")
    walk.shot("products")
    fill_new_product(page, "Walk serum", price="129.00", women="60", men="30")  # 90%: refused
    walk.expected_statuses = {400}  # the form answers its errors with a 400
    page.click("form.card button[type=submit]")
    page.locator("#axis-gender .errors").wait_for()
    walk.shot("product-axis-refused")
    walk.expected_statuses = set()
    assert not Product.objects.unscoped().filter(name="Walk serum").exists()
    page.fill("[name=gender__male]", "40")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/brand/products/")
    walk.shot("product-created")
    assert Product.objects.unscoped().get(name="Walk serum").target_gender == {
        "female": 0.6,
        "male": 0.4,
    }
    page.click("a[href='/brand/']")
    campaign = new_campaign(walk, "Walk launch", budget="50000")
    assert campaign.status == Campaign.Status.ACTIVE
    page.click(f"form[action='/brand/campaigns/{campaign.pk}/pause/'] button")
    page.wait_for_selector(f"form[action='/brand/campaigns/{campaign.pk}/resume/']")
    walk.shot("campaign-paused")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED and walk.dialogs


def walk_brand_invites(walk, live_server) -> None:
    """The brand invites the demo creator from the directory: the composer opens with the
    creator preset; a fee far above the budget is refused on the form, then the offer goes."""
    page = walk.page
    sign_in(walk, live_server, "brand")
    mine = Creator.objects.unscoped().get(user__username="creator")
    campaign = (
        Campaign.objects.unscoped()
        .filter(organization__slug="huayang-beauty", status=Campaign.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    product = Product.objects.unscoped().get(name="Walk serum")  # new: no offer open for it
    page.click("a[href='/creators/']")
    search = page.locator("form.filters [name=q]")
    # Typed: the directory searches once typing pauses (Enter as well would race that one).
    with page.expect_response(lambda response: "q=" in response.url):
        search.press_sequentially(mine.handle)
    page.click(f"a[href='/brand/offers/new/?creator={mine.pk}']")
    walk.shot("composer")
    assert page.input_value("[name=creator]") == mine.handle
    page.select_option("[name=campaign]", str(campaign.pk))
    page.select_option("[name=product]", str(product.pk))
    page.select_option("[name=offer_type]", Collaboration.OfferType.INVITATION)
    page.fill("[name=fee]", "999999999")
    deadline = timezone.localtime() + datetime.timedelta(days=3)
    page.fill("[name=response_deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=message]", "Walk: show the serum on camera.")
    walk.expected_statuses = {400}
    page.click("#offer-form button[type=submit]")
    page.locator("#offer-form .errorlist").first.wait_for()
    walk.shot("offer-over-budget")
    walk.expected_statuses = set()
    offers = Collaboration.objects.unscoped().filter(product=product, creator=mine)
    assert not offers.exists()
    page.fill("[name=fee]", "0")
    page.click("#offer-form button[type=submit]")
    page.wait_for_url(f"**/brand/campaigns/{campaign.pk}/")
    walk.shot("offer-sent")
    assert offers.get().message == "Walk: show the serum on camera."


def walk_creator(walk, live_server, accepted: Collaboration) -> None:
    page = walk.page
    sign_in(walk, live_server, "creator")
    assert page.locator("[data-home=creator]").count() == 1
    row = page.locator(f"#offer-{accepted.pk}")
    row.wait_for()  # the portal loads its offers inbox with htmx
    assert int(page.inner_text("a[href='/portal/offers/'] .badge")) >= 2  # + the invitation
    walk.shot("portal")
    row.locator("form:has(input[value=accepted]) button").click()
    page.wait_for_selector(f"#offer-{accepted.pk} span.status-accepted")
    walk.shot("offer-accepted")
    with page.expect_navigation():
        row.locator(f"a[href='/portal/offers/{accepted.pk}/content/']").click()
    page.fill("[name=link]", "javascript:alert(1)")
    page.fill("[name=caption]", "Walk caption: a week with the serum")
    walk.expected_statuses = {400}  # the form answers a refused link with a 400
    with page.expect_navigation():
        page.click("form.content-form button[type=submit]")
    page.locator("form.content-form .errorlist").wait_for()
    walk.shot("content-link-refused")
    walk.expected_statuses = set()
    accepted.refresh_from_db()
    assert accepted.status == Collaboration.Status.ACCEPTED
    page.fill("[name=link]", "https://video.olive.example/walk/1")
    with page.expect_navigation():
        page.click("form.content-form button[type=submit]")
    page.wait_for_selector(f"#offer-{accepted.pk} span.status-content_submitted")
    walk.shot("content-submitted")
    accepted.refresh_from_db()
    assert accepted.status == Collaboration.Status.CONTENT_SUBMITTED
    with page.expect_navigation():  # the compliance notices: its cases and sanctions
        page.click("header nav a[href='/compliance/my/']")
    assert page.locator("table.sanctions").count() == 1
    walk.shot("compliance-notices")
    with page.expect_navigation():  # refunds and complaints on its collaborations' orders
        page.click("header nav a[href='/portal/refunds/']")
    assert page.locator("#my-refunds table.refunds").count() == 1
    assert page.locator("#my-complaints table.complaints").count() == 1
    walk.shot("refunds-and-complaints")
    with page.expect_navigation():  # its complaint rate
        page.click("header nav a[href='/compliance/complaint-rates/']")
    assert page.locator("table.complaint-rates").count() == 1
    walk.shot("complaint-rate")
    with page.expect_navigation():  # its originality flags (the demo's captions: none or some)
        page.click("header nav a[href='/compliance/my/originality/']")
    assert page.locator("ol.my-flags").count() == 1
    walk.shot("originality-flags")
    with page.expect_navigation():  # the academy: its courses and the catalogue
        page.click("header nav a[href='/academy/']")
    assert page.locator("table.my-enrolments").count() == 1
    walk.shot("academy")


def walk_brand_review(walk, live_server, accepted: Collaboration) -> None:
    """The brand opens the content review from the navigation and approves the content the
    creator just submitted: the collaboration goes live."""
    page = walk.page
    sign_in(walk, live_server, "brand")
    with page.expect_navigation():
        page.click("header nav a[href='/brand/reviews/']")
    card = page.locator(f"#review-{accepted.pk}")
    card.wait_for()
    assert card.locator("a[rel='noopener noreferrer nofollow']").count() == 1
    walk.shot("reviews")
    with page.expect_navigation():
        card.locator("form:has(input[value=approve]) button").click()
    assert page.locator(f"#review-{accepted.pk}").count() == 0
    walk.shot("content-approved")
    accepted.refresh_from_db()
    assert accepted.status == Collaboration.Status.LIVE


def walk_agency(walk, live_server, handle: str) -> None:
    page = walk.page
    sign_in(walk, live_server, "agency")
    walk.shot("tier")
    page.click("a[href='/agency/roster/']")
    walk.shot("roster")
    page.fill("form.sign-form [name=handle]", handle)
    page.fill("form.sign-form [name=revenue_share_pct]", "20")
    page.fill("form.sign-form [name=message]", "Browser test offer")
    with page.expect_navigation():
        page.click("form.sign-form button[type=submit]")
    walk.shot("offer-sent")
    with page.expect_navigation():
        page.click("nav.status-links a[href$='?status=offered']")
    assert page.locator(f"#roster tr:has-text('@{handle}')").count() == 1
    walk.shot("offers-listed")
    with page.expect_navigation():
        page.click("nav.status-links a[href$='?status=active']")
    row = page.locator("#roster tr:has(form.row-form)").first
    row_id = row.get_attribute("id")
    row.locator("[name=reason]").fill("Browser test: the creator moves on")
    walk.shot("end-contract")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"#{row_id} span.status-ended")
    walk.shot("contract-ended")
    contract = Contract.objects.unscoped().get(pk=int(row_id.removeprefix("contract-")))
    assert contract.status == Contract.Status.ENDED
    with page.expect_navigation():  # its creators' confirmed violations and sanctions
        page.click("header nav a[href='/compliance/violations/']")
    assert page.locator("table.violations").count() == 1
    walk.shot("creators-violations")
    with page.expect_navigation():  # its own and its creators' complaint rates
        page.click("header nav a[href='/compliance/complaint-rates/']")
    assert page.locator("table.complaint-rates").count() == 1
    walk.shot("complaint-rates")
    with page.expect_navigation():  # its creators' originality rates and flags
        page.click("header nav a[href='/compliance/originality/creators/']")
    assert page.locator("table.creator-rates").count() == 1
    assert page.locator("#flag-table table.flags").count() == 1
    walk.shot("creators-originality")
    with page.expect_navigation():  # its creators' academy progress
        page.click("header nav a[href='/academy/creators/']")
    assert page.locator("table.creators-training").count() == 1
    walk.shot("creators-training")
    with page.expect_navigation():  # its own figures: GMV, its creators' followers, its tier
        page.click("header nav a[href='/agency/analytics/']")
    assert_charts_drawn(page)
    page.select_option("#period-form select[name=by]", "quarter")
    with page.expect_navigation():
        page.click("#period-form button[type=submit]")
    assert "by=quarter" in page.url and page.locator("#agency-periods tbody tr").count() >= 1
    walk.shot("agency-analytics")


def give_login(handle: str) -> str:
    """The independent creator the agency made an offer to gets a portal login of its own."""
    user, _ = get_user_model().objects.get_or_create(username=f"signee-{handle}")
    user.set_password(PASSWORD)
    user.save()
    Creator.objects.unscoped().filter(handle=handle).update(user=user)
    return user.username


def walk_signee(walk, live_server, handle: str) -> None:
    """The creator accepts the agency's contract offer in its portal: the agency's rights begin."""
    page = walk.page
    sign_in(walk, live_server, give_login(handle))
    row = page.locator("#portal-contracts tr.open").first
    row.wait_for()  # the portal loads its contract offers with htmx
    walk.shot("portal")
    asked = len(walk.dialogs)
    row.locator("button[type=submit]:not(.danger)").click()
    page.wait_for_selector("#portal-contracts span.status-active")
    assert len(walk.dialogs) == asked + 1, "accepting did not ask for confirmation"
    walk.shot("contract-accepted")
    creator = Creator.objects.unscoped().get(handle=handle)
    contract = Contract.objects.unscoped().get(creator=creator, status=Contract.Status.ACTIVE)
    assert creator.agency_id == contract.organization_id  # starts today: rights begin now


def assert_charts_drawn(page) -> None:
    """Every chart on the page was drawn by plotly.js (served by the app: a request elsewhere
    fails the walk), and hovering a bar shows its value as the numbers table writes it."""
    plots = page.locator("figure.chart .plot")
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.chart .plot')]"
        ".every((plot) => plot.querySelector('.main-svg'))"
    )
    assert plots.count() >= 1
    bars = page.locator("figure.chart:has(.barlayer)").first.locator(".barlayer .point path")
    if bars.count():
        # The widest bar of the first bar chart (a zero share draws a bar nobody can point at).
        widths = bars.evaluate_all("(paths) => paths.map((p) => p.getBBox().width)")
        widest = widths.index(max(widths))
        figure = page.locator("figure.chart:has(.barlayer)").first
        cells = figure.locator("details.chart-numbers tbody tr").nth(widest).locator("td")
        bars.nth(widest).scroll_into_view_if_needed()  # plotly's drag layer takes the events
        box = bars.nth(widest).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator(".plot .hoverlayer .hovertext").first
        hover.wait_for()
        shown = hover.text_content()
        figure.locator("details.chart-numbers summary").click()  # the numbers, one click away
        assert cells.nth(1).inner_text() in shown, shown


def certify_the_biggest_agency() -> str:
    """An S tier, from a cycle of today (after the demo's month-end cycles, so it is the one in
    force), for the agency with the most signed creators: its traffic package goes into the
    operator's run."""
    agency = (
        Organization.objects.filter(kind=Organization.Kind.AGENCY, signed_creators__isnull=False)
        .annotate(n=Count("signed_creators"))
        .order_by("-n", "pk")
        .first()
    )
    as_of = timezone.localdate()
    # A transactional test's flush drops the rows the migrations seeded: put them back.
    policy = TierPolicy.objects.unscoped().filter(active=True).first()
    if policy is None:
        fields = {k: DEFAULT_POLICY[k] for k in ("weights", "thresholds", "gates", "window_days")}
        policy = TierPolicy.objects.unscoped().create(version=1, active=True, **fields)
    impressions, priority = DEFAULT_BENEFITS["S"]
    TierBenefit.objects.unscoped().get_or_create(
        tier="S", defaults={"monthly_impressions": impressions, "brand_priority": priority}
    )
    cycle = CertificationRun.objects.unscoped().create(
        policy=policy,
        as_of=as_of,
        window_start=as_of - datetime.timedelta(days=89),
        status=CertificationRun.Status.SUCCEEDED,
    )
    AgencyAssessment.objects.unscoped().create(run=cycle, organization=agency, tier="S", score=90)
    return agency.name


def walk_operator(walk, live_server) -> None:
    page = walk.page
    agency = certify_the_biggest_agency()
    sign_in(walk, live_server, "operator")
    walk.shot("operator-home")
    page.click("a[href='/operator/traffic/']")
    walk.shot("runs")
    page.fill("form.run-form [name=pool]", "1000000")
    page.fill("form.run-form [name=target_gini]", "0.5")
    with page.expect_navigation():
        page.click("form.run-form button[type=submit]")
    walk.shot("run-status")
    # The status card polls until the run has finished, then the page reloads to its results.
    page.locator("section.run-results").wait_for(timeout=30_000)
    assert_charts_drawn(page)  # the Lorenz curves and the shares by band
    packages = page.locator("#run-packages")
    assert packages.locator("[data-figure=package_impressions]").inner_text() not in ("", "0")
    assert packages.locator("tr[data-tier=S]").is_visible()
    packages.locator("#package-agencies summary").click()
    assert packages.locator(f"#package-agencies td:text-is('{agency}')").is_visible()
    walk.shot("run-results")
    asked = len(walk.dialogs)
    page.click("section.run-results form button[type=submit]")
    page.locator("section.run-results form").wait_for(state="detached")
    assert len(walk.dialogs) == asked + 1, "publishing did not ask for confirmation"
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    assert AllocationRun.objects.unscoped().get(pk=run_id).published
    walk.shot("run-published")
    walk_compliance_tabs(walk)
    with page.expect_navigation():  # the academy's courses, enrolments and completion
        page.click("header nav a[href='/academy/manage/']")
    assert page.locator("table.courses-overview").count() == 1
    walk.shot("academy")
    walk_analytics(walk)


def walk_analytics(walk) -> None:
    """The ecosystem analytics: nothing cached yet in the fresh demo world, so the operator asks
    for yesterday's report (embedded, it is computed at once) and reads it as charts."""
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/operator/analytics/']")
    page.locator("#report-empty").wait_for()
    walk.shot("analytics-empty")
    with page.expect_navigation():
        page.click("#compute-form button[type=submit]")
    assert page.locator("section.report-section").count() == 10
    assert_charts_drawn(page)
    walk.shot("analytics")
    walk_growth_effect(walk)


def walk_growth_effect(walk) -> None:
    """The growth programmes' effect: the observational caveat, raw beside matched, the
    Kaplan–Meier chart with its numbers one click away."""
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/operator/growth-effect/']")
    assert page.locator("#observational").is_visible()
    page.locator("#growth-rates tr[data-row=matched]").wait_for()
    assert_charts_drawn(page)
    numbers = page.locator("#growth-cycle details.chart-numbers")
    numbers.locator("summary").click()
    assert numbers.locator("tbody tr").count() > 1
    walk.shot("growth-effect")


def walk_compliance_tabs(walk) -> None:
    """The operator's compliance pages, one tab after the other from the queue."""
    page = walk.page
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/']")
    page.locator("#case-table").wait_for()
    walk.shot("compliance-queue")
    for tab, selector in (
        ("appeals", "ol.appeals"),
        ("policy", "form.policy-form"),
        ("model", "form.retrain-form"),
        ("figures", "table.figures"),
        ("complaint-rates", "table.complaint-rates"),
        ("originality", "#flag-table table.flags"),
        ("originality/contests", "#contest-table table.contests"),
        ("originality/trends", "table.months"),
    ):
        with page.expect_navigation():
            page.click(f"nav.tabs a[href='/compliance/{tab}/']")
        assert page.locator(selector).count() >= 1, f"compliance {tab} page"
        walk.shot(f"compliance-{tab.replace('/', '-')}")


def walk_operator_incentives(walk, live_server) -> None:
    """The operator's incentive plans (光合计划): the demo plan, a milestone added to it, an
    award revoked with a reason in the ledger, the day's evaluation in the runs."""
    from creators.models import Award, Milestone

    page = walk.page
    sign_in(walk, live_server, "operator")
    with page.expect_navigation():
        page.click("header nav a[href='/operator/incentives/']")
    walk.shot("incentive-plans")
    with page.expect_navigation():
        page.locator("table.plans tbody a").first.click()
    walk.shot("incentive-plan")
    before = Milestone.objects.unscoped().count()
    form = page.locator("form:has(input[name=action][value=milestone])")
    form.locator("[name=kind]").select_option("followers")
    form.locator("[name=threshold]").fill("50000")
    form.locator("[name=amount]").fill("800")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert Milestone.objects.unscoped().count() == before + 1
    walk.shot("milestone-added")
    with page.expect_navigation():
        page.click("nav.tabs a[href='/operator/incentives/awards/']")
    row = page.locator("#awards-table tr[data-award]:has(form)").first
    award_id = int(row.get_attribute("data-award"))
    row.locator("[name=reason]").fill("Browser test: bought followers")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert Award.objects.unscoped().get(pk=award_id).status == Award.Status.REVOKED
    walk.shot("award-revoked")
    with page.expect_navigation():
        page.click("nav.tabs a[href='/operator/incentives/runs/']")
    assert page.locator("#runs-table span.status-succeeded").count() >= 1
    walk.shot("incentive-runs")


def walk_creator_awards(walk, live_server) -> None:
    """The creator's awards and the progress bars to its next milestones, from the navigation."""
    page = walk.page
    sign_in(walk, live_server, "creator")
    with page.expect_navigation():
        page.click("header nav a[href='/portal/awards/']")
    assert page.locator("ul.milestone-progress progress").count() >= 1
    assert page.locator("table.awards").count() == 1
    walk.shot("my-awards")


def walk_agency_awards(walk, live_server) -> None:
    page = walk.page
    sign_in(walk, live_server, "agency")
    with page.expect_navigation():
        page.click("header nav a[href='/agency/awards/']")
    assert page.locator("#awards-table table.awards").count() == 1
    walk.shot("creators-awards")


def walk_partner(walk, live_server) -> None:
    page = walk.page
    sign_in(walk, live_server, "partner")
    walk.shot("api-keys")
    page.fill("main form [name=name]", "browser-test-key")
    page.locator("main form [name=scopes]").first.check()
    with page.expect_navigation():
        page.click("main section.card form button[type=submit]")
    secret = page.locator("#new-secret").inner_text().strip()
    assert len(secret) > 20
    walk.shot("key-created")
    row = page.locator("tr:has-text('browser-test-key')")
    with page.expect_navigation():
        row.locator("button.danger").click()
    assert page.locator("#new-secret").count() == 0  # shown once only
    assert row.locator("button.danger").count() == 0
    walk.shot("key-revoked")


@pytest.mark.parametrize(("lang", "width"), RUNS)
def test_every_role_walks_its_main_path(walk, live_server, lang, width):
    accepted, cancelled = open_offers()
    handle = independent_handle()
    steps = {
        "brand": lambda w: walk_brand(w, live_server, cancelled),
        "brand-catalogue": lambda w: walk_brand_catalogue(w, live_server),
        "brand-invites": lambda w: walk_brand_invites(w, live_server),
        "creator": lambda w: walk_creator(w, live_server, accepted),
        "brand-review": lambda w: walk_brand_review(w, live_server, accepted),
        "agency": lambda w: walk_agency(w, live_server, handle),
        "signee": lambda w: walk_signee(w, live_server, handle),
        "operator": lambda w: walk_operator(w, live_server),
        "partner": lambda w: walk_partner(w, live_server),
        "operator-incentives": lambda w: walk_operator_incentives(w, live_server),
        "creator-awards": lambda w: walk_creator_awards(w, live_server),
        "agency-awards": lambda w: walk_agency_awards(w, live_server),
    }
    for role, step in steps.items():
        each = walk(lang, role, width)
        step(each)
        each.check()
