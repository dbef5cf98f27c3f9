"""The originality index in service: what indexing writes, how a text is checked, the flags.

The engine (``engine/originality.py``) makes signatures and band keys; here they are stored
(``OriginalitySignature``, ``OriginalityBucket``) and read back. Everything in this module is an
operator's job or the system's (the ingestion task, the rebuild command, the API's check, which
reads no tenant's rows but the public facts of matching items), so it reads ``unscoped()``.

**A check** (:func:`check_text`) is one indexed lookup of the text's 40 band keys, grouped by
content item (the most shared bands first, at most ``MAX_CANDIDATES``); the candidates'
signatures estimate their similarity; those within ``ESTIMATE_MARGIN`` of the threshold are
verified by the exact Jaccard similarity of their shingles (their texts are read), and the
matches at or above ``THRESHOLD`` come back closest first.

**Who is the original.** Items are ordered by ``(published_at, id)``: an item's *prior* matches
are those published before it. The original of an item is the earliest of itself and its prior
matches; the item is flagged when its original is another item by another creator, naming that
original as its source and their similarity. So a creator reposting its own text is not
flagged, and neither is the first publisher. Ingestion order does not matter: indexing an item
also re-decides the items published after it that match it, so an original ingested after its
copy becomes the copy's source (the copy's open flag is re-pointed, or created). The result is a
function of the indexed rows alone, which is why the rebuild (:func:`index_rebuild`) and the
incremental updates (:func:`index_items`) end with the same flags.

A flag somebody acted on (contested, upheld, overturned) is left as it is by later indexing;
an open flag whose item no longer duplicates anything (its text changed) is removed.
Texts shorter than ``MIN_CHARS`` (after normalisation) are not indexed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bulkload.frames import load_frame
from creators.models import ContentItem

from .engine import originality as engine
from .models import OriginalityBucket, OriginalityFlag, OriginalitySignature

logger = logging.getLogger(__name__)

#: At most this many candidates (most shared bands first) are ranked per check.
MAX_CANDIDATES = 200
#: Matches returned by a check, closest first.
MATCH_LIMIT = 20
#: Items per batch when indexing or rebuilding.
BATCH = 2000


@dataclass(frozen=True)
class _Item:
    id: int
    creator_id: int
    published_at: datetime

    @property
    def order(self):
        return (self.published_at, self.id)


# --- Indexing ------------------------------------------------------------------------------------


def _index_rows(rows: Sequence[tuple[int, int, datetime, str]], *, fresh_index: bool = False):
    """Write signatures and buckets of ``(id, creator_id, published_at, text)`` rows whose
    fingerprint, time or creator changed; drop those now too short. Returns the ids indexed.
    ``fresh_index`` (the rebuild, after emptying the tables): nothing is known, COPY it all."""
    ids = [row[0] for row in rows]
    known = {}
    if not fresh_index:
        rows_known = OriginalitySignature.objects.unscoped().filter(content_id__in=ids)
        known = {
            content_id: (digest, published_at, creator_id)
            for content_id, digest, published_at, creator_id in rows_known.values_list(
                "content_id", "text_digest", "published_at", "creator_id"
            )
        }
    fresh, gone, indexed, sets = [], [], [], []
    for content_id, creator_id, published_at, text in rows:
        norm = engine.normalise(text or "")
        if len(norm) < engine.MIN_CHARS:
            if content_id in known:
                gone.append(content_id)
            continue
        indexed.append(content_id)
        digest = engine.text_digest(norm)
        if known.get(content_id) != (digest, published_at, creator_id):
            fresh.append((content_id, creator_id, published_at, digest))
            sets.append(engine.shingles_of_normalised(norm))
    if gone:
        OriginalityBucket.objects.unscoped().filter(content_id__in=gone).delete()
        OriginalitySignature.objects.unscoped().filter(content_id__in=gone).delete()
    if not fresh:
        return indexed
    sigs = engine.signatures(sets)
    fresh_ids = np.array([row[0] for row in fresh], dtype=np.int64)
    if fresh_index and connection.vendor == "postgresql":
        _signatures_copy(fresh, sigs, sets)
    else:
        _signatures_upsert(fresh, sigs, sets)
        OriginalityBucket.objects.unscoped().filter(content_id__in=fresh_ids.tolist()).delete()
    _buckets_write(fresh_ids, engine.band_keys(sigs))
    return indexed


def _signatures_upsert(fresh, sigs, sets) -> None:
    now = timezone.now()
    OriginalitySignature.objects.unscoped().bulk_create(
        [
            OriginalitySignature(
                content_id=content_id,
                creator_id=creator_id,
                published_at=published_at,
                signature=engine.to_bytes(sig),
                shingles=len(shingle_set),
                text_digest=digest,
                indexed_at=now,
            )
            for (content_id, creator_id, published_at, digest), sig, shingle_set in zip(
                fresh, sigs, sets, strict=True
            )
        ],
        update_conflicts=True,
        unique_fields=["content"],
        update_fields=["creator", "published_at", "signature", "shingles", "text_digest"],
        batch_size=500,
    )


_SIGNATURE_COLUMNS = (
    "content_id",
    "creator_id",
    "published_at",
    "signature",
    "shingles",
    "text_digest",
    "indexed_at",
)


def _signatures_copy(fresh, sigs, sets) -> None:
    """COPY signature rows (PostgreSQL, into the emptied table): the times exactly as read,
    the signature in bytea's hex form."""
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    for (content_id, creator_id, published_at, digest), sig, shingle_set in zip(
        fresh, sigs, sets, strict=True
    ):
        buffer.write(
            f"{content_id}\t{creator_id}\t{published_at.isoformat()}\t"
            f"\\\\x{engine.to_bytes(sig).hex()}\t{len(shingle_set)}\t{digest}\t{now}\n"
        )
    buffer.seek(0)
    table = connection.ops.quote_name(OriginalitySignature._meta.db_table)
    columns = ", ".join(_SIGNATURE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _buckets_write(content_ids: np.ndarray, keys: np.ndarray) -> None:
    frame = pd.DataFrame(
        {
            "content_id": np.repeat(content_ids, engine.BANDS),
            "band": np.tile(np.arange(engine.BANDS, dtype=np.int16), len(content_ids)),
            "key": keys.reshape(-1),
        }
    )
    load_frame(OriginalityBucket, frame)


def _content_rows(content_ids: Iterable[int], *, lock: bool = False):
    """``lock``: hold the items' rows (in id order) until commit, so two tasks indexing the same
    items (a repeated ingestion) take turns instead of racing on their index rows."""
    rows = ContentItem.objects.unscoped().filter(pk__in=list(content_ids))
    if lock:
        rows = rows.select_for_update(of=("self",)).order_by("pk")
    return list(rows.values_list("pk", "creator_id", "published_at", "text"))


#: The PostgreSQL advisory lock that lets one indexing run at a time (held until commit): two
#: tasks indexing an original and its copy at once would each miss the other's uncommitted
#: buckets and flag nothing. Indexing a batch takes milliseconds, so queueing costs little.
INDEX_LOCK = 0x6F726967  # "orig"


def _one_indexer_at_a_time() -> None:
    if connection.vendor == "postgresql":  # SQLite serialises every writer already
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INDEX_LOCK])


def _sourced_by(batch: Sequence[int]) -> set[int]:
    """Items whose open flag names one of ``batch`` as its source: when a source's text or date
    changes, their original may be another item now (or none)."""
    rows = OriginalityFlag.objects.unscoped().filter(
        source_id__in=batch, status=OriginalityFlag.Status.OPEN
    )
    return set(rows.values_list("content_id", flat=True))


@transaction.atomic
def index_items(*, content_ids: Sequence[int]) -> int:
    """Index (or re-index) these content items and re-decide the flags they touch: theirs, those
    of later items that duplicate them, and those that named them as source. Idempotent:
    unchanged items write nothing and the flags stay as they are. Returns the number of flags
    created, moved or removed."""
    _one_indexer_at_a_time()
    changed = 0
    for start in range(0, len(content_ids), BATCH):
        batch = list(content_ids[start : start + BATCH])
        rows = _content_rows(batch, lock=True)
        sourced = _sourced_by(batch)
        indexed = _index_rows(rows)
        not_indexed = set(batch) - set(indexed)
        matches = _matches(indexed)
        later = {
            other
            for content_id, others in matches.pairs.items()
            for other in others
            if matches.items[other].order > matches.items[content_id].order
        } | sourced
        later -= set(batch)
        changed += _flags_apply(indexed, matches)
        changed += _flags_apply(sorted(later), _matches(later))
        changed += _flags_clear(not_indexed)
    return changed


# --- Candidates and similarity -------------------------------------------------------------------


def _texts_shingles(ids: Iterable[int]) -> dict[int, frozenset[str]]:
    rows = ContentItem.objects.unscoped().filter(pk__in=list(ids)).values_list("pk", "text")
    return {pk: engine.shingles(text) for pk, text in rows}


def _signatures(ids: Iterable[int]) -> dict[int, tuple[np.ndarray, _Item]]:
    rows = (
        OriginalitySignature.objects.unscoped()
        .filter(content_id__in=list(ids))
        .values_list("content_id", "signature", "creator_id", "published_at")
    )
    return {
        pk: (engine.from_bytes(sig), _Item(pk, creator_id, published_at))
        for pk, sig, creator_id, published_at in rows
    }


def _candidate_pairs(ids: Sequence[int]) -> dict[int, list[int]]:
    """Per item, the other items sharing a band key with it (most shared first, capped)."""
    if not ids:
        return {}
    table = connection.ops.quote_name(OriginalityBucket._meta.db_table)
    pairs: dict[int, list[tuple[int, int]]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT q.content_id, c.content_id, COUNT(*) FROM {table} q "
                f"JOIN {table} c ON c.band = q.band AND c.key = q.key "
                f"WHERE q.content_id IN ({marks}) AND c.content_id <> q.content_id "
                "GROUP BY q.content_id, c.content_id",
                chunk,
            )
            for mine, other, hits in cursor.fetchall():
                pairs.setdefault(mine, []).append((-hits, other))
    return {k: [other for _, other in sorted(v)[:MAX_CANDIDATES]] for k, v in pairs.items()}


@dataclass
class _Matches:
    """Verified matches of some items: ``pairs[id] = {other id: similarity}``, and every item
    involved (the items asked about and their candidates) by id."""

    pairs: dict[int, dict[int, float]]
    items: dict[int, _Item]


def _matches(ids: Iterable[int]) -> _Matches:
    ids = sorted(set(ids))
    candidates = _candidate_pairs(ids)
    sigs = _signatures(set(ids) | {o for others in candidates.values() for o in others})
    floor = engine.THRESHOLD - engine.ESTIMATE_MARGIN
    near: dict[int, list[int]] = {}
    for mine, others in candidates.items():
        others = [o for o in others if o in sigs]
        if mine not in sigs or not others:
            continue
        estimates = engine.estimate(sigs[mine][0], np.stack([sigs[o][0] for o in others]))
        near[mine] = [o for o, est in zip(others, estimates, strict=True) if est >= floor]
    shingle_sets = _texts_shingles(set(near) | {o for others in near.values() for o in others})
    pairs: dict[int, dict[int, float]] = {}
    for mine, others in near.items():
        for other in others:
            similarity = engine.jaccard(shingle_sets[mine], shingle_sets[other])
            if similarity >= engine.THRESHOLD:
                pairs.setdefault(mine, {})[other] = similarity
    return _Matches(pairs, {pk: item for pk, (_, item) in sigs.items()})


# --- Flags ---------------------------------------------------------------------------------------


def _decision(content_id: int, matches: _Matches) -> tuple[int, float] | None:
    """``(source id, similarity)`` if the item duplicates an earlier one by another creator."""
    items, mine = matches.items, matches.pairs.get(content_id, {})
    if content_id not in items:
        return None
    me = items[content_id]
    prior = [o for o in mine if items[o].order < me.order]
    if not prior:
        return None
    original = min(prior, key=lambda o: items[o].order)
    if items[original].creator_id == me.creator_id:
        return None
    return original, mine[original]


def _flags_apply(ids: Sequence[int], matches: _Matches) -> int:
    if not ids:
        return 0
    items = matches.items
    rows = OriginalityFlag.objects.unscoped().select_for_update().filter(content_id__in=ids)
    flags = {flag.content_id: flag for flag in rows}
    now, changed = timezone.now(), 0
    for content_id in ids:
        decision = _decision(content_id, matches)
        flag = flags.get(content_id)
        if flag is not None and flag.status != OriginalityFlag.Status.OPEN:
            continue  # people acted on it: indexing does not move it
        if decision is None:
            if flag is not None:
                flag.delete()
                changed += 1
            continue
        source, similarity = decision
        if flag is None:
            try:
                with transaction.atomic():  # a savepoint: a concurrent task may have made it
                    OriginalityFlag.objects.unscoped().create(
                        content_id=content_id,
                        creator_id=items[content_id].creator_id,
                        source_id=source,
                        source_creator_id=items[source].creator_id,
                        similarity=similarity,
                        flagged_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                continue  # the other task decided the same: the flag is a function of the rows
            changed += 1
        elif (flag.source_id, flag.similarity) != (source, similarity):
            flag.source_id, flag.source_creator_id = source, items[source].creator_id
            flag.similarity, flag.updated_at = similarity, now
            flag.save(update_fields=["source", "source_creator", "similarity", "updated_at"])
            changed += 1
    return changed


def _flags_clear(ids: Iterable[int]) -> int:
    """Open flags of items no longer indexed (text now too short, or gone) are removed."""
    ids = list(ids)
    if not ids:
        return 0
    rows = OriginalityFlag.objects.unscoped().filter(
        content_id__in=ids, status=OriginalityFlag.Status.OPEN
    )
    return rows.delete()[0]


# --- Rebuild -------------------------------------------------------------------------------------


def index_rebuild(
    *,
    batch: int = BATCH,
    decide_flags: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Rebuild the index from every content item, then re-decide every item's flag (unless
    ``decide_flags`` is off: the bench builds its million-item index alone). One transaction,
    so a failed rebuild leaves the old index whole. On PostgreSQL the tables are truncated and
    loaded with COPY, with the bucket index and the foreign keys dropped during the load and
    rebuilt after it (one sort and one check instead of one per row); TRUNCATE and the dropped
    index hold exclusive locks until commit, so checks and ingestion's indexing **wait** for
    the rebuild (6 minutes at a million items on 2 quiet cores, 20 under load): run it
    off-hours, it is a repair, not a routine job. Flags people acted on stay; the open ones end
    as incremental indexing would have left them."""
    say = progress or (lambda message: None)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        _one_indexer_at_a_time()
        if postgres:
            with connection.cursor() as cursor:
                # Deferred key checks of rows written earlier in the transaction: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for model in (OriginalityBucket, OriginalitySignature):
                    cursor.execute(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            OriginalityBucket.objects.unscoped().all().delete()
            OriginalitySignature.objects.unscoped().all().delete()
        ordered = ContentItem.objects.unscoped().order_by("published_at", "pk")
        all_ids = list(ordered.values_list("pk", flat=True))
        indexed: list[int] = []
        with _bulk_load(postgres):
            for start in range(0, len(all_ids), batch):
                rows = _content_rows(all_ids[start : start + batch])
                rows.sort(key=lambda row: (row[2], row[0]))
                indexed += _index_rows(rows, fresh_index=True)
                say(f"indexed {min(start + batch, len(all_ids)):,} / {len(all_ids):,} items")
        if postgres:
            with connection.cursor() as cursor:
                for model in (OriginalityBucket, OriginalitySignature):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        changed = 0
        if decide_flags:
            for start in range(0, len(indexed), batch):
                chunk = indexed[start : start + batch]
                changed += _flags_apply(chunk, _matches(chunk))
                say(f"flags decided for {min(start + batch, len(indexed)):,} / {len(indexed):,}")
            changed += _flags_clear(set(all_ids) - set(indexed))
    return {"items": len(all_ids), "indexed": len(indexed), "flags_changed": changed}


@contextmanager
def _bulk_load(postgres: bool):
    """PostgreSQL: the (band, key) index and the tables' foreign keys are dropped for the load
    and made again after it, inside the rebuild's transaction."""
    if not postgres:
        yield
        return
    (bucket_index,) = OriginalityBucket._meta.indexes
    tables = [m._meta.db_table for m in (OriginalitySignature, OriginalityBucket)]
    with connection.schema_editor(atomic=False) as editor:
        editor.remove_index(OriginalityBucket, bucket_index)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with connection.schema_editor(atomic=False) as editor:
        editor.add_index(OriginalityBucket, bucket_index)


# --- Checks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckMatch:
    """A match of a check, with the public facts of the matching item."""

    content_id: int
    similarity: float
    external_id: str
    creator: str
    published_at: datetime


def _candidates_sql(count: int) -> str:
    """One round trip: the items sharing most of the ``count`` (band, key) pairs (an index
    lookup each), their signatures, texts and public facts."""
    quote = connection.ops.quote_name
    bucket = quote(OriginalityBucket._meta.db_table)
    signature = quote(OriginalitySignature._meta.db_table)
    content = quote(ContentItem._meta.db_table)
    creator = quote(ContentItem._meta.get_field("creator").related_model._meta.db_table)
    pairs = " OR ".join(["(band = %s AND key = %s)"] * count)
    return (
        f"WITH hits AS (SELECT content_id, COUNT(*) AS n FROM {bucket} WHERE {pairs} "
        "GROUP BY content_id ORDER BY n DESC, content_id LIMIT %s) "
        "SELECT h.content_id, s.signature, s.published_at, c.text, c.external_id, k.handle "
        f"FROM hits h JOIN {signature} s ON s.content_id = h.content_id "
        f"JOIN {content} c ON c.id = h.content_id JOIN {creator} k ON k.id = c.creator_id"
    )


def check_text(text: str, *, limit: int = MATCH_LIMIT) -> list[CheckMatch]:
    """The indexed items the text duplicates (similarity ≥ ``THRESHOLD``), closest first (ties:
    the earliest published first). One query: the band keys' index lookups, then the
    candidates' signatures and texts; the signature estimate skips far candidates, the exact
    Jaccard similarity of shingles decides."""
    shingle_set = engine.shingles(text)
    sig = engine.signatures([shingle_set])[0]
    keys = engine.band_keys(sig)[0].tolist()
    params = [value for band, key in enumerate(keys) for value in (band, key)]
    with connection.cursor() as cursor:
        cursor.execute(_candidates_sql(len(keys)), [*params, MAX_CANDIDATES])
        rows = cursor.fetchall()
    if not rows:
        return []
    floor = engine.THRESHOLD - engine.ESTIMATE_MARGIN
    estimates = engine.estimate(sig, np.stack([engine.from_bytes(row[1]) for row in rows]))
    found = []
    for (pk, _sig, published_at, other, external_id, handle), est in zip(
        rows, estimates, strict=True
    ):
        if est < floor:
            continue
        similarity = engine.jaccard(shingle_set, engine.shingles(other))
        if similarity >= engine.THRESHOLD:
            found.append(CheckMatch(pk, similarity, external_id, handle, _aware(published_at)))
    found.sort(key=lambda m: (-m.similarity, m.published_at, m.content_id))
    return found[:limit]


def _aware(value) -> datetime:
    """A raw query's time as an aware UTC datetime (SQLite hands back naive UTC, or text)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def check_matches(text: str, *, limit: int = MATCH_LIMIT) -> list[dict]:
    """:func:`check_text` as the API answers it: ``{"content": {"id", "external_id",
    "creator" (handle), "published_at"}, "similarity"}``."""
    return [
        {
            "content": {
                "id": m.content_id,
                "external_id": m.external_id,
                "creator": m.creator,
                "published_at": m.published_at,
            },
            "similarity": round(m.similarity, 4),
        }
        for m in check_text(text, limit=limit)
    ]
