"""Building the match index: every write of the matching app.

A build is an :class:`IndexBuild` row claimed with a conditional update; the files go to a
version directory first, then the row is marked succeeded in one transaction, so a reader sees
either the previous version or the whole new one. The two newest versions stay on disk (a
process still mapping the previous one finishes its request on it); older ones are removed.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from . import engine, features, index
from .models import IndexBuild

Status = IndexBuild.Status
BUILD_LEASE = timedelta(minutes=20)
KEEP_VERSIONS = 2


def _require_operator(actor: Actor) -> None:
    if not (actor.is_operator or actor.is_system):
        raise PermissionDenied(_("Only the platform operator rebuilds the match index."))


def index_build_create(*, actor: Actor, reason: str = IndexBuild.Reason.MANUAL) -> IndexBuild:
    """A pending build (retraining the model is a privileged action: audited)."""
    _require_operator(actor)
    with transaction.atomic():
        build = IndexBuild.objects.unscoped().create(reason=reason, created_by_id=actor.user_id)
        audit_event_record(
            actor=actor,
            action="matching.index_build_created",
            target=build,
            data={"reason": reason},
        )
    return build


def _claim(build_id: int) -> bool:
    now = timezone.now()
    stale = Q(status=Status.RUNNING, heartbeat_at__lt=now - BUILD_LEASE)
    return (
        IndexBuild.objects.unscoped()
        .filter(Q(status=Status.PENDING) | stale, pk=build_id)
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, claims=F("claims") + 1)
        == 1
    )


def _progress(build: IndexBuild, value: int) -> None:
    IndexBuild.objects.unscoped().filter(pk=build.pk, claims=build.claims).update(
        progress=value, heartbeat_at=timezone.now()
    )


def index_build_execute(*, actor: Actor, build_id: int) -> IndexBuild:
    """Claim and execute a build; one this call cannot claim is returned as it is. A failure
    marks the build failed with the error, and the index in force stays."""
    _require_operator(actor)
    if not _claim(build_id):
        return IndexBuild.objects.unscoped().get(pk=build_id)
    build = IndexBuild.objects.unscoped().get(pk=build_id)
    try:
        _execute(build)
    except Exception as error:
        IndexBuild.objects.unscoped().filter(pk=build.pk, claims=build.claims).update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:10_000],
            finished_at=timezone.now(),
        )
        raise
    build.refresh_from_db()
    return build


def _execute(build: IndexBuild) -> None:
    started = time.perf_counter()
    fingerprint = features.fingerprint()
    creators = features.indexed_creators()
    _progress(build, 40)
    training = features.training_set(creators)
    model = engine.train_conversion_model(training.features, training.gmv_per_1k)
    _progress(build, 80)
    index.write(settings.MATCH_INDEX_DIR, build.pk, creators, model)
    with transaction.atomic():
        held = (
            IndexBuild.objects.unscoped()
            .select_for_update()
            .filter(pk=build.pk, status=Status.RUNNING, claims=build.claims)
        )
        if not held.exists():
            return  # taken over meanwhile: the other worker's files and row win
        held.update(
            status=Status.SUCCEEDED,
            progress=100,
            fingerprint=fingerprint,
            creators=len(creators),
            training_pairs=model.pairs if model else 0,
            model_r2=model.r2 if model else None,
            build_seconds=time.perf_counter() - started,
            finished_at=timezone.now(),
            error="",
        )
    transaction.on_commit(_prune)


def _prune() -> None:
    kept = IndexBuild.objects.unscoped().filter(status=Status.SUCCEEDED).order_by("-pk")
    keep = set(kept.values_list("pk", flat=True)[:KEEP_VERSIONS])
    keep |= set(
        IndexBuild.objects.unscoped()
        .filter(status__in=[Status.PENDING, Status.RUNNING])
        .values_list("pk", flat=True)
    )
    index.prune(settings.MATCH_INDEX_DIR, keep)


def match_index_build(*, actor: Actor, reason: str = IndexBuild.Reason.MANUAL) -> IndexBuild:
    """Create and execute a build now (the command and the refresh job)."""
    build = index_build_create(actor=actor, reason=reason)
    return index_build_execute(actor=actor, build_id=build.pk)


def index_in_force() -> IndexBuild | None:
    """The newest succeeded build whose files are on this machine."""
    for build in IndexBuild.objects.unscoped().filter(status=Status.SUCCEEDED).order_by("-pk")[:3]:
        if index.version_dir(settings.MATCH_INDEX_DIR, build.pk).is_dir():
            return build
    return None


def match_index_refresh(*, actor: Actor) -> int | None:
    """Beat job: build a new version when the inputs changed since the index in force (or none
    exists, or its files are gone); the new build's id, else None."""
    _require_operator(actor)
    current = index_in_force()
    busy = IndexBuild.objects.unscoped().filter(
        status=Status.RUNNING, heartbeat_at__gte=timezone.now() - BUILD_LEASE
    )
    if busy.exists():
        return None
    if current is not None and current.fingerprint == features.fingerprint():
        return None
    return match_index_build(actor=actor, reason=IndexBuild.Reason.DATA_CHANGED).pk
