"""Duplicate candidates (data ganda) and the blocking keys that find them (app.duplicates)."""

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.audit import JsonData
from models.enums import DuplicateLevel, DuplicateStatus
from models.types import PlainText, RegionCode


class DuplicateKey(Model):
    """One blocking key of one living member, as the last scan computed it: members that share
    a key are compared, members that share none never are (app.duplicates.keys)."""

    __tablename__ = "duplicate_key"
    __table_args__ = (sa.Index("ix_duplicate_key_kind_key", "kind", "key"),)

    member_id = sa.Column(
        sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    kind = sa.Column(sa.String(8), primary_key=True)
    key = sa.Column(sa.String(40), nullable=False)
    #: The member's village when the key was computed: the scan's scope, without a join.
    village_code = sa.Column(RegionCode, nullable=False, index=True)


class DuplicateCandidate(Model):
    """Two members who may be one person — or two households that may be one household entered
    twice — with the score's reasons and the review's decision.

    The pair is stored once (first < second) with the versions both records had when it was
    scored: a decision stands while both versions do, and a changed record reopens it. A member
    pair fills first_id/second_id, a household pair first_household_id/second_household_id."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (
        sa.UniqueConstraint("first_id", "second_id"),
        sa.UniqueConstraint("first_household_id", "second_household_id"),
        sa.CheckConstraint("first_id < second_id", name="ordered_pair"),
        sa.CheckConstraint(
            "first_household_id < second_household_id", name="ordered_household_pair"
        ),
        sa.CheckConstraint(
            "(first_id IS NULL) = (second_id IS NULL) "
            "AND (first_household_id IS NULL) = (second_household_id IS NULL) "
            "AND (first_id IS NULL) <> (first_household_id IS NULL)",
            name="one_kind_of_pair",
        ),
        sa.Index("ix_duplicate_candidate_status_regency", "status", "regency_code"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    first_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"))
    second_id = sa.Column(sa.Integer, sa.ForeignKey("member.id", ondelete="CASCADE"), index=True)
    first_household_id = sa.Column(sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"))
    second_household_id = sa.Column(
        sa.Integer, sa.ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    first_version = sa.Column(sa.Integer, nullable=False)
    second_version = sa.Column(sa.Integer, nullable=False)
    #: The regencies of the two records' villages (PP.KK): whose verifiers review the pair.
    regency_code = sa.Column(RegionCode, nullable=False)
    other_regency_code = sa.Column(RegionCode, nullable=False, index=True)
    score = sa.Column(sa.Numeric(4, 1), nullable=False)
    level = sa.Column(DuplicateLevel.column_type(), nullable=False)
    #: Codes of the evidence (app.duplicates.scoring): name_same, birth_date_swapped, …
    reasons = sa.Column(JsonData, nullable=False)
    status = sa.Column(DuplicateStatus.column_type(), nullable=False, default=DuplicateStatus.OPEN)
    found_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    decided_at = sa.Column(sa.DateTime)
    decided_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    note = sa.Column(PlainText)

    first = relationship("Member", foreign_keys=[first_id], lazy="joined")
    second = relationship("Member", foreign_keys=[second_id], lazy="joined")
    first_household = relationship("Household", foreign_keys=[first_household_id])
    second_household = relationship("Household", foreign_keys=[second_household_id])
    decided_by = relationship("RegionUser", foreign_keys=[decided_by_id])

    @property
    def of_households(self) -> bool:
        return self.first_household_id is not None

    @property
    def pair(self) -> tuple[int, int]:
        if self.of_households:
            return self.first_household_id, self.second_household_id
        return self.first_id, self.second_id

    def __repr__(self) -> str:
        return "{} ~ {}".format(*self.pair)

    __str__ = __repr__
