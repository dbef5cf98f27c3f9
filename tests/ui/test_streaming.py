"""``stream_as``: a streamed body is produced as the actor, and nothing else runs as it."""

import threading

from tenancy.scoping import Actor, current_actor
from ui.streaming import stream_as

ACTOR = Actor(user_id=7, organization_id=3, organization_kind="operator", role="owner")


def _source(seen: list, count: int = 3):
    for i in range(count):
        seen.append(current_actor())
        yield i


def test_each_item_is_produced_as_the_actor_and_the_consumer_is_not():
    produced_as, consumed_as = [], []
    items = []
    for item in stream_as(ACTOR, _source(produced_as)):
        consumed_as.append(current_actor())
        items.append(item)
    assert items == [0, 1, 2]
    assert produced_as == [ACTOR] * 3
    assert consumed_as == [None] * 3
    assert current_actor() is None


def test_the_stream_may_be_resumed_in_another_thread():
    """A server may read the body from another thread (ASGI): each step sets its own actor."""
    produced_as = []
    stream = stream_as(ACTOR, _source(produced_as))
    first = next(stream)
    rest, errors = [], []

    def read_rest():
        try:
            rest.extend(stream)
        except Exception as error:  # surfaced below, not lost in the thread
            errors.append(error)

    thread = threading.Thread(target=read_rest)
    thread.start()
    thread.join()
    assert errors == [] and [first, *rest] == [0, 1, 2]
    assert produced_as == [ACTOR] * 3


def test_closing_the_stream_closes_the_source_as_the_actor():
    closed_as = []

    def source():
        try:
            yield 1
            yield 2
        finally:
            closed_as.append(current_actor())

    stream = stream_as(ACTOR, source())
    assert next(stream) == 1
    stream.close()  # what Django does when the client goes away
    assert closed_as == [ACTOR]
    assert current_actor() is None
