"""The welfare ranking: proxy-means-test (PMT) models, the cut-offs of each closed period's
deciles, each program's eligibility at a close, and village deliberations (musyawarah desa)."""

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import relationship

from models.types import PlainString, PlainText, RegionCode


class PmtModel(Model):
    """One version of the PMT model: a linear prediction of a household's log per-capita
    consumption from what the register holds. Immutable once a close has used it."""

    __tablename__ = "pmt_model"
    __table_args__ = (
        # One active version at a time.
        sa.Index(
            "uq_pmt_model_active",
            "active",
            unique=True,
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active"),
        ),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    version = sa.Column(sa.String(32), nullable=False, unique=True)
    description = sa.Column(PlainText)
    #: Where the weights come from (a survey and its year, or "illustrative default").
    source = sa.Column(PlainText, nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    #: The fit's report as JSON (observations, R², RMSE …); empty for a loaded file.
    fit_report = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())
    #: The first period whose close ranked with it: from then on it may not change.
    first_used_period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"))

    weights = relationship("PmtWeight", order_by="PmtWeight.variable", cascade="all, delete-orphan")
    intercepts = relationship(
        "PmtIntercept", order_by="PmtIntercept.province_code", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return self.version or ""

    __str__ = __repr__


class PmtWeight(Model):
    __tablename__ = "pmt_weight"

    model_id = sa.Column(
        sa.Integer, sa.ForeignKey("pmt_model.id", ondelete="CASCADE"), primary_key=True
    )
    variable = sa.Column(sa.String(40), primary_key=True)
    weight = sa.Column(sa.Float, nullable=False)


class PmtIntercept(Model):
    """The model's constant for one province; "" is the constant of every other province."""

    __tablename__ = "pmt_intercept"

    model_id = sa.Column(
        sa.Integer, sa.ForeignKey("pmt_model.id", ondelete="CASCADE"), primary_key=True
    )
    province_code = sa.Column(RegionCode, primary_key=True)
    intercept = sa.Column(sa.Float, nullable=False)


class PeriodDecileCutoff(Model):
    """The score range of each decile of a closed period (province "" for a national
    ranking), so anyone can place a score in its decile without the whole register."""

    __tablename__ = "period_decile_cutoff"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    province_code = sa.Column(RegionCode, primary_key=True)
    decile = sa.Column(sa.SmallInteger, primary_key=True)
    min_score = sa.Column(sa.Float, nullable=False)
    max_score = sa.Column(sa.Float, nullable=False)
    households = sa.Column(sa.Integer, nullable=False)


class PeriodSnapshotEligibility(Model):
    """A snapshot household eligible for a program by the program's rule at the close."""

    __tablename__ = "period_snapshot_eligibility"

    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), primary_key=True)
    household_id = sa.Column(sa.Integer, primary_key=True)
    program_id = sa.Column(sa.Integer, sa.ForeignKey("program.id"), primary_key=True)


class Deliberation(Model):
    """A village deliberation (musyawarah desa / forum konsultasi publik) of one period: it may
    move households up or down from the model's decile, with reasons, through verification."""

    __tablename__ = "deliberation"
    __table_args__ = (sa.UniqueConstraint("period_id", "village_code"),)

    id = sa.Column(sa.Integer, primary_key=True)
    period_id = sa.Column(sa.Integer, sa.ForeignKey("period.id"), nullable=False)
    village_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=False, index=True)
    held_on = sa.Column(sa.Date, nullable=False)
    participants = sa.Column(PlainText, nullable=False)
    minutes_filename = sa.Column(PlainString(120))
    minutes_pdf = sa.Column(sa.LargeBinary)
    minutes_sha256 = sa.Column(sa.String(64))
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("ab_user.id"), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, server_default=sa.func.now())

    period = relationship("Period", lazy="joined")
    village = relationship("Region", lazy="joined")
    created_by = relationship("RegionUser")

    def __repr__(self) -> str:
        return f"{self.village_code} · {self.period}"

    __str__ = __repr__
