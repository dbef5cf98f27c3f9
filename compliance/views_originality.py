"""Originality pages: the operator's flags, contests queue, a contest and trends; one flag or
contest for its parties; the creator's flags and contests; an agency's view of its creators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.forms import add_service_error
from ui.pages import PAGE_SIZE, found, paginate, render_list

from .forms import (
    ContestDecisionForm,
    ContestFilterForm,
    OriginalityContestForm,
    OriginalityFilterForm,
)
from .models import (
    OriginalityContest,
    OriginalityFlag,
)
from .selectors_originality import (
    originality_agency_rows,
    originality_contest_counts,
    originality_contest_get,
    originality_contest_queue,
    originality_contests,
    originality_creator_rows,
    originality_flag_counts,
    originality_flag_get,
    originality_flag_list,
    originality_monthly,
)
from .services import (
    originality_contest_decide,
    originality_flag_contest,
)
from .views import refusal

OPERATOR = [roles.OPERATOR]


# --- Originality ---------------------------------------------------------------------------------
# The operator's flags, contests queue, a contest (decided by a reviewer) and trends; the
# creator's own flags (contested from the list); an agency's view of its creators' rates and
# flags; one flag's page for each of its parties. Another tenant's flag or contest: 404.

#: Who opens one flag or one contest: the operator, the flagged creator, its current agency.
ORIGINALITY_PARTIES = [roles.OPERATOR, roles.AGENCY, roles.CREATOR]
#: How many creators and agencies the trends page ranks.
LEADERS = 10


def _with_contest(flags) -> list:
    """Each flag's contest (one at most, prefetched by the selector) as ``flag.contest``."""
    flags = list(flags)
    for flag in flags:
        flag.contest = flag.contest_list[0] if flag.contest_list else None
    return flags


def _flag_list(request, actor, *, with_creator: bool = True):
    """The filtered, paginated flags; a filter in error is shown and narrows nothing (400)."""
    form = OriginalityFilterForm(request.GET, actor=actor, with_creator=with_creator)
    valid = form.is_valid()
    page = paginate(request, originality_flag_list(actor=actor, **form.filters()))
    page.object_list = _with_contest(page.object_list)
    return form, page, 200 if valid else 400


@tenant_view(OPERATOR)
def originality_flags_page(request, *, actor):
    """Every originality flag, newest first, by status, creator and similarity range."""
    form, page, status = _flag_list(request, actor)
    counts = originality_flag_counts(actor=actor)
    counts = [(status, label, counts[status]) for status, label in OriginalityFlag.Status.choices]
    context = {"page": page, "form": form, "counts": counts}
    response = render_list(
        request, "compliance/originality_flags.html", "compliance/_flag_table.html", context
    )
    response.status_code = status
    return response


def _pair(flag) -> dict:
    return {"copy": flag.content, "source": flag.source, "flag": flag}


@tenant_view(ORIGINALITY_PARTIES)
def originality_flag_detail(request, pk: int, *, actor):
    """One flag: the flagged item beside its source, the similarity, its contest if any."""
    flag = found(originality_flag_get, actor=actor, flag_id=pk)
    contest = originality_contests(actor=actor, status="").filter(flag_id=flag.pk).first()
    context = {
        **_pair(flag),
        "contest": contest,
        "is_operator": actor.is_operator,
        "is_creator": actor.is_creator,
    }
    return render(request, "compliance/originality_flag.html", context)


def with_waiting(contests, now=None) -> list:
    """Each contest's wait for a decision in hours (until now, or until it was decided)."""
    now = now or timezone.now()
    contests = list(contests)
    for contest in contests:
        end = contest.decided_at or now
        contest.age_hours = max((end - contest.created_at).total_seconds() / 3600.0, 0.0)
    return contests


@tenant_view(OPERATOR)
def originality_contests_page(request, *, actor):
    """Creators' contests: the open ones first, the longest waiting on top, then the decided."""
    form = ContestFilterForm(request.GET)
    page = paginate(request, originality_contest_queue(actor=actor, status=form.status_value()))
    page.object_list = with_waiting(page.object_list)
    counts = originality_contest_counts(actor=actor)
    choices = OriginalityContest.Status.choices
    context = {"page": page, "form": form, "counts": [(s, lbl, counts[s]) for s, lbl in choices]}
    return render_list(
        request, "compliance/originality_contests.html", "compliance/_contest_table.html", context
    )


def _contest_page(request, actor, contest, form=None, status=200):
    reviewer = actor.is_operator and actor.role in roles.REVIEW_ROLES
    open_ = contest.status == OriginalityContest.Status.OPEN
    contest.age_hours = with_waiting([contest])[0].age_hours
    context = {
        **_pair(contest.flag),
        "contest": contest,
        "is_operator": actor.is_operator,
        "form": form or (ContestDecisionForm() if reviewer and open_ else None),
    }
    return render(request, "compliance/originality_contest.html", context, status=status)


@tenant_view(ORIGINALITY_PARTIES)
def originality_contest_detail(request, pk: int, *, actor):
    contest = found(originality_contest_get, actor=actor, contest_id=pk)
    return _contest_page(request, actor, contest)


@require_POST
@tenant_view(OPERATOR, writers=roles.REVIEW_ROLES)
def originality_contest_decision(request, pk: int, *, actor):
    """Uphold or overturn the contested flag, with a note (the service audits it)."""
    contest = found(originality_contest_get, actor=actor, contest_id=pk)
    form = ContestDecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = originality_contest_decide(actor=actor, contest=contest, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal(error))
        else:
            text = _("Contest %(id)s: %(status)s.")
            status = decided.get_status_display()
            messages.success(request, text % {"id": contest.pk, "status": status})
            return redirect("compliance:originality_contest", pk=contest.pk)
    contest = found(originality_contest_get, actor=actor, contest_id=pk)
    return _contest_page(request, actor, contest, form=form, status=400)


@tenant_view(OPERATOR)
def originality_trends(request, *, actor):
    """The originality rate per month of publication, and the most flagged creators and
    agencies (each chart with its numbers one click away)."""
    months = originality_monthly(actor=actor)
    # The most flagged: those with a counting flag (the rows come most flagged first).
    creators = [r for r in originality_creator_rows(actor=actor, limit=LEADERS) if r["flagged"]]
    agencies = [r for r in originality_agency_rows(actor=actor, limit=LEADERS) if r["flagged"]]
    context = {
        "months": months,
        "month_labels": [row["month"] for row in months],
        "month_series": [(_("Originality rate"), [row["rate"] for row in months])],
        "creator_bars": [(f"@{row['handle']}", row["flagged"]) for row in creators],
        "agency_bars": [(row["name"], row["flagged"]) for row in agencies],
        "creators": creators,
        "agencies": agencies,
    }
    return render(request, "compliance/originality_trends.html", context)


# The creator's flags, and its contest of one.


def _my_flags_page(request, actor, refused=None, status=200):
    refused = refused or {}
    page = paginate(request, originality_flag_list(actor=actor))
    page.object_list = _with_contest(page.object_list)
    for flag in page.object_list:
        if flag.contestable and flag.contest is None:
            flag.form = refused.get(flag.pk) or OriginalityContestForm(auto_id=f"flag-{flag.pk}-%s")
    # A refusal about a flag no longer open (or on another page) has no form here: say it above.
    shown = {flag.pk for flag in page.object_list if getattr(flag, "form", None)}
    errors = [e for pk, form in refused.items() if pk not in shown for e in form.non_field_errors()]
    mine = originality_creator_rows(actor=actor)
    context = {"page": page, "errors": errors, "rate": mine[0] if mine else None}
    return render(request, "compliance/originality_mine.html", context, status=status)


@tenant_view([roles.CREATOR])
def originality_mine(request, *, actor):
    """The creator's originality flags: the source each duplicates, the similarity, the status;
    an open flag can be contested once, and a contested one shows the operator's decision."""
    return _my_flags_page(request, actor)


@require_POST
@tenant_view([roles.CREATOR])
def originality_contest_file(request, pk: int, *, actor):
    flag = found(originality_flag_get, actor=actor, flag_id=pk)
    form = OriginalityContestForm(request.POST, auto_id=f"flag-{flag.pk}-%s")
    if form.is_valid():
        try:
            originality_flag_contest(
                actor=actor, flag=flag, statement=form.cleaned_data["statement"]
            )
        except OriginalityFlag.DoesNotExist:  # re-indexing removed it since the lookup
            raise Http404 from None
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, _("Contest filed: the operator will decide it."))
            return redirect("compliance:originality_mine")
    return _my_flags_page(request, actor, {flag.pk: form}, status=400)


# The agency's view.


@tenant_view([roles.AGENCY])
def originality_agency(request, *, actor):
    """The originality rate of each creator the agency manages now, and their flags (read)."""
    form, page, status = _flag_list(request, actor)
    rates = Paginator(originality_creator_rows(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("creators_page")
    )
    agency = originality_agency_rows(actor=actor)
    context = {"page": page, "form": form, "rates": rates, "agency": agency[0] if agency else None}
    response = render_list(
        request, "compliance/originality_agency.html", "compliance/_flag_table.html", context
    )
    response.status_code = status
    return response
