"""The demo users of DESIGN §7, one per role, with the scopes the README lists."""

import os

from flask import current_app

from app.security.roles import (
    ADMIN,
    INTERKONEKSI,
    OPERATOR,
    PENGAWAS,
    PROVINSI,
    PUSDATIN,
    VERIFIKATOR,
)
from app.security.users import create_user

DEFAULT_PASSWORD = "Demo-Kesos-2026!"

#: DESIGN §7: username, role, scope.
DEMO_USERS = (
    ("admin", ADMIN, ""),
    ("pusdatin", PUSDATIN, ""),
    ("prov.jabar", PROVINSI, "32"),
    ("operator.bandung", OPERATOR, "32.73"),
    ("verifikator.bandung", VERIFIKATOR, "32.73"),
    ("operator.bogor", OPERATOR, "32.01"),
    ("pengawas", PENGAWAS, ""),
    ("interkoneksi", INTERKONEKSI, "32"),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def create_demo_users(password: str | None = None) -> list[str]:
    """Create the demo users of DESIGN §7 that do not exist yet; existing ones are left alone."""
    security_manager = current_app.appbuilder.sm
    created = []
    for username, role, region in DEMO_USERS:
        if security_manager.find_user(username=username):
            continue
        create_user(
            username, role, password or demo_password(), region_code=region, first_name=username
        )
        created.append(username)
    return created
