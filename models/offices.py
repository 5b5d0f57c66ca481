"""The regency/city social affairs office (Dinas Sosial) that issues certificates: its letterhead
(kop surat), the official who signs and the pattern of its agenda numbers. Edited by the
Admin (views/offices.py); read through app.offices, which falls back to a letterhead derived
from the region when a regency has no office configured."""

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.types import RegionCode

#: Permendagri 83/2022 classification 400.9 (social affairs), the sequence, the office, the year.
DEFAULT_AGENDA_PATTERN = "400.9/{seq}/Dinsos/{year}"


class Office(Model):
    """One issuing office per regency/city (region level 2)."""

    __tablename__ = "office"

    id = sa.Column(sa.Integer, primary_key=True)
    region_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False, unique=True)
    #: How running text names the office: "Dinas Sosial Kota Bandung".
    name = sa.Column(sa.String(150), nullable=False)
    #: The kop's lines: "PEMERINTAH KOTA BANDUNG" above "DINAS SOSIAL".
    government_line = sa.Column(sa.String(120), nullable=False)
    agency_line = sa.Column(sa.String(150), nullable=False)
    address = sa.Column(sa.String(255), nullable=False)
    phone = sa.Column(sa.String(40))
    email = sa.Column(sa.String(120))
    #: The place of the date line: "Bandung, 7 Desember 2026".
    place = sa.Column(sa.String(60), nullable=False)
    signatory_name = sa.Column(sa.String(120))
    #: The signatory's office (jabatan): "Kepala Dinas Sosial Kota Bandung".
    signatory_title = sa.Column(sa.String(150))
    #: Rank and grade (pangkat/golongan), printed under the name: "Pembina Utama Muda (IV/c)".
    signatory_rank = sa.Column(sa.String(80))
    #: The civil servant number (NIP), 18 digits (app.offices.check_nip).
    signatory_nip = sa.Column(sa.String(18))
    agenda_pattern = sa.Column(sa.String(80), nullable=False, default=DEFAULT_AGENDA_PATTERN)

    region = relationship("Region", lazy="joined")

    def __repr__(self) -> str:
        return self.name or ""

    __str__ = __repr__
