"""The letterhead and signatory of the office that issues a region's certificates."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from app.extensions import db
from models import Region
from models.enums import RegionKind
from models.offices import DEFAULT_AGENDA_PATTERN, Office

AGENCY = "Dinas Sosial"
#: Who issues the minutes of a period close (config MINISTRY_ISSUER): "<ministry> — <unit>".
MINISTRY_ISSUER = (
    "Kementerian Sosial Republik Indonesia — Pusat Data dan Informasi Kesejahteraan Sosial"
)
MINISTRY_ADDRESS = "Jl. Salemba Raya No. 28, Jakarta Pusat 10430"
MINISTRY_PLACE = "Jakarta"
#: DKI Jakarta's cities and regency are administrative: their social affairs office is a
#: "Suku Dinas" of the province, whose government heads the letter.
ADMINISTRATIVE = "Administrasi"


@dataclass(frozen=True)
class Letterhead:
    regency_code: str
    #: How running text and the verification page name the issuer: "Dinas Sosial Kota Bandung".
    name: str
    government_line: str
    agency_line: str
    place: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    signatory_rank: str | None = None
    signatory_nip: str | None = None
    agenda_pattern: str = DEFAULT_AGENDA_PATTERN
    #: False when derived from the region: no office was configured for the regency.
    configured: bool = False

    def contact_lines(self) -> list[str]:
        """The kop's lines under the agency: address, then phone and email."""
        lines = [self.address] if self.address else []
        contact = [gettext("Phone %(number)s", number=self.phone)] if self.phone else []
        if self.email:
            contact.append(gettext("Email %(address)s", address=self.email))
        if contact:
            lines.append(" · ".join(contact))
        return lines

    def stored(self) -> dict:
        """As a certificate keeps it (Certificate.issuer), to print the same letter again."""
        return dataclasses.asdict(self)

    @classmethod
    def from_stored(cls, data: dict) -> Letterhead:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def regency_of(region_code: str) -> str:
    """ "32.73.01.1001" → "32.73"."""
    return ".".join(region_code.split(".")[:2])


def letterhead_for(region_code: str) -> Letterhead:
    """The letterhead of the office issuing for a region at or below a regency/city."""
    regency_code = regency_of(region_code)
    office = db.session.scalar(sa.select(Office).where(Office.region_code == regency_code))
    if office is not None:
        return from_office(office)
    return derived(db.session.get(Region, regency_code), regency_code)


def from_office(office: Office) -> Letterhead:
    return Letterhead(
        regency_code=office.region_code,
        name=office.name,
        government_line=office.government_line,
        agency_line=office.agency_line,
        place=office.place,
        address=office.address,
        phone=office.phone or None,
        email=office.email or None,
        signatory_name=office.signatory_name or None,
        signatory_title=office.signatory_title or None,
        signatory_rank=office.signatory_rank or None,
        signatory_nip=office.signatory_nip or None,
        agenda_pattern=office.agenda_pattern or DEFAULT_AGENDA_PATTERN,
        configured=True,
    )


def derived(regency: Region | None, regency_code: str) -> Letterhead:
    """A government letterhead read off the region: "Kota Bandung" (kind CITY) gives
    "PEMERINTAH KOTA BANDUNG" / "DINAS SOSIAL" and the place "Bandung"; the signatory's name
    and NIP are left to be written by hand."""
    if regency is None:
        return Letterhead(
            regency_code=regency_code,
            name=AGENCY,
            government_line="PEMERINTAH DAERAH",
            agency_line=AGENCY.upper(),
            place="",
            signatory_title="Kepala " + AGENCY,
        )
    kind = "Kota" if regency.kind == RegionKind.CITY else "Kabupaten"
    place = _bare_name(regency.name)
    if ADMINISTRATIVE in regency.name.split():
        province = regency.parent.name if regency.parent else "Daerah Khusus Ibukota Jakarta"
        government = f"PEMERINTAH PROVINSI {province.upper()}"
        name = f"Suku {AGENCY} {kind} {ADMINISTRATIVE} {place}"
    else:
        government = f"PEMERINTAH {kind.upper()} {place.upper()}"
        name = f"{AGENCY} {kind} {place}"
    return Letterhead(
        regency_code=regency_code,
        name=name,
        government_line=government,
        agency_line=name.upper() if ADMINISTRATIVE in name else AGENCY.upper(),
        place=place,
        signatory_title="Kepala " + name,
    )


def _bare_name(name: str) -> str:
    """ "Kota Bandung" → "Bandung"; "Kota Administrasi Jakarta Pusat" → "Jakarta Pusat"."""
    words = name.split()
    while words and words[0] in ("Kota", "Kabupaten", ADMINISTRATIVE):
        words = words[1:]
    return " ".join(words) or name


def ministry_letterhead() -> Letterhead:
    """The ministry unit that determines the register and issues the minutes of a period
    close (MINISTRY_ISSUER, MINISTRY_ADDRESS, MINISTRY_PLACE); it has no agenda book here."""
    config = current_app.config
    issuer = config.get("MINISTRY_ISSUER", MINISTRY_ISSUER)
    ministry, _, unit = (part.strip() for part in issuer.partition("—"))
    return Letterhead(
        regency_code="",
        name=issuer,
        government_line=ministry.upper(),
        agency_line=unit.upper(),
        place=config.get("MINISTRY_PLACE", MINISTRY_PLACE),
        address=config.get("MINISTRY_ADDRESS", MINISTRY_ADDRESS),
        signatory_title=f"Kepala {unit}" if unit else ministry,
        configured=True,
    )
