"""The period close (penetapan) on demo-like data: exactly once, all or nothing, set-based; the
snapshot, recaps and district activity it writes; each close counting its own window; and the
bad input it refuses (an unknown period, one that is not open)."""

import datetime

import pytest
import sqlalchemy as sa

from tests.fixtures.periods import (
    NEXT_CODE,
    add_proposals,
    count,
    demo_households,
    edit_household_through_form,
    household_ids,
    period_row,
)


# -- the close on demo-like data ----------------------------------------------------------------
def test_close_determines_the_register_and_opens_the_next_period(app, client, login, fresh_period):
    from app import periods
    from app.extensions import db
    from models import (
        DistrictActivity,
        Household,
        Member,
        Period,
        PeriodRecap,
        PeriodRecapProgram,
        PeriodSnapshot,
        PeriodSnapshotProgram,
        Proposal,
    )
    from models.enums import HouseholdStatus, MemberStatus, PeriodStatus, ProposalStatus

    demo_households(app)
    involved = add_proposals(app, fresh_period)
    login("operator.bandung")
    edit_household_through_form(app, client, involved["edited"], "Jl. Koreksi No. 1")
    edit_household_through_form(app, client, involved["edited"], "Jl. Koreksi No. 2")
    bogor = household_ids(app, "32.01", 1)[0]
    client.get("/logout/")
    login("admin")
    edit_household_through_form(app, client, bogor, "Kp. Koreksi")

    steps = []
    with app.app_context():
        result = periods.close_period(
            on_progress=lambda done, total, message: steps.append((done, total))
        )
    assert result.closed and result.period_code == fresh_period
    assert result.next_period_code == NEXT_CODE
    assert steps == [(n, len(periods.STEPS)) for n in range(1, len(periods.STEPS) + 1)]
    assert "2091-01" in result.message and "2091-02" in result.message

    with app.app_context():
        connection = db.session.connection()
        closed = period_row(connection, fresh_period)
        assert closed.status == PeriodStatus.CLOSED and closed.closed_at == result.closed_at
        opened = period_row(connection, NEXT_CODE)
        assert opened.status == PeriodStatus.OPEN
        assert (opened.start_date, opened.end_date) == (
            datetime.date(2091, 2, 1),
            datetime.date(2091, 2, 28),
        )
        assert (
            connection.scalar(
                sa.select(sa.func.count())
                .select_from(Period)
                .where(Period.status == PeriodStatus.OPEN)
            )
            == 1
        )

        # Proposals applied in the same transaction.
        assert db.session.get(Household, involved["new"]).status == HouseholdStatus.ACTIVE
        assert db.session.get(Household, involved["gone"]).status == HouseholdStatus.INACTIVE
        assert db.session.get(Member, involved["deceased"]).status == MemberStatus.DECEASED
        assert count(connection, Proposal, status=ProposalStatus.APPLIED) == 3

        # One snapshot row per determined household, with its ACTIVE members.
        determined = count(connection, Household, status=HouseholdStatus.ACTIVE)
        assert determined == 199
        pid = closed.id
        assert count(connection, PeriodSnapshot, period_id=pid) == determined == result.households
        people = connection.scalar(
            sa.select(sa.func.count())
            .select_from(Member)
            .join(Household, Household.id == Member.household_id)
            .where(Household.status == HouseholdStatus.ACTIVE, Member.status == MemberStatus.ACTIVE)
        )
        assert (
            connection.scalar(
                sa.select(sa.func.sum(PeriodSnapshot.member_count)).where(
                    PeriodSnapshot.period_id == pid
                )
            )
            == people
        )
        snapshot_ids = set(
            connection.scalars(
                sa.select(PeriodSnapshot.household_id).where(PeriodSnapshot.period_id == pid)
            )
        )
        assert involved["new"] in snapshot_ids and involved["gone"] not in snapshot_ids

        # Recaps sum to the snapshot at every level.
        totals = connection.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(PeriodSnapshot.family_count),
                sa.func.sum(PeriodSnapshot.member_count),
            ).where(PeriodSnapshot.period_id == pid)
        ).one()
        recipients = connection.scalar(
            sa.select(sa.func.sum(PeriodSnapshotProgram.recipients)).where(
                PeriodSnapshotProgram.period_id == pid
            )
        )
        assert recipients == result.program_recipients > 0
        for level, length in periods.CODE_LENGTH.items():
            sums = connection.execute(
                sa.select(
                    sa.func.sum(PeriodRecap.households),
                    sa.func.sum(PeriodRecap.families),
                    sa.func.sum(PeriodRecap.people),
                    sa.func.sum(PeriodRecap.corrections),
                    sa.func.sum(PeriodRecap.new_proposals),
                ).where(PeriodRecap.period_id == pid, PeriodRecap.level == level)
            ).one()
            assert tuple(sums) == (*totals, 3, 4), level
            assert (
                connection.scalar(
                    sa.select(sa.func.sum(PeriodRecapProgram.recipients)).where(
                        PeriodRecapProgram.period_id == pid,
                        sa.func.length(PeriodRecapProgram.region_code) == length,
                    )
                )
                == recipients
            )
        assert count(connection, PeriodRecap, period_id=pid, level=1) == 38
        assert count(connection, PeriodRecap, period_id=pid, level=2) == 514

        # District activity: corrections from the audit trail, proposals of the period.
        activity = {
            row.regency_code: row
            for row in connection.execute(
                sa.select(DistrictActivity).where(DistrictActivity.period_id == pid)
            )
        }
        assert len(activity) == 514
        assert (activity["32.73"].corrections, activity["32.73"].new_proposals) == (2, 4)
        assert (activity["32.01"].corrections, activity["32.01"].new_proposals) == (1, 0)
        assert activity["32.73"].active and activity["32.01"].active
        assert not activity["32.04"].active and activity["32.04"].last_update is None
        assert activity["32.73"].last_update <= result.closed_at
        west_java = connection.execute(
            sa.select(PeriodRecap).where(
                PeriodRecap.period_id == pid, PeriodRecap.region_code == "32"
            )
        ).one()
        assert (west_java.active_regencies, west_java.total_regencies) == (2, 27)
        nation = connection.execute(
            sa.select(PeriodRecap).where(
                PeriodRecap.period_id == pid, PeriodRecap.region_code == ""
            )
        ).one()
        assert (nation.level, nation.active_regencies, nation.total_regencies) == (0, 2, 514)
        assert (result.corrections, result.new_proposals) == (3, 4)
        bandung = connection.execute(
            sa.select(PeriodRecap).where(
                PeriodRecap.period_id == pid, PeriodRecap.region_code == "32.73"
            )
        ).one()
        assert bandung.households == connection.scalar(
            sa.select(sa.func.count())
            .select_from(PeriodSnapshot)
            .where(
                PeriodSnapshot.period_id == pid, PeriodSnapshot.village_code.startswith("32.73.")
            )
        )


def test_a_second_close_is_a_no_op_that_says_so(app, fresh_period):
    from app import periods
    from app.extensions import db
    from models import PeriodSnapshot

    demo_households(app, 30)
    with app.app_context():
        first = periods.close_period(fresh_period)
        pid = period_row(db.session.connection(), fresh_period).id
        rows = count(db.session.connection(), PeriodSnapshot, period_id=pid)
        fingerprint = periods.snapshot_hash(pid)
        again = periods.close_period(fresh_period)
    assert first.closed and not again.closed
    assert again.message.startswith("Periode 2091-01 sudah ditutup pada")
    assert "tidak ada yang diubah" in again.message
    with app.app_context():
        assert count(db.session.connection(), PeriodSnapshot, period_id=pid) == rows == 30
        assert periods.snapshot_hash(pid) == fingerprint
        assert period_row(db.session.connection(), NEXT_CODE) is not None


def test_edits_after_the_cut_off_belong_to_the_next_period(app, client, login, fresh_period):
    from app import periods
    from app.extensions import db
    from app.statistics import activity
    from models import DistrictActivity, Period

    demo_households(app, 30)
    household = household_ids(app, "32.73", 1)[0]
    login("operator.bandung")
    edit_household_through_form(app, client, household, "Sebelum penetapan")
    with app.app_context():
        periods.close_period()
    edit_household_through_form(app, client, household, "Sesudah penetapan")
    with app.app_context():
        closed = db.session.scalar(sa.select(Period).where(Period.code == fresh_period))
        stored = db.session.scalar(
            sa.select(DistrictActivity.corrections).where(
                DistrictActivity.period_id == closed.id, DistrictActivity.regency_code == "32.73"
            )
        )
        following = db.session.scalar(sa.select(Period).where(Period.code == NEXT_CODE))
        live = activity.period_activity(following, "")
        assert stored == 1
        assert {row.code: row.corrections for row in live.regencies}["32.73"] == 1


def test_month_after_month_each_close_counts_its_own_window(app, client, login, fresh_period):
    from app import periods
    from app.extensions import db
    from models import DistrictActivity, Period, PeriodRecap, PeriodSnapshot
    from models.enums import PeriodStatus

    demo_households(app, 60)
    bandung, bogor = household_ids(app, "32.73", 1)[0], household_ids(app, "32.01", 1)[0]
    login("admin")
    edit_household_through_form(app, client, bandung, "Bulan pertama")
    with app.app_context():
        first = periods.close_period()
    edit_household_through_form(app, client, bogor, "Bulan kedua")
    edit_household_through_form(app, client, bogor, "Bulan kedua lagi")
    with app.app_context():
        second = periods.close_period()
    assert (first.period_code, second.period_code, second.next_period_code) == (
        fresh_period,
        NEXT_CODE,
        "2091-03",
    )
    with app.app_context():
        rows = db.session.execute(
            sa.select(Period.code, DistrictActivity.regency_code, DistrictActivity.corrections)
            .join(Period, Period.id == DistrictActivity.period_id)
            .where(DistrictActivity.corrections > 0)
            .order_by(Period.code)
        ).all()
        assert [tuple(row) for row in rows] == [(fresh_period, "32.73", 1), (NEXT_CODE, "32.01", 2)]
        for result in (first, second):
            period = db.session.scalar(sa.select(Period).where(Period.code == result.period_code))
            assert period.status == PeriodStatus.CLOSED
            assert (
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(PeriodSnapshot)
                    .where(PeriodSnapshot.period_id == period.id)
                )
                == 60
            )
            for level in range(5):
                assert (
                    db.session.scalar(
                        sa.select(sa.func.sum(PeriodRecap.households)).where(
                            PeriodRecap.period_id == period.id, PeriodRecap.level == level
                        )
                    )
                    == 60
                )


@pytest.mark.parametrize(
    "code, message",
    [
        ("2099-09", "Periode 2099-09 tidak dikenal."),
    ],
)
def test_unknown_period_is_refused_in_indonesian(app, fresh_period, code, message):
    from app import periods
    from app.errors import DomainError

    with app.app_context(), pytest.raises(DomainError) as refused:
        periods.close_period(code)
    assert refused.value.message == message


def test_a_period_that_is_not_open_is_refused_and_nothing_changes(app, fresh_period):
    from app import periods
    from app.errors import DomainError
    from app.extensions import db
    from models import Period, PeriodSnapshot
    from models.enums import PeriodStatus

    with app.app_context():
        db.session.execute(
            sa.update(Period).where(Period.code == fresh_period).values(status=PeriodStatus.CLOSING)
        )
        db.session.commit()
        snapshots = count(db.session.connection(), PeriodSnapshot)
        with pytest.raises(DomainError) as refused:
            periods.close_period(fresh_period)
        assert "tidak terbuka" in refused.value.message
        with pytest.raises(DomainError) as none_open:
            periods.close_period()
        assert none_open.value.message == "Tidak ada periode terbuka, jadi tidak ada yang ditutup."
        # nothing written by the refusals
        assert count(db.session.connection(), PeriodSnapshot) == snapshots
        assert period_row(db.session.connection(), NEXT_CODE) is None
        db.session.execute(
            sa.update(Period).where(Period.code == fresh_period).values(status=PeriodStatus.OPEN)
        )
        db.session.commit()
