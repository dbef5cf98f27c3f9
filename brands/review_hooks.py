"""Automatic checks of submitted content: where a higher app (compliance) plugs in.

``brands`` sits below ``compliance`` in the dependency order, so it cannot call a compliance
rule itself; instead ``brands.review.content_submit`` runs every check registered here, inside
its transaction, on the submission it has just saved (``submission.pk`` is set, and its
``collaboration``, ``link`` and ``caption`` are what the creator sent).

A check is a callable ``check(submission) -> Iterable[Finding]``:

* a finding with ``blocks=True`` refuses the submission: ``content_submit`` raises a
  ``ValidationError`` (code ``content.check_blocked``) carrying the finding's message, and the
  whole transaction is rolled back — no submission, no status change, no audit record, no
  webhook; whatever the check itself wrote is rolled back too;
* the other findings are stored on the submission (``ContentSubmission.check_findings``) and
  shown to the brand on its review pages and in the API;
* an exception raised by a check propagates, and the submission is not made (fail closed).

The compliance app registers its check once, from its ``AppConfig.ready``::

    class ComplianceConfig(AppConfig):
        name = "compliance"

        def ready(self):
            from brands.review_hooks import Finding, register_submission_check

            def ad_law_check(submission):
                for word in forbidden_words_in(submission.caption):
                    yield Finding("ad_law.absolute_term", f"“{word}” is not allowed.", blocks=True)

            register_submission_check(ad_law_check)

Registering the same function twice keeps one entry; tests remove theirs with
``unregister_submission_check``.

A *release gate* (``register_release_gate``) is asked when the brand approves a submission, which
would put it live: ``gate(submission) -> str | None``; a message refuses the approval (code
``content.held``) and changes nothing. Compliance holds a submission its scorer blocked until a
reviewer has approved it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """One thing a check found: a stable ``code`` for programs, a ``message`` for people, and
    whether it ``blocks`` the submission."""

    code: str
    message: str
    blocks: bool = False

    def as_json(self) -> dict:
        return {**asdict(self), "message": str(self.message)}


SubmissionCheck = Callable[[object], Iterable[Finding]]

#: The registered checks, run in order of registration.
_CHECKS: list[SubmissionCheck] = []


def register_submission_check(check: SubmissionCheck) -> SubmissionCheck:
    """Run ``check`` on every content submission from now on (usable as a decorator)."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def unregister_submission_check(check: SubmissionCheck) -> None:
    if check in _CHECKS:
        _CHECKS.remove(check)


def run_submission_checks(submission) -> list[Finding]:
    """Every registered check's findings on ``submission``, in order."""
    findings: list[Finding] = []
    for check in list(_CHECKS):
        findings.extend(check(submission))
    return findings


ReleaseGate = Callable[[object], "str | None"]
_GATES: list[ReleaseGate] = []


def register_release_gate(gate: ReleaseGate) -> ReleaseGate:
    """Ask ``gate`` before a submission goes live (usable as a decorator)."""
    if gate not in _GATES:
        _GATES.append(gate)
    return gate


def unregister_release_gate(gate: ReleaseGate) -> None:
    if gate in _GATES:
        _GATES.remove(gate)


def release_holds(submission) -> list[str]:
    """Why ``submission`` may not go live yet: every registered gate's message."""
    return [str(held) for gate in list(_GATES) if (held := gate(submission))]
