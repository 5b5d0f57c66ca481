"""The CSRF rule: every state-changing request carries a CSRF token, unless a bearer token is
what signs it in (then no ambient credential of a browser is at stake), and except the API's own
token login. Flask-AppBuilder never switches Flask-WTF's CSRFProtect on: create_app installs
this check with protect_forms_from_csrf, after the input guard (app.security.input_guard), which
refuses a request no door can read before this check reads its form.
"""

from flask import current_app, request
from flask_login import current_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
#: The API's token login and refresh: no session can be abused there (the refresh takes only
#: a refresh token).
TOKEN_LOGIN_PATHS = {"/api/v1/security/login", "/api/v1/security/refresh"}


def protect_forms_from_csrf(app, csrf) -> None:
    """Every state-changing request needs a CSRF token, unless a token it carries is what
    authenticates it (see authenticated_by_token), and except the API's own token login.
    (Flask-AppBuilder never switches CSRFProtect on.)"""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _check_csrf():
        if request.method in SAFE_METHODS or request.path in TOKEN_LOGIN_PATHS:
            return None
        if request.path.startswith("/api/") and authenticated_by_token():
            return None
        csrf.protect()
        return None


def authenticated_by_token() -> bool:
    """Whether the request's `Authorization: Bearer` token, not a session cookie, is what signs
    it in; only then does it carry no ambient credential a forged page could use.

    - An API key (FAB_API_KEY_PREFIXES) is checked before anything else by Flask-AppBuilder's
      `protect`, and a wrong one is refused (401) whatever cookie comes with it: the key decides.
    - Any other bearer (a JWT, or junk) decides only when no console session is signed in:
      with `allow_browser_login` (our register and interconnection APIs) `protect` prefers the
      session over the JWT, so a bearer header beside a signed-in cookie proves nothing, and
      the request must pass the CSRF check like any form. API clients send no session cookie.
    """
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        return False
    security_manager = current_app.appbuilder.sm
    if (
        current_app.config.get("FAB_API_KEY_ENABLED")
        and security_manager.extract_api_key_from_request() is not None
    ):
        return True
    return not current_user.is_authenticated
