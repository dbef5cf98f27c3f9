"""Keyset (seek) cursor pagination for every API list, refusing a cursor the API did not hand out.

DRF's ``CursorPagination`` positions a page by the ordering's first column plus an offset for
ties, capped at 1000: a list ordered by a column that more than 1000 rows share (allocations with
0 impressions, creators with the same follower count) could not be paged past the tie. Here the
ordering is made total by ending it in the primary key (unless it already ends in a unique, non-null
column), and the cursor carries the value of every ordering column of the boundary row. The next
page is the rows strictly after that tuple, in the ordering's own directions:
``(a < x) | (a = x & b > y) | ...`` — no offsets, so every page costs the same and ties of any size
page through, each row exactly once.

The cursor is opaque: JSON signed with ``django.core.signing`` (salted for this use), naming the
list's model, the ordering it was made for, the direction and the boundary values. A forged or
tampered cursor fails the signature, one made for another list or ``?ordering=`` fails the check,
and the values are still type-checked against the columns on decode (a signature only proves the
API made it, perhaps before a column changed type). Every such cursor is a 400 ``invalid_cursor``
with a field error on ``cursor``.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

SALT = "api.pagination.cursor"
PK_ALIAS = "cursor_pk"


class InvalidCursor(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_cursor"
    default_detail = _("Invalid cursor: use the next or previous link of a page as it is.")
    field = "cursor"  # api.errors puts the message under fields["cursor"] too


@dataclass(frozen=True)
class Key:
    """One column of the ordering: its name, direction and model (or annotation) field."""

    name: str
    descending: bool
    field: models.Field | None
    nullable: bool
    #: NULL after every value in both directions (a figure a row lacks), instead of largest.
    nulls_last: bool = False

    def _nulls_after(self, reverse: bool) -> bool:
        """Whether NULL comes after the values when reading in this direction."""
        if self.nulls_last:
            return not reverse
        return self.descending == reverse  # NULL is the largest: after them ascending

    @property
    def term(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def order_by(self, reverse: bool):
        descending = self.descending != reverse
        if not self.nullable:  # a plain name: the query planner matches it to an index as is
            return f"-{self.name}" if descending else self.name
        # NULL sorts after every value ascending (PostgreSQL's default, so its indexes still
        # serve) unless ``nulls_last``: fixed here because SQLite puts it first, and the cursor
        # filter must agree.
        column = F(self.name).desc if descending else F(self.name).asc
        return column(nulls_last=True) if self._nulls_after(reverse) else column(nulls_first=True)

    def after(self, value, reverse: bool) -> Q | None:
        """Rows strictly after ``value`` in this column's direction (None: no row can be)."""
        descending = self.descending != reverse
        nulls_after = self._nulls_after(reverse)
        if value is None:  # only values come after NULL, and only when NULL comes first
            return None if nulls_after else Q(**{f"{self.name}__isnull": False})
        after = Q(**{f"{self.name}__{'lt' if descending else 'gt'}": value})
        if self.nullable and nulls_after:
            after |= Q(**{f"{self.name}__isnull": True})
        return after

    def not_before(self, value, reverse: bool) -> Q | None:
        """A looser bound on this column alone (``a <= x``): redundant with the tuple comparison,
        but an index condition the planner can start its scan from."""
        if self.nullable:
            return None
        descending = self.descending != reverse
        return Q(**{f"{self.name}__{'lte' if descending else 'gte'}": value})

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


class CursorPage(CursorPagination):
    """Stable under inserts, constant cost per page whatever the table size or the ties."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
    #: True when the list's own filter makes its ordering unique though no column is (one
    #: creator's snapshots, one per date): the pk is then not appended, so the index that
    #: serves the filter and the order serves the page too.
    ordering_is_total = False
    #: Ordering columns (annotations: figures a row may lack) whose NULLs come after every
    #: value in both directions, instead of sorting as the largest value.
    nulls_last: frozenset[str] = frozenset()

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.model_label = queryset.model._meta.label_lower
        ordering = self.get_ordering(request, queryset, view)
        self.keys = _keys(
            queryset, ordering, total=self.ordering_is_total, nulls_last=self.nulls_last
        )
        self.ordering = tuple(key.term for key in self.keys)  # DRF's attribute, kept true

        self.cursor = self.decode_cursor(request)
        reverse, boundary = self.cursor if self.cursor else (False, None)
        if self.keys[-1].name == "pk":
            # Read the pk of the boundary row also from a ``values()`` list that does not select
            # it (metrics): an annotation is one more column in a dict, or an attribute.
            queryset = queryset.annotate(**{PK_ALIAS: F("pk")})
        queryset = queryset.order_by(*(key.order_by(reverse) for key in self.keys))
        if boundary is not None:
            queryset = queryset.filter(self._after(boundary, reverse))

        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        # Going forward there is a previous page if we came from one (as DRF judges it), going
        # back a next one; the other side is known from the extra row.
        self.has_next = boundary is not None if reverse else more
        self.has_previous = more if reverse else boundary is not None
        self._boundary = boundary
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def _after(self, boundary: list, reverse: bool) -> Q:
        """The lexicographic comparison ``keys > boundary`` (``<`` when reverse), as Q objects."""
        alternatives, ties = [], []
        for key, value in zip(self.keys, boundary, strict=True):
            after = key.after(value, reverse)
            if after is not None:
                alternatives.append(reduce(and_, [*ties, after]))
            ties.append(key.equal(value))
        if not alternatives:  # the boundary is the very last tuple
            return Q(pk__in=[])
        condition = reduce(or_, alternatives)
        first = self.keys[0].not_before(boundary[0], reverse)
        return condition & first if first is not None else condition

    def get_next_link(self):
        if not self.has_next:
            return None
        # An empty page (its rows deleted since) keeps the cursor's own boundary.
        boundary = self._values(self.page[-1]) if self.page else self._boundary
        return self._link(reverse=False, boundary=boundary)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        boundary = self._values(self.page[0]) if self.page else self._boundary
        return self._link(reverse=True, boundary=boundary)

    def _values(self, row) -> list:
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return [get(_attname(key)) for key in self.keys]

    def _link(self, *, reverse: bool, boundary: list) -> str:
        payload = {
            "m": self.model_label,
            "o": list(self.ordering),
            "r": int(reverse),
            "v": [_encode(value) for value in boundary],
        }
        encoded = signing.dumps(payload, salt=SALT, compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request):
        """(reverse, boundary values) of the request's cursor, None without one."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            payload = signing.loads(encoded, salt=SALT)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise InvalidCursor from None
        if not isinstance(payload, dict) or set(payload) != {"m", "o", "r", "v"}:
            raise InvalidCursor
        # Made for this list and ordering: another ordering's values mean something else.
        if payload["m"] != self.model_label or payload["o"] != list(self.ordering):
            raise InvalidCursor
        values = payload["v"]
        if payload["r"] not in (0, 1) or not isinstance(values, list):
            raise InvalidCursor
        if len(values) != len(self.keys):
            raise InvalidCursor
        return bool(payload["r"]), [_decode(k, v) for k, v in zip(self.keys, values, strict=True)]


def _keys(
    queryset, ordering: tuple[str, ...], total: bool = False, nulls_last=frozenset()
) -> list[Key]:
    """The ordering made total: cut after its first unique non-null column, or ended by the pk
    (in the last column's direction, so a (column, id) index serves both) unless the caller
    knows it is ``total`` already."""
    keys = []
    for term in ordering:
        name = term.lstrip("-")
        field = _column(queryset, name)
        last = name in nulls_last  # an annotation's output field says null=False regardless
        nullable = last or field is None or bool(getattr(field, "null", False))
        keys.append(Key(name, term.startswith("-"), field, nullable, last))
        if field is not None and (field.primary_key or field.unique) and not nullable:
            return keys
    if total and keys:
        return keys
    descending = keys[-1].descending if keys else True
    return [*keys, Key("pk", descending, queryset.model._meta.pk, False)]


def _column(queryset, name: str) -> models.Field | None:
    """The model field or annotation the list is ordered by (None: unknown here)."""
    if name == "pk":
        return queryset.model._meta.pk
    try:
        return queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        annotation = queryset.query.annotations.get(name)
        return getattr(annotation, "output_field", None)


def _attname(key: Key) -> str:
    # A foreign key's column value (``agency_id``), not the related row.
    if key.name == "pk":
        return PK_ALIAS
    return getattr(key.field, "attname", None) or key.name


def _encode(value):
    """A boundary value as JSON: numbers and text as they are, the rest in ISO or text form."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _decode(key: Key, raw):
    """The column's value back, or InvalidCursor: it must be exactly what _encode makes of a
    valid value of the column (a type check that needs no list of types per field)."""
    if raw is None:
        if not key.nullable:
            raise InvalidCursor
        return None
    if isinstance(raw, str) and "\x00" in raw:  # no column holds one; PostgreSQL's driver dies
        raise InvalidCursor
    if key.field is None:
        if isinstance(raw, (dict, list)):
            raise InvalidCursor
        return raw
    try:
        value = key.field.to_python(raw)
        key.field.run_validators(value)
    except (ValidationError, TypeError, ValueError, decimal.InvalidOperation):
        raise InvalidCursor from None
    if _encode(value) != raw or type(_encode(value)) is not type(raw):
        raise InvalidCursor
    return value
