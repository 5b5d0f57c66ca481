"""Who may do what with a proposal: operators propose in their region, a verifier of the
proposal's regency verifies or rejects it (never their own), the proposer changes and withdraws
their own drafts."""

import sqlalchemy as sa
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext, lazy_gettext

from app.errors import Conflict, DomainError
from app.extensions import db
from app.security import scope
from app.security.roles import ADMIN, OPERATOR, VERIFIKATOR, role_names
from models import Household, Proposal
from models.enums import ProposalStatus

PROPOSER_ROLES = frozenset({OPERATOR, ADMIN})
VERIFIER_ROLES = frozenset({VERIFIKATOR, ADMIN})
#: Who works proposals in a regency: they see another user's proposal once it is submitted,
#: not while it is a draft they cannot act on. Readers (province, Pusdatin, Pengawas) and
#: Admin see drafts too.
WORKFLOW_ROLES = frozenset({OPERATOR, VERIFIKATOR})


class NotAllowed(DomainError):
    """The user's role does not allow this step on this proposal."""

    status = 403


def require_proposer(user) -> None:
    if not role_names(user) & PROPOSER_ROLES:
        raise NotAllowed(gettext("Only operators make proposals."))


def check_region(user, code: str | None, field: str = "village_code") -> None:
    scope.check_in_scope(code, field, scope.scope_of(user))


def is_own(proposal: Proposal, user) -> bool:
    return user is not None and proposal.proposed_by_id == getattr(user, "id", None)


def may_verify(proposal: Proposal, user) -> bool:
    """Whether `user` may verify or reject `proposal` now (for showing the buttons)."""
    try:
        check_verifier(proposal, user)
    except DomainError:
        return False
    return proposal.status == ProposalStatus.SUBMITTED


def check_verifier(proposal: Proposal, user) -> None:
    if not role_names(user) & VERIFIER_ROLES:
        raise NotAllowed(gettext("Only a verifier of the proposal's regency verifies it."))
    check_region(user, _village_of(proposal), "regency_code")
    if is_own(proposal, user):
        raise NotAllowed(gettext("Nobody verifies their own proposal: another verifier must."))


def _village_of(proposal: Proposal) -> str:
    household = proposal.household or db.session.get(Household, proposal.household_id)
    return household.village_code


def check_own(proposal: Proposal, user, statuses=(ProposalStatus.DRAFT,)) -> None:
    check_region(user, _village_of(proposal), "regency_code")
    if not is_own(proposal, user):
        raise NotAllowed(gettext("Only the proposer may change or withdraw a proposal."))
    if proposal.status not in statuses:
        raise Conflict(
            gettext(
                "This proposal is %(status)s: only a draft can be changed.",
                status=proposal.status.label,
            )
        )


def hides_others_drafts(user) -> bool:
    roles = role_names(user)
    return bool(roles & WORKFLOW_ROLES) and ADMIN not in roles


def visible_condition(user):
    """SQL: the proposals of the user's region that `user` sees (the region is InUserRegion's):
    all of them, but for an operator or verifier only their own drafts."""
    if not hides_others_drafts(user):
        return sa.true()
    return sa.or_(
        Proposal.status != ProposalStatus.DRAFT, Proposal.proposed_by_id == getattr(user, "id", 0)
    )


class VisibleProposals(BaseFilter):
    """The proposal list's and pages' filter beside the region: visible_condition for the
    signed-in user."""

    name = lazy_gettext("Proposals you may see")
    arg_name = "visible"

    def apply(self, query, value):
        from flask import current_app

        return query.filter(visible_condition(current_app.appbuilder.sm.current_user))
