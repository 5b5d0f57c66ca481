"""Sign-in and session security, written once for both login doors (the web form at /login/ and
the API's POST /api/v1/security/login):

- a regional user (a role outside app.security.roles.NATIONAL_ROLES) without a region cannot sign in;
- after AUTH_LOCKOUT_ATTEMPTS wrong passwords an account is locked for AUTH_LOCKOUT_MINUTES, in
  the database (ab_user.locked_until), so every worker process refuses it, the right password too,
  and the lock ends the account's sessions and tokens (app/security/sessions.py);
- every attempt is audited: login_success, login_failure, login_locked;
- failed attempts per client address are rate limited (LOGIN_RATE_LIMIT) and answered 429;
- password strength (check_password_strength: length and zxcvbn) for every door that sets one,
  and the current password before one's own is changed (check_current_password);
- permanent sessions with an idle timeout, each a server-side row that sign-out and revocation
  end (app/security/sessions.py), and security headers with a per-request CSP nonce.

Flask-AppBuilder's own AUTH_RATE_LIMITED covers the web form only and counts every POST (also
successful sign-ins, so a district office behind one address would be locked out at 08:00);
ours covers both doors and counts the attempts that fail. Rate-limit counters live in
RATELIMIT_STORAGE_URI: `memory://` is per process (with N workers a client gets up to N times the
limit); point it at Redis or Memcached in production. The lockout does not depend on it.
"""
import datetime
import math
import re
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
from zxcvbn import zxcvbn

from app.clock import utcnow
from app import audit
from app.security import sessions
from app.extensions import db
from app.security.roles import NATIONAL_ROLES

#: The two doors that check a password; the rate limit and its 429 message are theirs.
LOGIN_ENDPOINTS = frozenset({"AuthDBView.login", "SecurityApi.login"})
#: audit_entry.username is a String(100): an attempted username longer than that is cut.
USERNAME_LENGTH = 100


# --- Password strength -----------------------------------------------------------------------

#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" for an online attack with a
#: lockout, and refuses the common passwords and their variants ("Password1!", "Qwerty12345!").
PASSWORD_MIN_SCORE = 3
#: zxcvbn's own limit; a longer password is judged by its first characters.
ESTIMATE_LENGTH = 72
#: Words that zxcvbn's English dictionaries miss but that people here build passwords from.
LOCAL_WORDS = (
    "datakesos", "kesos", "dinsos", "kemensos", "sosial", "dinas", "indonesia", "jakarta",
    "bandung", "bogor", "surabaya", "bismillah", "sayang", "rahasia", "sandi", "katasandi",
    "merdeka", "garuda", "pancasila", "admin", "operator", "pusdatin",
)
_WORD_SEPARATOR = re.compile(r"[^0-9a-z]+")
#: The user's own words this long or longer may not carry a password's strength.
PERSONAL_WORD = 4


def check_password_strength(password: str | None, user_inputs=()) -> list[str]:
    """What a password lacks, one translated sentence per problem; empty when it is strong
    enough. The one rule for every door that sets a password (FAB's user forms, own and admin
    reset, the CLI, app.security.users): at least PASSWORD_MIN_LENGTH characters, and a zxcvbn score of
    PASSWORD_MIN_SCORE or more, judged with `user_inputs` (the user's username, names, e-mail)
    and the application's own words, which make a password easy to guess."""
    password = password or ""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10) if has_app_context() else 10
    problems = []
    if len(password) < minimum:
        problems.append(gettext("Use at least %(length)d characters.", length=minimum))
    return problems + _guessability(password, _words(user_inputs))


def _guessability(password: str, personal: list[str]) -> list[str]:
    """zxcvbn's verdict, in sentences; empty when the password is hard enough to guess."""
    site = _site_words()
    result = _estimate(password, [*personal, *site])
    built_from_names = _built_from(password, personal, site)
    if result["score"] >= PASSWORD_MIN_SCORE and not built_from_names:
        return []
    problems = []
    if "passwords" in {match.get("dictionary_name") for match in result["sequence"]}:
        problems.append(gettext("This is one of the most common passwords."))
    matched_names = {match.get("matched_word") for match in result["sequence"]} & set(personal)
    if built_from_names or matched_names:
        problems.append(gettext(
            "Do not build the password from your username, name or e-mail address."))
    problems.append(gettext(
        "This password is too easy to guess. Use three or four uncommon words, with digits or "
        "symbols between them."))
    return problems


def _built_from(password: str, personal: list[str], site: list[str]) -> bool:
    """Whether the password's strength comes from the user's own words. zxcvbn rates
    "Name.Surname2026" strong even when told the names, so the password is judged again with
    them taken out: if what remains is easy to guess, the names were doing the work."""
    remainder = _without(password, [word for word in personal if len(word) >= PERSONAL_WORD])
    return remainder != password and _estimate(remainder, site)["score"] < PASSWORD_MIN_SCORE


def _estimate(password: str, user_inputs: list[str]) -> dict:
    if not password:  # zxcvbn fails on an empty string; nothing is the easiest guess
        return {"score": 0, "sequence": []}
    return zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=user_inputs)


def _without(password: str, words: list[str]) -> str:
    """The password with every occurrence of `words` taken out, whatever their case."""
    for word in sorted(words, key=len, reverse=True):
        password = re.sub(re.escape(word), "", password, flags=re.IGNORECASE)
    return password


def inputs_of(user) -> list[str]:
    """What a password of `user` must not be built from."""
    return [user.username, user.first_name, user.last_name, user.email]


def _words(values) -> list[str]:
    """Each value and its parts ("operator.bandung" → operator, bandung), in lower case."""
    words = []
    for value in values:
        text = str(value or "").lower()
        for word in [text, *_WORD_SEPARATOR.split(text)]:
            if len(word) >= 3 and word not in words:
                words.append(word)
    return words


def _site_words() -> list[str]:
    names = []
    if has_app_context():
        names = [current_app.config.get("APP_NAME", ""), current_app.config.get("OFFICE_NAME", "")]
    return [*LOCAL_WORDS, *_words(names)]


def password_complexity_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB turns the exception into a form or API error.
    Our own forms (views/users.py) call check_password_strength with the user's names too."""
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


def check_current_password(user, password: str | None) -> bool:
    """Whether `password` is the user's current one (asked before the user sets a new one). A
    wrong one counts as a failed sign-in (audit, lockout): a borrowed session cannot be used to
    guess the password."""
    if not is_null_password(password) and check_password_hash(user.password, password or ""):
        return True
    failures, locked_until = _count_failure(user, utcnow())
    _record("login_failure", user, user.username, reason="wrong current password",
            fail_login_count=failures,
            locked_until=locked_until.isoformat() if locked_until else None)
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
        sa.update(table).where(this_user).values(
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
        .values(locked_until=now + datetime.timedelta(minutes=minutes),
                token_epoch=table.c.token_epoch + 1)
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
    from app.security import api_keys

    app.before_request(api_keys.answer_refused_key)
    sessions.install(app)

    @user_logged_in.connect_via(app)
    def _permanent_session(_sender, user, **_extra):
        # Permanent sessions are re-issued on every request, so PERMANENT_SESSION_LIFETIME is
        # an idle timeout (Flask checks the cookie's signed timestamp against it). The
        # server-side row is what sign-out and revocation delete (app/security/sessions.py).
        session.permanent = True
        sessions.start(user)


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
