"""Retraining: the shipped corpus plus reviewers' labels, measured on the held-out split, and
promoted only when not worse than the model in service (``engine.evaluation.not_worse``).

A retrain is a :class:`RetrainRun` claimed with a conditional update, so a redelivered task does
nothing. The candidate is stored whether promoted or not (its report says why); promotion retires
the incumbent and activates the candidate in one transaction, audited either way. Labels only
join the training side: the held-out rows are always the shipped corpus's own, so every candidate
is measured on the same ground.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from . import scoring
from .engine import evaluation
from .engine import model as engine_model
from .engine.scoring import Scorer
from .models import Label, ModelVersion, RetrainRun

R = RetrainRun.Status
#: Past the task's time limit (30 min) a pending or running retrain has lost its worker (or never
#: found one): the next request fails it instead of waiting for it forever.
STALE_AFTER = timedelta(minutes=35)


def _require_operator_admin(actor: Actor) -> None:
    actor.require(
        kinds=[roles.OPERATOR],
        roles=roles.ADMIN_ROLES,
        message=_("Only the operator's owners and admins retrain the model."),
    )


@transaction.atomic
def retrain_request(*, actor: Actor) -> RetrainRun:
    """A pending retrain; the caller enqueues ``compliance.retrain_execute`` after commit."""
    _require_operator_admin(actor)
    unfinished = RetrainRun.objects.unscoped().filter(status__in=[R.PENDING, R.RUNNING])
    now = timezone.now
    stale = unfinished.filter(created_at__lt=now() - STALE_AFTER)
    stale.update(
        status=R.FAILED, error="No worker finished it in time.", finished_at=timezone.now()
    )
    if unfinished.exists():
        raise ValidationError(_("A retraining is already under way."), code="busy")
    run = RetrainRun.objects.unscoped().create(created_by_id=actor.user_id)
    audit_event_record(actor=actor, action="compliance.retrain_requested", target=run)
    return run


def _labelled(corpus: engine_model.Corpus) -> tuple[engine_model.Corpus, int]:
    labels = list(Label.objects.unscoped().order_by("id").values_list("text", "label"))
    return corpus.plus([t for t, _ in labels], [lbl for _, lbl in labels]), len(labels)


def retrain_execute(*, actor: Actor, run_id: int) -> RetrainRun:
    claimed = RetrainRun.objects.unscoped().filter(pk=run_id, status=R.PENDING)
    if not claimed.update(status=R.RUNNING, started_at=timezone.now(), progress=10):
        return RetrainRun.objects.unscoped().get(pk=run_id)  # redelivered: someone has it
    try:
        return _retrain(actor, run_id)
    except Exception as error:
        RetrainRun.objects.unscoped().filter(pk=run_id).update(
            status=R.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise


def _retrain(actor: Actor, run_id: int) -> RetrainRun:
    train_part, held_out = evaluation.split(engine_model.load_corpus())
    training, labels_used = _labelled(train_part)
    candidate = engine_model.train(training)
    matcher, policy = scoring.active_scorer().matcher, scoring.policy_thresholds()
    incumbent = scoring.active_model()
    ours = evaluation.measure(
        Scorer(matcher, candidate), held_out, policy=policy, train_rows=len(training)
    )
    theirs = evaluation.measure(Scorer(matcher, incumbent), held_out, policy=policy)
    promote = candidate.version != incumbent.version and evaluation.not_worse(ours, theirs)
    with transaction.atomic():
        version = _store(candidate, ours, labels_used, promote)
        run = RetrainRun.objects.unscoped().select_for_update().get(pk=run_id)
        run.status, run.progress, run.finished_at = R.SUCCEEDED, 100, timezone.now()
        run.candidate, run.promoted = version, promote
        run.report, run.incumbent_report = ours.as_dict(), theirs.as_dict()
        run.incumbent_version = incumbent.version
        run.save()
        audit_event_record(
            actor=actor,
            action="compliance.model_promoted" if promote else "compliance.model_not_promoted",
            target=run,
            data={
                "candidate": candidate.version,
                "incumbent": incumbent.version,
                "candidate_f1": ours.f1,
                "incumbent_f1": theirs.f1,
            },
        )
    return run


def _store(candidate, report, labels_used: int, promote: bool) -> ModelVersion:
    now = timezone.now()
    rows = ModelVersion.objects.unscoped()
    if promote:
        rows.filter(status=ModelVersion.Status.ACTIVE).update(status=ModelVersion.Status.RETIRED)
    version, _created = rows.update_or_create(
        version=candidate.version,
        defaults={
            "status": ModelVersion.Status.ACTIVE if promote else ModelVersion.Status.REJECTED,
            "blob": candidate.dumps(),
            "report": report.as_dict(),
            "labels_used": labels_used,
            "created_at": now,
            "promoted_at": now if promote else None,
        },
    )
    return version
