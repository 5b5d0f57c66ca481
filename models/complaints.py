"""What residents send through the citizen's door (app.complaints): objections (sanggah),
proposals (usul) and decile objections, their house photos, and the public lookup's daily
counts per village."""

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.enums import ComplaintKind, ComplaintReason, ComplaintStatus
from models.types import PlainString, PlainText, RegionCode


class Complaint(Model):
    """One submission. Its tracking `code` is random (app.register.verification's alphabet);
    the public tracking page shows only its kind, status, dates and the decision's reason.

    A submission about the same household (or, for an usul, the same head in the same village)
    while an earlier one is still open is merged into it (`merged_into_id`): it keeps its own
    code, shows the earlier one's status, and is decided with it."""

    __tablename__ = "complaint"
    __table_args__ = (
        sa.Index("ix_complaint_regency_status", "regency_code", "status"),
        sa.Index("ix_complaint_status_due", "status", "due_at"),
        sa.Index("ix_complaint_submitter_received", "submitter_nik", "received_at"),
        sa.CheckConstraint(
            "status NOT IN ('UPHELD', 'REJECTED') OR decision_reason IS NOT NULL",
            name="decision_has_reason",
        ),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(20), nullable=False, unique=True)
    kind = sa.Column(ComplaintKind.column_type(), nullable=False)
    status = sa.Column(
        ComplaintStatus.column_type(), nullable=False, default=ComplaintStatus.RECEIVED
    )
    village_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False)
    #: The deciding regency ("32.73"), for scope and the queue.
    regency_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False)
    #: The household concerned (none for an usul).
    household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="SET NULL"), index=True
    )
    #: An usul: the proposed household's address and head.
    address = sa.Column(PlainText)
    head_name = sa.Column(PlainString(120))
    #: Who sent it: the NIK and name as given; the member the NIK matched, if any.
    submitter_nik = sa.Column(sa.String(16), nullable=False)
    submitter_name = sa.Column(PlainString(120), nullable=False)
    submitter_member_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="SET NULL"))
    reason = sa.Column(ComplaintReason.column_type(), nullable=False)
    text = sa.Column(PlainText)
    latitude = sa.Column(sa.Float)
    longitude = sa.Column(sa.Float)
    #: "exif" or "typed": where the coordinates came from.
    location_source = sa.Column(sa.String(10))
    #: The point lies outside the village's district boundary: the reviewer is told.
    outside_boundary = sa.Column(sa.Boolean, nullable=False, default=False)
    received_at = sa.Column(sa.DateTime, nullable=False)
    due_at = sa.Column(sa.DateTime, nullable=False)
    escalated_at = sa.Column(sa.DateTime)
    decided_at = sa.Column(sa.DateTime)
    decided_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"))
    decision_reason = sa.Column(PlainText)
    merged_into_id = sa.Column(
        sa.Integer, sa.ForeignKey("complaint.id", ondelete="SET NULL"), index=True
    )
    #: An upheld sanggah's deactivation proposal, or the new-household proposal of an usul.
    proposal_id = sa.Column(sa.Integer, sa.ForeignKey("proposal.id", ondelete="SET NULL"))
    #: An upheld usul or decile objection leaves a task to the regency's operators; done when
    #: they record it (the proposal made, the household corrected).
    task_done_at = sa.Column(sa.DateTime)
    task_done_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"))

    household = relationship("Household", foreign_keys=[household_id])
    village = relationship("Region", foreign_keys=[village_code])
    decided_by = relationship("RegionUser", foreign_keys=[decided_by_id])
    merged_into = relationship("Complaint", remote_side=[id])
    photos = relationship(
        "ComplaintPhoto", order_by="ComplaintPhoto.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return self.code or ""

    __str__ = __repr__


class ComplaintPhoto(Model):
    """A house photo, re-encoded (no EXIF) before it is stored; served only to the regency's
    users."""

    __tablename__ = "complaint_photo"

    id = sa.Column(sa.Integer, primary_key=True)
    complaint_id = sa.Column(
        sa.Integer, sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True
    )
    media_type = sa.Column(sa.String(20), nullable=False)
    width = sa.Column(sa.Integer, nullable=False)
    height = sa.Column(sa.Integer, nullable=False)
    size = sa.Column(sa.Integer, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    content = sa.Column(sa.LargeBinary, nullable=False)


class PublicLookupCount(Model):
    """The public lookup's use: searches per village and day, never who asked or for whom."""

    __tablename__ = "public_lookup_count"

    village_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), primary_key=True)
    day = sa.Column(sa.Date, primary_key=True)
    searches = sa.Column(sa.Integer, nullable=False, default=0)
