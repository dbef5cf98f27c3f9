"""Factories for tests. Tenant-owned rows are created through ``.unscoped()`` managers: a factory
builds fixtures, it does not act for anyone."""

import factory
from django.contrib.auth import get_user_model

from creators.models import Creator
from tenancy.models import Membership, Organization


class UnscopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        manager = super()._get_manager(model_class)
        return manager.unscoped() if hasattr(manager, "unscoped") else manager


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = "brand"
    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "owner"


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creator

    handle = factory.Sequence(lambda n: f"creator-{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
