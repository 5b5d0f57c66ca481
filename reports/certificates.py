"""Household registration certificate (Surat Keterangan Terdaftar).

A certificate is issued only for a household of the determined register: the latest CLOSED
period whose snapshot holds the household. It is a letter of the regency's social affairs office
(app.offices): kop, agenda number, place and date, signatory. The first print of a household's
certificate for a period gives it a verification code, stored with the hash of what it says
(app.register.verification) and printed as text and QR code pointing at the public page
/verify/<code>, and an agenda number of the office's book; the letterhead and signatory are
kept with it. Every later print is a reprint of that certificate: same code, number, date and
signatory, with the household's data read again (same hash unless the register changed) and
"Reprint no. N" on the letter.

Why the household's data is not stored with the certificate: it would copy names and NIKs into
a table that outlives the household (UU PDP); the register is what the certificate attests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import segno
import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import format_date, gettext, to_user_timezone
from sqlalchemy.exc import IntegrityError

from app import audit, offices
from app.clock import utcnow
from app.errors import DomainError
from app.extensions import db
from app.ranking import explanations
from app.register import reference, verification
from app.security.privacy import mask_nik
from models import Household, Member, Period, PeriodSnapshot, Region
from models.certificates import Certificate
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
#: A first print that loses a race (same household, or the same agenda number) is tried again.
ATTEMPTS = 3


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
class Agenda:
    """The certificate's entry in its office's agenda book."""

    regency_code: str
    year: int
    seq: int
    number: str


@dataclass
class Prepared:
    """A certificate ready to print and to store: a first print, or a reprint of `certificate`."""

    household: Household
    period: Period
    code: str
    content: dict
    html: str | None  # dropped once laid out (village batches)
    letterhead: offices.Letterhead | None = None
    agenda: Agenda | None = None  # a new entry (first prints, and certificates issued without)
    certificate: Certificate | None = None
    reprint: int = 0  # 1 for the first reprint
    previous_hash: str | None = None  # a reprint's stored hash before `store`


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


def existing_certificates(household_ids: list[int]) -> dict[tuple[int, int], Certificate]:
    """The certificates already issued to these households, by (household id, period id)."""
    if not household_ids:
        return {}
    found = db.session.scalars(
        sa.select(Certificate).where(Certificate.household_id.in_(household_ids))
    )
    return {(certificate.household_id, certificate.period_id): certificate for certificate in found}


def _issuer(
    household: Household,
    certificate: Certificate | None,
    issued_on: datetime.date,
    book: offices.AgendaBook | None,
) -> tuple[offices.Letterhead, str, Agenda | None]:
    """(letterhead, agenda number, new agenda entry or None): what the certificate was first
    issued with, or — on a first print, or a reprint of a certificate issued before offices
    existed — the regency office's letterhead now and the next number of its book."""
    if certificate is not None and certificate.issuer:
        letterhead = offices.Letterhead.from_stored(certificate.issuer)
    else:
        letterhead = offices.letterhead_for(household.village_code)
    if certificate is not None and certificate.agenda_number:
        return letterhead, certificate.agenda_number, None
    seq, number = offices.next_agenda_number(
        letterhead.regency_code, letterhead.agenda_pattern, issued_on, book
    )
    return letterhead, number, Agenda(letterhead.regency_code, issued_on.year, seq, number)


def _signatory(letterhead: offices.Letterhead) -> dict:
    """Who signs, as content and letter print it: blank name and NIP are written by hand."""
    return {
        "office": letterhead.name,
        "title": letterhead.signatory_title,
        "name": letterhead.signatory_name,
        "rank": letterhead.signatory_rank,
        "nip": offices.format_nip(letterhead.signatory_nip) or None,
    }


@renderer.in_document_locale
def prepare(
    household: Household,
    period: Period,
    printing: Printing,
    certificate: Certificate | None = None,
    book: offices.AgendaBook | None = None,
) -> Prepared:
    """Gather what the certificate says and lay it out as HTML (in Indonesian): a new
    certificate with a new code and agenda number, or — given the household's `certificate` for
    the period — that certificate again, as a reprint. Nothing is stored yet: `store` does that
    once the PDF exists. `book` hands out the agenda numbers of a batch."""
    code = certificate.code if certificate else verification.unused_code()
    issued_at = certificate.issued_at if certificate else printing.at
    regions = region_names(household.village_code)
    members = _members(household)
    on = to_user_timezone(issued_at).date()  # the date in the app's time zone
    letterhead, number, agenda = _issuer(household, certificate, on, book)
    signatory = _signatory(letterhead)
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
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "agenda_number": number,
        "signatory": signatory,
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
    reprint = certificate.reprints + 1 if certificate else 0
    context = {
        **renderer.page_context(printing.username, printing.at),
        "office_name": letterhead.name,
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
        "letterhead": letterhead,
        "agenda_number": number,
        "signatory": signatory,
        "reprint": reprint,
    }
    html = renderer.render_html(TEMPLATE, context)
    return Prepared(
        household, period, code, content, html, letterhead, agenda, certificate, reprint
    )


def store(prepared: Prepared, printing: Printing, job_run_id: int | None = None) -> Certificate:
    """Record the issued certificate, or count the reprint, in the session; the caller
    commits, and writes `audit_entry` once the session is flushed."""
    agenda = prepared.agenda
    certificate = prepared.certificate
    if certificate is None:
        head = prepared.household.head
        certificate = verification.issue(
            household_id=prepared.household.id,
            register_id=prepared.household.register_id,
            period_id=prepared.period.id,
            village_code=prepared.household.village_code,
            head_name=head.full_name if head else None,
            content=prepared.content,
            issued_by_id=printing.user_id,
            issued_at=printing.at,
            job_run_id=job_run_id,
            audit_entry=False,
        )
        certificate.reprints = 0
    else:
        prepared.previous_hash = certificate.content_hash
        certificate.content_hash = verification.content_hash(prepared.content)
        # In SQL: two reprints at once both count.
        certificate.reprints = Certificate.reprints + 1
    if agenda is not None:
        certificate.regency_code = agenda.regency_code
        certificate.agenda_year = agenda.year
        certificate.agenda_seq = agenda.seq
        certificate.agenda_number = agenda.number
    if prepared.letterhead is not None and not certificate.issuer:
        certificate.issuer = prepared.letterhead.stored()
    return certificate


def audit_entry(
    prepared: Prepared, certificate: Certificate, job_run_id: int | None, who: tuple
) -> dict:
    """certificate_issued for a first print, certificate_reprinted (with the reprint's number
    and, when the register changed since, the hash the certificate had) for a reprint."""
    if prepared.certificate is None:
        entry = verification.issued_entry(certificate, who=who)
        entry["after"]["agenda_number"] = certificate.agenda_number
        return entry
    previous = prepared.previous_hash
    content_hash = verification.content_hash(prepared.content)
    return audit.entry(
        "certificate_reprinted",
        "household",
        certificate.household_id,
        region_code=certificate.village_code,
        before={"content_hash": previous} if previous and previous != content_hash else None,
        after={
            "code": certificate.code,
            "register_id": certificate.register_id,
            "period_id": certificate.period_id,
            "agenda_number": prepared.content["agenda_number"],
            "reprint": prepared.reprint,
            "content_hash": content_hash,
            "job_run_id": job_run_id,
        },
        who=who,
    )


def issue_certificate(household: Household, printing: Printing) -> tuple[bytes, Certificate]:
    """Print the household's certificate of its determined period — issued at the first print,
    reprinted after — and record it: returns (PDF, Certificate). Raises NotDetermined."""
    address = request.remote_addr if has_request_context() else None
    who = (printing.user_id, printing.username, address)
    for attempt in range(ATTEMPTS):
        period = check_printable(household, determined_period(household.id))
        existing = existing_certificates([household.id]).get((household.id, period.id))
        prepared = prepare(household, period, printing, existing)
        pdf = renderer.html_to_pdf(prepared.html)
        try:
            certificate = store(prepared, printing)
            db.session.flush()
            audit.record_many([audit_entry(prepared, certificate, None, who)])
            db.session.commit()
            return pdf, certificate
        except IntegrityError:
            # Another print took the household's certificate or this agenda number first.
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def filename(household: Household) -> str:
    return f"surat-keterangan-{household.register_id}.pdf"
