"""Rate limits counted by hand, on Flask-AppBuilder's limiter (Flask-Limiter): for requests that
no route decorator can count — a wrong API key (app.security.api_keys) and the NIK status check
(views/api/interconnection.py).

Counters live in RATELIMIT_STORAGE_URI: `memory://` is per process (with N workers a client
gets up to N times the limit); point it at Redis or Memcached in production. The lockout
(app.security.signin) does not depend on them.
"""

import math
import time

from flask import current_app
from flask_babel import gettext
from limits import parse

#: The budget of failed sign-ins per client address (LOGIN_RATE_LIMIT): both login doors
#: (views/security.py) and wrong API keys count against this one.
LOGIN_SCOPE = "login"


def too_many_failed_sign_ins() -> str:
    """The answer once LOGIN_RATE_LIMIT is used up, whichever door counted the last failure."""
    return gettext("Too many failed sign-ins from your address. Try again in a minute.")


def spend(setting: str, *identifiers: str, count: bool = True) -> int | None:
    """One request of `identifiers` against the limit in config[setting] (with count=False:
    only a look). None while within the limit, else the seconds until it frees up, for the
    429's Retry-After. Always None when RATELIMIT_ENABLED is false."""
    limiter = getattr(current_app.appbuilder.sm, "limiter", None)
    if limiter is None or not current_app.config["RATELIMIT_ENABLED"]:
        return None
    item = parse(current_app.config[setting])
    strategy = limiter.limiter
    if (strategy.hit if count else strategy.test)(item, *identifiers):
        return None
    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))
