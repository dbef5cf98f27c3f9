"""Streaming a response body inside the actor.

A ``StreamingHttpResponse`` is iterated after the view has returned, by the server writing the
response: by then ``tenant_view`` has reset the actor, and a lazy queryset (or anything that
queries a scoped manager) would run with none. :func:`stream_as` re-enters the actor around
each step of the iteration, and only there: between steps the server's own code runs, and it
must not act for the tenant. Setting and resetting inside one step also keeps the context
variable's token in the context that made it, wherever the server resumes the generator
(a thread under ASGI).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from tenancy.scoping import Actor, acting_as

T = TypeVar("T")


def stream_as(actor: Actor, iterable: Iterable[T]) -> Iterator[T]:
    """Yield what ``iterable`` yields, each item produced while acting as ``actor``."""
    with acting_as(actor):
        iterator = iter(iterable)
    try:
        while True:
            with acting_as(actor):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:  # a client that went away: the source's cleanup runs as well
            with acting_as(actor):
                close()
