"""The warnings a proposal carries to its verifier. The proposer saw them on the form and saved
anyway (a NIK never changes, even when its embedded birth date or sex is wrong: DESIGN §3); the
verifier must see them too, and their queue counts the proposals that carry some.

They are recorded when a draft is built and again when it is submitted (the draft's people may
have changed meanwhile), as messages naming the person, in `Proposal.warnings` (NULL: none)."""

from flask_babel import gettext

from app.register import identity
from models import Proposal
from models.enums import ProposalKind

#: Proposals that add people, whose identities can carry warnings.
ADDING_PEOPLE = (ProposalKind.NEW_HOUSEHOLD, ProposalKind.NEW_MEMBER)


def proposed_people(proposal: Proposal) -> list:
    """Whom the proposal is about, so the verifier decides on the page itself: the members of
    a proposed household, or the one member proposed or to be deactivated."""
    if proposal.member is not None:
        return [proposal.member]
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD and proposal.household is not None:
        return list(proposal.household.members)
    return []


def identity_warnings(people) -> list[str]:
    """The NIK warnings (birth date or sex differing from the NIK's) of these people, each
    message naming its person."""
    messages = []
    for person in people:
        check = identity.check_nik(person.nik, person.birth_date, person.sex)
        messages.extend(
            gettext("%(name)s: %(warning)s", name=person.full_name, warning=warning)
            for warning in check.warnings
        )
    return messages


def record_warnings(proposal: Proposal, people=None) -> None:
    """Keep the warnings of the proposal's people on it (the caller commits)."""
    if proposal.kind not in ADDING_PEOPLE:
        return
    people = proposed_people(proposal) if people is None else people
    proposal.warnings = identity_warnings(people) or None
