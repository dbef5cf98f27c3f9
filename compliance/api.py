"""The compliance API: pre-check ad copy against the rules and the model (scope
``compliance:check``), and check a text for duplicates of indexed content (scope
``originality:check``). A check writes nothing: a partner or brand asks before it publishes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.views import TenantViewSet
from creators import taxonomy

from .engine import originality as originality_engine
from .originality import check_matches
from .scoring import TEXT_MAX, assess_texts, reasons_of
from .selectors import case_queue

BATCH_MAX = 1000


class TextField(serializers.CharField):
    """A string and only a string: DRF's CharField would turn 12 or 1.5 into text."""

    default_error_messages = {"not_text": _("Must be a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


def _text_field(**kwargs) -> TextField:
    return TextField(
        max_length=TEXT_MAX,
        trim_whitespace=False,
        error_messages={
            "blank": _("The text is empty."),
            "max_length": _("At most %(max)s characters.") % {"max": TEXT_MAX},
        },
        **kwargs,
    )


class _Vertical(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=taxonomy.VERTICAL_CHOICES,
            required=False,
            help_text="the product vertical (creators' taxonomy); medical-claim rules weigh "
            "most for beauty, food, mother & baby, agriculture and sports",
            **kwargs,
        )


class CheckInput(serializers.Serializer):
    text = _text_field(help_text=f"the copy to check, 1–{TEXT_MAX} characters")
    category = _Vertical()

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("The text is empty."))
        return value


class CheckBatchInput(serializers.Serializer):
    texts = serializers.ListField(
        child=_text_field(), min_length=1, max_length=BATCH_MAX, help_text=f"1–{BATCH_MAX} texts"
    )
    category = _Vertical()

    def validate_texts(self, values: list[str]) -> list[str]:
        blank = {
            i: [_("The text is empty.")] for i, value in enumerate(values) if not value.strip()
        }
        if blank:
            raise serializers.ValidationError(blank)
        return values


class ComplianceReasonOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["rule", "model"])
    rule = serializers.CharField(help_text="the lexicon term, or the model version")
    category = serializers.CharField(help_text="the violation category")
    start = serializers.IntegerField(allow_null=True, help_text="span start (rule hits)")
    end = serializers.IntegerField(allow_null=True, help_text="span end, exclusive")
    text = serializers.CharField(allow_blank=True)
    severity = serializers.FloatField(required=False)
    probability = serializers.FloatField(required=False)


class CheckOutput(serializers.Serializer):
    risk_score = serializers.FloatField(help_text="0–1, rules and model combined")
    decision = serializers.ChoiceField(choices=["pass", "review", "block"])
    category = serializers.CharField(allow_null=True)
    reasons = ComplianceReasonOutput(many=True)
    model_version = serializers.CharField()
    lexicon_version = serializers.CharField()


class CheckBatchOutput(serializers.Serializer):
    results = CheckOutput(many=True)


def _output(assessment) -> dict:
    return {
        "risk_score": assessment.risk,
        "decision": assessment.decision,
        "category": assessment.category,
        "reasons": reasons_of(assessment),
        "model_version": assessment.model_version,
        "lexicon_version": assessment.lexicon_version,
    }


class ComplianceCheckViewSet(TenantViewSet):
    """Score ad copy under the operator's policy: ``pass``, ``review`` or ``block`` with the
    reasons (rule hits with their spans, the model's probability) and the versions used."""

    read_scope = "compliance:check"
    read_actions = frozenset({"check", "check_batch"})
    accepts_bulk_body = True  # a batch of 1,000 texts needs more than the small body cap
    serializer_class = CheckInput  # the browsable API's form (and 405 page) for the actions

    def get_serializer_class(self):
        return CheckBatchInput if self.action == "check_batch" else CheckInput

    def scoped_queryset(self, *, actor):
        return case_queue(actor=actor).none()  # no rows: a check reads nothing of a tenant

    @extend_schema(request=CheckInput, responses=CheckOutput)
    @action(detail=False, methods=["post"])
    def check(self, request):
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assessment = assess_texts([values["text"]], vertical=values.get("category"))[0]
        return Response(_output(assessment))

    @extend_schema(request=CheckBatchInput, responses=CheckBatchOutput)
    @action(detail=False, methods=["post"], url_path="check-batch")
    def check_batch(self, request):
        """Up to 1,000 texts in one call (the request body is capped at 16 MiB), scored in one
        pass of the model; results in the order of ``texts``."""
        data = CheckBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assessments = assess_texts(values["texts"], vertical=values.get("category"))
        return Response({"results": [_output(a) for a in assessments]})


class OriginalityCheckInput(serializers.Serializer):
    text = _text_field(help_text=f"the text to check, 1–{TEXT_MAX} characters")

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("The text is empty."))
        if len(originality_engine.normalise(value)) < originality_engine.MIN_CHARS:
            raise serializers.ValidationError(
                _(
                    "Too short to compare: at least %(min)s characters besides punctuation, "
                    "symbols and spaces."
                )
                % {"min": originality_engine.MIN_CHARS}
            )
        return value


class OriginalityContentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    creator = serializers.CharField(help_text="the creator's handle")
    published_at = serializers.DateTimeField()


class OriginalityMatchOutput(serializers.Serializer):
    content = OriginalityContentOutput()
    similarity = serializers.FloatField(help_text="Jaccard similarity of character 3-grams, 0–1")


class OriginalityCheckOutput(serializers.Serializer):
    duplicate = serializers.BooleanField(
        help_text=f"some indexed item is at least {originality_engine.THRESHOLD} similar"
    )
    matches = OriginalityMatchOutput(many=True)


class OriginalityCheckViewSet(TenantViewSet):
    """Check a text against every indexed content item: the items it nearly duplicates
    (similarity of character 3-grams after normalising width, case, punctuation and spaces at
    least the threshold), closest first, at most 20."""

    read_scope = "originality:check"
    read_actions = frozenset({"check"})
    serializer_class = OriginalityCheckInput

    def scoped_queryset(self, *, actor):
        return case_queue(actor=actor).none()  # no rows: a check reads no tenant's rows

    @extend_schema(request=OriginalityCheckInput, responses=OriginalityCheckOutput)
    @action(detail=False, methods=["post"])
    def check(self, request):
        data = OriginalityCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        matches = check_matches(data.validated_data["text"])
        answer = {"duplicate": bool(matches), "matches": matches}
        return Response(OriginalityCheckOutput(answer).data)


ROUTES = [
    ("compliance", ComplianceCheckViewSet, "compliance"),
    ("originality", OriginalityCheckViewSet, "originality"),
]
