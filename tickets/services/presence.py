"""Who is looking at a ticket right now: "Alice is viewing", "Bob is replying".

Kept in Django's cache (Redis in production, the database cache or locmem elsewhere), never in
the database: presence is ephemeral and written every few seconds by every open ticket page.

Keys per ticket and person expire by themselves (``PRESENCE_TTL_SECONDS``), so a closed tab
disappears within that time without any cleanup. Because a cache cannot list its keys, each
ticket also has an index key holding the ids of the people seen recently; ``presence_list``
reads that index and then fetches the per-person keys in one ``get_many``. Two people writing
the index at the same instant may drop one id; the next ping (every few seconds) adds it back.
"""

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

PRESENCE_TTL_SECONDS = 15
REPLYING_TTL_SECONDS = 10
INDEX_TTL_SECONDS = 120


class Activity:
    VIEWING = "viewing"
    REPLYING = "replying"


ACTIVITIES = (Activity.VIEWING, Activity.REPLYING)


@dataclass(frozen=True)
class Presence:
    """One other person on the ticket page and what they are doing."""

    user_id: int
    name: str
    activity: str

    @property
    def is_replying(self) -> bool:
        return self.activity == Activity.REPLYING


def _index_key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}:users"


def _seen_key(ticket_id: int, user_id: int) -> str:
    return f"presence:ticket:{ticket_id}:user:{user_id}"


def _replying_key(ticket_id: int, user_id: int) -> str:
    return f"presence:ticket:{ticket_id}:user:{user_id}:replying"


def presence_touch(*, user: Any, ticket_id: int, activity: str = Activity.VIEWING) -> None:
    """Record that ``user`` has the ticket open (and is typing a reply, for ``replying``).

    "Replying" outlives the next few "viewing" pings (``REPLYING_TTL_SECONDS``), so that the page
    polling in the background does not hide that the person is typing.
    """
    name = getattr(user, "full_name", "") or user.email
    cache.set(_seen_key(ticket_id, user.pk), name, PRESENCE_TTL_SECONDS)
    if activity == Activity.REPLYING:
        cache.set(_replying_key(ticket_id, user.pk), True, REPLYING_TTL_SECONDS)
    index_key = _index_key(ticket_id)
    known = cache.get(index_key) or []
    if user.pk not in known:
        cache.set(index_key, [*known, user.pk], INDEX_TTL_SECONDS)
    else:
        cache.touch(index_key, INDEX_TTL_SECONDS)


def presence_leave(*, user: Any, ticket_id: int) -> None:
    """Forget ``user`` on this ticket at once (the page was closed)."""
    cache.delete_many([_seen_key(ticket_id, user.pk), _replying_key(ticket_id, user.pk)])


def presence_list(*, ticket_id: int, exclude_user_id: int | None = None) -> list[Presence]:
    """The people on the ticket page within the last ``PRESENCE_TTL_SECONDS``, except
    ``exclude_user_id``; the ones replying first, then by name."""
    user_ids = [pk for pk in cache.get(_index_key(ticket_id)) or [] if pk != exclude_user_id]
    if not user_ids:
        return []
    keys = {}
    for pk in user_ids:
        keys[_seen_key(ticket_id, pk)] = pk
        keys[_replying_key(ticket_id, pk)] = pk
    found = cache.get_many(list(keys))
    present = [
        Presence(
            user_id=pk,
            name=found[_seen_key(ticket_id, pk)],
            activity=(
                Activity.REPLYING if found.get(_replying_key(ticket_id, pk)) else Activity.VIEWING
            ),
        )
        for pk in user_ids
        if _seen_key(ticket_id, pk) in found
    ]
    return sorted(present, key=lambda person: (not person.is_replying, person.name.lower()))
