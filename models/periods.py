import sqlalchemy as sa
from flask_appbuilder import Model

from models.enums import PeriodStatus


class Period(Model):
    """An updating period (periode pemutakhiran), coded YYYY-MM."""

    __tablename__ = "period"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="date_order"),
        # Only one period may be open at a time.
        sa.Index(
            "uq_period_one_open",
            "status",
            unique=True,
            postgresql_where=sa.text("status = 'OPEN'"),
            sqlite_where=sa.text("status = 'OPEN'"),
        ),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(7), nullable=False, unique=True)
    start_date = sa.Column(sa.Date, nullable=False)
    end_date = sa.Column(sa.Date, nullable=False)
    status = sa.Column(PeriodStatus.column_type(), nullable=False, default=PeriodStatus.OPEN)
    closed_at = sa.Column(sa.DateTime)

    def __repr__(self) -> str:
        return self.code or ""

    __str__ = __repr__
