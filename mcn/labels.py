"""How the 星火计划 certification reads on a page: each metric's label (translated, in one
place), its value formatted as its kind wants (rates and growth as percentages, GMV as money,
counts as whole numbers), and the rows the tier page shows (breakdown, gates, the way up),
built from an assessment's stored JSON and the policy its run applied."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ui.templatetags.olive_charts import figure, percent

from . import engine

METRIC_LABELS = {
    "active_creators": gettext_lazy("Active creators"),
    "gmv": gettext_lazy("GMV"),
    "gmv_growth": gettext_lazy("GMV growth"),
    "engagement_rate": gettext_lazy("Engagement rate"),
    "retention": gettext_lazy("Creator retention"),
    "originality_rate": gettext_lazy("Originality rate"),
    "violation_rate": gettext_lazy("Violation rate"),
    "complaint_rate": gettext_lazy("Complaint rate"),
    "severe_violations": gettext_lazy("Severe violations"),
}
#: Metrics shown (and entered in the what-if form) as percentages of their stored share.
PERCENT_METRICS = frozenset(
    {
        "gmv_growth",
        "engagement_rate",
        "retention",
        "originality_rate",
        "violation_rate",
        "complaint_rate",
    }
)


def metric_label(metric: str) -> str:
    return str(METRIC_LABELS.get(metric, metric))


def metric_value(metric: str, value) -> str:
    """A metric's value as the page writes it; a missing one as "—"."""
    if value is None:
        return "—"
    if metric in PERCENT_METRICS:
        return percent(value)
    if metric in engine.COUNTS:
        return figure(round(value))
    return figure(float(value))


def component_rows(assessment) -> list[dict]:
    """The breakdown: each scored metric with its value, weight and contribution (points)."""
    total = sum(c["weight"] for c in assessment.components) or 1.0
    return [
        {
            "metric": c["metric"],
            "label": metric_label(c["metric"]),
            "value": metric_value(c["metric"], c["value"]),
            "weight": c["weight"],
            "weight_share": c["weight"] / total,
            "contribution": c["contribution"],
            "most": 100.0 * c["weight"] / total,
        }
        for c in assessment.components
    ]


def _gate_text(gate: dict) -> str:
    metric = gate["metric"]
    bound = metric_value(metric, gate["bound"])
    values = {"metric": metric_label(metric), "bound": bound}
    if gate["at_least"]:
        return _("%(metric)s at least %(bound)s") % values
    if metric in engine.COUNTS and float(gate["bound"]) == 1:
        return _("no %(metric)s") % {"metric": metric_label(metric).lower()}
    return _("%(metric)s below %(bound)s") % values


def gate_rows(gates: list, metrics: dict, policy_gates: dict) -> list[dict]:
    """Each gate (``{name, passed}``, by name in the policy) with its tier, a translated rule,
    the agency's value among ``metrics`` and whether it passed."""
    by_name = {
        gate["name"]: (tier, gate) for tier in engine.TIERS for gate in policy_gates.get(tier, [])
    }
    rows = []
    for gate in gates:
        tier, rule = by_name.get(gate["name"], ("", None))
        metric = rule["metric"] if rule else None
        rows.append(
            {
                "tier": tier,
                "rule": _gate_text(rule) if rule else gate["name"],
                "value": metric_value(metric, metrics.get(metric)) if metric else "",
                "passed": gate["passed"],
            }
        )
    return rows


def change_rows(changes) -> list[dict]:
    """The way up's moves (``{metric, from, to}``) in words."""
    return [
        {
            "label": metric_label(c["metric"]),
            "before": metric_value(c["metric"], c["from"]),
            "after": metric_value(c["metric"], c["to"]),
        }
        for c in changes or ()
    ]


def what_if_result_rows(result: dict, policy_gates: dict, values: dict) -> dict:
    """The what-if answer (``assessment_data``) ready for its partial."""
    return {
        "tier": result["tier"],
        "score": result["score"],
        "gates": gate_rows(result["gates"], values, policy_gates),
        "next_tier": result["next_tier"],
        "changes": change_rows((result["next_tier"] or {}).get("changes")),
    }


def tier_counts_line(counts: dict) -> str:
    """``S 3, A 7, B 12, none 4``: a run's tier counts, best tier first (JSON keeps no order)."""
    return ", ".join(f"{tier} {counts.get(tier, 0)}" for tier in (*engine.TIERS, "none"))
