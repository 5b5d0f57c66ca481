"""Issued registration certificates (for public verification) and files built by report jobs."""

import sqlalchemy as sa
from flask_appbuilder import Model

from models.audit import JsonData
from models.types import RegionCode


class Certificate(Model):
    """One printed registration certificate (Surat Keterangan Terdaftar).

    The public verification page shows only what is stored here besides the hash: issue date,
    period, region and the head's initials. `content_hash` is the SHA-256 of what the
    certificate said (app.register.verification.content_hash); its first digits are printed on the
    certificate and shown by the verification page, so a reader can tell an altered copy.

    One certificate per household and period (reports.certificates): printing it again reprints
    this row — same code, number, date and signatory — and counts the reprint. The agenda number
    (`agenda_seq` of the issuing regency's year) and the letterhead and signatory (`issuer`, as
    app.offices.Letterhead.stored) are fixed at the first print, so a reprint reads as the
    letter first signed even after the office changes its head."""

    __tablename__ = "certificate"
    __table_args__ = (
        sa.Index("ix_certificate_household_issued", "household_id", "issued_at"),
        # Two simultaneous first prints cannot make two certificates (nor two equal numbers).
        sa.UniqueConstraint("household_id", "period_id"),
        sa.UniqueConstraint("regency_code", "agenda_year", "agenda_seq"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(20), nullable=False, unique=True)
    # The certificate outlives the household row: its verification still answers.
    household_id = sa.Column(sa.Integer, sa.ForeignKey("household.id", ondelete="SET NULL"))
    register_id = sa.Column(sa.String(20), nullable=False)
    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), nullable=False, index=True)
    village_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False)
    head_initials = sa.Column(sa.String(20), nullable=False)
    content_hash = sa.Column(sa.String(64), nullable=False)
    issued_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    issued_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    # Set when issued in a village batch (a bulk_certificates job).
    job_run_id = sa.Column(sa.Integer, sa.ForeignKey("job_run.id", ondelete="SET NULL"), index=True)
    #: How many times it was printed again after the first print ("Cetak ulang ke-N").
    reprints = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    #: The issuing office's regency and its agenda book: sequence per regency and year.
    regency_code = sa.Column(RegionCode, sa.ForeignKey("region.code"))
    agenda_year = sa.Column(sa.SmallInteger)
    agenda_seq = sa.Column(sa.Integer)
    agenda_number = sa.Column(sa.String(100))
    issuer = sa.Column(JsonData)

    def __repr__(self) -> str:
        return self.code or ""

    __str__ = __repr__


class ReportFile(Model):
    """A document built off the request (a village's certificates, a period's minutes), kept
    in the database so that any web worker can hand it out."""

    __tablename__ = "report_file"
    __table_args__ = (sa.Index("ix_report_file_kind_period", "kind", "period_id"),)

    id = sa.Column(sa.Integer, primary_key=True)
    job_run_id = sa.Column(sa.Integer, sa.ForeignKey("job_run.id", ondelete="CASCADE"), unique=True)
    kind = sa.Column(sa.String(40), nullable=False)
    region_code = sa.Column(RegionCode)
    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"))
    filename = sa.Column(sa.String(120), nullable=False)
    media_type = sa.Column(sa.String(60), nullable=False, default="application/pdf")
    size = sa.Column(sa.Integer, nullable=False)
    content = sa.Column(sa.LargeBinary, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
