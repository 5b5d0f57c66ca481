import sqlalchemy as sa
from flask_appbuilder import Model


class LookupCount(Model):
    """How many numbers one user looked up through one kind of lookup door (app.security.lookups) in
    one hour, and how many of them found nothing. Kept in the database so every worker process
    counts against the same quota; rows older than two days are dropped as new ones come."""

    __tablename__ = "lookup_count"

    user_id = sa.Column(
        sa.Integer, sa.ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True
    )
    #: app.security.lookups.KINDS: nik_check, search, conflict.
    kind = sa.Column(sa.String(16), primary_key=True)
    #: The start of the hour (UTC) counted in this row.
    window_start = sa.Column(sa.DateTime, primary_key=True)
    asked = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    misses = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
