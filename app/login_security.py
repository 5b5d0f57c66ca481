"""Sign-in and session security, written once for both login doors (the web form at /login/ and
the API's POST /api/v1/security/login):

- a regional user (a role outside app.roles.NATIONAL_ROLES) without a region cannot sign in;
- after AUTH_LOCKOUT_ATTEMPTS wrong passwords an account is locked for AUTH_LOCKOUT_MINUTES, in
  the database (ab_user.locked_until), so every worker process refuses it, the right password too;
- every attempt is audited: login_success, login_failure, login_locked;
- failed attempts per client address are rate limited (LOGIN_RATE_LIMIT) and answered 429;
- password strength (check_password_strength) for FAB's user forms and the CLI;
- permanent sessions with an idle timeout, and security headers with a per-request CSP nonce.

Flask-AppBuilder's own AUTH_RATE_LIMITED covers the web form only and counts every POST (also
successful sign-ins, so a district office behind one address would be locked out at 08:00);
ours covers both doors and counts the attempts that fail. Rate-limit counters live in
RATELIMIT_STORAGE_URI: `memory://` is per process (with N workers a client gets up to N times the
limit); point it at Redis or Memcached in production. The lockout does not depend on it.
"""
import datetime
import math
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import (
    Flask, current_app, flash, g, has_app_context, jsonify, make_response, redirect, request,
    session,
)
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.api import safe
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.utils import is_null_password
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.views import expose
from flask_babel import gettext
from flask_login import login_user, user_logged_in
from limits import parse
from werkzeug.security import check_password_hash

from app import audit
from app.extensions import db
from app.roles import NATIONAL_ROLES

#: The two doors that check a password; the rate limit and its 429 message are theirs.
LOGIN_ENDPOINTS = frozenset({"AuthDBView.login", "SecurityApi.login"})
#: audit_entry.username is a String(100): an attempted username longer than that is cut.
USERNAME_LENGTH = 100


# --- Password strength -----------------------------------------------------------------------

def check_password_strength(password: str | None) -> list[str]:
    """What a password lacks, one translated sentence per rule; empty when it is strong enough.
    The one rule for FAB's user forms (FAB_PASSWORD_COMPLEXITY_VALIDATOR) and the CLI."""
    password = password or ""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10) if has_app_context() else 10
    problems = []
    if len(password) < minimum:
        problems.append(gettext("Use at least %(length)d characters.", length=minimum))
    if not any(character.isupper() for character in password):
        problems.append(gettext("Use at least one capital letter."))
    if not any(character.islower() for character in password):
        problems.append(gettext("Use at least one lower-case letter."))
    if not any(character.isdigit() for character in password):
        problems.append(gettext("Use at least one digit."))
    if not any(not character.isalnum() and not character.isspace() for character in password):
        problems.append(gettext("Use at least one symbol, such as ! - # or _."))
    return problems


def password_complexity_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB turns the exception into a form or API error."""
    problems = check_password_strength(password)
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))


# --- Lockout, region check and audit of every attempt ----------------------------------------

@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused, when the user may know: shown by both doors."""

    message: str
    status: int  # the API's answer; the web form flashes the message
    retry_after: int | None = None  # seconds, for a 429


def login_refusal() -> Refusal | None:
    return g.get("login_refusal")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def needs_region(user) -> bool:
    """A regional role without a region would have an empty scope: it may not sign in."""
    return not user.region_code and not any(role.name in NATIONAL_ROLES for role in user.roles)


def is_locked(user, now: datetime.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def region_refusal(user) -> Refusal | None:
    """The region rule, for the login doors and API keys alike."""
    if needs_region(user):
        return Refusal(
            gettext("Your account has no region yet. Ask an administrator to set it."), 403)
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
        _record("login_failure", user, username,
                reason="unknown user" if user is None else "inactive")
        db.session.commit()
        return None

    if is_locked(user, now):
        _spend_a_password_check()  # a locked account answers as fast as any other
        _record("login_locked", user, username, locked_until=user.locked_until.isoformat())
        db.session.commit()
        return _refuse_locked(user.locked_until, now)

    if is_null_password(password) or not check_password_hash(user.password, password):
        failures, locked_until = _count_failure(user, now)
        _record("login_failure", user, username, reason="wrong password",
                fail_login_count=failures,
                locked_until=locked_until.isoformat() if locked_until else None)
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


def _spend_a_password_check() -> None:
    check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], "password")


def _count_failure(user, now: datetime.datetime):
    """One more failure, counted in SQL so that concurrent workers lose none; a lock that has
    run out starts a new count. Returns (failures, locked_until)."""
    table = type(user).__table__
    this_user = table.c.id == user.id
    expired = sa.and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    db.session.execute(
        sa.update(table).where(this_user).values(
            fail_login_count=sa.case(
                (expired, 1), else_=sa.func.coalesce(table.c.fail_login_count, 0) + 1
            ),
            locked_until=sa.case((expired, sa.null()), else_=table.c.locked_until),
        )
    )
    attempts = current_app.config["AUTH_LOCKOUT_ATTEMPTS"]
    minutes = current_app.config["AUTH_LOCKOUT_MINUTES"]
    db.session.execute(
        sa.update(table)
        .where(this_user, table.c.fail_login_count >= attempts, table.c.locked_until.is_(None))
        .values(locked_until=now + datetime.timedelta(minutes=minutes))
    )
    failures, locked_until = db.session.execute(
        sa.select(table.c.fail_login_count, table.c.locked_until).where(this_user)
    ).one()
    return failures, locked_until


def _refuse_locked(locked_until: datetime.datetime, now: datetime.datetime) -> None:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    g.login_refusal = Refusal(
        gettext(
            "Account locked after %(count)d failed sign-ins. Try again in %(minutes)d minutes.",
            count=current_app.config["AUTH_LOCKOUT_ATTEMPTS"], minutes=minutes,
        ),
        403,
    )
    return None


def _record(action: str, user, username: str, **details) -> None:
    audit.record(
        action, "user",
        entity_id=user.id if user is not None else None,
        region_code=user.region_code if user is not None else None,
        username=(user.username if user is not None else username)[:USERNAME_LENGTH],
        after={key: value for key, value in details.items() if value is not None} or None,
    )


# --- Rate limits counted by hand (API keys, NIK checks) ------------------------------------------

def spend(setting: str, *identifiers: str, count: bool = True) -> int | None:
    """One request of `identifiers` against the limit in config[setting] (with count=False:
    only a look). None while within the limit, else the seconds until it frees up, for the
    429's Retry-After. Always None when RATELIMIT_ENABLED is false."""
    limiter = getattr(current_app.appbuilder.sm, "limiter", None)
    if limiter is None or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    item = parse(current_app.config[setting])
    strategy = limiter.limiter
    if (strategy.hit if count else strategy.test)(item, *identifiers):
        return None
    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))


# --- The two doors: same URLs and endpoint names as Flask-AppBuilder's, with our messages ------

class AuthDBView(FabAuthDBView):
    """FAB's web login, showing why a sign-in was refused (lockout, no region)."""

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                refusal = login_refusal()
                message = refusal.message if refusal else as_unicode(self.invalid_login_message)
                flash(message, "danger" if refusal else "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder
        )


class SecurityApi(FabSecurityApi):
    """FAB's token login; a locked or region-less account gets 403 and the reason."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        response = super().login()
        refusal = login_refusal()
        if refusal is not None and response.status_code == 401:
            return self.response(refusal.status, message=refusal.message)
        return response

    login.__doc__ = FabSecurityApi.login.__doc__


# --- Installation: rate limit, 429 answer, sessions, headers ----------------------------------

def install(app: Flask, appbuilder) -> None:
    """Called by create_app once the security views are registered."""
    _limit_login_attempts(app, appbuilder.sm.limiter)
    app.register_error_handler(429, _too_many_requests)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)
    from app import api_keys

    app.before_request(api_keys.answer_refused_key)

    @user_logged_in.connect_via(app)
    def _permanent_session(_sender, **_extra):
        # Permanent sessions are re-issued on every request, so PERMANENT_SESSION_LIFETIME is
        # an idle timeout (Flask checks the cookie's signed timestamp against it).
        session.permanent = True


def _limit_login_attempts(app: Flask, limiter) -> None:
    limit = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        scope="login",  # one budget per address for both doors
        methods=["POST"],
        exempt_when=lambda: request.endpoint not in LOGIN_ENDPOINTS,
        deduct_when=_attempt_failed,
    )
    for blueprint in ("AuthDBView", "SecurityApi"):
        limit(app.blueprints[blueprint])


def _attempt_failed(_response) -> bool:
    """Only attempts that checked a name and password and failed use up the budget: sign-ins
    that succeed, forms sent back incomplete and the 429 answers themselves do not."""
    return g.get("login_failed", False)


def _too_many_requests(_error):
    if request.endpoint in LOGIN_ENDPOINTS:
        message = gettext("Too many failed sign-ins from your address. Try again in a minute.")
    else:
        message = gettext("Too many requests. Try again in a minute.")
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
    elif request.endpoint == "AuthDBView.login":
        view = current_app.appbuilder.sm.auth_view
        flash(message, "danger")
        response = make_response(view.render_template(
            view.login_template, title=view.title, form=LoginForm_db(),
            appbuilder=current_app.appbuilder,
        ))
    else:
        response = make_response(message)
        response.mimetype = "text/plain"
    response.status_code = 429
    return response


def csp_nonce() -> str:
    """The request's script nonce; FAB's templates render it as `nonce="…"` on every script."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    # Scripts: our files and nonce-bearing tags only. Styles need 'unsafe-inline': FAB's
    # templates and widgets use style="…" attributes and pygal's SVG charts carry <style>.
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
