"""Creating console users with a role and a region scope."""

from flask import current_app
from flask_babel import gettext

from app.errors import ValidationError
from app.extensions import db
from app.security.roles import NATIONAL_ROLES
from models import Region


def check_region(role_names, region_code) -> str:
    """A scope must be a known region, and every role that is not national needs one."""
    region_code = (region_code or "").strip()
    if region_code and db.session.get(Region, region_code) is None:
        raise ValidationError(gettext("Unknown region code %(code)s.", code=region_code), "region")
    regional = [name for name in role_names if name not in NATIONAL_ROLES]
    if not region_code and regional:
        raise ValidationError(gettext("Role %(role)s needs a region.", role=regional[0]), "region")
    return region_code


def create_user(
    username, role_name, password, region_code="", email=None, first_name=None, last_name=""
):
    security_manager = current_app.appbuilder.sm
    role = security_manager.find_role(role_name)
    if role is None:
        raise ValidationError(gettext("Unknown role %(role)s.", role=role_name), "role")
    region_code = check_region([role_name], region_code)
    if security_manager.find_user(username=username):
        raise ValidationError(gettext("User %(username)s already exists.", username=username))
    # add_user applies the password rule (views.security), with the user's names.
    user = security_manager.add_user(
        username=username,
        first_name=first_name or username,
        last_name=last_name or "",
        email=email or f"{username}@datakesos.invalid",
        role=role,
        password=password,
    )
    if not user:
        raise ValidationError(gettext("User %(username)s could not be created.", username=username))
    user.region_code = region_code or None
    db.session.commit()
    return user
