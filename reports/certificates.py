"""Household registration certificate (Surat Keterangan Terdaftar).

A certificate is issued only for a household of the determined register: the latest CLOSED
period whose snapshot holds the household. Each issue gets a new verification code, stored
with the hash of what the certificate says (app.register.verification), and printed as text and QR
code pointing at the public page /verify/<code>.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import segno
import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import format_date, gettext, to_user_timezone

from app.clock import utcnow
from app.errors import DomainError
from app.extensions import db
from app.ranking import explanations
from app.register import reference, verification
from app.security.privacy import mask_nik
from models import Household, Member, Period, PeriodSnapshot, Region
from models.enums import (
    HouseholdStatus,
    MembershipStatus,
    MemberStatus,
    PeriodStatus,
    Relationship,
)
from reports import renderer

TEMPLATE = "certificate.html"
RELATION_ORDER = {relation: index for index, relation in enumerate(Relationship)}


class NotDetermined(DomainError):
    """The household is not (or no longer) in a determined register: no certificate."""

    status = 409


@dataclass
class Printing:
    """Who prints, how NIKs are shown to them, and where the verification page is."""

    user_id: int | None
    username: str
    full_nik: bool
    base_url: str
    at: datetime.datetime = field(default_factory=utcnow)


@dataclass
class Prepared:
    """A certificate ready to print and to store."""

    household: Household
    period: Period
    code: str
    content: dict
    html: str | None  # dropped once laid out (village batches)


def determined_period(household_id: int) -> Period | None:
    """The latest closed period whose snapshot holds the household."""
    return db.session.scalar(
        sa.select(Period)
        .join(PeriodSnapshot, PeriodSnapshot.period_id == Period.id)
        .where(PeriodSnapshot.household_id == household_id, Period.status == PeriodStatus.CLOSED)
        .order_by(Period.code.desc())
        .limit(1)
    )


def determined_periods(household_ids: list[int]) -> dict[int, Period]:
    """`determined_period` for many households in two queries."""
    latest = reference.determined_period_codes(household_ids)
    if not latest:
        return {}
    periods = {
        period.code: period
        for period in db.session.scalars(
            sa.select(Period).where(Period.code.in_(set(latest.values())))
        )
    }
    return {household_id: periods[code] for household_id, code in latest.items()}


def check_printable(household: Household, period: Period | None) -> Period:
    if household.status != HouseholdStatus.ACTIVE:
        raise NotDetermined(
            gettext(
                "Household %(id)s is not an active household of the register: no certificate "
                "can be issued.",
                id=household.register_id,
            )
        )
    if period is None:
        raise NotDetermined(
            gettext(
                "Household %(id)s is not yet in a determined register: a certificate can be issued "
                "once a period that includes it has been closed.",
                id=household.register_id,
            )
        )
    return period


def region_names(village_code: str) -> dict[int, Region]:
    """The village and the regions above it, by level."""
    parts = village_code.split(".")
    codes = [".".join(parts[:length]) for length in range(1, len(parts) + 1)]
    regions = db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))
    return {region.level: region for region in regions}


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def period_label(period: Period) -> str:
    """ "2026-10" → "Oktober 2026"."""
    try:
        year, month = (int(part) for part in period.code.split("-"))
        return format_date(datetime.date(year, month, 1), "MMMM y")
    except (ValueError, AttributeError):
        return period.code


def _members(household: Household) -> list[Member]:
    living = [member for member in household.members if member.status == MemberStatus.ACTIVE]
    return sorted(
        living,
        key=lambda member: (
            RELATION_ORDER.get(member.relation_to_head, 99),
            member.birth_date or datetime.date.min,
            member.id,
        ),
    )


def _programs(household: Household, members: list[Member], full_nik: bool) -> list[dict]:
    active_ids = {member.id for member in members}
    rows = []
    for membership in household.memberships:
        if membership.status != MembershipStatus.ACTIVE:
            continue
        if membership.member_id is not None:
            if membership.member_id not in active_ids:
                continue
            recipient = membership.member.full_name
        elif membership.family_id is not None:
            kk = membership.family.kk_number
            recipient = gettext("Family, KK %(kk)s", kk=kk if full_nik else mask_nik(kk))
        else:
            recipient = gettext("The whole household")
        rows.append(
            {
                "code": membership.program.code,
                "name": membership.program.name,
                "level": membership.program.target_level,
                "recipient": recipient,
                "since": membership.start_date,
            }
        )
    rows.sort(key=lambda row: (row["code"], row["recipient"]))
    return rows


def verify_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + "/verify/" + verification.display(code)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(
        dark="#111111", light="#ffffff", border=2
    )


@renderer.in_document_locale
def prepare(
    household: Household, period: Period, printing: Printing, code: str | None = None
) -> Prepared:
    """Gather what the certificate says, give it a code and lay it out as HTML (in Indonesian).
    Nothing is stored yet: `store` does that once the PDF exists."""
    code = code or verification.unused_code()
    regions = region_names(household.village_code)
    members = _members(household)
    on = to_user_timezone(printing.at).date()  # the date in the app's time zone
    head = household.head
    rows = [
        {
            "name": member.full_name,
            "nik": member.nik if printing.full_nik else mask_nik(member.nik),
            "relation": member.relation_to_head.label,
            "sex": member.sex.label,
            "age": age_on(member.birth_date, on),
        }
        for member in members
    ]
    programs = _programs(household, members, printing.full_nik)
    ranking = explanations.determined(household.id, period.id)
    content = {
        "code": code,
        "issued_at": printing.at.isoformat(timespec="seconds"),
        "register_id": household.register_id,
        "period": period.code,
        "village_code": household.village_code,
        "address": household.address,
        "rt": household.rt,
        "rw": household.rw,
        "members": [
            [row["name"], row["nik"], row["relation"], row["sex"], row["age"]] for row in rows
        ],
        "programs": [[row["code"], row["recipient"]] for row in programs],
        **(
            {
                "decile": ranking.decile,
                "pmt_score": round(ranking.explanation.score, 6),
                "model_version": ranking.explanation.model_version,
            }
            if ranking
            else {}
        ),
    }
    url = verify_url(printing.base_url, code)
    hash_hex = verification.content_hash(content)
    context = {
        **renderer.page_context(printing.username, printing.at),
        "title": gettext("Registration certificate"),
        "household": household,
        "head_name": head.full_name if head else None,
        "regions": regions,
        "period": period,
        "period_label": period_label(period),
        "members": rows,
        "programs": programs,
        "family_count": len(household.families),
        "ranking": ranking,
        "code": verification.display(code),
        "verify_url": url,
        "qr_uri": qr_data_uri(url),
        "fingerprint": verification.fingerprint(hash_hex),
        "issue_date": on,
    }
    html = renderer.render_html(TEMPLATE, context)
    return Prepared(household, period, code, content, html)


def store(
    prepared: Prepared,
    printing: Printing,
    job_run_id: int | None = None,
    audit_entry: bool = True,
    who: tuple | None = None,
):
    """Record the issued certificate (and its audit entry) in the session; the caller commits.
    The entry names the printing user (and the client address in a request)."""
    if who is None:
        address = request.remote_addr if has_request_context() else None
        who = (printing.user_id, printing.username, address)
    head = prepared.household.head
    return verification.issue(
        household_id=prepared.household.id,
        register_id=prepared.household.register_id,
        period_id=prepared.period.id,
        village_code=prepared.household.village_code,
        head_name=head.full_name if head else None,
        content=prepared.content,
        issued_by_id=printing.user_id,
        issued_at=printing.at,
        job_run_id=job_run_id,
        audit_entry=audit_entry,
        who=who,
    )


def issue_certificate(household: Household, printing: Printing) -> tuple[bytes, object]:
    """Print one certificate and record it: returns (PDF, Certificate). Raises NotDetermined."""
    period = check_printable(household, determined_period(household.id))
    prepared = prepare(household, period, printing)
    pdf = renderer.html_to_pdf(prepared.html)
    certificate = store(prepared, printing)
    db.session.commit()
    return pdf, certificate


def filename(household: Household) -> str:
    return f"surat-keterangan-{household.register_id}.pdf"
