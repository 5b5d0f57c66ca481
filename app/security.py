"""Security manager: users carry a region scope; sign-ins go through app.login_security."""
from flask_appbuilder.security.sqla.manager import SecurityManager

from app import login_security
from app.permission_cache import CachedPermissions
from models import RegionUser
from views.users import RegionUserDBModelView


class DatakesosSecurityManager(CachedPermissions, SecurityManager):
    user_model = RegionUser
    authdbview = login_security.AuthDBView
    security_api = login_security.SecurityApi
    userdbmodelview = RegionUserDBModelView
    # Its chart loads Google's library from the internet (blocked by our CSP, and no register
    # data should leave for a third party); the dashboard charts are drawn offline.
    userstatschartview = None

    def auth_user_db(self, username, password):
        """Both login doors call this: lockout, region rule and audit (app/login_security)."""
        return login_security.authenticate(self, username, password)

    def validate_api_key(self, api_key_string):
        """API keys act as our RegionUser (region scope), refused when locked or region-less;
        Flask-AppBuilder's own check returns its base User and knows no lockout."""
        from app import api_keys

        return api_keys.validate(self, api_key_string)


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
#: API calls authenticated by a bearer token carry no ambient credentials to forge.
TOKEN_LOGIN_PATHS = {"/api/v1/security/login", "/api/v1/security/refresh"}


def protect_forms_from_csrf(app, csrf) -> None:
    """Every state-changing request needs a CSRF token, except token-authenticated API calls
    and the API's own token login. (Flask-AppBuilder never switches CSRFProtect on.)"""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _check_csrf():
        from flask import request

        if request.method in SAFE_METHODS:
            return None
        if request.path.startswith("/api/"):
            bearer = request.headers.get("Authorization", "").startswith("Bearer ")
            if bearer or request.path in TOKEN_LOGIN_PATHS:
                return None
        csrf.protect()
        return None
