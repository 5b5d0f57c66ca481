"""A resident's submission: checked whole before anything is stored.

Who may send what (Cek Bansos's rules, DESIGN §3): a sanggah or an usul comes from a registered
resident of the same village; a desil objection from a member of the household concerned. The
NIK and the name must both match the register; the answer never says which of them did not, so
the form is no oracle of who lives where, and every attempt counts against the address's limit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from rapidfuzz import fuzz

from app import clock, codes
from app.complaints import lookup, photos, places
from app.duplicates import names
from app.errors import QuotaUsedUp, ValidationError
from app.extensions import db
from app.register import identity, regions
from app.register.verification import unused_code
from app.security import rate_limits
from models import Household, Member
from models.complaints import Complaint, ComplaintPhoto
from models.enums import (
    ComplaintKind,
    ComplaintReason,
    ComplaintStatus,
    HouseholdStatus,
    MemberStatus,
)

#: The tracking code's check characters are its own (app.register.verification).
CODE_PURPOSE = "complaint"
OPEN = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_VERIFICATION)
R = ComplaintReason
REASONS = {
    ComplaintKind.OBJECTION: (
        R.CAPABLE,
        R.MOVED,
        R.DECEASED,
        R.NOT_LIVING_HERE,
        R.DUPLICATE,
        R.OTHER,
    ),
    ComplaintKind.PROPOSAL: (R.POOR, R.ELDERLY_ALONE, R.DISABILITY, R.DISASTER, R.OTHER),
    ComplaintKind.DECILE: (R.DECILE_TOO_HIGH, R.DECILE_DATA_WRONG, R.OTHER),
}
#: Kinds whose house must be placed: by a photo's GPS or typed coordinates.
NEEDS_PLACE = (ComplaintKind.OBJECTION, ComplaintKind.PROPOSAL)
#: Names match when, titles and spelling variants aside, they are this similar (0–100).
NAME_SIMILARITY = 90


@dataclass
class Submission:
    kind: str = ""
    village_code: str = ""
    household_token: str = ""
    address: str = ""
    head_name: str = ""
    submitter_nik: str = ""
    submitter_name: str = ""
    reason: str = ""
    text: str = ""
    latitude: str = ""
    longitude: str = ""
    photos: list[bytes] = field(default_factory=list)


def kind_of(value) -> ComplaintKind:
    try:
        return ComplaintKind[str(value or "")]
    except KeyError:
        raise ValidationError(gettext("Choose what you are sending."), "kind") from None


def reason_of(kind: ComplaintKind, value) -> ComplaintReason:
    reason = ComplaintReason.__members__.get(str(value or ""))
    if reason not in REASONS[kind]:
        raise ValidationError(gettext("Choose a reason from the list."), "reason")
    return reason


def submit(form: Submission, client_address: str) -> Complaint:
    """Check `form` whole, then store it (with its photos) in one transaction. Raises
    ValidationError (nothing stored) or QuotaUsedUp (429)."""
    wait = rate_limits.spend("COMPLAINT_RATE_LIMIT", "complaint", client_address or "-")
    if wait is not None:
        raise QuotaUsedUp(
            gettext("Too many submissions from your address. Try again tomorrow."), wait
        )
    kind = kind_of(form.kind)
    household = _household(kind, form)
    village = regions.get_village(household.village_code if household else form.village_code)
    submitter = _submitter(kind, form, village.code, household)
    _check_daily_limit(submitter.nik)
    reason = reason_of(kind, form.reason)
    text = (form.text or "").strip()[:2000]
    if reason == ComplaintReason.OTHER and len(text) < 10:
        raise ValidationError(gettext("Describe the reason in a few words."), "text")
    kept = _photos(form.photos)
    point = _point(kind, form, kept)
    now = clock.utcnow()
    complaint = Complaint(
        code=unused_code(CODE_PURPOSE, Complaint.code),
        kind=kind,
        status=ComplaintStatus.RECEIVED,
        village_code=village.code,
        regency_code=codes.regency_of(village.code),
        household_id=household.id if household else None,
        address=(form.address or "").strip()[:500] or None,
        head_name=(form.head_name or "").strip()[:120] or None,
        submitter_nik=submitter.nik,
        submitter_name=" ".join(form.submitter_name.split())[:120],
        submitter_member_id=submitter.id,
        reason=reason,
        text=text or None,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        location_source=(point[2] if point else None),
        outside_boundary=bool(point) and places.outside_district(village.code, *point[:2]),
        received_at=now,
        due_at=now + datetime.timedelta(days=current_app.config["COMPLAINT_DAYS"]),
        photos=[
            ComplaintPhoto(
                media_type=photo.media_type,
                width=photo.width,
                height=photo.height,
                size=photo.size,
                sha256=photo.sha256,
                content=photo.content,
            )
            for photo in kept
        ],
    )
    complaint.merged_into_id = _open_twin(complaint)
    db.session.add(complaint)
    db.session.commit()
    return complaint


def _household(kind: ComplaintKind, form: Submission) -> Household | None:
    if kind == ComplaintKind.PROPOSAL:
        if len((form.head_name or "").strip()) < 3:
            raise ValidationError(
                gettext("Give the name of the head of the household."), "head_name"
            )
        if len((form.address or "").strip()) < 5:
            raise ValidationError(gettext("Give the household's address."), "address")
        return None
    household = lookup.household_of_token(form.household_token)
    if household is None:
        raise ValidationError(
            gettext("Choose the household from a search result of the village."), "household"
        )
    return household


def _submitter(kind, form: Submission, village_code: str, household) -> Member:
    nik = identity.clean_number(form.submitter_nik)
    if not identity.SIXTEEN_DIGITS.fullmatch(nik):
        raise ValidationError(gettext("NIK must be exactly 16 digits."), "submitter_nik")
    if len(" ".join((form.submitter_name or "").split())) < 3:
        raise ValidationError(gettext("Give your name as on your KTP."), "submitter_name")
    member = db.session.scalar(
        sa.select(Member)
        .join(Household, Household.id == Member.household_id)
        .where(
            Member.nik == nik,
            Member.status == MemberStatus.ACTIVE,
            Household.status == HouseholdStatus.ACTIVE,
        )
        .limit(1)
    )
    if kind == ComplaintKind.DECILE:
        fits = member is not None and household is not None and member.household_id == household.id
        message = gettext("The NIK and name do not match a member of this household.")
    else:
        fits = member is not None and member.household.village_code == village_code
        message = gettext("The NIK and name do not match a registered resident of this village.")
    if not fits or not same_name(member.full_name, form.submitter_name):
        raise ValidationError(message, "submitter_nik")
    return member


def same_name(registered: str, typed: str) -> bool:
    first, second = names.normalise(registered), names.normalise(typed)
    return bool(first) and fuzz.ratio(first, second) >= NAME_SIMILARITY


def _check_daily_limit(nik: str) -> None:
    limit = current_app.config["COMPLAINT_NIK_DAILY_LIMIT"]
    since = clock.start_of_today()
    sent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Complaint)
        .where(Complaint.submitter_nik == nik, Complaint.received_at >= since)
    )
    if sent >= limit:
        raise QuotaUsedUp(
            gettext(
                "This NIK has sent %(count)d submissions today, the most allowed. "
                "Try again tomorrow.",
                count=limit,
            ),
            3600,
        )


def _photos(uploads: list[bytes]) -> list[photos.Photo]:
    config = current_app.config
    uploads = [data for data in uploads if data]
    if not uploads:
        raise ValidationError(gettext("Attach at least one photo of the house."), "photos")
    if len(uploads) > config["COMPLAINT_PHOTOS_MAX"]:
        raise ValidationError(
            gettext("Attach at most %(count)d photos.", count=config["COMPLAINT_PHOTOS_MAX"]),
            "photos",
        )
    return [
        photos.read_photo(
            data,
            max_bytes=config["COMPLAINT_PHOTO_MAX_BYTES"],
            max_pixels=config["COMPLAINT_PHOTO_MAX_PIXELS"],
            max_side=config["COMPLAINT_PHOTO_MAX_SIDE"],
        )
        for data in uploads
    ]


def _point(kind, form: Submission, kept: list[photos.Photo]) -> tuple[float, float, str] | None:
    """(latitude, longitude, source): a photo's GPS first, else what was typed."""
    for photo in kept:
        if photo.gps:
            try:
                return (*places.check_coordinates(*photo.gps), "exif")
            except ValidationError:
                continue  # taken abroad or a wrong fix: the typed point decides
    typed = places.check_coordinates(
        places.parse_coordinate(form.latitude, "latitude"),
        places.parse_coordinate(form.longitude, "longitude"),
    )
    if typed:
        return (*typed, "typed")
    if kind in NEEDS_PLACE:
        raise ValidationError(
            gettext("Give the house's coordinates, or attach a photo taken with location on."),
            "latitude",
        )
    return None


def _open_twin(complaint: Complaint) -> int | None:
    """An open submission of the same matter this one is merged into."""
    query = sa.select(Complaint.id).where(
        Complaint.kind == complaint.kind,
        Complaint.status.in_(OPEN),
        Complaint.merged_into_id.is_(None),
    )
    if complaint.household_id is not None:
        query = query.where(Complaint.household_id == complaint.household_id)
    else:
        query = query.where(
            Complaint.village_code == complaint.village_code,
            Complaint.household_id.is_(None),
        )
        twins = [
            row.id
            for row in db.session.execute(query.add_columns(Complaint.head_name))
            if names.normalise(row.head_name) == names.normalise(complaint.head_name)
        ]
        return twins[0] if twins else None
    return db.session.scalar(query.order_by(Complaint.id).limit(1))
