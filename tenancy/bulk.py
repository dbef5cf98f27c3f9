"""Bulk loading of many rows at once, for seeding and ingestion (used by apps to the right).

PostgreSQL gets ``COPY … FROM STDIN`` (CSV), everything else ``executemany``: both are one
round trip per batch and skip model instantiation, which dominates ``bulk_create`` at millions
of rows. Callers pass plain Python/numpy values already validated; no signals or ``save()``
run here. Primary keys may be assigned by the caller (see :func:`next_ids`) so that related
rows can be loaded without reading ids back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

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


def load_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert a DataFrame whose columns are ``model`` field names (``<fk>_id`` for keys).

    Columns are converted once, vectorised: ``datetime64`` to database text (NaT = NULL),
    dates (``DateField``) to ISO text, numpy scalars to Python values.
    """
    fields = list(frame.columns)
    columns = [_column_values(model, name, frame[name]) for name in fields]
    return load_rows(model, fields, zip(*columns, strict=True))


def _column_values(model, name: str, series: pd.Series) -> list:
    field = model._meta.get_field(name)  # accepts attnames such as "creator_id" too
    if isinstance(field, models.DateTimeField):
        return datetime_texts(series.to_numpy())
    if isinstance(field, models.DateField):
        return [
            None if t == "NaT" else t
            for t in np.datetime_as_string(series.to_numpy().astype("datetime64[D]"), unit="D")
        ]
    if isinstance(field, models.JSONField):
        return list(series)  # load_rows encodes JSON
    if isinstance(field, models.DecimalField):
        return np.round(series.to_numpy(dtype=float), field.decimal_places).tolist()
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(str)
    if series.hasnans:  # missing values (NaN, NA, None) become NULL
        return [
            None if missing else value
            for value, missing in zip(series.astype(object), series.isna(), strict=True)
        ]
    values = series.to_numpy()
    return values.tolist()


def load_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table; returns the count."""
    columns = [model._meta.get_field(name).column for name in fields]
    json_positions = [
        i
        for i, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.JSONField)
    ]
    total, batch = 0, []
    for row in rows:
        batch.append(_encode_json(row, json_positions) if json_positions else row)
        if len(batch) >= BATCH_ROWS:
            total += _write(model._meta.db_table, columns, batch)
            batch = []
    if batch:
        total += _write(model._meta.db_table, columns, batch)
    return total


def _encode_json(row: Sequence, positions: list[int]) -> list:
    row = list(row)
    for i in positions:
        row[i] = json.dumps(row[i], ensure_ascii=False)
    return row


def _write(table: str, columns: list[str], rows: list) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows([_csv_cells(row) for row in rows])
            buffer.seek(0)
            target = f"{connection.ops.quote_name(table)} ({quoted})"
            sql = f"COPY {target} FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            cursor.cursor.copy_expert(sql, buffer)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
            cursor.executemany(sql, rows)
    return len(rows)


def datetime_texts(values) -> list[str | None]:
    """UTC instants (numpy ``datetime64``, NaT = missing) as the text the database stores."""
    texts = np.datetime_as_string(np.asarray(values, dtype="datetime64[s]"), unit="s")
    # SQLite keeps naive UTC text as Django writes it; PostgreSQL needs the offset.
    suffix = "+00" if connection.vendor == "postgresql" else ""
    return [None if t == "NaT" else t.replace("T", " ") + suffix for t in texts]


def _csv_cells(row: Sequence) -> list:
    return ["\\N" if value is None else value for value in row]
