"""Figures a worker process may reuse for a while instead of recounting them: each entry keeps
the seconds it may be reused (the setting in force when it was counted) and is dropped by
cachetools once they have passed, or when the cache is full (least recently used first)."""

import time

from cachetools import TLRUCache


def reuse_cache(maxsize: int) -> TLRUCache:
    """A cache of `(seconds, value)` entries, each expiring `seconds` after it was stored."""
    return TLRUCache(maxsize, ttu=lambda _key, entry, now: now + entry[0], timer=time.monotonic)
