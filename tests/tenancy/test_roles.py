"""One vocabulary decides access: ``Actor.require`` and the role sets of ``tenancy.roles``."""

import pytest
from django.core.exceptions import PermissionDenied

from tenancy import roles
from tenancy.scoping import SYSTEM, Actor, WrongKind


def actor(kind="operator", role="owner", **extra) -> Actor:
    return Actor(user_id=1, organization_id=7, organization_kind=kind, role=role, **extra)


def test_require_returns_the_actor_when_everything_holds():
    owner = actor()
    assert owner.require(kinds=[roles.OPERATOR], roles=roles.ADMIN_ROLES, write=True) is owner


def test_the_wrong_kind_is_told_apart_from_the_wrong_role():
    with pytest.raises(WrongKind):
        actor(kind="brand").require(kinds=[roles.OPERATOR])
    with pytest.raises(PermissionDenied) as refused:
        actor(role="member").require(roles=roles.ADMIN_ROLES)
    assert not isinstance(refused.value, WrongKind)


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewers_and_compliance_reviewers_do_not_change_business_data(role):
    with pytest.raises(PermissionDenied):
        actor(role=role).require(write=True)


def test_reviewers_decide_compliance_cases():
    assert actor(role="reviewer").require(kinds=[roles.OPERATOR], roles=roles.REVIEW_ROLES)


def test_a_creator_is_its_own_kind():
    creator = Actor(user_id=3, creator_id=9, role=roles.CREATOR_ROLE)
    assert creator.kind == roles.CREATOR
    assert creator.require(kinds=[roles.CREATOR], write=True) is creator
    with pytest.raises(WrongKind):
        creator.require(kinds=[roles.BRAND])


def test_the_system_passes_every_check():
    assert SYSTEM.kind == roles.SYSTEM_KIND
    assert SYSTEM.require(kinds=[roles.OPERATOR], roles=roles.ADMIN_ROLES, write=True) is SYSTEM
