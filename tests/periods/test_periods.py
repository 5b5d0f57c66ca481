"""The period close (penetapan): exactly once, all or nothing, set-based; its doors (CLI, job
queue, console) and its guards (lock, bad input, crash)."""

import datetime
import re
import signal
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.fixtures.periods import (
    NEXT_CODE,
    add_proposals,
    copy_database,
    count,
    demo_households,
    drop_database,
    edit_household_through_form,
    engine_for,
    flask_command,
    household_ids,
    period_row,
    user_id,
    wait_for_line,
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
        with pytest.raises(DomainError) as refused:
            periods.close_period(fresh_period)
        assert "tidak terbuka" in refused.value.message
        with pytest.raises(DomainError) as none_open:
            periods.close_period()
        assert none_open.value.message == "Tidak ada periode terbuka, jadi tidak ada yang ditutup."
        assert count(db.session.connection(), PeriodSnapshot) == count(
            db.session.connection(), PeriodSnapshot
        )  # nothing written by the refusals
        assert period_row(db.session.connection(), NEXT_CODE) is None
        db.session.execute(
            sa.update(Period).where(Period.code == fresh_period).values(status=PeriodStatus.OPEN)
        )
        db.session.commit()


# -- two closes at once, and a crash ------------------------------------------------------------
def test_two_closes_at_once_one_runs_the_other_says_so(app, fresh_period):
    from app.extensions import db
    from models import PeriodSnapshot
    from models.enums import PeriodStatus

    demo_households(app, 40)
    first = flask_command(
        "close-period",
        env={"DATAKESOS_CLOSE_PAUSE_AFTER": "snapshot", "DATAKESOS_CLOSE_PAUSE_SECONDS": "4"},
    )
    try:
        wait_for_line(first.stderr, "close paused after snapshot")
        second = flask_command("close-period")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1, out + err
        assert "Penutupan periode lain sedang berjalan" in err
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, out + err
        assert "Periode 2091-01 ditutup" in out
    finally:
        first.kill()
    with app.app_context():
        connection = db.session.connection()
        closed = period_row(connection, fresh_period)
        assert closed.status == PeriodStatus.CLOSED
        assert count(connection, PeriodSnapshot, period_id=closed.id) == 40


def test_a_killed_close_leaves_the_period_open_and_the_rerun_equals_an_uninterrupted_one(
    app, fresh_period
):
    from app import periods
    from models import Period, PeriodRecap, PeriodSnapshot
    from models.enums import PeriodStatus

    demo_households(app, 200)
    add_proposals(app, fresh_period)
    tag = uuid.uuid4().hex[:6]
    crashed_url, clean_url = copy_database(app, [f"crash_{tag}", f"clean_{tag}"])
    try:
        close = flask_command(
            "close-period",
            database=crashed_url,
            env={"DATAKESOS_CLOSE_PAUSE_AFTER": "recaps", "DATAKESOS_CLOSE_PAUSE_SECONDS": "120"},
        )
        try:
            wait_for_line(close.stderr, "close paused after recaps")
            crashed = engine_for(crashed_url)
            with crashed.connect() as connection:  # the half-done close is invisible
                assert count(connection, PeriodSnapshot) == 0
            close.send_signal(signal.SIGKILL)
            close.wait(timeout=30)
        finally:
            close.kill()
        with crashed.connect() as connection:
            period = period_row(connection, fresh_period)
            assert period.status == PeriodStatus.OPEN and period.closed_at is None
            assert count(connection, PeriodSnapshot, period_id=period.id) == 0
            assert count(connection, PeriodRecap, period_id=period.id) == 0
            assert period_row(connection, NEXT_CODE) is None

        # The rerun (the killed session's lock goes with it) and an uninterrupted close of the
        # same data give the same snapshot.
        for url in (crashed_url, clean_url):
            for _attempt in range(20):
                rerun = flask_command("close-period", database=url)
                out, err = rerun.communicate(timeout=120)
                if rerun.returncode == 0 or "sedang berjalan" not in err:
                    break
                time.sleep(0.5)
            assert rerun.returncode == 0, out + err
        hashes = []
        for url in (crashed_url, clean_url):
            engine = engine_for(url)
            with engine.connect() as connection:
                period = period_row(connection, fresh_period)
                assert period.status == PeriodStatus.CLOSED
                assert count(connection, PeriodSnapshot, period_id=period.id) == 199
                assert (
                    connection.scalar(
                        sa.select(sa.func.count())
                        .select_from(Period)
                        .where(Period.status == PeriodStatus.OPEN)
                    )
                    == 1
                )
                hashes.append(periods.snapshot_hash(period.id, connection))
            engine.dispose()
        assert hashes[0] == hashes[1]
        crashed.dispose()
    finally:
        drop_database(crashed_url)
        drop_database(clean_url)


# -- the doors: CLI, job queue, console -----------------------------------------------------------
def test_cli_closes_with_progress_and_exits_non_zero_on_bad_input(app, fresh_period):
    demo_households(app, 20)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["datakesos", "close-period", "2099-01"])
    assert result.exit_code == 1 and "Periode 2099-01 tidak dikenal." in result.output
    result = runner.invoke(args=["datakesos", "close-period"])
    assert result.exit_code == 0, result.output
    assert (
        "Periode 2091-01 ditutup: 20 rumah tangga ditetapkan; periode 2091-02 dibuka."
        in result.output
    )
    result = runner.invoke(args=["datakesos", "close-period", fresh_period])
    assert result.exit_code == 0 and "sudah ditutup" in result.output
    result = runner.invoke(args=["datakesos", "snapshot-hash", fresh_period])
    assert re.fullmatch(r"[0-9a-f]{64}\n", result.output)


def test_the_close_runs_as_a_queued_job_once(app, fresh_period):
    from app import jobs, periods
    from app.extensions import db
    from models.enums import JobStatus

    demo_households(app, 25)
    with app.app_context():
        run, created = periods.request_close(requested_by_id=user_id("pusdatin"))
        again, created_again = periods.request_close()
        assert created and not created_again and again.id == run.id
        assert run.params == {"code": fresh_period} and run.status == JobStatus.QUEUED
        finished = jobs.run_next("close_period")
        assert finished.id == run.id and finished.status == JobStatus.SUCCEEDED, finished.error
        assert finished.result["households"] == 25 and finished.result["closed"]
        assert finished.progress_done == finished.progress_total == len(periods.STEPS)
        assert "2091-02" in finished.message
        # The next period is open: a new request is for it, not for the closed one.
        following, _created = periods.request_close()
        assert following.params == {"code": NEXT_CODE}
        db.session.rollback()


def test_pusdatin_presses_close_now_which_only_queues(app, client, login, fresh_period):
    from app.extensions import db
    from models import JobRun, PeriodSnapshot
    from models.enums import JobStatus, PeriodStatus

    login("pusdatin")
    page = client.get("/period-close/").get_data(as_text=True)
    assert "Tutup sekarang" in page and fresh_period in page
    token = csrf_token(client, "/period-close/")
    response = client.post(
        "/period-close/close-now", data={"csrf_token": token}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "dalam antrean" in html
    response = client.post(
        "/period-close/close-now", data={"csrf_token": token}, follow_redirects=True
    )
    assert "tidak ada antrean kedua" in response.get_data(as_text=True)
    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "close_period")).all()
        assert [run.status for run in runs] == [JobStatus.QUEUED]
        assert runs[0].requested_by_id == user_id("pusdatin")
        connection = db.session.connection()
        assert period_row(connection, fresh_period).status == PeriodStatus.OPEN
        assert count(connection, PeriodSnapshot) == count(connection, PeriodSnapshot)
    page = client.get("/period-close/").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page  # a queued job: the page follows it
    assert f'id="job-{runs[0].id}"' in page and "Dalam antrean" in page


def test_pusdatin_sets_the_schedule_and_a_malformed_one_is_refused(
    app, client, login, fresh_period
):
    from app import periods

    login("pusdatin")
    token = csrf_token(client, "/period-close/")
    response = client.post(
        "/period-close/schedule",
        data={
            "csrf_token": token,
            "day_of_month": "25",
            "hour": "23",
            "minute": "0",
            "timezone": "Asia/Jakarta",
            "enabled": "y",
        },
        follow_redirects=True,
    )
    assert "Jadwal penutupan disimpan" in response.get_data(as_text=True)
    for bad, message in (
        ({"day_of_month": "31"}, "1 sampai 28"),
        ({"hour": "24"}, "0 sampai 23"),
        ({"minute": "x"}, "0 sampai 59"),
        ({"timezone": "Mars/Olympus"}, "Zona waktu Mars/Olympus tidak dikenal"),
    ):
        data = {
            "csrf_token": token,
            "day_of_month": "10",
            "hour": "1",
            "minute": "30",
            "timezone": "Asia/Makassar",
            "enabled": "y",
            **bad,
        }
        response = client.post("/period-close/schedule", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        schedule = periods.current_schedule()
        assert (
            schedule.day_of_month,
            schedule.hour,
            schedule.minute,
            schedule.timezone,
            schedule.enabled,
        ) == (25, 23, 0, "Asia/Jakarta", True)
        following = periods.next_scheduled_close(
            schedule, datetime.datetime(2026, 12, 26, tzinfo=datetime.UTC)
        )
        assert following.isoformat() == "2027-01-25T23:00:00+07:00"
    page = client.get("/period-close/").get_data(as_text=True)
    assert "Setiap bulan pada tanggal 25 pukul 23:00 (Asia/Jakarta)" in page


@pytest.mark.parametrize("username", ["operator.bandung", "verifikator.bandung", "prov.jabar"])
def test_only_pusdatin_and_admin_close_or_schedule(app, client, login, fresh_period, username):
    from app.extensions import db
    from models import CloseSchedule, JobRun

    login(username)
    token = csrf_token(client, "/resetmypassword/form")
    for url, data in (
        ("/period-close/close-now", {}),
        ("/period-close/schedule", {"day_of_month": "1", "hour": "1"}),
    ):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 403)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(JobRun).where(JobRun.kind == "close_period")
            )
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CloseSchedule)) == 0


def test_pengawas_reads_the_close_page_without_buttons(client, login, fresh_period):
    login("pengawas")
    page = client.get("/period-close/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tutup sekarang" not in html and 'id="schedule-form"' not in html


def test_a_close_queues_its_minutes(app, fresh_period):
    """The close produces the minutes (berita acara): a period_minutes job for the scheduler."""
    import sqlalchemy as sa

    from app import periods
    from app.extensions import db
    from models import JobRun, Period

    with app.app_context():
        result = periods.close_period()
        periods.queue_minutes(result)
        period_id = db.session.scalar(sa.select(Period.id).where(Period.code == result.period_code))
        queued = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "period_minutes")).all()
        assert any((run.params or {}).get("period_id") == period_id for run in queued)
