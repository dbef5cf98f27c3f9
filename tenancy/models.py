"""Organizations (tenants), who belongs to them, their API keys and the audit trail."""

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from .managers import TenantManager
from .scopes import unknown_scopes


class Organization(models.Model):
    class Kind(models.TextChoices):
        OPERATOR = "operator", _("Platform operator")
        BRAND = "brand", _("Brand")
        AGENCY = "agency", _("MCN agency")
        PARTNER = "partner", _("Partner")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    region = models.CharField(max_length=64, default="CN")
    currency = models.CharField(
        max_length=3, default="CNY", validators=[RegexValidator(r"^[A-Z]{3}$", _("ISO 4217 code"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["operator", "brand", "agency", "partner"]),
                name="organization_kind_valid",
                violation_error_message=_("Choose a valid kind of organization."),
                violation_error_code="organization_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


def constraint_errors_on_fields(model, error: ValidationError, fields: dict) -> ValidationError:
    """Move constraint violations from the non-field errors onto the field each concerns.

    ``fields`` maps a constraint's ``violation_error_code`` (its name) to a field. A unique
    constraint over several fields without a condition is reported by Django with the generic
    "… with this … already exists" (code ``unique_together``); it gets the constraint's own
    message instead.
    """
    if not hasattr(error, "error_dict"):
        return error
    by_fields = {
        tuple(c.fields): c
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    }
    moved: dict[str, list] = {}
    for key, errors in error.error_dict.items():
        for each in errors:
            code, target = each.code, key
            if code == "unique_together" and (each.params or {}).get("unique_check"):
                constraint = by_fields.get(tuple(each.params["unique_check"]))
                if constraint is not None:
                    code = constraint.violation_error_code
                    each = ValidationError(constraint.get_violation_error_message(), code=code)
            if key == NON_FIELD_ERRORS and code in fields:
                target = fields[code]
            moved.setdefault(target, []).append(each)
    return ValidationError(moved)


class ConstraintErrorsOnFields(models.Model):
    """``validate_constraints`` (so ``full_clean``, forms, services) reports each violated
    constraint on the field named for its code in ``CONSTRAINT_FIELDS``, with its human
    ``violation_error_message``, never as "Constraint “…” is violated."."""

    CONSTRAINT_FIELDS: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise constraint_errors_on_fields(type(self), error, self.CONSTRAINT_FIELDS) from None


class TenantOwned(ConstraintErrorsOnFields):
    """A row owned by one organization; ``objects``, the default manager that Django's own
    machinery uses too, is scoped to the acting one."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objects = TenantManager()

    class Meta:
        abstract = True


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")
        VIEWER = "viewer", _("Viewer (read-only)")
        REVIEWER = "reviewer", _("Compliance reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="membership_unique",
                violation_error_message=_("This user is already a member of this organization."),
                violation_error_code="membership_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "admin", "member", "viewer", "reviewer"]),
                name="membership_role_valid",
                violation_error_message=_("Choose a valid role."),
                violation_error_code="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiKey(AbstractAPIKey):
    """A partner's key: hashed (only the prefix is stored in clear), bound to one organization.

    Its manager stays the library's unscoped one on purpose: a key is looked up to *find* the
    actor, before any actor exists. Listing keys goes through ``tenancy.selectors``.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    scopes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def clean(self) -> None:
        super().clean()
        unknown = unknown_scopes(self.scopes)
        if unknown:
            raise ValidationError({"scopes": _("Unknown scopes: %s") % ", ".join(unknown)})


class AuditEvent(models.Model):
    """An append-only record of a privileged action: who, as which tenant, did what to what."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=160, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
