"""Residents' submissions of the demo, sent through the citizen's door as a resident sends
them (app.complaints.submitting) and decided as the regency's verifier decides them, so a fresh
`make run` shows the queue in every state: new, in verification, upheld (a verified
deactivation; an usul's task), rejected, lapsed and merged."""

from __future__ import annotations

import datetime
import io

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageDraw

from app.complaints import deadlines, deciding, lookup, places, submitting
from app.extensions import db
from app.security.roles import VERIFIKATOR
from models import Household, Member, PeriodSnapshot
from models.complaints import Complaint
from models.enums import HouseholdStatus, MemberStatus, Relationship

REGENCY = "32.73"
VERIFIER = "verifikator.bandung"
#: The demo's address: its own limits' counters, not a visitor's.
ADDRESS = "demo"


def house_photo(seed: int) -> bytes:
    """A drawn house (a JPEG without EXIF: the demo types its coordinates)."""
    image = Image.new("RGB", (480, 360), (170 + seed % 60, 200, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 160, 360, 320), fill=(200, 150 + seed % 80, 110))
    draw.polygon([(100, 170), (240, 70), (380, 170)], fill=(140, 60, 40))
    draw.rectangle((215, 240, 265, 320), fill=(90, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _neighbours() -> list[Household] | None:
    """Six determined households of one Kota Bandung village: targets and neighbours."""
    period = lookup.last_closed_period()
    if period is None:
        return None
    rows = db.session.execute(
        sa.select(Household.village_code, Household.id)
        .join(PeriodSnapshot, PeriodSnapshot.household_id == Household.id)
        .where(
            PeriodSnapshot.period_id == period.id,
            Household.status == HouseholdStatus.ACTIVE,
            Household.village_code.startswith(REGENCY + "."),
        )
        .order_by(Household.village_code, Household.id)
    ).all()
    by_village: dict[str, list[int]] = {}
    for village, household_id in rows:
        by_village.setdefault(village, []).append(household_id)
    for ids in by_village.values():
        if len(ids) >= 6:
            return [db.session.get(Household, household_id) for household_id in ids[:6]]
    return None


def _head(household: Household) -> Member:
    return next(
        member
        for member in household.members
        if member.relation_to_head == Relationship.HEAD and member.status == MemberStatus.ACTIVE
    )


def _send(
    kind: str,
    target: Household | None,
    submitter: Member,
    village: str,
    reason: str,
    text: str,
    serial: int,
    **fields,
) -> Complaint:
    latitude, longitude = places.point_inside(village)
    form = submitting.Submission(
        kind=kind,
        village_code=village,
        household_token=lookup.household_token(target.id, village) if target else "",
        submitter_nik=submitter.nik,
        submitter_name=submitter.full_name,
        reason=reason,
        text=text,
        latitude=str(latitude),
        longitude=str(longitude),
        photos=[house_photo(serial)],
        **fields,
    )
    return submitting.submit(form, ADDRESS)


def plant() -> int:
    """The demo's submissions (none if the register has no fitting village, or some exist)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)):
        return 0
    households = _neighbours()
    if households is None:
        return 0
    verifier = current_app.appbuilder.sm.find_user(username=VERIFIER)
    if verifier is None or VERIFIKATOR not in {role.name for role in verifier.roles}:
        return 0
    village = households[0].village_code
    heads = [_head(household) for household in households]
    limits = {
        key: current_app.config[key] for key in ("COMPLAINT_NIK_DAILY_LIMIT", "RATELIMIT_ENABLED")
    }
    current_app.config.update(COMPLAINT_NIK_DAILY_LIMIT=100, RATELIMIT_ENABLED=False)
    try:
        _send(
            "OBJECTION",
            households[0],
            heads[1],
            village,
            "CAPABLE",
            "Rumahnya bertembok bata, punya mobil dan warung besar.",
            1,
        )
        _send(
            "OBJECTION",
            households[0],
            heads[2],
            village,
            "CAPABLE",
            "Sama dengan laporan tetangga: keluarga ini mampu.",
            2,
        )  # merged into `new`
        checking = _send(
            "OBJECTION",
            households[1],
            heads[3],
            village,
            "MOVED",
            "Sudah pindah ke Cimahi sejak tiga bulan lalu.",
            3,
        )
        deciding.start_verification(checking, verifier)
        upheld = _send(
            "OBJECTION",
            households[2],
            heads[4],
            village,
            "NOT_LIVING_HERE",
            "Rumahnya kosong, tidak ada yang tinggal.",
            4,
        )
        deciding.decide(
            upheld, verifier, True, "Dicek ke lapangan bersama RT: rumah kosong sejak lama."
        )
        rejected = _send(
            "DECILE",
            households[3],
            heads[3],
            village,
            "DECILE_TOO_HIGH",
            "Penghasilan kami turun sejak kepala keluarga sakit.",
            5,
        )
        deciding.decide(
            rejected,
            verifier,
            False,
            "Data kondisi rumah dan aset sesuai hasil kunjungan; desil tetap.",
        )
        usul = _send(
            "PROPOSAL",
            None,
            heads[5],
            village,
            "ELDERLY_ALONE",
            "Nenek tinggal sendiri, belum pernah terdata.",
            6,
            head_name="Enok Suhaemi",
            address="Gang Kenanga 4, RT 03/RW 02",
        )
        deciding.decide(
            usul, verifier, True, "Dikunjungi: layak diusulkan sebagai rumah tangga baru."
        )
        late = _send(
            "OBJECTION",
            households[4],
            heads[0],
            village,
            "DECEASED",
            "Kepala keluarga sudah meninggal.",
            7,
        )
        late.received_at -= datetime.timedelta(days=20)
        late.due_at -= datetime.timedelta(days=20)
        db.session.commit()
        deadlines.apply()
    finally:
        current_app.config.update(limits)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) or 0
