"""Personal data shown per role: NIK in full only to roles that need it (DESIGN §4)."""
from flask import current_app, has_request_context

#: Roles that see NIK masked: first 6 and last 2 digits visible.
MASKED_NIK_ROLES = {"Provinsi", "Interkoneksi"}


def mask_nik(nik: str | None) -> str | None:
    if not nik or len(nik) < 8:
        return nik
    return nik[:6] + "*" * (len(nik) - 8) + nik[-2:]


def sees_full_nik(user=None) -> bool:
    """Outside a request (CLI, jobs) there is no viewer to hide data from."""
    if user is None:
        if not has_request_context():
            return True
        user = current_app.appbuilder.sm.current_user
    roles = {role.name for role in getattr(user, "roles", []) or []}
    if not roles:
        return False
    return not roles <= MASKED_NIK_ROLES


def nik_for_viewer(nik: str | None) -> str | None:
    return nik if sees_full_nik() else mask_nik(nik)
