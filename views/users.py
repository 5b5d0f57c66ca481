"""The administrators' user screens, with each user's region scope."""
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext
from wtforms.validators import ValidationError

from app import users
from app.errors import DomainError
from views.widgets import RegionSearchField


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
        lazy_gettext("Region scope"), level=None, validators=[RegionFitsRoles()],
        description=lazy_gettext("Empty for national roles (Admin, Pusdatin, Pengawas)."),
    )


class RegionUserDBModelView(UserDBModelView):
    list_columns = [*UserDBModelView.list_columns, "region_code"]
    add_columns = [
        "first_name", "last_name", "username", "active", "email", "roles", "region_code",
        "password", "conf_password",
    ]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles",
                    "region_code"]
    show_fieldsets = [
        (UserDBModelView.show_fieldsets[0][0],
         {"fields": ["username", "active", "roles", "region_code", "login_count"]}),
        *UserDBModelView.show_fieldsets[1:],
    ]
    label_columns = {**UserDBModelView.label_columns, "region_code": lazy_gettext("Region scope")}
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, "region_code": _region_field()}
    edit_form_extra_fields = {"region_code": _region_field()}
