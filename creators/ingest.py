"""Bulk ingestion of metric snapshots and content items pushed by partners.

A request of up to 10,000 rows is validated as a whole, vectorised with pandas: every bad row is
reported by index and field, and if any row is bad nothing is stored. Good requests upsert by
natural key in one statement: on PostgreSQL through COPY into a temporary staging table and one
``INSERT … ON CONFLICT DO UPDATE``; elsewhere ``bulk_create(update_conflicts=True)``. Repeating
a request therefore changes nothing.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

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

#: The largest value each count may have. A snapshot holds one creator's figures for a day or a
#: week (the demo world pushes weekly), a content item its lifetime figures; anything above these
#: is a partner's bug or an attack, and refusing it keeps every sum the traffic engine makes far
#: from int64 (and float64's exact integers, 2**53), and every value inside its column.
BOUNDS = {
    "followers": 10**10,  # more accounts than there are people (~8·10**9)
    "views": 10**11,  # no creator is watched 100 billion times in a week
    "likes": 10**11,
    "comments": 10**11,
    "shares": 10**11,
    "live_minutes": 31 * 24 * 60,  # a month of minutes: a snapshot covers at most that
    "orders": 10**8,  # (the column is a 32-bit integer: at most 2**31 - 1)
    "content_views": 10**11,  # the most watched video ever has ~1.6·10**10
    "content_engagement": 10**11,
}
#: Money figures (yuan): 12 digits before the point fit both columns (tipping: 14 digits).
MONEY_MAX = Decimal("999999999999.99")
#: Dates (snapshot days, publication times) from this day on; earlier ones are typos (year 1).
DATE_MIN = datetime.date(2000, 1, 1)
#: ...and no later than this after now (UTC): a creator in UTC+14 is already tomorrow.
FUTURE_LEEWAY = datetime.timedelta(days=1)
_DIGITS = re.compile(r"[0-9]{1,20}")


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
        message=_("Only the operator, data partners and agencies push metrics."),
    )


def _frame(rows, fields: tuple[str, ...], errors: list[dict]) -> pd.DataFrame:
    if not isinstance(rows, list) or not rows:
        message = _("Send 1 to %(max)s rows as a list.") % {"max": MAX_ROWS}
        raise RowErrors([{"index": None, "field": "rows", "message": message}])
    if len(rows) > MAX_ROWS:
        message = _("At most %(max)s rows per request, got %(count)s.") % {
            "max": MAX_ROWS,
            "count": len(rows),
        }
        raise RowErrors([{"index": None, "field": "rows", "message": message}])
    not_objects = [i for i, row in enumerate(rows) if not isinstance(row, dict)]
    message = _("Each row must be an object.")
    errors += [{"index": i, "field": None, "message": message} for i in not_objects]
    # dtype=object keeps every value as the JSON parser made it (True stays a bool, 2**64 an
    # int, a list a list): pandas' own inference would turn True into 1 and wrap big integers.
    frame = pd.DataFrame([row if isinstance(row, dict) else {} for row in rows], dtype=object)
    for extra in sorted(set(frame.columns) - set(fields)):
        for i in frame.index[frame[extra].notna()]:
            errors.append({"index": int(i), "field": extra, "message": _("Unknown field.")})
    return frame.reindex(columns=list(fields))


def _flag(errors: list[dict], mask: pd.Series, field: str, message: str) -> None:
    errors.extend(
        {"index": int(i), "field": field, "message": message} for i in mask.index[mask.to_numpy()]
    )


def _missing(value) -> bool:
    """Absent from the row (NaN, as pandas fills it) or JSON null."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _whole(value, maximum: int) -> int | None:
    """The whole number 0..maximum that ``value`` spells (an integer, an integral float, or
    decimal digits as text), else None. Values are as JSON parses them: ``type`` is exact, so a
    boolean (a subclass of int in Python) is no number here."""
    kind = type(value)
    if kind is int:
        number = value
    elif (kind is float and value.is_integer()) or (  # is_integer: not NaN nor ±inf either
        kind is str and _DIGITS.fullmatch(value.strip())
    ):
        number = int(value)
    else:
        return None
    return number if 0 <= number <= maximum else None


def _counts(
    frame: pd.DataFrame, fields, errors, *, required: tuple[str, ...] = (), prefix: str = ""
) -> None:
    for field in fields:
        maximum = BOUNDS[prefix + field]
        missing = frame[field].isna()  # elementwise on objects: a list is not missing
        number = frame[field].map(lambda v, m=maximum: _whole(v, m), na_action="ignore")
        message = _("Must be a whole number from 0 to %(max)s.") % {"max": f"{maximum:,}"}
        _flag(errors, ~missing & number.isna(), field, message)
        if field in required:
            _flag(errors, missing, field, _("This field is required."))
        frame[field] = number.where(number.notna(), 0).astype(np.int64)


_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


def _amount(value) -> float | None:
    """An amount 0..MONEY_MAX with at most 2 decimals (a number or decimal text), else None."""
    kind = type(value)
    if kind is str and _AMOUNT.fullmatch(value):
        return float(value)  # the common case, and exact to the cent at 14 digits
    if kind not in (str, int, float):
        return None
    try:
        amount = Decimal(value.strip() if kind is str else str(value))
    except InvalidOperation:
        return None
    if not (amount.is_finite() and 0 <= amount <= MONEY_MAX):
        return None
    return float(amount) if amount == amount.quantize(Decimal("0.01")) else None


def _money(frame: pd.DataFrame, errors) -> None:
    for field in MONEY:
        missing = frame[field].isna()
        amount = frame[field].map(_amount, na_action="ignore")
        message = _("Must be an amount from 0 to %(max)s with at most 2 decimals.") % {
            "max": f"{MONEY_MAX:,}"
        }
        _flag(errors, ~missing & amount.isna(), field, message)
        frame[field] = amount.where(amount.notna(), 0.0).astype(np.float64)


def _strings(frame: pd.DataFrame, field: str, errors, *, message: str) -> pd.Series:
    """The column's strings (others become None, flagged with ``message`` unless missing).

    U+0000 is refused in every string: PostgreSQL cannot store it in text (the query or the COPY
    would fail with a 500), and no handle, id, title or date contains it.
    """
    raw = frame[field]
    missing = raw.map(_missing).astype(bool)
    is_text = raw.map(lambda v: isinstance(v, str)).astype(bool)
    _flag(errors, ~missing & ~is_text, field, message)
    has_nul = is_text & raw.map(lambda v: isinstance(v, str) and "\x00" in v).astype(bool)
    _flag(errors, has_nul, field, _("Must not contain the NUL character (U+0000)."))
    return raw.where(is_text & ~has_nul, None)


def _creator_ids(actor: Actor, frame: pd.DataFrame, errors) -> pd.Series:
    """Map handles to ids; agencies may push only for the creators they have signed."""
    handles = _strings(frame, "creator", errors, message=_("Must be a creator handle (text)."))
    # Only what could be a handle is looked up (a slug of at most 64 characters).
    candidates = handles.map(lambda h: isinstance(h, str) and 0 < len(h) <= 64).astype(bool)
    wanted = handles[candidates].unique().tolist()
    known = Creator.objects.filter(handle__in=wanted)
    if actor.kind == roles.AGENCY:
        known = known.filter(agency_id=actor.organization_id)
    ids = dict(known.values_list("handle", "id"))
    mapped = handles.map(lambda h: ids.get(h) if isinstance(h, str) else None)
    unknown = mapped.isna() & (handles.notna() | frame["creator"].map(_missing).astype(bool))
    _flag(errors, unknown, "creator", _("Unknown creator handle (or not one of your creators)."))
    frame["creator"] = handles
    return mapped


def _date_range_message() -> str:
    span = {"first": DATE_MIN.isoformat(), "days": FUTURE_LEEWAY.days}
    return _("Must be from %(first)s to at most %(days)s day(s) after today (UTC).") % span


def validate_plausible_moment(value: datetime.datetime) -> None:
    """The same range for a single row's date-time (orders, refunds) as for bulk rows."""
    now = datetime.datetime.now(datetime.UTC)
    low = datetime.datetime.combine(DATE_MIN, datetime.time(), tzinfo=datetime.UTC)
    if not low <= value <= now + FUTURE_LEEWAY:
        raise ValidationError(_date_range_message(), code="out_of_range")


def _dates(frame: pd.DataFrame, field: str, errors, *, with_time: bool = False) -> None:
    """Parse ISO dates (date-times with ``with_time``) within [DATE_MIN, now + FUTURE_LEEWAY]."""
    message = _("Must be an ISO 8601 date-time.") if with_time else _("Must be a date YYYY-MM-DD.")
    texts = _strings(frame, field, errors, message=message)
    now = datetime.datetime.now(datetime.UTC)
    if with_time:
        parsed = pd.to_datetime(texts, errors="coerce", utc=True, format="ISO8601")
        low, high = pd.Timestamp(DATE_MIN, tz="UTC"), pd.Timestamp(now + FUTURE_LEEWAY)
    else:
        parsed = pd.to_datetime(texts, errors="coerce", format="%Y-%m-%d")
        low, high = pd.Timestamp(DATE_MIN), pd.Timestamp(now.date() + FUTURE_LEEWAY)
    _flag(errors, texts.notna() & parsed.isna(), field, message)
    out_of_range = parsed.notna() & ((parsed < low) | (parsed > high))
    _flag(errors, out_of_range, field, _date_range_message())
    missing = frame[field].map(_missing).astype(bool)
    _flag(errors, missing, field, _("This field is required."))
    frame[field] = parsed


def _duplicates(frame: pd.DataFrame, keys: list[str], errors) -> None:
    """Flag rows repeating an earlier row's natural key (the keys are validated, hashable)."""
    repeated = frame.duplicated(subset=keys, keep="first") & frame[keys].notna().all(axis=1)
    message = _("Repeats an earlier row with the same %(keys)s.") % {"keys": " + ".join(keys)}
    _flag(errors, repeated, keys[-1], message)


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
    frame["creator_id"] = _creator_ids(actor, frame, errors)
    _duplicates(frame, ["creator", "date"], errors)
    _fail_if_any(errors)
    table = frame.drop(columns=["creator"]).assign(creator_id=frame["creator_id"].astype(np.int64))
    upsert_frame(MetricSnapshot, table, conflict=["creator", "date"], update=[*COUNTS, *MONEY])
    return UpsertResult(rows=len(table), creators=table["creator_id"].nunique())


#: Hooks of later apps (compliance scores captions and transcripts): each is called as
#: ``fn(content_ids)`` with the ids of the rows a content upsert wrote, inside its transaction
#: (enqueue work after commit). Keep it empty here.
CONTENT_INGESTED: list[Callable[[list[int]], None]] = []


@transaction.atomic
def content_items_upsert(*, actor: Actor, rows) -> UpsertResult:
    """Validate all rows, then upsert them by (creator, external_id); all or nothing."""
    _require_writer(actor)
    errors: list[dict] = []
    frame = _frame(rows, CONTENT_FIELDS, errors)
    _text(frame, "external_id", errors, max_length=80, required=True)
    _text(frame, "title", errors, max_length=200, required=True)
    _text(frame, "text", errors, max_length=100_000)
    kinds = ContentItem.Kind.values
    bad_kind = ~frame["kind"].map(lambda v: isinstance(v, str) and v in kinds).astype(bool)
    _flag(errors, bad_kind, "kind", _("Must be one of %(kinds)s.") % {"kinds": ", ".join(kinds)})
    _counts(frame, ("views", "engagement"), errors, prefix="content_")
    _dates(frame, "published_at", errors, with_time=True)
    frame["creator_id"] = _creator_ids(actor, frame, errors)
    _duplicates(frame, ["creator", "external_id"], errors)
    _fail_if_any(errors)
    table = frame.drop(columns=["creator"]).assign(creator_id=frame["creator_id"].astype(np.int64))
    upsert_frame(
        ContentItem,
        table,
        conflict=["creator", "external_id"],
        update=["kind", "title", "text", "published_at", "views", "engagement"],
    )
    if CONTENT_INGESTED:
        _announce_content(table)
    return UpsertResult(rows=len(table), creators=table["creator_id"].nunique())


def _announce_content(table: pd.DataFrame) -> None:
    keys = Q()
    for creator_id, external_ids in table.groupby("creator_id")["external_id"]:
        keys |= Q(creator_id=int(creator_id), external_id__in=list(external_ids))
    ids = list(ContentItem.objects.unscoped().filter(keys).values_list("pk", flat=True))
    for hook in CONTENT_INGESTED:
        hook(ids)


def _text(frame, field: str, errors, *, max_length: int, required: bool = False) -> None:
    texts = _strings(frame, field, errors, message=_("Must be a string."))
    too_long = texts.map(lambda v: isinstance(v, str) and len(v) > max_length).astype(bool)
    _flag(errors, too_long, field, _("At most %(max)s characters.") % {"max": max_length})
    if required:
        blank = frame[field].map(lambda v: _missing(v) or (isinstance(v, str) and not v.strip()))
        blank = blank.astype(bool)
        _flag(errors, blank, field, _("This field is required."))
    frame[field] = texts.where(texts.notna(), "")
