"""The administrators' user and role screens, with each user's region scope; every user's own
profile and password change; the administrators' password reset. Passwords follow the one rule
of app.security.passwords, judged with the user's own names."""

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.views import (
    ResetMyPasswordView as FabResetMyPasswordView,
)
from flask_appbuilder.security.views import (
    ResetPasswordView as FabResetPasswordView,
)
from flask_appbuilder.security.views import (
    UserDBModelView,
)
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from app import formatting
from app.errors import DomainError
from app.extensions import db
from app.security import passwords, sessions, signin, users
from models import RegionUser
from views import security_labels
from views.base import ConsoleModelViewMixin
from views.widgets import RegionSearchField

#: Fields of a user form a password may not be built from.
PERSONAL_FIELDS = ("username", "first_name", "last_name", "email")


def _password_hint() -> str:
    return gettext(
        "At least %(length)d characters, and hard to guess: not a common password, not your "
        "name or username. Three or four uncommon words with digits or symbols between them "
        "make a good one.",
        length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


#: Shown under every new-password field, in place of Flask-AppBuilder's "this application does
#: not check this for you", which is not true here.
PASSWORD_HINT = LazyString(_password_hint)


class StrongPassword:
    """The password rule (app.security.passwords) with what the password may not be built from:
    the form's own name fields and those of the user whose password it is (`subject`)."""

    def __init__(self, subject=None):
        self.subject = subject  # () -> the user whose password this is, or None

    def __call__(self, form, field):
        inputs = [getattr(form, name).data for name in PERSONAL_FIELDS if hasattr(form, name)]
        user = self.subject() if self.subject else None
        if user is not None:
            inputs += passwords.inputs_of(user)
        problems = passwords.check_password_strength(field.data, inputs)
        if problems:
            raise ValidationError(" ".join(problems))


class CurrentPassword:
    """The signed-in user's current password; a wrong one counts as a failed sign-in."""

    def __call__(self, form, field):
        user = current_user._get_current_object()  # g.user is a proxy; the lockout needs the row
        if not signin.check_current_password(user, field.data):
            raise ValidationError(gettext("The current password is not correct."))


PASSWORD_LABEL = lazy_gettext("Password")


def _new_password(subject=None, label=PASSWORD_LABEL):
    return PasswordField(
        label,
        description=PASSWORD_HINT,
        validators=[DataRequired(), StrongPassword(subject)],
        widget=BS3PasswordFieldWidget(),
    )


def _confirmation():
    return PasswordField(
        lazy_gettext("Confirm Password"),
        description=lazy_gettext("Please rewrite the password to confirm"),
        validators=[
            DataRequired(),
            EqualTo("password", message=lazy_gettext("Passwords must match")),
        ],
        widget=BS3PasswordFieldWidget(),
    )


class OwnPasswordForm(DynamicForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(), CurrentPassword()],
        widget=BS3PasswordFieldWidget(),
    )
    password = _new_password(lambda: g.user, lazy_gettext("New password"))
    conf_password = _confirmation()


def _reset_subject():
    """The user of the admin reset form's ?pk=, or None."""
    pk = request.args.get("pk", "")
    return db.session.get(RegionUser, int(pk)) if pk.isdigit() else None


class AdminPasswordForm(DynamicForm):
    password = _new_password(_reset_subject, lazy_gettext("New password"))
    conf_password = _confirmation()


class ResetMyPasswordView(FabResetMyPasswordView):
    """Every signed-in user changes their own password here, giving the current one first.
    Every other session and API token of the account ends; this browser stays signed in with a
    new session id."""

    form = OwnPasswordForm
    form_title = lazy_gettext("Change password")
    message = lazy_gettext("Password changed. Your other sessions and your API tokens have ended.")

    def form_post(self, form):
        self.appbuilder.sm.reset_password(g.user.id, form.password.data)
        sessions.start(g.user)
        flash(as_unicode(self.message), "info")


class ResetPasswordView(FabResetPasswordView):
    """Administrators set another user's password (?pk=); that user's sessions and tokens end.
    One's own password is changed in ResetMyPasswordView, which asks for the current one."""

    form = AdminPasswordForm

    def form_get(self, form):
        self._subject()

    def form_post(self, form):
        user = self._subject()
        self.appbuilder.sm.reset_password(user.id, form.password.data)
        flash(
            gettext(
                "Password of %(username)s changed. All of their sessions and API tokens "
                "have ended.",
                username=user.username,
            ),
            "info",
        )

    def _subject(self):
        user = _reset_subject()
        if user is None:
            abort(404)
        if user.id == g.user.id:
            abort(redirect(url_for(ResetMyPasswordView.__name__ + ".this_form_get")))
        return user


class RegionFitsRoles:
    """The region must exist, and regional roles (Operator, Provinsi, …) need one."""

    def __call__(self, form, field):
        roles = [role.name for role in (form.roles.data or [])] if hasattr(form, "roles") else []
        try:
            field.data = users.check_region(roles, field.data) or None
        except DomainError as error:
            raise ValidationError(error.message) from error


def _region_field():
    return RegionSearchField(
        # No Optional(): it would clear this validator's error when the field is empty.
        lazy_gettext("Region scope"),
        level=None,
        validators=[RegionFitsRoles()],
        description=lazy_gettext("Empty for national roles (Admin, Pusdatin, Pengawas)."),
    )


class RegionUserDBModelView(ConsoleModelViewMixin, UserDBModelView):
    list_columns = [*UserDBModelView.list_columns, "region_code"]
    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "roles",
        "region_code",
        "password",
        "conf_password",
    ]
    edit_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "roles",
        "region_code",
    ]
    show_fieldsets = [
        (
            UserDBModelView.show_fieldsets[0][0],
            {"fields": ["username", "active", "roles", "region_code", "login_count"]},
        ),
        *UserDBModelView.show_fieldsets[1:],
    ]
    #: The profile every signed-in user opens from the menu (/users/userinfo/).
    user_show_fieldsets = [
        (
            UserDBModelView.user_show_fieldsets[0][0],
            {"fields": ["username", "roles", "region_code", "last_login", "login_count"]},
        ),
        *UserDBModelView.user_show_fieldsets[1:],
    ]
    label_columns = {**UserDBModelView.label_columns, "region_code": lazy_gettext("Region scope")}
    # Sign-in is by password only here (AUTH_DB): no word of LDAP or OpenID.
    description_columns = {
        **UserDBModelView.description_columns,
        "username": lazy_gettext("The name the user signs in with."),
        "email": lazy_gettext("The user's email address."),
    }
    formatters_columns = {
        "roles": security_labels.listed,
        "groups": security_labels.listed,
        "last_login": formatting.moment,
        "created_on": formatting.moment,
        "changed_on": formatting.moment,
    }
    #: The profile's buttons (app.security.roles.OWN_ACCOUNT): they act on one's own account only.
    own_account_actions = frozenset({"resetmypassword", "userinfoedit"})
    add_form_extra_fields = {
        "password": _new_password(),
        "conf_password": _confirmation(),
        "region_code": _region_field(),
    }
    edit_form_extra_fields = {"region_code": _region_field()}

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            form.roles.kwargs["get_label"] = security_labels.role

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name in self.own_account_actions and str(pk) != str(getattr(current_user, "id", "")):
            abort(404)
        return super().action(name, pk)


# Flask-AppBuilder's role and permission screens with the console's checks (views.base): an
# unknown action or row is a 404, not a server error, and there is no download door. Each keeps
# its class name, which is the name its permissions are stored under. Permissions, views and
# menus are stored under code names (can_list, HouseholdView); the screens show them in words.
class RoleModelView(ConsoleModelViewMixin, fab_views.RoleModelView):
    # The plain widgets, which apply the formatters (FAB's role widgets print the permissions'
    # Python list, and only serve FAB_ROLES built-in roles, which the console has none of).
    list_widget = ListWidget
    show_widget = ShowWidget
    label_columns = {
        **fab_views.RoleModelView.label_columns,
        "user": lazy_gettext("Users"),
        "groups": lazy_gettext("Groups"),
    }
    formatters_columns = {"name": security_labels.role, "permissions": security_labels.listed}

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            form.permissions.kwargs["get_label"] = security_labels.permission_view


class UserGroupModelView(ConsoleModelViewMixin, fab_views.UserGroupModelView):
    label_columns = {
        "name": lazy_gettext("Name"),
        "label": lazy_gettext("Label"),
        "description": lazy_gettext("Description"),
        "roles": lazy_gettext("Roles"),
        "users": lazy_gettext("Users"),
    }
    formatters_columns = {"roles": security_labels.listed, "users": security_labels.listed}


class PermissionModelView(ConsoleModelViewMixin, fab_views.PermissionModelView):
    formatters_columns = {"name": security_labels.permission}


class ViewMenuModelView(ConsoleModelViewMixin, fab_views.ViewMenuModelView):
    formatters_columns = {"name": security_labels.view_menu}


class PermissionViewModelView(ConsoleModelViewMixin, fab_views.PermissionViewModelView):
    label_columns = {
        **fab_views.PermissionViewModelView.label_columns,
        "role": lazy_gettext("Role"),
    }
    formatters_columns = {
        "permission": lambda permission: security_labels.permission(permission.name),
        "view_menu": lambda view_menu: security_labels.view_menu(view_menu.name),
    }
