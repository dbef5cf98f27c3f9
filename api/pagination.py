"""Cursor pagination for every API list, refusing a cursor the API did not hand out.

A cursor is base64 of ``o=<offset>&r=<reverse>&p=<position>``. DRF answers 404 to one it cannot
decode, caps a huge offset silently, takes any integer as the reverse flag and does not check the
position at all, so ``p=abc`` on an integer ordering was a 500 (and a NUL in it crashes
PostgreSQL's driver). A cursor is the client's input: anything malformed is a 400
``invalid_cursor`` with a field error on ``cursor``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from urllib.parse import parse_qs

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import Cursor, CursorPagination


class InvalidCursor(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_cursor"
    default_detail = _("Invalid cursor: use the next or previous link of a page as it is.")
    field = "cursor"  # api.errors puts the message under fields["cursor"] too


class CursorPage(CursorPagination):
    """Stable under inserts, constant cost per page whatever the table size."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        # decode_cursor checks the position against the column the list is ordered by (DRF has
        # set self.ordering by then).
        self._queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        tokens = _tokens(encoded)
        offset, reverse = tokens.get("o", "0"), tokens.get("r", "0")
        if not (offset.isascii() and offset.isdigit()) or reverse not in ("0", "1"):
            raise InvalidCursor
        # A larger offset DRF would cap silently: the same page again and again.
        if len(offset) > 9 or int(offset) > self.offset_cutoff:
            raise InvalidCursor
        position = tokens.get("p")
        if position is not None:
            self._check_position(position)
        return Cursor(offset=int(offset), reverse=reverse == "1", position=position)

    def _check_position(self, position: str) -> None:
        """The position must be a value of the ordering's first column, within its range."""
        field = _column(self._queryset, self.ordering[0].lstrip("-"))
        if "\x00" in position:
            raise InvalidCursor
        if field is None:
            return
        try:
            field.run_validators(field.to_python(position))
        except (ValidationError, TypeError, ValueError):
            raise InvalidCursor from None


def _tokens(encoded: str) -> dict[str, str]:
    """The cursor's fields (the last value of each), or InvalidCursor."""
    try:
        query = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        pairs = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursor from None
    return {name: values[-1] for name, values in pairs.items()}


def _column(queryset, name: str) -> models.Field | None:
    """The model field or annotation the list is ordered by (None: unknown here)."""
    try:
        return queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        annotation = queryset.query.annotations.get(name)
        return getattr(annotation, "output_field", None)
