"""Sign-in, written once for both login doors (the web form at /login/ and the API's
POST /api/v1/security/login, views/security.py) and for API keys (app.security.api_keys):

- a regional user (a role outside app.security.roles.NATIONAL_ROLES) without a region cannot
  sign in;
- after AUTH_LOCKOUT_ATTEMPTS wrong passwords an account is locked for AUTH_LOCKOUT_MINUTES, in
  the database (ab_user.locked_until), so every worker process refuses it, the right password
  too, and the lock ends the account's sessions and tokens (app.security.sessions);
- every attempt is audited: login_success, login_failure, login_locked;
- the current password, asked before one's own is changed, counts as an attempt
  (check_current_password);
- a sign-in starts a permanent session with an idle timeout, a server-side row that sign-out
  and revocation end (app.security.sessions; install).

Failed attempts per client address are rate limited (LOGIN_RATE_LIMIT, answered 429) by the
doors (views/security.py), which spend the budget only when attempt_failed() says so.
Flask-AppBuilder's own AUTH_RATE_LIMITED covers the web form only and counts every POST (also
successful sign-ins, so a district office behind one address would be locked out at 08:00);
ours covers both doors and counts the attempts that fail.
"""

import datetime
import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, g, session
from flask_appbuilder.security.utils import is_null_password
from flask_babel import gettext
from flask_login import user_logged_in
from werkzeug.security import check_password_hash

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.security import sessions
from app.security.scope import NOTHING, scope_of

#: audit_entry.username is a String(100): an attempted username longer than that is cut.
USERNAME_LENGTH = 100


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused, when the user may know: shown by both doors."""

    message: str
    status: int  # the API's answer; the web form flashes the message
    retry_after: int | None = None  # seconds, for a 429


def login_refusal() -> Refusal | None:
    return g.get("login_refusal")


def needs_region(user) -> bool:
    """A regional role without a region has a scope that matches nothing
    (app.security.scope.scope_of): it may not sign in."""
    return scope_of(user) == NOTHING


def is_locked(user, now: datetime.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def region_refusal(user) -> Refusal | None:
    """The region rule, for the login doors and API keys alike."""
    if needs_region(user):
        return Refusal(
            gettext("Your account has no region yet. Ask an administrator to set it."), 403
        )
    return None


def authenticate(security_manager, username: str, password: str):
    """Flask-AppBuilder's auth_user_db with a lockout, the region rule and an audit entry for
    every attempt. Returns the user, or None (then login_refusal() may say why)."""
    g.login_refusal = None
    g.login_failed = False
    if not username:
        return None
    g.login_failed = True  # until the password and the region say otherwise
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.find_user(email=username)
    else:
        security_manager.find_user(email=username)  # as FAB: the same work either way
    now = utcnow()

    if user is None or not user.is_active:
        _spend_a_password_check()
        _record(
            "login_failure", user, username, reason="unknown user" if user is None else "inactive"
        )
        db.session.commit()
        return None

    if is_locked(user, now):
        _spend_a_password_check()  # a locked account answers as fast as any other
        _record("login_locked", user, username, locked_until=user.locked_until.isoformat())
        db.session.commit()
        return _refuse_locked(user.locked_until, now)

    if is_null_password(password) or not check_password_hash(user.password, password):
        failures, locked_until = _count_failure(user, now)
        _record(
            "login_failure",
            user,
            username,
            reason="wrong password",
            fail_login_count=failures,
            locked_until=locked_until.isoformat() if locked_until else None,
        )
        db.session.commit()
        security_manager.on_user_login_failed(user)
        if locked_until is not None and locked_until > now:
            return _refuse_locked(locked_until, now)
        return None

    refusal = region_refusal(user)
    if refusal is not None:
        _record("login_failure", user, username, reason="no region")
        db.session.commit()
        g.login_refusal = refusal
        return None

    _record("login_success", user, username)
    user.locked_until = None
    security_manager.update_user_auth_stat(user, True)  # counts, last login; commits
    g.login_failed = False
    return user


def check_current_password(user, password: str | None) -> bool:
    """Whether `password` is the user's current one (asked before the user sets a new one). A
    wrong one counts as a failed sign-in (audit, lockout): a borrowed session cannot be used to
    guess the password."""
    if not is_null_password(password) and check_password_hash(user.password, password or ""):
        return True
    failures, locked_until = _count_failure(user, utcnow())
    _record(
        "login_failure",
        user,
        user.username,
        reason="wrong current password",
        fail_login_count=failures,
        locked_until=locked_until.isoformat() if locked_until else None,
    )
    db.session.commit()
    return False


def _spend_a_password_check() -> None:
    check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")


def _count_failure(user, now: datetime.datetime):
    """One more failure, counted in SQL so that concurrent workers lose none; a lock that has
    run out starts a new count. Returns (failures, locked_until)."""
    table = type(user).__table__
    this_user = table.c.id == user.id
    expired = sa.and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    db.session.execute(
        sa.update(table)
        .where(this_user)
        .values(
            fail_login_count=sa.case(
                (expired, 1), else_=sa.func.coalesce(table.c.fail_login_count, 0) + 1
            ),
            locked_until=sa.case((expired, sa.null()), else_=table.c.locked_until),
        )
    )
    attempts = current_app.config["AUTH_LOCKOUT_ATTEMPTS"]
    minutes = current_app.config["AUTH_LOCKOUT_MINUTES"]
    locking = db.session.execute(
        sa.update(table)
        .where(this_user, table.c.fail_login_count >= attempts, table.c.locked_until.is_(None))
        # A lock also ends the account's sessions and tokens: someone is guessing its password,
        # and may have had it right before.
        .values(
            locked_until=now + datetime.timedelta(minutes=minutes),
            token_epoch=table.c.token_epoch + 1,
        )
    )
    if locking.rowcount:
        sessions.end_all(user.id)
    failures, locked_until = db.session.execute(
        sa.select(table.c.fail_login_count, table.c.locked_until).where(this_user)
    ).one()
    return failures, locked_until


def _refuse_locked(locked_until: datetime.datetime, now: datetime.datetime) -> None:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    g.login_refusal = Refusal(
        gettext(
            "Account locked after %(count)d failed sign-ins. Try again in %(minutes)d minutes.",
            count=current_app.config["AUTH_LOCKOUT_ATTEMPTS"],
            minutes=minutes,
        ),
        403,
    )
    return None


def _record(action: str, user, username: str, **details) -> None:
    audit.record(
        action,
        "user",
        entity_id=user.id if user is not None else None,
        region_code=user.region_code if user is not None else None,
        username=(user.username if user is not None else username)[:USERNAME_LENGTH],
        after={key: value for key, value in details.items() if value is not None} or None,
    )


def attempt_failed(_response=None) -> bool:
    """Whether this request's sign-in checked a name and password and failed: only those use up
    the address's budget (sign-ins that succeed, forms sent back incomplete and the 429 answers
    themselves do not)."""
    return g.get("login_failed", False)


def install(app: Flask) -> None:
    """Called by create_app: sessions that can be ended (app.security.sessions), and a
    permanent session for every sign-in."""
    sessions.install(app)

    @user_logged_in.connect_via(app)
    def _permanent_session(_sender, user, **_extra):
        # Permanent sessions are re-issued on every request, so PERMANENT_SESSION_LIFETIME is
        # an idle timeout (Flask checks the cookie's signed timestamp against it). The
        # server-side row is what sign-out and revocation delete (app/security/sessions.py).
        session.permanent = True
        sessions.start(user)
