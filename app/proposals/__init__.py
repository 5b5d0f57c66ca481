"""Proposals (usulan): new households, new members and deactivations, from a regency office's
draft to the period close that applies them. Every door (console, API, import, CLI) calls these
functions; they raise DomainError subclasses whose message is for the user.

    DRAFT ──submit──▶ SUBMITTED ──verify──▶ VERIFIED ──close──▶ APPLIED
                                └─reject──▶ REJECTED (with a reason)

- A new household is written at once with status PROPOSED (its members PROPOSED); a new member
  likewise. Proposed rows are visible to their regency but are not the determined register
  (statistics and snapshots count ACTIVE rows only); their NIKs are taken (PROPOSED counts as
  living), so a NIK cannot be proposed twice.
- A deactivation changes no row until the close; one pending deactivation per target.
- The proposer submits, edits and withdraws their own drafts; a Verifikator whose region covers
  the proposal verifies or rejects it, never their own.
- Submit, verify and reject hold a shared lock on the open period's row: a close, which locks
  that row first, never sees a proposal change state under it.

Owns
- `permissions`: who may do what (NotAllowed, PROPOSER_ROLES, VERIFIER_ROLES, is_own,
  may_verify) and who sees which (visible_condition, the VisibleProposals filter: an operator
  or verifier sees another user's proposal once it is submitted);
- `warnings`: the people a proposal adds (`proposed_people`) and the NIK warnings it carries to
  the verifier (`record_warnings`, kept in Proposal.warnings);
- `transactions`: the open period a proposal belongs to, or a Conflict (`require_open_period`),
  and the commit that turns a concurrent change into a Conflict;
- `drafting`: drafts — `check_*`/`build_*` of a new household or member (the form doors save
  them with their form), `deactivation_target`, `propose_deactivation`;
- `workflow`: `update_draft`, `submit`, `verify`, `reject` (a rejected new household gets
  status REJECTED, no longer PROPOSED), `withdraw`;
- `applying`: the close's part, `apply_verified` (set-based, on the close's connection).

Exports the names below. The scoped look-ups of households and members the doors use while
proposing are app.register.queries' (find_household, find_member).

May import the shared leaves, app.register, app.security (scope, roles) and the models; never
app.periods (the close imports `applying`, not the reverse) nor a door.
"""

from app.proposals.applying import MEMBER_STATUS_FOR, apply_verified
from app.proposals.drafting import (
    PENDING,
    build_household_proposal,
    build_member_proposal,
    check_household_proposal,
    check_member_proposal,
    deactivation_target,
    draft_of_household,
    propose_deactivation,
)
from app.proposals.permissions import (
    PROPOSER_ROLES,
    VERIFIER_ROLES,
    NotAllowed,
    VisibleProposals,
    is_own,
    may_verify,
    visible_condition,
)
from app.proposals.transactions import require_open_period
from app.proposals.warnings import proposed_people, record_warnings
from app.proposals.workflow import (
    DEACTIVATIONS,
    WITHDRAWABLE,
    reject,
    submit,
    update_draft,
    verify,
    withdraw,
)

__all__ = [
    "DEACTIVATIONS",
    "MEMBER_STATUS_FOR",
    "PENDING",
    "PROPOSER_ROLES",
    "VERIFIER_ROLES",
    "WITHDRAWABLE",
    "NotAllowed",
    "VisibleProposals",
    "apply_verified",
    "build_household_proposal",
    "build_member_proposal",
    "check_household_proposal",
    "check_member_proposal",
    "deactivation_target",
    "draft_of_household",
    "is_own",
    "may_verify",
    "propose_deactivation",
    "proposed_people",
    "record_warnings",
    "reject",
    "require_open_period",
    "submit",
    "update_draft",
    "verify",
    "visible_condition",
    "withdraw",
]
