"""The security doors: Flask-AppBuilder's security manager (config FAB_SECURITY_MANAGER_CLASS),
whose users carry a region scope, and its two login doors with our messages, the web form
(AuthDBView) and the API's token login (SecurityApi). Sign-ins go through app.security.signin,
sessions and tokens through app.security.sessions, and every password through
app.security.passwords' one rule.

install(app, appbuilder), called by create_app once the security views are registered, limits
failed sign-ins per client address (LOGIN_RATE_LIMIT, one budget for both doors and wrong API
keys, app.security.rate_limits) and answers a 429 in the door's own form.
"""

from flask import Flask, current_app, flash, g, jsonify, make_response, redirect, request
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.views import expose
from flask_babel import gettext
from flask_login import login_user

from app.errors import NotFound, ValidationError
from app.security import api_keys, passwords, sessions, signin
from app.security.permission_cache import CachedPermissions
from app.security.rate_limits import LOGIN_SCOPE, too_many_failed_sign_ins
from models import RegionUser
from views import users as user_views

#: The two doors that check a password; the rate limit and its 429 message are theirs.
LOGIN_ENDPOINTS = frozenset({"AuthDBView.login", "SecurityApi.login"})


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
                refusal = signin.login_refusal()
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
        refusal = signin.login_refusal()
        if refusal is not None and response.status_code == 401:
            return self.response(refusal.status, message=refusal.message)
        return response

    login.__doc__ = FabSecurityApi.login.__doc__


class DatakesosSecurityManager(CachedPermissions, SecurityManager):
    user_model = RegionUser
    authdbview = AuthDBView
    security_api = SecurityApi
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
        """Both login doors call this: lockout, region rule and audit (app.security.signin)."""
        return signin.authenticate(self, username, password)

    def validate_api_key(self, api_key_string):
        """API keys act as our RegionUser (region scope), refused when locked or region-less;
        Flask-AppBuilder's own check returns its base User and knows no lockout."""
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
        user's token epoch (app.security.sessions) and is audited as password_changed
        (app.audit.events)."""
        user = self.get_user_by_id(userid) if str(userid).isdigit() else None
        if user is None:
            raise NotFound(gettext("No such user."))
        _refuse_weak(password, passwords.inputs_of(user))
        super().reset_password(user.id, password)

    def add_user(
        self,
        username,
        first_name,
        last_name,
        email,
        role=None,
        password="",
        hashed_password="",
        *args,
        **kwargs,
    ):
        if password and not hashed_password:
            _refuse_weak(password, [username, first_name, last_name, email])
        return super().add_user(
            username, first_name, last_name, email, role, password, hashed_password, *args, **kwargs
        )


def _refuse_weak(password: str, user_inputs) -> None:
    weaknesses = passwords.check_password_strength(password, user_inputs)
    if weaknesses:
        raise ValidationError(" ".join(weaknesses), "password")


# --- Installation: the rate limit of failed sign-ins and its 429 answer ------------------------


def install(app: Flask, appbuilder) -> None:
    """Called by create_app once the security views are registered."""
    _limit_login_attempts(app, appbuilder.sm.limiter)
    app.register_error_handler(429, _too_many_requests)


def _limit_login_attempts(app: Flask, limiter) -> None:
    limit = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        scope=LOGIN_SCOPE,  # one budget per address for both doors
        methods=["POST"],
        exempt_when=lambda: request.endpoint not in LOGIN_ENDPOINTS,
        deduct_when=signin.attempt_failed,
    )
    for blueprint in ("AuthDBView", "SecurityApi"):
        limit(app.blueprints[blueprint])


def _too_many_requests(_error):
    if request.endpoint in LOGIN_ENDPOINTS:
        message = too_many_failed_sign_ins()
    else:
        message = gettext("Too many requests. Try again in a minute.")
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
    elif request.endpoint == "AuthDBView.login":
        view = current_app.appbuilder.sm.auth_view
        flash(message, "danger")
        response = make_response(
            view.render_template(
                view.login_template,
                title=view.title,
                form=LoginForm_db(),
                appbuilder=current_app.appbuilder,
            )
        )
    else:
        response = make_response(message)
        response.mimetype = "text/plain"
    response.status_code = 429
    return response
