import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.enums import MembershipStatus, TargetLevel
from models.types import PlainString, PlainText


class Program(Model):
    """A social-assistance program (PBI JK, PKH, BPNT …) and the level it targets."""

    __tablename__ = "program"

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(16), nullable=False, unique=True)
    name = sa.Column(PlainString(120), nullable=False)
    target_level = sa.Column(TargetLevel.column_type(), nullable=False)
    description = sa.Column(PlainText)
    #: Who may receive it, as a rule over the register (JSON, app.ranking.eligibility).
    eligibility = sa.Column(sa.Text)

    def __repr__(self) -> str:
        return self.code or ""

    __str__ = __repr__


class ProgramMembership(Model):
    """One target's membership of a program. The household is always set, so region scope
    and per-household lists need no detour through members or families."""

    __tablename__ = "program_membership"
    __table_args__ = (
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="date_order"
        ),
        sa.Index("ix_program_membership_program_status", "program_id", "status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    program_id = sa.Column(sa.Integer, sa.ForeignKey("program.id"), nullable=False)
    household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True
    )
    family_id = sa.Column(sa.Integer, sa.ForeignKey("family.id", ondelete="CASCADE"), index=True)
    member_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    status = sa.Column(
        MembershipStatus.column_type(), nullable=False, default=MembershipStatus.ACTIVE
    )
    start_date = sa.Column(sa.Date)
    end_date = sa.Column(sa.Date)
    card_number = sa.Column(PlainString(32), index=True)

    program = relationship("Program", lazy="joined", innerjoin=True)
    household = relationship("Household", back_populates="memberships")
    family = relationship("Family", back_populates="memberships")
    member = relationship("Member", back_populates="memberships")

    @property
    def target(self):
        return self.member or self.family or self.household

    def __repr__(self) -> str:
        return f"{self.program} · {self.target}"

    __str__ = __repr__
