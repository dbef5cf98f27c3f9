"""Bulk ingestion of metric snapshots and content items pushed by partners.

A request of up to 10,000 rows is validated as a whole, vectorised with pandas: every bad row is
reported by index and field, and if any row is bad nothing is stored. Good requests upsert by
natural key in one statement: on PostgreSQL through COPY into a temporary staging table and one
``INSERT … ON CONFLICT DO UPDATE``; elsewhere ``bulk_create(update_conflicts=True)``. Repeating
a request therefore changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction

from bulkload.frames import upsert_frame
from tenancy import roles
from tenancy.scoping import Actor

from .models import ContentItem, Creator, MetricSnapshot

MAX_ROWS = 10_000
COUNTS = ("followers", "views", "likes", "comments", "shares", "live_minutes", "orders")
MONEY = ("tipping_revenue", "gmv")
SNAPSHOT_FIELDS = ("creator", "date", *COUNTS, *MONEY)
CONTENT_FIELDS = (
    "creator",
    "external_id",
    "kind",
    "title",
    "text",
    "published_at",
    "views",
    "engagement",
)


class RowErrors(Exception):
    """The request's bad rows: ``[{"index", "field", "message"}]``; nothing was stored."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


@dataclass(frozen=True)
class UpsertResult:
    rows: int
    creators: int


def _require_writer(actor: Actor) -> None:
    actor.require(
        kinds=[roles.OPERATOR, roles.PARTNER, roles.AGENCY],
        write=True,
        message="Only the operator, data partners and agencies push metrics.",
    )


def _frame(rows, fields: tuple[str, ...], errors: list[dict]) -> pd.DataFrame:
    if not isinstance(rows, list) or not rows:
        raise RowErrors(
            [{"index": None, "field": "rows", "message": f"Send 1 to {MAX_ROWS} rows as a list."}]
        )
    if len(rows) > MAX_ROWS:
        raise RowErrors(
            [
                {
                    "index": None,
                    "field": "rows",
                    "message": f"At most {MAX_ROWS} rows per request, got {len(rows)}.",
                }
            ]
        )
    not_objects = [i for i, row in enumerate(rows) if not isinstance(row, dict)]
    errors += [
        {"index": i, "field": None, "message": "Each row must be an object."} for i in not_objects
    ]
    frame = pd.DataFrame([row if isinstance(row, dict) else {} for row in rows])
    for extra in sorted(set(frame.columns) - set(fields)):
        for i in frame.index[frame[extra].notna()]:
            errors.append({"index": int(i), "field": extra, "message": "Unknown field."})
    return frame.reindex(columns=list(fields))


def _flag(errors: list[dict], mask: pd.Series, field: str, message: str) -> None:
    errors.extend(
        {"index": int(i), "field": field, "message": message} for i in mask.index[mask.to_numpy()]
    )


def _counts(frame: pd.DataFrame, fields, errors, *, required: tuple[str, ...] = ()) -> None:
    for field in fields:
        raw = frame[field]
        number = pd.to_numeric(raw, errors="coerce")
        missing = raw.isna()
        bad = ~missing & (number.isna() | (number < 0) | (number % 1 != 0))
        _flag(errors, bad, field, "Must be a whole number >= 0.")
        if field in required:
            _flag(errors, missing, field, "This field is required.")
        frame[field] = number.fillna(0).astype(np.int64, errors="ignore")


def _money(frame: pd.DataFrame, errors) -> None:
    for field in MONEY:
        raw = frame[field].astype(object).where(frame[field].notna(), "0")
        number = pd.to_numeric(raw.astype(str), errors="coerce")
        bad = number.isna() | (number < 0) | (number.round(2) != number) | (number >= 1e12)
        _flag(errors, bad, field, "Must be an amount >= 0 with at most 2 decimals.")
        frame[field] = number.fillna(0).round(2)


def _creator_ids(actor: Actor, handles: pd.Series, errors) -> pd.Series:
    """Map handles to ids; agencies may push only for the creators they have signed."""
    wanted = handles.dropna().astype(str).unique().tolist()
    known = Creator.objects.filter(handle__in=wanted)
    if actor.kind == roles.AGENCY:
        known = known.filter(agency_id=actor.organization_id)
    ids = dict(known.values_list("handle", "id"))
    mapped = handles.map(ids)
    _flag(errors, mapped.isna(), "creator", "Unknown creator handle (or not one of your creators).")
    return mapped


def _dates(frame: pd.DataFrame, field: str, errors, *, with_time: bool = False) -> None:
    raw = frame[field]
    if with_time:
        parsed = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
        message = "Must be an ISO 8601 date-time."
    else:
        parsed = pd.to_datetime(raw, errors="coerce", format="%Y-%m-%d")
        message = "Must be a date YYYY-MM-DD."
    _flag(errors, parsed.isna(), field, message)
    frame[field] = parsed


def _duplicates(frame: pd.DataFrame, keys: list[str], errors) -> None:
    repeated = frame.duplicated(subset=keys, keep="first") & frame[keys].notna().all(axis=1)
    _flag(errors, repeated, keys[-1], f"Repeats an earlier row with the same {' and '.join(keys)}.")


def _fail_if_any(errors: list[dict]) -> None:
    if errors:
        errors.sort(key=lambda e: (e["index"] is not None, e["index"] or 0, e["field"] or ""))
        raise RowErrors(errors)


@transaction.atomic
def metric_snapshots_upsert(*, actor: Actor, rows) -> UpsertResult:
    """Validate all rows, then upsert them by (creator, date); all or nothing."""
    _require_writer(actor)
    errors: list[dict] = []
    frame = _frame(rows, SNAPSHOT_FIELDS, errors)
    _counts(frame, COUNTS, errors, required=("followers",))
    _money(frame, errors)
    _dates(frame, "date", errors)
    _duplicates(frame, ["creator", "date"], errors)
    frame["creator_id"] = _creator_ids(actor, frame["creator"], errors)
    _fail_if_any(errors)
    table = frame.drop(columns=["creator"]).assign(creator_id=frame["creator_id"].astype(np.int64))
    upsert_frame(MetricSnapshot, table, conflict=["creator", "date"], update=[*COUNTS, *MONEY])
    return UpsertResult(rows=len(table), creators=table["creator_id"].nunique())


@transaction.atomic
def content_items_upsert(*, actor: Actor, rows) -> UpsertResult:
    """Validate all rows, then upsert them by (creator, external_id); all or nothing."""
    _require_writer(actor)
    errors: list[dict] = []
    frame = _frame(rows, CONTENT_FIELDS, errors)
    _text(frame, "external_id", errors, max_length=80, required=True)
    _text(frame, "title", errors, max_length=200, required=True)
    _text(frame, "text", errors, max_length=100_000)
    bad_kind = ~frame["kind"].isin(ContentItem.Kind.values)
    _flag(errors, bad_kind, "kind", f"Must be one of {', '.join(ContentItem.Kind.values)}.")
    _counts(frame, ("views", "engagement"), errors)
    _dates(frame, "published_at", errors, with_time=True)
    _duplicates(frame, ["creator", "external_id"], errors)
    frame["creator_id"] = _creator_ids(actor, frame["creator"], errors)
    _fail_if_any(errors)
    table = frame.drop(columns=["creator"]).assign(creator_id=frame["creator_id"].astype(np.int64))
    upsert_frame(
        ContentItem,
        table,
        conflict=["creator", "external_id"],
        update=["kind", "title", "text", "published_at", "views", "engagement"],
    )
    return UpsertResult(rows=len(table), creators=table["creator_id"].nunique())


def _text(frame, field: str, errors, *, max_length: int, required: bool = False) -> None:
    raw = frame[field]
    present = raw.notna()
    is_text = raw.map(lambda v: isinstance(v, str))
    _flag(errors, present & ~is_text, field, "Must be a string.")
    too_long = is_text & (raw.where(is_text, "").str.len() > max_length)
    _flag(errors, too_long, field, f"At most {max_length} characters.")
    if required:
        blank = ~present | (is_text & (raw.where(is_text, "").str.strip() == ""))
        _flag(errors, blank, field, "This field is required.")
    frame[field] = raw.where(is_text, "")
