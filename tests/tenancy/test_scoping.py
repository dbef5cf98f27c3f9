import pytest

from tenancy.models import AuditEvent, Membership
from tenancy.scoping import SYSTEM, Actor, NoActorError, acting_as, current_actor
from tenancy.services import audit_event_record
from tenancy.tasking import tenant_task
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _actor(membership) -> Actor:
    org = membership.organization
    return Actor(
        user_id=membership.user_id,
        organization_id=org.pk,
        organization_kind=org.kind,
        role=membership.role,
    )


def test_scoped_manager_refuses_to_run_without_an_actor():
    MembershipFactory()
    with pytest.raises(NoActorError, match="No actor is set"):
        list(Membership.objects.all())


def test_scoped_manager_returns_only_the_acting_organizations_rows():
    mine, theirs = MembershipFactory(), MembershipFactory()
    with acting_as(_actor(mine)):
        assert list(Membership.objects.all()) == [mine]
        assert not Membership.objects.filter(pk=theirs.pk).exists()


def test_an_actor_without_organization_sees_nothing_and_unscoped_sees_all():
    MembershipFactory.create_batch(2)
    with acting_as(Actor(user_id=1, creator_id=7, role="creator")):
        assert Membership.objects.count() == 0
    assert Membership.objects.unscoped().count() == 2


def test_acting_as_resets_even_when_the_body_fails():
    with pytest.raises(ZeroDivisionError), acting_as(SYSTEM):
        assert current_actor() is SYSTEM
        raise ZeroDivisionError
    assert current_actor() is None


def test_audit_record_defaults_to_the_acting_organization():
    membership = MembershipFactory()
    actor = _actor(membership)
    event = audit_event_record(actor=actor, action="thing.done", target=membership)
    assert event.organization_id == membership.organization_id
    assert event.actor_label == f"user:{membership.user_id}"
    assert (event.target_type, event.target_id) == ("tenancy.membership", str(membership.pk))
    with acting_as(actor):
        assert list(AuditEvent.objects.all()) == [event]


@tenant_task("tests.actor_echo")
def actor_echo(*, actor, organization_id):
    assert current_actor() == actor
    return Membership.objects.filter(organization_id=organization_id).count()


def test_tenant_task_runs_inside_its_actor_and_resets_it():
    membership = MembershipFactory()
    other = OrganizationFactory()
    actor = _actor(membership)
    mine = actor_echo.delay(actor=actor.to_dict(), organization_id=membership.organization_id)
    theirs = actor_echo.delay(actor=actor.to_dict(), organization_id=other.pk)
    assert (mine.get(), theirs.get()) == (1, 0)
    assert current_actor() is None


def test_without_a_choice_a_user_acts_where_its_role_is_strongest():
    from tenancy.selectors import actor_for_user

    strong = MembershipFactory(organization__name="Zeta brand", role="owner")
    MembershipFactory(user=strong.user, organization__name="Alpha brand", role="viewer")
    actor = actor_for_user(user=strong.user)
    assert (actor.organization_id, actor.role) == (strong.organization_id, "owner")
