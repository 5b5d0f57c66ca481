import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import relationship

from models.enums import DeactivationReason, ProposalKind, ProposalStatus
from models.households import Timestamped
from models.types import PlainText, RegionCode

#: JSON whose Python None is SQL NULL (not the JSON text "null"): "no warnings" is countable.
NullableJson = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)


class Proposal(Timestamped, Model):
    """A proposal (usulan) of a regency office: a new household, a new member of a household,
    or a deactivation. It joins the determined register only when a period close applies it.

    For a new household the household row exists with status PROPOSED (its members PROPOSED);
    for a new member the member row exists with status PROPOSED."""

    __tablename__ = "proposal"
    __table_args__ = (
        sa.Index("ix_proposal_period_regency", "period_id", "regency_code"),
        sa.Index("ix_proposal_status_regency", "status", "regency_code"),
        sa.CheckConstraint(
            "status <> 'REJECTED' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.CheckConstraint(
            "kind NOT IN ('DEACTIVATE_HOUSEHOLD', 'DEACTIVATE_MEMBER') OR reason IS NOT NULL",
            name="deactivation_has_reason",
        ),
        sa.CheckConstraint(
            "kind <> 'DECILE_OVERRIDE' OR (decile BETWEEN 1 AND 10 AND note IS NOT NULL)",
            name="override_has_decile_and_reason",
        ),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(ProposalKind.column_type(), nullable=False)
    status = sa.Column(ProposalStatus.column_type(), nullable=False, default=ProposalStatus.DRAFT)
    #: The period in which it was made; the close of that period applies it once verified.
    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), nullable=False)
    #: The proposing office's regency ("32.73"), for scope and per-regency counts.
    regency_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False)
    household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True
    )
    member_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    reason = sa.Column(DeactivationReason.column_type())
    note = sa.Column(PlainText)
    proposed_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"), nullable=False)
    submitted_at = sa.Column(sa.DateTime)
    verified_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"))
    verified_at = sa.Column(sa.DateTime)
    rejection_reason = sa.Column(PlainText)
    #: The warnings the proposer was shown and saved anyway (a NIK whose birth date or sex
    #: differs from the recorded one), as a list of messages, kept for the verifier; NULL: none.
    warnings = sa.Column(NullableJson)
    applied_period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"))
    #: A member deactivated as a duplicate: the member kept, who takes over their memberships
    #: when the close applies the proposal (app.proposals.applying).
    duplicate_of_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="SET NULL"))
    #: A household deactivated as entered twice: the household kept, which takes over its
    #: memberships at the close.
    duplicate_of_household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="SET NULL")
    )

    #: A village deliberation's override: the decile it sets ("desil hasil musyawarah"), the
    #: session that decided it; `note` holds the written reason.
    decile = sa.Column(sa.SmallInteger)
    deliberation_id = sa.Column(
        sa.Integer, sa.ForeignKey("deliberation.id", ondelete="CASCADE"), index=True
    )

    period = relationship("Period", foreign_keys=[period_id], lazy="joined")
    household = relationship("Household", foreign_keys=[household_id], lazy="joined")
    member = relationship("Member", foreign_keys=[member_id])
    duplicate_of = relationship("Member", foreign_keys=[duplicate_of_id])
    proposed_by = relationship("RegionUser", foreign_keys=[proposed_by_id])
    verified_by = relationship("RegionUser", foreign_keys=[verified_by_id])

    __mapper_args__ = {"version_id_col": Timestamped.version}

    def __repr__(self) -> str:
        return f"{self.kind} #{self.id}"

    __str__ = __repr__
