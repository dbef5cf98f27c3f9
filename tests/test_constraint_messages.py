"""Every database constraint speaks to people: a human message in both languages, reported on
the field it concerns, never "Constraint “…” is violated."."""

import pytest
from django.apps import apps
from django.db.models import BaseConstraint
from django.utils import translation

from brands.models import Campaign
from tests.factories import OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

PROJECT_APPS = {"tenancy", "creators", "brands", "compliance", "mcn", "traffic", "matching"}
PROJECT_APPS |= {"analytics", "webhooks", "demo"}
DEFAULT = BaseConstraint.default_violation_error_message


def project_constraints():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_has_a_human_message_in_both_languages():
    constraints = list(project_constraints())
    assert len(constraints) > 40
    for model, constraint in constraints:
        where = f"{model.__name__}.{constraint.name}"
        message = constraint.violation_error_message
        assert message and str(message) != DEFAULT, where
        assert constraint.violation_error_code == constraint.name, where
        assert constraint.name not in str(message), where
        with translation.override("en"):
            english = str(message)
        with translation.override("zh-hans"):
            assert str(message) != english, f"{where} has no Chinese translation"


def test_field_mappings_name_real_constraints_and_fields():
    for model in apps.get_models():
        mapping = getattr(model, "CONSTRAINT_FIELDS", {})
        names = {c.name for c in model._meta.constraints}
        fields = {f.name for f in model._meta.fields}
        assert set(mapping) <= names, model
        assert set(mapping.values()) <= fields, model


@pytest.mark.django_db
def test_an_api_campaign_ending_before_it_starts_is_a_field_error_in_words():
    brand = OrganizationFactory(kind="brand")
    client = api_key_client(brand, ["campaigns:read", "campaigns:write"])[1]
    body = {"name": "Harvest", "mode": "both", "budget": "50000.00"}
    body |= {"start": "2026-12-01", "end": "2026-11-01"}
    before = row_counts("brands.Campaign", "tenancy.AuditEvent")
    response = client.post("/api/v1/campaigns/", body, format="json")
    assert row_counts("brands.Campaign", "tenancy.AuditEvent") == before
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"end": ["The end date cannot be before the start date."]}
    assert "campaign_dates_ordered" not in response.content.decode()
    zh = client.post("/api/v1/campaigns/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.json()["error"]["fields"]["end"] != error["fields"]["end"]
    assert not Campaign.objects.unscoped().exists()
