"""Bounded, audited oracles. Every door that answers whether a NIK or KK number exists — the
NIK status check, masked viewers' NIK and KK searches in the console and the API, and the
uniqueness conflicts of forms, API and imports with records outside the user's region — counts
what it answers here, per user, against a quota over the last 24 hours (app.security.privacy's
docstring says why the quotas make guessing impractical):

- `nik_check`: each distinct well-formed NIK of a NIK status check (NIK_CHECK_DAILY_QUOTA);
- `search`: each whole NIK or KK number a masked viewer searches for, in the console or the
  API (LOOKUP_SEARCH_DAILY_QUOTA);
- `conflict`: each number refused as registered outside the user's region, by a form, the API
  or an import (LOOKUP_CONFLICT_DAILY_QUOTA).

A quota of 0 means no limit. Counters live in the database (lookup_count, one row per user,
kind and hour), so every worker process counts against the same quota; they are written on a
connection of their own, committed whatever becomes of the request's transaction (a refused
form rolls back, a GET never commits). An API key counts for its user.

The guessing detector: a masked viewer (app.security.privacy) who, within
LOOKUP_GUESSING_WINDOW_HOURS, has checked or searched at least LOOKUP_GUESSING_MIN_CHECKS numbers
of which at least LOOKUP_GUESSING_MISS_SHARE found nothing, is suspended —
ab_user.lookup_suspended_at and _reason, audited as `lookup_suspended` — and the answer that tipped
the share is withheld. A suspended user gets a 403 from every lookup door until an Admin or Pusdatin
lifts the suspension (`lookup_suspension_lifted`; the misses counted so far are forgiven, the quotas
still count). Full viewers are not watched: a guess tells them nothing their own lists do not.

Audit actions: `identity_search` (one per search: the kind of number, the door, how many
numbers, how many found), `identity_conflict` (numbers refused as registered elsewhere),
`lookup_refused` (a quota used up, or a suspended caller), `lookup_suspended`,
`lookup_suspension_lifted`. Never the numbers themselves.

Here: the doors' calls (reserve, settle, search, conflict, conflicts_left, spend_conflicts) and
the quotas; the counters are app.security.lookup_counts, the detector and its suspensions
(suspended_users, lift) app.security.guessing; LookupRefused and QuotaUsedUp are app.errors'.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import current_app, has_request_context
from flask_babel import gettext, lazy_gettext

from app import audit, formatting
from app.clock import utcnow
from app.errors import LookupRefused as LookupRefused
from app.errors import QuotaUsedUp
from app.extensions import db
from app.security import guessing, privacy
from app.security import lookup_counts as counts
from app.security.scope import NOTHING, current_scope

#: kind → (its quota's setting, what it counts, for messages).
KINDS = {
    "nik_check": ("NIK_CHECK_DAILY_QUOTA", lazy_gettext("NIK checks")),
    "search": ("LOOKUP_SEARCH_DAILY_QUOTA", lazy_gettext("NIK and KK number searches")),
    "conflict": (
        "LOOKUP_CONFLICT_DAILY_QUOTA",
        lazy_gettext("answers about numbers registered outside your region"),
    ),
}
#: The audit trail's entity of a search or conflict, by the kind of number.
ENTITIES = {"nik": "member", "kk_number": "family", "register_id": "household", "any": "household"}
SIGNED_IN = object()


def signed_in_user_id() -> int | None:
    """The signed-in user's id; None outside a request (CLI, jobs: the system, not counted)."""
    if not has_request_context():
        return None
    user = current_app.appbuilder.sm.current_user
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def _user_id(user_id):
    return signed_in_user_id() if user_id is SIGNED_IN else user_id


def _region(region_code=SIGNED_IN) -> str | None:
    """An audit entry's region: by default the signed-in user's scope (None: national)."""
    scope = current_scope() if region_code is SIGNED_IN else region_code
    return None if scope in ("", NOTHING, None) else scope


# -- the doors' calls ---------------------------------------------------------------------------
def reserve(
    kind: str, count: int, user_id=SIGNED_IN, who: tuple | None = None, region_code=SIGNED_IN
) -> None:
    """Count `count` lookups of `kind` before answering them. Raises LookupRefused (nothing
    is counted then) when the user is suspended or the quota would be passed."""
    user_id = _user_id(user_id)
    if user_id is None or count <= 0:
        return
    refusal = None
    with db.engine.begin() as connection:
        now = utcnow()
        counts.drop_old(connection, user_id, now)
        suspended = guessing.suspension(connection, user_id)
        if suspended is not None:
            refusal = guessing.suspended_refusal()
        else:
            # Counted first, then compared: the row stays locked until this commits, so
            # workers counting at the same moment cannot both take the last of the quota.
            counts.add(connection, user_id, kind, counts.hour(now), asked=count)
            refusal = _over_quota(connection, user_id, kind, count, now)
            if refusal is not None:
                counts.take_back(connection, user_id, kind, counts.hour(now), count)
        if refusal is not None:
            audit.record_many(
                [
                    audit.entry(
                        "lookup_refused",
                        "user",
                        user_id,
                        who=who,
                        region_code=_region(region_code),
                        after={
                            "kind": kind,
                            "count": count,
                            "reason": "suspended" if suspended is not None else "quota",
                        },
                    )
                ],
                connection=connection,
            )
    if refusal is not None:
        raise refusal


def settle(
    kind: str,
    count: int,
    misses: int,
    user_id=SIGNED_IN,
    watched: bool = False,
    action: str | None = None,
    details: dict | None = None,
    who: tuple | None = None,
    region_code=SIGNED_IN,
) -> None:
    """After the lookups reserved are answered: their misses counted, the audit entry
    `action` written (with `details`), and — when `watched` — the guessing detector asked.
    Raises LookupRefused when this answer made the user look like guessing: the door withholds
    it."""
    user_id = _user_id(user_id)
    if user_id is None:
        return
    suspended = False
    with db.engine.begin() as connection:
        now = utcnow()
        if misses:
            counts.add(connection, user_id, kind, counts.hour(now), misses=misses)
        if action:
            number = (details or {}).get("number")
            audit.record_many(
                [
                    audit.entry(
                        action,
                        ENTITIES.get(number, "user"),
                        who=who,
                        region_code=_region(region_code),
                        after=details,
                    )
                ],
                connection=connection,
            )
        if watched and kind in guessing.GUESSED_KINDS:
            suspended = guessing.detect(connection, user_id, now, who)
    if suspended:
        raise guessing.suspended_refusal()


def search(
    number_kind: str, values: list[str], found: Callable[[list[str]], int], door: str
) -> None:
    """A masked viewer's search by whole NIK or KK numbers (`number_kind`: "nik" or
    "kk_number"), before its answer: counted, bounded, audited (`identity_search`).
    `found(values)` tells how many of them exist within the viewer's region."""
    values = sorted(set(values))
    if not values or privacy.sees_full_nik():
        return
    reserve("search", len(values))
    hits = found(values)
    settle(
        "search",
        len(values),
        len(values) - hits,
        watched=True,
        action="identity_search",
        details={"number": number_kind, "door": door, "count": len(values), "hits": hits},
    )


def conflict(
    number_kind: str,
    count: int = 1,
    door: str = "form",
    user_id=SIGNED_IN,
    who: tuple | None = None,
    region_code=SIGNED_IN,
) -> None:
    """`count` numbers about to be refused as registered outside the user's region: counted
    against the conflict allowance and audited (`identity_conflict`). Raises LookupRefused
    when the allowance is used up or the user is suspended: the door says that instead."""
    user_id = _user_id(user_id)
    reserve("conflict", count, user_id, who=who, region_code=region_code)
    settle(
        "conflict",
        count,
        0,
        user_id,
        action="identity_conflict",
        who=who,
        region_code=region_code,
        details={"number": number_kind, "count": count, "door": door},
    )


def conflicts_left(user_id) -> int | None:
    """How many more out-of-region conflicts the user may be told of now; None: no limit."""
    user_id = _user_id(user_id)
    quota = current_app.config[KINDS["conflict"][0]]
    if user_id is None or not quota:
        return None
    with db.engine.connect() as connection:
        if guessing.suspension(connection, user_id) is not None:
            return 0
        return max(
            0,
            quota - counts.asked(connection, user_id, ("conflict",), utcnow(), counts.QUOTA_HOURS),
        )


def spend_conflicts(
    count: int, door: str, user_id=SIGNED_IN, who: tuple | None = None, region_code=SIGNED_IN
) -> None:
    """Count conflicts that were answered only as a number (an import's file-level error),
    past the allowance if need be: the allowance is used up either way."""
    user_id = _user_id(user_id)
    if user_id is None or count <= 0:
        return
    with db.engine.begin() as connection:
        counts.add(connection, user_id, "conflict", counts.hour(utcnow()), asked=count)
        audit.record_many(
            [
                audit.entry(
                    "identity_conflict",
                    "household",
                    who=who,
                    region_code=_region(region_code),
                    after={"number": "any", "count": count, "door": door, "listed": False},
                )
            ],
            connection=connection,
        )


# -- quotas -------------------------------------------------------------------------------------
def _over_quota(connection, user_id, kind, count, now) -> QuotaUsedUp | None:
    setting_name, counted = KINDS[kind]
    quota = current_app.config[setting_name]
    if not quota or counts.asked(connection, user_id, (kind,), now, counts.QUOTA_HOURS) <= quota:
        return None
    free_at = counts.frees_up_at(connection, user_id, kind, count, quota, now)
    return QuotaUsedUp(
        gettext(
            "Your allowance of %(quota)s %(what)s per 24 hours is used up: this request "
            "asked for %(count)s. Try again after %(time)s.",
            quota=formatting.number(quota),
            what=counted,
            count=formatting.number(count),
            time=formatting.date(free_at),
        ),
        retry_after=max(1, math.ceil((free_at - now).total_seconds())),
    )
