"""The rubric Olive ships with: weights, thresholds and gates, chosen so the demo world's twenty
agencies spread over S, A and B, and the tier benefits. Migration ``mcn 0006`` writes them as
policy version 1; a later change is a new version the operator publishes, not an edit here."""

DEFAULT_POLICY = {
    "weights": {
        "active_creators": 15,
        "gmv": 25,
        "gmv_growth": 10,
        "engagement_rate": 15,
        "retention": 10,
        "originality_rate": 10,
        "violation_rate": 5,
        "complaint_rate": 10,
    },
    "thresholds": {"S": 55, "A": 44, "B": 30},
    "gates": {
        "S": [
            {
                "name": "S: at least 20 active creators",
                "metric": "active_creators",
                "bound": 20,
                "at_least": True,
            },
            {
                "name": "S: complaint rate below 0.8%",
                "metric": "complaint_rate",
                "bound": 0.008,
                "at_least": False,
            },
            {
                "name": "S: no severe violation",
                "metric": "severe_violations",
                "bound": 1,
                "at_least": False,
            },
        ],
        "A": [
            {
                "name": "A: at least 10 active creators",
                "metric": "active_creators",
                "bound": 10,
                "at_least": True,
            },
            {
                "name": "A: complaint rate below 2%",
                "metric": "complaint_rate",
                "bound": 0.02,
                "at_least": False,
            },
        ],
        "B": [
            {
                "name": "B: at least 3 active creators",
                "metric": "active_creators",
                "bound": 3,
                "at_least": True,
            },
        ],
    },
    "window_days": 90,
}

#: Tier → (monthly traffic package in impressions, brand priority).
DEFAULT_BENEFITS = {"S": (5_000_000, 3), "A": (2_000_000, 2), "B": (500_000, 1)}
