"""Retraining: corpus plus reviewers' labels, measured on the held-out split, promoted only when
not worse, audited either way; a redelivered task does nothing."""

import pytest

from compliance import scoring, training
from compliance.engine import evaluation
from compliance.engine.model import load_corpus
from compliance.models import Label, ModelVersion, RetrainRun
from tenancy.models import AuditEvent
from tenancy.scoping import acting_as

from .conftest import CLEAN, operator_actor
from .test_flow import _case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return operator_actor(role="admin")


def label(text, value):
    case = _case(None, text, category="absolute")
    return Label.objects.unscoped().create(
        case=case, text=text, label=value, created_at=case.opened_at
    )


def retrain(actor):
    with acting_as(actor):
        run = training.retrain_request(actor=actor)
        return training.retrain_execute(actor=actor, run_id=run.pk)


def test_poisoned_labels_make_a_worse_model_that_is_not_promoted(admin):
    train_part, _ = evaluation.split(load_corpus())
    # Reviewers who approve every violation: the training side's violations relabelled clean.
    for text, value in zip(train_part.texts, train_part.labels, strict=True):
        if value != "none":
            label(text + "！", "none")
    run = retrain(admin)
    assert run.status == RetrainRun.Status.SUCCEEDED and not run.promoted
    assert run.report["f1"] < run.incumbent_report["f1"]
    assert run.candidate.status == ModelVersion.Status.REJECTED
    assert not ModelVersion.objects.unscoped().filter(status="active").exists()
    assert scoring.active_model().version == scoring.baseline_model().version
    assert AuditEvent.objects.unscoped().filter(action="compliance.model_not_promoted").exists()


def test_without_labels_the_candidate_is_the_model_in_service_and_nothing_changes(admin):
    run = retrain(admin)
    assert not run.promoted
    assert run.candidate.version == run.incumbent_version == scoring.baseline_model().version
    for figure in ("f1", "precision", "recall", "hard_negative_flag_rate"):
        assert run.report[figure] == run.incumbent_report[figure]


def test_a_candidate_that_is_not_worse_is_promoted_and_serves(admin, monkeypatch):
    label("家人们加我绿泡泡，私下给你们更低价", "off_platform")
    label("这款面霜质地清爽，混油皮也能用", "none")
    monkeypatch.setattr(evaluation, "not_worse", lambda ours, theirs: True)
    run = retrain(admin)
    assert run.promoted
    active = ModelVersion.objects.unscoped().get(status="active")
    assert active == run.candidate and active.labels_used == 2
    assert scoring.active_model().version == active.version != scoring.baseline_model().version
    assert scoring.assess_texts([CLEAN])[0].model_version == active.version
    assert AuditEvent.objects.unscoped().filter(action="compliance.model_promoted").exists()

    label("第三条标签", "none")
    second = retrain(admin)
    assert second.promoted
    statuses = dict(ModelVersion.objects.unscoped().values_list("version", "status"))
    assert statuses[active.version] == "retired"
    assert statuses[second.candidate.version] == "active"


def test_a_redelivered_retrain_does_nothing_and_one_at_a_time(admin):
    with acting_as(admin):
        run = training.retrain_request(actor=admin)
        with pytest.raises(Exception, match="under way"):
            training.retrain_request(actor=admin)
        done = training.retrain_execute(actor=admin, run_id=run.pk)
        again = training.retrain_execute(actor=admin, run_id=run.pk)
    assert again.finished_at == done.finished_at
    assert ModelVersion.objects.unscoped().count() == 1


def test_only_the_operators_admins_retrain():
    reviewer = operator_actor(role="reviewer")
    with acting_as(reviewer), pytest.raises(Exception, match="owners and admins"):
        training.retrain_request(actor=reviewer)
    assert not RetrainRun.objects.unscoped().exists()


def test_a_retrain_whose_worker_was_lost_does_not_block_the_next(admin):
    import datetime

    from django.utils import timezone

    lost = RetrainRun.objects.unscoped().create(status="running")
    RetrainRun.objects.unscoped().filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with acting_as(admin):
        run = training.retrain_request(actor=admin)
    lost.refresh_from_db()
    assert lost.status == "failed" and "worker" in lost.error
    assert run.status == "pending"
