import sqlalchemy as sa
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User

from models.types import RegionCode


class RegionUser(User):
    """A console user with a region scope: a region-code prefix, empty for national roles."""

    __tablename__ = "ab_user"
    region_code = sa.Column(RegionCode, sa.ForeignKey("region.code"), nullable=True)
    #: Until when (UTC) sign-ins are refused after too many wrong passwords; kept in the
    #: database so every worker process sees the same lock (app/security/signin.py).
    locked_until = sa.Column(sa.DateTime, nullable=True)
    #: Since when (UTC) and why the user's NIK and KK lookups are refused, their answers having
    #: looked like guessing (app/security/lookups.py); an Admin or Pusdatin lifts it.
    lookup_suspended_at = sa.Column(sa.DateTime, nullable=True)
    lookup_suspended_reason = sa.Column(sa.String(255), nullable=True)
    #: Raised when the password changes, the account is locked or deactivated: every console
    #: session and JWT carries the epoch it was issued in, and an older one is refused
    #: (app/security/sessions.py).
    token_epoch = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")


class ConsoleSession(Model):
    """One console sign-in (app/security/sessions.py). Only the hash of its random id is stored; the
    id itself travels in the signed session cookie. Deleted at sign-out, refused when its epoch is
    older than its user's."""

    __tablename__ = "console_session"
    __table_args__ = (sa.Index("ix_console_session_last_seen_at", "last_seen_at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(
        sa.Integer, sa.ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    epoch = sa.Column(sa.Integer, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)
    last_seen_at = sa.Column(sa.DateTime, nullable=False)
    ip_address = sa.Column(sa.String(45))
    user_agent = sa.Column(sa.String(255))
