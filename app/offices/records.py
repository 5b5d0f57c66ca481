"""The rules of an office record, whatever door writes it (the Admin's form, a script)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import ValidationError
from app.extensions import db
from app.offices.numbers import check_agenda_pattern, check_nip
from app.register.households import Problems
from models import Region
from models.offices import Office

REGENCY_LEVEL = 2


def check_office(values: dict, office_id: int | None = None) -> dict:
    """The regency (an existing regency/city with no other office), the signatory's NIP and
    the agenda number pattern, normalised: {"region_code", "signatory_nip", "agenda_pattern"}.
    Raises InvalidRecord naming each field that is wrong."""
    problems = Problems()
    checked = {}
    code = (values.get("region_code") or "").strip()
    region = db.session.get(Region, code) if code else None
    if region is None or region.level != REGENCY_LEVEL:
        problems.error("region_code", gettext("Choose a regency or city."))
    else:
        taken = db.session.scalar(
            sa.select(Office.id).where(Office.region_code == code, Office.id != (office_id or 0))
        )
        if taken is not None:
            problems.error(
                "region_code",
                gettext("%(region)s already has an office.", region=region.name),
            )
        checked["region_code"] = code
    for name, check in (("signatory_nip", check_nip), ("agenda_pattern", check_agenda_pattern)):
        try:
            checked[name] = check(values.get(name))
        except ValidationError as error:
            problems.error(name, error.message)
    problems.raise_if_any()
    return checked
