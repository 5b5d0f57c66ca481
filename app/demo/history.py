"""The demo's past: the periods before the open one, closed as the ministry would have closed
them, with the proposals of each — so a fresh `make run` has determined households to print
certificates for, closed periods to compare, and proposals in every state of the workflow.

The proposals are made through app.proposals as the console's doors make them, signed in as
the demo's operators and verifiers (the audit trail names them); the closes are real closes."""

import datetime
import random
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext
from flask_login import login_user, logout_user

from app import proposals
from app.demo.names import Names
from app.demo.people import Person
from app.errors import DomainError
from app.extensions import db
from app.periods import close_period, queue_documents
from app.periods.close_sql import next_month
from models import Household, Period, Proposal
from models.enums import (
    DeactivationReason,
    HouseholdStatus,
    MemberStatus,
    PeriodStatus,
    Relationship,
    Sex,
)

#: Serials of the NIKs and KK numbers of proposed people (the generator draws 1–4999, bulk
#: redraws 5000–9799, the browser suite's journeys 99xx).
SERIALS = range(9800, 9900)

REJECTIONS = (
    "Alamat tidak ditemukan saat kunjungan lapangan.",
    "NIK kepala keluarga tidak sesuai dengan data Dukcapil.",
)


@dataclass(frozen=True)
class Office:
    """Who proposes and who verifies in a regency of the demo."""

    regency: str
    operator: str
    verifier: str | None


OFFICES = (
    Office("32.73", "operator.bandung", "verifikator.bandung"),
    Office("32.01", "operator.bogor", None),
)


def _month_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def backdate_open_period(months: int, today: datetime.date) -> Period:
    """Before any household: the untouched open period becomes the one `months` before
    today's, so that closing the history ends in today's month."""
    periods = db.session.scalars(sa.select(Period)).all()
    if len(periods) != 1 or periods[0].status != PeriodStatus.OPEN or _has_proposals():
        raise DomainError(
            gettext("The demo's history needs a new database: periods already exist.")
        )
    code, start, end = next_month(_month_before(today, months + 1))
    period = periods[0]
    period.code, period.start_date, period.end_date = code, start, end
    db.session.commit()
    return period


def _has_proposals() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) > 0


class Story:
    """One seed's proposals, drawn from the register as it stands."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed * 7 + 1)
        self.names = Names(seed)
        self.serials = iter(SERIALS)

    def _user(self, username: str):
        return current_app.appbuilder.sm.find_user(username=username)

    def _as(self, username: str):
        """Signed in as `username` (Flask-AppBuilder reads the user from g, as in a request)."""
        user = self._user(username)
        logout_user()
        login_user(user)
        g.user = user
        g.pop("region_scope", None)  # app.security.scope keeps the request's scope in g
        return user

    def _villages(self, regency: str) -> list[str]:
        return db.session.scalars(
            sa.select(Household.village_code)
            .where(Household.village_code.like(regency + ".%"))
            .distinct()
            .order_by(Household.village_code)
        ).all()

    def _active_households(self, regency: str, count: int) -> list[Household]:
        rows = db.session.scalars(
            sa.select(Household)
            .where(
                Household.village_code.like(regency + ".%"),
                Household.status == HouseholdStatus.ACTIVE,
            )
            .order_by(Household.id)
        ).all()
        return self.rng.sample(rows, min(count, len(rows)))

    def _nik(self, district: str, birth: datetime.date, sex: Sex) -> str:
        day = birth.day + (40 if sex is Sex.FEMALE else 0)
        return f"{district}{day:02d}{birth:%m%y}{next(self.serials):04d}"

    def new_household(self, office: Office, user) -> Proposal:
        """A couple and a child in one of the regency's villages, proposed as a draft."""
        village = self.rng.choice(self._villages(office.regency))
        district = village[:8].replace(".", "")
        today = datetime.date.today()
        head = Person(Relationship.HEAD, Sex.MALE, _born(self.rng, today, 25, 55))
        spouse = Person(Relationship.SPOUSE, Sex.FEMALE, _born(self.rng, today, 22, 50))
        child = Person(
            Relationship.CHILD, self.rng.choice(list(Sex)), _born(self.rng, today, 1, 15)
        )
        kk = f"{district}{today:%d%m%y}{next(self.serials):04d}"
        members = [
            {
                "full_name": self.names.full_name(self.rng, person.sex),
                "nik": self._nik(district, person.birth_date, person.sex),
                "kk_number": kk,
                "sex": person.sex,
                "birth_place": "Bandung" if office.regency == "32.73" else "Bogor",
                "birth_date": person.birth_date,
                "relation_to_head": person.relation,
            }
            for person in (head, spouse, child)
        ]
        data = {
            "village_code": village,
            "address": self.names.address(self.rng, "kab" if office.regency == "32.01" else "kota"),
            "rt": f"{self.rng.randint(1, 12):03d}",
            "rw": f"{self.rng.randint(1, 9):03d}",
        }
        proposals.check_household_proposal(data, members, user).raise_if_any()
        proposal = proposals.build_household_proposal(
            Household(**data), members, user, "Keluarga baru pindah, belum terdata."
        )
        db.session.commit()
        return proposal

    def deactivation(self, household: Household, user, member: bool = False) -> Proposal:
        if member:
            person = next(
                (m for m in household.members if m.relation_to_head != Relationship.HEAD), None
            )
            if person is not None and person.status == MemberStatus.ACTIVE:
                return proposals.propose_deactivation(
                    user, DeactivationReason.MOVED, member_id=person.id
                )
        reason = self.rng.choice([DeactivationReason.MOVED, DeactivationReason.DECEASED])
        return proposals.propose_deactivation(user, reason, household_id=household.id)

    def proposals_of(self, office: Office, closing: bool) -> list[Proposal]:
        """The office's proposals of one period, left in the states the period ends with: in a
        period the demo closes, verified (applied by the close) and rejected; in the open one,
        one of each state."""
        if closing and office.verifier is None:
            return []  # nobody verifies there: its proposals would wait through every close
        user = self._as(office.operator)
        made = [self.new_household(office, user) for _ in range(3)]
        targets = self._active_households(office.regency, 3)
        made += [
            self.deactivation(household, user, member=index == 2)
            for index, household in enumerate(targets)
        ]
        if not closing:
            made.append(self.new_household(office, user))  # stays a draft
        for proposal in made[:-1] if not closing else made:
            proposals.submit(proposal, user)
        if office.verifier is None:
            return made
        verifier = self._as(office.verifier)
        proposals.reject(made[0], verifier, self.rng.choice(REJECTIONS))
        to_verify = made[1:] if closing else made[1:3] + made[4:5]
        for proposal in to_verify:
            proposals.verify(proposal, verifier)
        return made


def _born(rng: random.Random, today: datetime.date, youngest: int, oldest: int):
    return today - datetime.timedelta(days=rng.randint(youngest * 365 + 30, oldest * 365))


def play(periods: int, seed: int, on_close=None) -> list[str]:
    """Proposals in each of the `periods` periods before the open one, each period closed,
    then the open period's proposals in every state. Returns the codes of the closed periods.
    The closes run outside any request, as the scheduler's do: the trail names the system."""
    story = Story(seed)
    closed = []
    for _ in range(periods):
        with current_app.test_request_context("/demo/history"):
            for office in OFFICES:
                story.proposals_of(office, closing=True)
        result = close_period()
        queue_documents(result)
        closed.append(result.period_code)
        if on_close is not None:
            on_close(result)
    with current_app.test_request_context("/demo/history"):
        for office in OFFICES:
            story.proposals_of(office, closing=False)
    return closed
