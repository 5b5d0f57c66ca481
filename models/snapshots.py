"""What a period close writes: the determined register of the period and its recaps."""

import sqlalchemy as sa
from flask_appbuilder import Model

from models.enums import Sex
from models.types import RegionCode


class PeriodSnapshot(Model):
    """One row per household of the determined register of a closed period."""

    __tablename__ = "period_snapshot"
    __table_args__ = (sa.Index("ix_period_snapshot_period_village", "period_id", "village_code"),)

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    household_id = sa.Column(sa.Integer, primary_key=True)  # kept even if the row goes later
    register_id = sa.Column(sa.String(20), nullable=False)
    village_code = sa.Column(RegionCode, nullable=False)
    #: The decile that counts: the model's, or the village deliberation's where it moved one.
    welfare_decile = sa.Column(sa.SmallInteger)
    #: The PMT model's score and decile, and the model version that gave them.
    pmt_score = sa.Column(sa.Float)
    model_decile = sa.Column(sa.SmallInteger)
    pmt_model_id = sa.Column(sa.Integer, sa.ForeignKey("pmt_model.id"))
    #: The variables' values the score came from (app.ranking.variables.NAMES order, ";"-joined),
    #: so a closed period's explanation never depends on later edits.
    pmt_values = sa.Column(sa.Text)
    family_count = sa.Column(sa.Integer, nullable=False)
    member_count = sa.Column(sa.Integer, nullable=False)


class PeriodSnapshotProgram(Model):
    """Program flags of a snapshot household: which programs, with how many recipients."""

    __tablename__ = "period_snapshot_program"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    household_id = sa.Column(sa.Integer, primary_key=True)
    program_id = sa.Column(sa.Integer, sa.ForeignKey("program.id"), primary_key=True)
    recipients = sa.Column(sa.Integer, nullable=False)


class PeriodSnapshotPeople(Model):
    """People of the determined register per village, sex and age group (aged at the period's
    end), so a closed period's demography does not change with later edits."""

    __tablename__ = "period_snapshot_people"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    village_code = sa.Column(RegionCode, primary_key=True)
    sex = sa.Column(Sex.column_type(), primary_key=True)
    age_group = sa.Column(sa.String(8), primary_key=True)
    people = sa.Column(sa.Integer, nullable=False)


class PeriodRecap(Model):
    """Totals of a closed period for one region at any level (and "" for the nation)."""

    __tablename__ = "period_recap"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    region_code = sa.Column(RegionCode, primary_key=True)
    level = sa.Column(sa.SmallInteger, nullable=False)  # 0 nation, 1–4 as Region.level
    households = sa.Column(sa.Integer, nullable=False)
    families = sa.Column(sa.Integer, nullable=False)
    people = sa.Column(sa.Integer, nullable=False)
    corrections = sa.Column(sa.Integer, nullable=False)
    new_proposals = sa.Column(sa.Integer, nullable=False)
    active_regencies = sa.Column(sa.Integer)
    total_regencies = sa.Column(sa.Integer)


class PeriodRecapProgram(Model):
    __tablename__ = "period_recap_program"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    region_code = sa.Column(RegionCode, primary_key=True)
    program_id = sa.Column(sa.Integer, sa.ForeignKey("program.id"), primary_key=True)
    recipients = sa.Column(sa.Integer, nullable=False)


class DistrictActivity(Model):
    """How active a regency office was in a period (seed: 396 of 514 active)."""

    __tablename__ = "district_activity"
    __table_args__ = (sa.Index("ix_district_activity_province", "period_id", "province_code"),)

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    regency_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), primary_key=True)
    province_code = sa.Column(RegionCode, nullable=False)
    corrections = sa.Column(sa.Integer, nullable=False)
    new_proposals = sa.Column(sa.Integer, nullable=False)
    last_update = sa.Column(sa.DateTime)
    active = sa.Column(sa.Boolean, nullable=False)
