"""API keys for machine clients (Interkoneksi): Flask-AppBuilder's keys (table ab_api_key, only
a hash stored), with the same rules as the sign-in doors (app/security/signin.py):

- a key of a locked account (too many wrong passwords) or of a regional user without a region
  is refused (403, with the reason), as the password would be;
- a wrong key is audited (login_failure) and counts against the address's failed sign-in
  budget (LOGIN_RATE_LIMIT, shared with both login doors): past it, 429;
- a valid key acts as its user: the user's roles and region scope apply to every answer.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from flask import current_app, g, jsonify, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import ApiKey
from flask_babel import gettext

from app import audit
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.security.rate_limits import LOGIN_SCOPE, spend, too_many_failed_sign_ins
from app.security.signin import Refusal, is_locked, needs_region, region_refusal
from models import RegionUser

FAILURE_SCOPE = LOGIN_SCOPE  # one budget with the login doors (views/security.py)
LONGEST_DAYS = 3650  # ten years; a later date would not fit a datetime


def create(username: str, name: str | None = None, days: int | None = None) -> dict:
    """A new key for a user; the returned dict holds the key itself, shown this once."""
    security_manager = current_app.appbuilder.sm
    user = security_manager.find_user(username=username)
    if user is None:
        raise NotFound(gettext("No user %(username)s.", username=username), "username")
    if needs_region(user):
        raise ValidationError(
            gettext(
                "User %(username)s has a regional role but no region: set the region first.",
                username=username,
            ),
            "username",
        )
    expires = None
    if days is not None:
        if days < 1:
            raise ValidationError(gettext("A key is valid for at least one day."), "days")
        if days > LONGEST_DAYS:
            raise ValidationError(
                gettext("A key is valid for at most %(most)d days.", most=LONGEST_DAYS), "days"
            )
        expires = datetime.datetime.now() + datetime.timedelta(days=days)
    created = security_manager.create_api_key(
        user, name or f"{username} {datetime.date.today().isoformat()}", expires_on=expires
    )
    if not created:
        raise ValidationError(gettext("The key could not be stored."))
    audit.record(
        "api_key_created",
        "user",
        user.id,
        region_code=user.region_code,
        after={
            "uuid": created["uuid"],
            "name": created["name"],
            "expires_on": audit.plain(expires),
        },
    )
    db.session.commit()
    return created


def keys_of(username: str | None = None) -> list[ApiKey]:
    query = sa.select(ApiKey).order_by(ApiKey.id)
    if username:
        query = query.join(RegionUser, RegionUser.id == ApiKey.user_id).where(
            RegionUser.username == username
        )
    return list(db.session.scalars(query))


def revoke(uuid: str) -> ApiKey:
    key = current_app.appbuilder.sm.get_api_key_by_uuid(uuid)
    if key is None:
        raise NotFound(gettext("No API key %(uuid)s.", uuid=uuid), "uuid")
    key.revoked_on = datetime.datetime.now()
    key.active = False
    audit.record("api_key_revoked", "user", key.user_id, after={"uuid": key.uuid})
    db.session.commit()
    return key


def refusal_for_request() -> Refusal | None:
    """For a request signed with an API key: None if it may go on, else why not.
    Called before the view (answer_refused_key); the view checks the key again
    through Flask-AppBuilder's `protect`, which then finds it valid."""
    security_manager = current_app.appbuilder.sm
    raw_key = security_manager.extract_api_key_from_request()
    if raw_key is None:
        return None
    address = request.remote_addr or "-"
    wait = spend("LOGIN_RATE_LIMIT", address, FAILURE_SCOPE, count=False)
    if wait is not None:
        return Refusal(too_many_failed_sign_ins(), 429, wait)
    user = validate(security_manager, raw_key, check_rules=False)
    if user is None:
        spend("LOGIN_RATE_LIMIT", address, FAILURE_SCOPE)
        audit.record(
            "login_failure",
            "user",
            username="(api key)",
            after={"reason": "unknown, revoked or expired api key"},
        )
        db.session.commit()
        return Refusal(gettext("This API key is not valid."), 401)
    refusal = _refusal(user)
    if refusal is not None:
        audit.record(
            "login_failure",
            "user",
            user.id,
            region_code=user.region_code,
            username=user.username,
            after={"reason": refusal.message, "api_key": True},
        )
        db.session.commit()
    return refusal


def validate(security_manager, raw_key: str, check_rules: bool = True):
    """The key's user (our user model, with its region) if the key is valid, active and not
    expired, else None; remembered for the request, since the key is checked before the view
    and again by Flask-AppBuilder's `protect`. With `check_rules`, a locked or region-less
    user is None too. Sets the request's user as Flask-AppBuilder's own check does."""
    if g.get("api_key_checked") != raw_key:
        g.api_key_checked, g.api_key_user = raw_key, _user_of_key(security_manager, raw_key)
    user = g.api_key_user
    if user is None or (check_rules and _refusal(user) is not None):
        return None
    g.user = user
    g._api_key_user = True
    return user


def _user_of_key(security_manager, raw_key: str):
    """Flask-AppBuilder's own check (hash, revoked, expired, inactive user; notes the last
    use), then our user model with its region: FAB's ApiKey.user is its base User."""
    user = SecurityManager.validate_api_key(security_manager, raw_key)
    return db.session.get(RegionUser, user.id) if user is not None else None


def _refusal(user) -> Refusal | None:
    """The sign-in doors' rules (app.security.signin); a key has its own lock message, as it has
    no password to wait out."""
    if is_locked(user):
        return Refusal(gettext("This account is locked after failed sign-ins."), 403)
    return region_refusal(user)


def install(app) -> None:
    """Called by create_app: keys are checked before any API view runs."""
    app.before_request(answer_refused_key)


def answer_refused_key():
    """before_request: lockout, region rule and failed-attempt budget for API requests signed
    with a key, before any API view runs (installed by install)."""
    if not request.path.startswith("/api/") or not current_app.config.get("FAB_API_KEY_ENABLED"):
        return None
    refusal = refusal_for_request()
    if refusal is None:
        return None
    response = jsonify(message=refusal.message)
    response.status_code = refusal.status
    if refusal.retry_after is not None:
        response.headers["Retry-After"] = str(refusal.retry_after)
    return response
