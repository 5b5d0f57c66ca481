"""Security manager: users carry a region scope; sign-ins go through app.security.login_security, sessions
and tokens through app.security.sessions, and every password through app.security.login_security's one rule."""
from flask import current_app, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_babel import gettext
from flask_login import current_user

from app.security import login_security, sessions
from app.errors import NotFound, ValidationError
from app.security.permission_cache import CachedPermissions
from models import RegionUser
from views import users as user_views


class DatakesosSecurityManager(CachedPermissions, SecurityManager):
    user_model = RegionUser
    authdbview = login_security.AuthDBView
    security_api = login_security.SecurityApi
    userdbmodelview = user_views.RegionUserDBModelView
    resetmypasswordview = user_views.ResetMyPasswordView
    resetpasswordview = user_views.ResetPasswordView
    rolemodelview = user_views.RoleModelView
    groupmodelview = user_views.UserGroupModelView
    permissionmodelview = user_views.PermissionModelView
    viewmenumodelview = user_views.ViewMenuModelView
    permissionviewmodelview = user_views.PermissionViewModelView
    # Its chart loads Google's library from the internet (blocked by our CSP, and no register
    # data should leave for a third party); the dashboard charts are drawn offline.
    userstatschartview = None

    def auth_user_db(self, username, password):
        """Both login doors call this: lockout, region rule and audit (app/login_security)."""
        return login_security.authenticate(self, username, password)

    def validate_api_key(self, api_key_string):
        """API keys act as our RegionUser (region scope), refused when locked or region-less;
        Flask-AppBuilder's own check returns its base User and knows no lockout."""
        from app.security import api_keys

        return api_keys.validate(self, api_key_string)

    # -- Sessions and tokens that can be ended (app/security/sessions.py) --

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(sessions.token_claims)
        jwt_manager.user_lookup_error_loader(sessions.refused_token)
        jwt_manager.expired_token_loader(sessions.refused_token)
        jwt_manager.invalid_token_loader(sessions.invalid_token)
        jwt_manager.unauthorized_loader(sessions.missing_token)
        return jwt_manager

    def load_user(self, pk):
        """Flask-Login's loader: the cookie's user only through a live server-side session."""
        return sessions.load_user(pk)

    def load_user_jwt(self, _jwt_header, jwt_data):
        """A JWT's user, if the token is of the user's current epoch."""
        return sessions.load_token_user(jwt_data)

    def on_user_logout(self, user):
        sessions.end(user)

    # -- Every door that sets a password: the one rule, whatever form or command called --

    def reset_password(self, userid, password):
        """Own change, admin reset, `flask fab reset-password`. Setting the password raises the
        user's token epoch (app.security.sessions) and is audited as password_changed (app.audit.events)."""
        user = self.get_user_by_id(userid) if str(userid).isdigit() else None
        if user is None:
            raise NotFound(gettext("No such user."))
        _refuse_weak(password, login_security.inputs_of(user))
        super().reset_password(user.id, password)

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", *args, **kwargs):
        if password and not hashed_password:
            _refuse_weak(password, [username, first_name, last_name, email])
        return super().add_user(username, first_name, last_name, email, role, password,
                                hashed_password, *args, **kwargs)


def _refuse_weak(password: str, user_inputs) -> None:
    weaknesses = login_security.check_password_strength(password, user_inputs)
    if weaknesses:
        raise ValidationError(" ".join(weaknesses), "password")


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
    if (current_app.config.get("FAB_API_KEY_ENABLED")
            and security_manager.extract_api_key_from_request() is not None):
        return True
    return not current_user.is_authenticated
