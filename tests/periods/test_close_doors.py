"""The period close's doors: the command line, the job queue and the console (close now, the
schedule), who may use them, and the minutes a close queues."""

import datetime
import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.fixtures.periods import (
    NEXT_CODE,
    count,
    demo_households,
    period_row,
    user_id,
)


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

    with app.app_context():
        snapshots = count(db.session.connection(), PeriodSnapshot)
    login("pusdatin")
    page = client.get("/period-close/").get_data(as_text=True)
    assert "Tutup sekarang" in page and fresh_period in page
    token = csrf_token(client, "/period-close/")
    # "Tutup sekarang" asks for a confirmation first (tests/periods/test_close_confirmation.py).
    response = client.post("/period-close/close-now", data={"csrf_token": token})
    assert "Konfirmasi penutupan periode" in response.get_data(as_text=True)
    confirm = {"csrf_token": token, "code": fresh_period}
    response = client.post("/period-close/close-now/confirm", data=confirm, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "dalam antrean" in html
    response = client.post("/period-close/close-now/confirm", data=confirm, follow_redirects=True)
    assert "tidak ada antrean kedua" in response.get_data(as_text=True)
    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "close_period")).all()
        assert [run.status for run in runs] == [JobStatus.QUEUED]
        assert runs[0].requested_by_id == user_id("pusdatin")
        connection = db.session.connection()
        assert period_row(connection, fresh_period).status == PeriodStatus.OPEN
        assert count(connection, PeriodSnapshot) == snapshots
    page = client.get("/period-close/").get_data(as_text=True)
    assert 'data-live-busy="#close-jobs[data-busy]"' in page  # a queued job: the page follows it
    assert 'http-equiv="refresh"' not in page  # in place, not by reloading itself
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
        ("/period-close/close-now/confirm", {"code": fresh_period}),
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
    assert client.get("/period-close/close-now").status_code in (302, 403)


def test_a_close_queues_its_minutes(app, fresh_period):
    """The close produces the minutes (berita acara): a period_minutes job for the scheduler."""
    import sqlalchemy as sa

    from app import periods
    from app.extensions import db
    from models import JobRun, Period

    with app.app_context():
        result = periods.close_period()
        periods.queue_documents(result)
        period_id = db.session.scalar(sa.select(Period.id).where(Period.code == result.period_code))
        queued = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "period_minutes")).all()
        assert any((run.params or {}).get("period_id") == period_id for run in queued)
