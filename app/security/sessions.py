"""Sign-ins that can be ended: console sessions and API tokens (DESIGN §8: Flask-AppBuilder's
sessions are signed cookies that sign-out does not revoke, and its JWTs live until they expire).

Console sessions
- A console sign-in stores a row of console_session: the SHA-256 hash of a random id, the user,
  the user's token epoch, when, from which address and browser. The id itself travels only in the
  signed session cookie (session["sid"]).
- Every request with a signed-in cookie loads its user through that row, in the one query that
  loaded the user before (a unique-index lookup joined to ab_user). No row, another user's row, an
  older epoch or a row idle longer than PERMANENT_SESSION_LIFETIME: not signed in; the cookie is
  emptied and the browser sent to the login page.
- Sign-out deletes the row (audited as "logout"), so a copy of the cookie is worth nothing
  afterwards.
- last_seen_at is written at most every SESSION_TOUCH_SECONDS per session. Rows that have idled
  out, and a user's rows of an older epoch, are deleted at sign-in.

API tokens
- Every JWT, access and refresh, carries the user's token epoch as the claim "epoch"; a token of an
  older epoch is refused (401) when its user is loaded, which every protected API call and the
  refresh do. Lifetimes: JWT_ACCESS_TOKEN_EXPIRES and JWT_REFRESH_TOKEN_EXPIRES (config.py).

Revocation
- ab_user.token_epoch is raised when the password changes (whichever door: own change, admin
  reset, `flask fab reset-password`), when an account is deactivated, and when it is locked after
  failed sign-ins (app.security.signin). That ends every console session and every token of the
  user at once; the user's session rows are deleted in the same transaction. After changing their
  own password a user stays signed in in that browser, with a new session id
  (views.users.ResetMyPasswordView). API keys are refused for a locked or inactive account
  (app.security.api_keys, Flask-AppBuilder).
"""

import datetime
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user
from sqlalchemy import event

from app import audit
from app.clock import utcnow
from app.extensions import db
from models import ConsoleSession, RegionUser

#: The key of the session cookie that holds the sign-in's random id.
SESSION_KEY = "sid"
#: The JWT claim that holds the user's token epoch.
EPOCH_CLAIM = "epoch"
#: Column sizes of console_session.
ADDRESS_LENGTH, USER_AGENT_LENGTH = 45, 255
#: Static files are served without looking at the session (no query per asset).
STATIC_ENDPOINTS = frozenset({"static", "appbuilder.static"})
#: Requests that go on without a redirect when their session has ended.
UNGUARDED_ENDPOINTS = frozenset({"AuthDBView.login"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit() -> datetime.timedelta:
    """How long a row may go unused; its last use is written only every SESSION_TOUCH_SECONDS,
    so that much is added to the session lifetime the cookie already enforces."""
    touch = datetime.timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])
    return current_app.permanent_session_lifetime + touch


# --- Console sessions ----------------------------------------------------------------------------


def start(user) -> None:
    """After a sign-in (Flask-Login's login_user): a new row, its id in the signed cookie."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    _purge(user.id, now)
    db.session.add(
        ConsoleSession(
            token_hash=_hash(token),
            user_id=user.id,
            epoch=_epoch_of(user.id),
            created_at=now,
            last_seen_at=now,
            ip_address=(request.remote_addr or "")[:ADDRESS_LENGTH] or None,
            user_agent=(request.user_agent.string or "")[:USER_AGENT_LENGTH] or None,
        )
    )
    db.session.commit()
    session[SESSION_KEY] = token


def end(user=None) -> None:
    """Sign-out: the row of this browser's session is deleted (and audited as a logout)."""
    token = session.pop(SESSION_KEY, None)
    if token is None:
        return
    db.session.execute(sa.delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
    if user is not None:  # already signed out here: the entry names who it was
        audit.record_many(
            [
                audit.entry(
                    "logout",
                    "user",
                    user.id,
                    region_code=user.region_code,
                    who=(user.id, user.username, request.remote_addr),
                )
            ]
        )
    db.session.commit()


def end_all(user_id: int) -> None:
    """Delete every session row of a user (in the caller's transaction). The epoch, raised by
    the caller, already refuses them; this keeps the table small."""
    db.session.execute(sa.delete(ConsoleSession).where(ConsoleSession.user_id == user_id))


def _purge(user_id: int, now: datetime.datetime) -> None:
    """Rows no request can use any more: idled out (anyone's), or of the user's older epochs."""
    current = sa.select(RegionUser.token_epoch).where(RegionUser.id == user_id).scalar_subquery()
    db.session.execute(
        sa.delete(ConsoleSession).where(
            sa.or_(
                ConsoleSession.last_seen_at < now - _idle_limit(),
                sa.and_(ConsoleSession.user_id == user_id, ConsoleSession.epoch != current),
            )
        )
    )


def _epoch_of(user_id: int) -> int:
    return db.session.scalar(sa.select(RegionUser.token_epoch).where(RegionUser.id == user_id))


def load_user(user_id):
    """Flask-Login's user loader: the cookie's user, only through a live row of its session."""
    token = session.get(SESSION_KEY)
    if not token or not str(user_id).isdigit():
        return None
    found = db.session.execute(
        sa.select(RegionUser, ConsoleSession.id, ConsoleSession.last_seen_at)
        .join(
            ConsoleSession,
            sa.and_(
                ConsoleSession.user_id == RegionUser.id,
                ConsoleSession.epoch == RegionUser.token_epoch,
            ),
        )
        .where(
            ConsoleSession.token_hash == _hash(token),
            RegionUser.id == int(user_id),
            ConsoleSession.last_seen_at > utcnow() - _idle_limit(),
        )
    ).first()
    if found is None or not found[0].is_active:
        return None
    user, row_id, last_seen = found
    g.console_session = (row_id, last_seen)
    return user


def check_request():
    """before_request: a cookie whose session has ended signs nobody in. The API answers as to
    anyone without a session (a valid token or key still works); console pages send the browser
    to the login page."""
    if "_user_id" not in session or request.endpoint in STATIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        _touch()
        return None
    logout_user()
    session.pop(SESSION_KEY, None)
    if request.path.startswith("/api/") or request.endpoint in UNGUARDED_ENDPOINTS:
        return None
    message = gettext("Your session has ended. Please sign in again.")
    if request.accept_mimetypes.best == "application/json":
        response = jsonify(message=message)
        response.status_code = 401
        return response
    flash(message, "warning")
    login = current_app.appbuilder.sm.auth_view.__class__.__name__ + ".login"
    return redirect(url_for(login, next=request.url) if request.method == "GET" else url_for(login))


def _touch() -> None:
    """Write the row's last use, at most every SESSION_TOUCH_SECONDS."""
    found = g.pop("console_session", None)
    if found is None:
        return
    row_id, last_seen = found
    now = utcnow()
    if (now - last_seen).total_seconds() < current_app.config["SESSION_TOUCH_SECONDS"]:
        return
    db.session.execute(
        sa.update(ConsoleSession).where(ConsoleSession.id == row_id).values(last_seen_at=now)
    )
    db.session.commit()


# --- API tokens ----------------------------------------------------------------------------------


def token_claims(identity) -> dict:
    """additional_claims_loader: the user's current epoch, in access and refresh tokens."""
    user = db.session.get(RegionUser, int(identity)) if str(identity).isdigit() else None
    return {EPOCH_CLAIM: user.token_epoch if user is not None else -1}


def load_token_user(jwt_data: dict):
    """user_lookup_loader: the token's user, if active and the token of the current epoch."""
    identity = str(jwt_data.get("sub", ""))
    if not identity.isdigit():
        return None
    user = db.session.get(RegionUser, int(identity))
    if user is None or not user.is_active or jwt_data.get(EPOCH_CLAIM) != user.token_epoch:
        return None
    g.user = user  # as Flask-AppBuilder's own loader does
    return user


def refused_token(_jwt_header=None, _jwt_data=None):
    """user_lookup_error_loader and expired_token_loader: the answer to a token that no longer
    signs anyone in (revoked or expired)."""
    return _token_answer(gettext("Your session has ended. Please sign in again."), 401)


def invalid_token(_reason):
    """invalid_token_loader: a bearer that is no token of ours (Flask-JWT-Extended's 422)."""
    return _token_answer(gettext("The token is not valid. Sign in again."), 422)


def missing_token(_reason):
    """unauthorized_loader: an API call with neither a session, a token nor an API key."""
    return _token_answer(gettext("Sign in first: send a token or an API key."), 401)


def _token_answer(message: str, status: int):
    response = jsonify(message=message)
    response.status_code = status
    return response


# --- Revocation by the ORM: a password change or a deactivation, whichever door made it ----------

#: session.info key: ids of users whose session rows the flush deletes (their epoch was raised).
_ENDED = "sessions_ended_for"


def _raise_epoch(user) -> None:
    """Raised in SQL (token_epoch + 1), so concurrent changes lose none; the user's session rows
    go in the same flush."""
    user.token_epoch = type(user).token_epoch + 1
    orm_session = sa.orm.object_session(user)
    if orm_session is not None:
        orm_session.info.setdefault(_ENDED, set()).add(user.id)


def _delete_ended_sessions(orm_session, _flush_context) -> None:
    ended = orm_session.info.pop(_ENDED, None)
    if ended:
        orm_session.connection().execute(
            sa.delete(ConsoleSession).where(ConsoleSession.user_id.in_(sorted(ended)))
        )


def _forget_ended_sessions(orm_session, *_args) -> None:
    orm_session.info.pop(_ENDED, None)


def _on_password_set(user, value, old_value, _initiator):
    if sa.inspect(user).has_identity and value != old_value:
        _raise_epoch(user)


def _on_active_set(user, value, old_value, _initiator):
    if sa.inspect(user).has_identity and not value and old_value is not False:
        _raise_epoch(user)


def install(app) -> None:
    """Called by app.security.signin.install: the request check and the ORM listeners."""
    app.before_request(check_request)
    for attribute, listener in (
        (RegionUser.password, _on_password_set),
        (RegionUser.active, _on_active_set),
    ):
        if not event.contains(attribute, "set", listener):
            event.listen(attribute, "set", listener)
    for name, listener in (
        ("after_flush", _delete_ended_sessions),
        ("after_soft_rollback", _forget_ended_sessions),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
