"""The public tracking page of a submission: its kind, where it stands and when, and the
decision's short reason — nothing the lookup does not already show (no name, NIK, household
or photo). A merged submission follows the one it was merged into."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.complaints.submitting import CODE_PURPOSE
from app.extensions import db
from app.register import verification
from models.complaints import Complaint
from models.enums import ComplaintStatus

#: The steps the page draws, in order; the last is the outcome.
STEPS = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_VERIFICATION)
REASON_SHOWN = 300


def display(code: str) -> str:
    return verification.display(code)


def find(text: str | None) -> Complaint | None:
    """The submission behind a tracking code as typed, or None (malformed or unknown)."""
    code = verification.normalise(text, CODE_PURPOSE)
    if code is None:
        return None
    return db.session.scalar(sa.select(Complaint).where(Complaint.code == code))


@dataclass(frozen=True)
class Standing:
    code: str
    kind: str
    status: ComplaintStatus
    received_at: object
    due_at: object
    decided_at: object
    decision_reason: str | None
    escalated: bool

    @property
    def is_open(self) -> bool:
        return self.status in STEPS


def standing(complaint: Complaint) -> Standing:
    deciding = complaint.merged_into or complaint
    reason = (deciding.decision_reason or "").strip()
    return Standing(
        code=display(complaint.code),
        kind=complaint.kind.label,
        status=deciding.status,
        received_at=complaint.received_at,
        due_at=deciding.due_at,
        decided_at=deciding.decided_at,
        decision_reason=(reason[:REASON_SHOWN] or None),
        escalated=deciding.escalated_at is not None,
    )
