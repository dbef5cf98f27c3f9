"""Bulk loading of many rows at once, for seeding and ingestion (used by apps to the right).

PostgreSQL gets ``COPY … FROM STDIN`` (CSV), everything else ``executemany``: both are one
round trip per batch and skip model instantiation, which dominates ``bulk_create`` at millions
of rows. Callers pass plain Python/numpy values already validated; no signals or ``save()``
run here. Primary keys may be assigned by the caller (see :func:`next_ids`) so that related
rows can be loaded without reading ids back.

Text is stored exactly. COPY's NULL marker ``\\N`` is only NULL where PostgreSQL may store a
NULL: columns that are NOT NULL are read with ``FORCE_NOT_NULL``, so a title of exactly ``\\N`` is
that text; a nullable column holding the text ``\\N`` (rare) is inserted with ``executemany``
instead. U+0000, which PostgreSQL cannot store in text, is refused with a ``ValueError`` on every
database before anything is written: callers validate input and report it (creators.ingest).
"""

from __future__ import annotations

import io
import itertools
import json
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.core.management.color import no_style
from django.db import connection, models

BATCH_ROWS = 50_000


def next_ids(model: type[models.Model], count: int) -> range:
    """``count`` fresh primary keys after the current maximum (callers hold the only writer)."""
    start = (model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
    return range(start, start + count)


def reset_sequence(model: type[models.Model]) -> None:
    """After loading explicit ids, move PostgreSQL's sequence past them (no-op elsewhere)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def load_frame(
    model: type[models.Model], frame: pd.DataFrame, *, rebuild_foreign_keys: bool = False
) -> int:
    """Insert a DataFrame whose columns are ``model`` field names (``<fk>_id`` for keys).

    Columns are converted once, vectorised: ``datetime64`` to database text (NaT = NULL),
    dates to ISO text, JSON to text. ``rebuild_foreign_keys`` (PostgreSQL, millions of rows,
    nobody else writing): drop the table's foreign keys for the load and add them back, which
    checks them in one pass instead of one deferred trigger per row at commit.
    """
    _refuse_nul(frame)
    table = pd.DataFrame({name: _column_values(model, name, frame[name]) for name in frame})
    fields = [model._meta.get_field(name) for name in frame.columns]
    table.columns = [field.column for field in fields]
    if connection.vendor != "postgresql":
        return _insert_many(model._meta.db_table, list(table.columns), _python_rows(table))
    not_null = [field.column for field in fields if not field.null]
    with _foreign_keys_rebuilt(model._meta.db_table, enabled=rebuild_foreign_keys):
        for start in range(0, len(table), BATCH_ROWS):
            chunk = table.iloc[start : start + BATCH_ROWS]
            _copy_csv(model._meta.db_table, chunk, not_null=not_null)
    return len(table)


#: COPY's NULL marker (unquoted, in CSV).
NULL_MARKER = "\\N"


def _string_columns(table: pd.DataFrame):
    """``(name, column)`` of the columns that may hold text (object or pandas' str dtype)."""
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype):
            yield name, column


def _holds(column: pd.Series, text: str, *, exactly: bool = False) -> bool:
    """Whether any string of ``column`` is ``text`` (``exactly``) or contains it."""
    try:
        strings = column.str
    except AttributeError:  # no strings at all (ints, dicts in an object column)
        return False
    found = column.eq(text) if exactly else strings.contains(text, regex=False, na=False)
    return bool(found.fillna(False).any())


def _refuse_nul(table: pd.DataFrame) -> None:
    """Raise before writing if any text holds U+0000 (PostgreSQL refuses it mid-COPY)."""
    for name, column in _string_columns(table):
        if _holds(column, "\x00"):
            raise ValueError(f"column {name!r} holds U+0000, which cannot be stored in text")


def _column_values(model, name: str, series: pd.Series):
    field = model._meta.get_field(name)  # accepts attnames such as "creator_id" too
    if isinstance(field, models.DateTimeField):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return datetime_texts(series.to_numpy())
    if isinstance(field, models.DateField):
        texts = np.datetime_as_string(series.to_numpy().astype("datetime64[D]"), unit="D")
        return [None if t == "NaT" else t for t in texts]
    if isinstance(field, models.JSONField):
        return [json.dumps(value, ensure_ascii=False) for value in series]
    if isinstance(field, models.DecimalField):
        return np.round(series.to_numpy(dtype=float), field.decimal_places)
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(str).to_numpy()
    if series.hasnans:  # missing values (NaN, NA, None) become NULL
        return series.astype(object).where(series.notna(), None).to_numpy()
    return series.to_numpy()


def _python_rows(table: pd.DataFrame):
    """Rows of plain Python values (sqlite3 refuses numpy scalars)."""
    columns = [
        column.tolist()
        if isinstance(column, np.ndarray) and column.dtype != object
        else [None if v is None or v is pd.NA else v for v in column]
        for column in (table[name].to_numpy() for name in table.columns)
    ]
    return zip(*columns, strict=True)


def _copy_csv(table: str, chunk: pd.DataFrame, *, not_null: list[str]) -> None:
    """COPY ``chunk`` into ``table``; ``not_null`` columns never read the NULL marker as NULL."""
    nullable_marker = any(
        _holds(column, NULL_MARKER, exactly=True)
        for name, column in _string_columns(chunk)
        if name not in not_null
    )
    if nullable_marker:  # CSV cannot tell that text from NULL there: insert it row by row
        _insert_many(table, list(chunk.columns), _python_rows(chunk))
        return
    buffer = io.StringIO()
    chunk.to_csv(buffer, header=False, index=False, na_rep=NULL_MARKER)
    buffer.seek(0)
    quote = connection.ops.quote_name
    quoted = ", ".join(quote(c) for c in chunk.columns)
    options = f"FORMAT csv, NULL '{NULL_MARKER}'"
    if forced := [quote(c) for c in chunk.columns if c in not_null]:
        options += f", FORCE_NOT_NULL ({', '.join(forced)})"
    sql = f"COPY {quote(table)} ({quoted}) FROM STDIN WITH ({options})"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)


@contextmanager
def _foreign_keys_rebuilt(table: str, *, enabled: bool):
    if not enabled:
        yield
        return
    with connection.cursor() as cursor:
        # Pending deferred checks on the referenced tables would block ALTER TABLE: run them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        for name, _definition in keys:
            cursor.execute(
                f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
    yield
    with connection.cursor() as cursor:
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                f"{definition}"
            )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are deferrable


def _insert_many(table: str, columns: list[str], rows) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
    total = 0
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_ROWS)):
            cursor.executemany(sql, batch)
            total += len(batch)
    return total


def datetime_texts(values) -> list[str | None]:
    """UTC instants (numpy ``datetime64``, NaT = missing) as the text the database stores."""
    texts = np.datetime_as_string(np.asarray(values, dtype="datetime64[s]"), unit="s")
    # SQLite keeps naive UTC text as Django writes it; PostgreSQL needs the offset.
    suffix = "+00" if connection.vendor == "postgresql" else ""
    return [None if t == "NaT" else t.replace("T", " ") + suffix for t in texts]


def upsert_frame(
    model: type[models.Model], frame: pd.DataFrame, *, conflict: list[str], update: list[str]
) -> int:
    """Insert rows, or update them where ``conflict`` fields match; returns the row count.

    PostgreSQL: COPY into a temporary staging table, then one ``INSERT … ON CONFLICT DO UPDATE``
    that leaves rows whose values did not change untouched. Elsewhere ``bulk_create`` with
    ``update_conflicts``. Column names are field attnames (``creator_id``).
    """
    _refuse_nul(frame)
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in frame.to_dict("records")]
        model._base_manager.bulk_create(
            objects,
            batch_size=2_000,
            update_conflicts=True,
            unique_fields=conflict,
            update_fields=update,
        )
        return len(objects)
    staging = f"staging_{model._meta.db_table}"
    fields = [model._meta.get_field(name) for name in frame.columns]
    ddl = ", ".join(
        f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}" for f in fields
    )
    with connection.cursor() as cursor:
        # A second upsert in the same transaction finds the first one's table.
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({ddl}) ON COMMIT DROP")
        table = pd.DataFrame(
            {f.column: _column_values(model, f.attname, frame[f.attname]) for f in fields}
        )
        _copy_csv(staging, table, not_null=[f.column for f in fields if not f.null])
        cursor.execute(_upsert_sql(model, staging, list(table.columns), conflict, update))
    return len(frame)


def _upsert_sql(
    model, staging: str, columns: list[str], conflict: list[str], update: list[str]
) -> str:
    quote = connection.ops.quote_name
    target = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    keys = ", ".join(quote(model._meta.get_field(f).column) for f in conflict)
    changed = [quote(model._meta.get_field(f).column) for f in update]
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in changed)
    current = ", ".join(f"{target}.{c}" for c in changed)
    incoming = ", ".join(f"EXCLUDED.{c}" for c in changed)
    return (
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {assignments} "
        f"WHERE ({current}) IS DISTINCT FROM ({incoming})"
    )
