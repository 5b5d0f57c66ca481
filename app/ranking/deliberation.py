"""Village deliberations (musyawarah desa / forum konsultasi publik): the session a village holds
in the open period, and the households it moves from the model's decile, each with a written
reason, capped, and verified like any proposal before the close applies it.

- `record_session`: the session of one village in the open period (once), in the signed-in
  user's region, with its minutes (berita acara) as a PDF kept with its SHA-256;
- `propose_override`: one household of the village to another decile, as a DECILE_OVERRIDE
  proposal that goes straight to the verifier (SUBMITTED); at most `override_cap` of them per
  session (DELIBERATION_OVERRIDE_CAP of the village's ACTIVE households, at least one);
- `overrides_of`: a session's overrides as its page lists them; `household_for`: the household a
  clerk names by register ID (or id) in the session's village.

The close applies a verified override like any proposal (app.proposals.applying) and
app.ranking.close_steps gives the snapshot its decile. Every change is audited: the session by an
entry written here (the ORM hook of app.audit.events does not know deliberations), each override
by that hook, as every proposal is.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import PurePath
from zoneinfo import ZoneInfo

import pypdf
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError

from app import audit, codes, formatting, proposals
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.proposals import transactions
from app.proposals.permissions import check_region
from app.register import regions
from app.register.queries import find_household
from app.security.roles import role_names
from models import Deliberation, Household, Period, PeriodSnapshot, Proposal
from models.enums import HouseholdStatus, PeriodStatus, ProposalKind, ProposalStatus

#: The easternmost time zone of Indonesia (WIT): a session held "today" anywhere in the country
#: is not in the future there.
LATEST_ZONE = ZoneInfo("Asia/Jayapura")
#: The shortest reason an override may give ("sakit", "pindah" say nothing a verifier can check).
MIN_REASON = 10
DECILES = range(1, 11)
FILENAME_LENGTH = 120


def _NO_HOUSEHOLD() -> str:  # noqa: N802 - a message, named like one
    return gettext("No household with this register ID in your region.")


def _signed_in():
    return current_app.appbuilder.sm.current_user


def _require_recorder(user) -> None:
    if not role_names(user) & proposals.PROPOSER_ROLES:
        raise proposals.NotAllowed(
            gettext("Only operators record village deliberations and their overrides.")
        )


# -- the session ------------------------------------------------------------------------------
def record_session(
    village_code: str | None,
    held_on: datetime.date | None,
    participants: str | None,
    minutes: bytes | None = None,
    filename: str | None = None,
    user=None,
) -> Deliberation:
    """Record the deliberation of `village_code` in the open period, by `user` (default: the
    signed-in user), and commit it with its audit entry."""
    user = user if user is not None else _signed_in()
    _require_recorder(user)
    period = proposals.require_open_period(lock=True)
    village = regions.get_village(village_code)
    check_region(user, village.code)
    if held_on is None:
        raise ValidationError(gettext("Enter the date the deliberation was held."), "held_on")
    if held_on > datetime.datetime.now(LATEST_ZONE).date():
        raise ValidationError(gettext("The deliberation cannot be held in the future."), "held_on")
    if held_on < period.start_date:
        raise ValidationError(
            gettext(
                "The deliberation must be held within period %(period)s, which began on %(date)s.",
                period=period.code,
                date=formatting.date(period.start_date),
            ),
            "held_on",
        )
    participants = (participants or "").strip()
    if not participants:
        raise ValidationError(gettext("List who took part in the deliberation."), "participants")
    digest, name = None, None
    if minutes:
        _check_minutes(minutes)
        digest = hashlib.sha256(minutes).hexdigest()
        name = _filename(filename)
    else:
        minutes = None
    if session_of(period.id, village.code) is not None:
        raise _already_recorded(village, period)
    deliberation = Deliberation(
        period_id=period.id,
        village_code=village.code,
        held_on=held_on,
        participants=participants,
        minutes_filename=name,
        minutes_pdf=minutes,
        minutes_sha256=digest,
        created_by_id=user.id,
    )
    db.session.add(deliberation)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:  # the same village recorded at the same time
        db.session.rollback()
        raise _already_recorded(village, period) from error
    audit.record(
        "create",
        "deliberation",
        deliberation.id,
        region_code=village.code,
        after={
            "period": period.code,
            "village_code": village.code,
            "held_on": held_on.isoformat(),
            "participants": participants,
            "minutes_filename": name,
            "minutes_sha256": digest,
            "minutes_bytes": len(minutes) if minutes else None,
        },
    )
    _commit()
    return deliberation


def _already_recorded(village, period) -> Conflict:
    return Conflict(
        gettext(
            "%(village)s already has a deliberation in period %(period)s: add the overrides "
            "to that one.",
            village=village.name,
            period=period.code,
        ),
        "village_code",
    )


def _check_minutes(data: bytes) -> None:
    limit = current_app.config["DELIBERATION_MINUTES_MAX_BYTES"]
    if len(data) > limit:
        raise ValidationError(
            gettext(
                "The minutes file is larger than %(size)s MB.",
                size=f"{limit / (1024 * 1024):g}",
            ),
            "minutes",
        )
    try:
        readable = b"%PDF-" in data[:1024] and len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 1
    except Exception:  # pypdf raises many kinds of errors on a damaged or foreign file
        readable = False
    if not readable:
        raise ValidationError(
            gettext("The minutes file is not a readable PDF: upload the minutes as a PDF."),
            "minutes",
        )


def _filename(filename: str | None) -> str:
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "berita-acara.pdf"
    if len(name) > FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:10] if dot else ""
        name = f"{(stem if dot else name)[: FILENAME_LENGTH - len(extension) - 1]}.{extension}"
    return name


def _commit() -> None:
    """Commit; a concurrent change (the same session or override saved at the same time)
    becomes a Conflict with a message, never a crash."""
    try:
        db.session.commit()
    except (sa.exc.IntegrityError, StaleDataError) as error:
        db.session.rollback()
        raise Conflict(
            gettext(
                "Someone else saved this deliberation at the same time. Nothing was saved: "
                "reload the page and try again."
            )
        ) from error


def session_of(period_id: int, village_code: str) -> Deliberation | None:
    return db.session.scalar(
        sa.select(Deliberation).where(
            Deliberation.period_id == period_id, Deliberation.village_code == village_code
        )
    )


def is_open(deliberation: Deliberation) -> bool:
    """Whether the session still takes overrides: its period is the open one."""
    return deliberation.period is not None and deliberation.period.status == PeriodStatus.OPEN


# -- the overrides ----------------------------------------------------------------------------
def active_households(village_code: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Household)
        .where(Household.village_code == village_code, Household.status == HouseholdStatus.ACTIVE)
    )


def override_cap(deliberation: Deliberation, households: int | None = None) -> int:
    """How many households the session may move: the configured share of the village's ACTIVE
    households (`households`, counted when not given), rounded down, and at least one."""
    if households is None:
        households = active_households(deliberation.village_code)
    share = current_app.config["DELIBERATION_OVERRIDE_CAP"]
    return max(1, math.floor(share * households + 1e-9))


def overrides_counted(deliberation: Deliberation) -> int:
    """The session's overrides that count against its cap: every one not rejected."""
    return override_counts([deliberation.id]).get(deliberation.id, 0)


def household_for(deliberation: Deliberation, typed: str | None, user=None) -> Household:
    """The household a clerk names by register ID (or by its number in the console) in the
    user's region; NotFound (on the field "household") otherwise."""
    user = user if user is not None else _signed_in()
    text = (typed or "").strip()
    try:
        return find_household(user, register_id=text)
    except NotFound:
        if not (text.isdigit() and len(text) <= 9):
            raise NotFound(_NO_HOUSEHOLD(), "household") from None
    return _household(int(text), user)


def propose_override(
    deliberation: Deliberation, household_id, decile, reason: str | None, user=None
) -> Proposal:
    """The session moves household `household_id` to `decile` for `reason`: a DECILE_OVERRIDE
    proposal, SUBMITTED to the verifiers of the regency, committed. Made by `user` (default: the
    signed-in user)."""
    user = user if user is not None else _signed_in()
    _require_recorder(user)
    period = proposals.require_open_period(lock=True)
    if deliberation.period_id != period.id:
        raise Conflict(
            gettext(
                "This deliberation belongs to period %(period)s, which is closed: overrides are "
                "made in a deliberation of the open period.",
                period=deliberation.period.code,
            )
        )
    check_region(user, deliberation.village_code)
    # Serialise the overrides of one session (PostgreSQL): the cap counted below then holds.
    db.session.execute(
        sa.select(Deliberation.id).where(Deliberation.id == deliberation.id).with_for_update()
    )
    household = _household(household_id, user)
    db.session.execute(
        sa.select(Household.id).where(Household.id == household.id).with_for_update()
    )
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            gettext(
                "Household %(id)s is not in the register: its decile cannot be moved.",
                id=household.register_id,
            ),
            "household",
        )
    if household.village_code != deliberation.village_code:
        raise ValidationError(
            gettext(
                "Household %(id)s lives in another village: only the deliberation of its own "
                "village may move it.",
                id=household.register_id,
            ),
            "household",
        )
    decile = _decile(decile)
    if household.welfare_decile is not None and decile == household.welfare_decile:
        raise ValidationError(
            gettext(
                "Household %(id)s is already in decile %(decile)s: choose another decile.",
                id=household.register_id,
                decile=decile,
            ),
            "decile",
        )
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            gettext(
                "Write the deliberation's reason for moving the household (at least %(count)s "
                "characters).",
                count=MIN_REASON,
            ),
            "reason",
        )
    if _pending_override(household.id, period.id):
        raise Conflict(
            gettext(
                "Household %(id)s already has a pending decile override in this period.",
                id=household.register_id,
            ),
            "household",
        )
    households = active_households(deliberation.village_code)
    cap, counted = override_cap(deliberation, households), overrides_counted(deliberation)
    if counted + 1 > cap:
        raise ValidationError(
            gettext(
                "The deliberation may move at most %(cap)s households (%(share)s%% of the "
                "village's %(households)s households in the register); it has %(count)s "
                "overrides already.",
                cap=cap,
                share=f"{current_app.config['DELIBERATION_OVERRIDE_CAP'] * 100:g}",
                households=households,
                count=counted,
            )
        )
    proposal = Proposal(
        kind=ProposalKind.DECILE_OVERRIDE,
        status=ProposalStatus.SUBMITTED,
        period_id=period.id,
        regency_code=codes.regency_of(household.village_code),
        household_id=household.id,
        deliberation_id=deliberation.id,
        decile=decile,
        note=reason,
        proposed_by_id=user.id,
        submitted_at=transactions.now(),
    )
    db.session.add(proposal)
    _commit()
    return proposal


def _household(household_id, user) -> Household:
    try:
        return find_household(user, household_id)
    except NotFound:
        raise NotFound(_NO_HOUSEHOLD(), "household") from None


def _decile(value) -> int:
    try:
        decile = int(value)
    except (TypeError, ValueError):
        decile = None
    if decile not in DECILES:
        raise ValidationError(gettext("Choose a decile from 1 to 10."), "decile")
    return decile


def _pending_override(household_id: int, period_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(
                Proposal.kind == ProposalKind.DECILE_OVERRIDE,
                Proposal.household_id == household_id,
                Proposal.period_id == period_id,
                Proposal.status.in_(proposals.PENDING),
            )
        )
        > 0
    )


# -- the session's page -----------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    proposal_id: int
    household_id: int
    register_id: str
    model_decile: int | None  # the model's decile at the close the comparison is made with
    current_decile: int | None  # the decile that counts now (Household.welfare_decile)
    decile: int  # the deliberation's
    reason: str
    status: ProposalStatus
    rejection_reason: str | None


def model_period(deliberation: Deliberation) -> Period | None:
    """The close whose model decile an override is compared with: the session's own period once
    closed, else the last period closed before it."""
    if deliberation.period.status == PeriodStatus.CLOSED:
        return deliberation.period
    return db.session.scalar(
        sa.select(Period)
        .where(
            Period.status == PeriodStatus.CLOSED,
            Period.end_date < deliberation.period.start_date,
        )
        .order_by(Period.end_date.desc())
        .limit(1)
    )


def overrides_of(deliberation: Deliberation) -> list[Override]:
    """The session's overrides, oldest first, with the household's decile by the model and now."""
    compared = model_period(deliberation)
    snapshot = sa.and_(
        PeriodSnapshot.household_id == Proposal.household_id,
        PeriodSnapshot.period_id == (compared.id if compared is not None else -1),
    )
    rows = db.session.execute(
        sa.select(
            Proposal.id,
            Proposal.household_id,
            Household.register_id,
            PeriodSnapshot.model_decile,
            Household.welfare_decile,
            Proposal.decile,
            Proposal.note,
            Proposal.status,
            Proposal.rejection_reason,
        )
        .join(Household, Household.id == Proposal.household_id)
        .outerjoin(PeriodSnapshot, snapshot)
        .where(
            Proposal.deliberation_id == deliberation.id,
            Proposal.kind == ProposalKind.DECILE_OVERRIDE,
        )
        .order_by(Proposal.id)
    ).all()
    return [Override(*row) for row in rows]


def override_counts(deliberation_ids: list[int]) -> dict[int, int]:
    """Overrides (not rejected) per session, for a page of sessions: one query."""
    if not deliberation_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Proposal.deliberation_id, sa.func.count())
            .where(
                Proposal.deliberation_id.in_(deliberation_ids),
                Proposal.kind == ProposalKind.DECILE_OVERRIDE,
                Proposal.status != ProposalStatus.REJECTED,
            )
            .group_by(Proposal.deliberation_id)
        ).all()
    )
