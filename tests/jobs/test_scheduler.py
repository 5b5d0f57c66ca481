"""The scheduler process: one active instance per database, the close schedule in its time zone,
queued jobs run there and nowhere else, no second close of a period."""

import datetime
import signal
import threading
import time
import zoneinfo

import pytest
import sqlalchemy as sa

from tests.fixtures.periods import NEXT_CODE, count, demo_households, flask_command, period_row


def _collect(stream, lines: list) -> threading.Thread:
    def read():
        for line in iter(stream.readline, ""):
            lines.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _wait(condition, timeout: float, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _close_runs(app):
    from app.extensions import db
    from models import JobRun

    with app.app_context():
        runs = db.session.scalars(
            sa.select(JobRun).where(JobRun.kind == "close_period").order_by(JobRun.id)
        ).all()
        db.session.expunge_all()
        return runs


def test_two_scheduler_processes_and_a_close_scheduled_for_now_give_one_job_and_one_snapshot(
    app, fresh_period
):
    from app import periods
    from app.extensions import db
    from models import PeriodSnapshot
    from models.enums import JobStatus, PeriodStatus

    zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    start = datetime.datetime.now(zone) + datetime.timedelta(seconds=20)
    target = (start + datetime.timedelta(minutes=1)).replace(second=0, microsecond=0)
    if target.day > 28:
        pytest.skip("a close schedule only has days 1-28; today it cannot fire within a minute")
    demo_households(app, 30)
    with app.app_context():
        periods.save_schedule(target.day, target.hour, target.minute, "Asia/Jakarta")

    outputs = ([], [])
    processes = [flask_command("scheduler", "--poll-seconds", "1") for _ in range(2)]
    try:
        for process, lines in zip(processes, outputs, strict=True):
            _collect(process.stderr, lines)
        waiting = "Proses penjadwal lain sedang aktif; menunggu"
        active = "Penjadwal aktif"
        assert _wait(
            lambda: sum(any(active in line for line in lines) for lines in outputs) == 1
            and sum(any(waiting in line for line in lines) for lines in outputs) == 1,
            timeout=60,
        ), outputs
        # The close fires at the scheduled minute, in the schedule's time zone.
        seconds = (target - datetime.datetime.now(zone)).total_seconds()
        runs = _wait(
            lambda: [
                run
                for run in _close_runs(app)
                if run.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
            ],
            timeout=seconds + 60,
        )
        assert runs, outputs
        time.sleep(3)  # a few more polls: nothing else is queued
        runs = _close_runs(app)
        assert len(runs) == 1, runs
        assert runs[0].status == JobStatus.SUCCEEDED, runs[0].error
        assert runs[0].started_at >= target.astimezone().replace(tzinfo=None) - datetime.timedelta(
            seconds=1
        )
        assert runs[0].requested_by_id is None  # queued by the schedule
        with app.app_context():
            connection = db.session.connection()
            closed = period_row(connection, fresh_period)
            assert closed.status == PeriodStatus.CLOSED
            assert count(connection, PeriodSnapshot, period_id=closed.id) == 30
            assert period_row(connection, NEXT_CODE).status == PeriodStatus.OPEN

        # The active one stops: the waiting one takes over, and queues nothing new.
        first = next(
            p
            for p, lines in zip(processes, outputs, strict=True)
            if any(active in line for line in lines)
        )
        second = next(p for p in processes if p is not first)
        second_lines = outputs[processes.index(second)]
        first.send_signal(signal.SIGTERM)
        # It finishes the job it is running first (the close's minutes or one recap, which on
        # a machine running both suites may take a while).
        assert first.wait(timeout=90) == 0
        assert _wait(lambda: any(active in line for line in second_lines), timeout=30), second_lines
        time.sleep(3)
        assert len(_close_runs(app)) == 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except Exception:  # noqa: BLE001
                process.kill()


def test_the_scheduler_runs_jobs_queued_by_the_console(app, fresh_period):
    from app import periods
    from models.enums import JobStatus

    demo_households(app, 10)
    with app.app_context():
        run, _created = periods.request_close()
        run_id = run.id
    process = flask_command("scheduler", "--poll-seconds", "1")
    lines = []
    _collect(process.stderr, lines)
    try:
        finished = _wait(
            lambda: [
                r for r in _close_runs(app) if r.id == run_id and r.status == JobStatus.SUCCEEDED
            ],
            timeout=60,
        )
        assert finished, lines
        assert finished[0].result["households"] == 10
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_schedule_is_a_cron_in_its_own_time_zone(app):
    from app import periods, scheduler
    from models import CloseSchedule

    schedule = CloseSchedule(
        day_of_month=25, hour=23, minute=0, timezone="Asia/Jayapura", enabled=True
    )
    trigger = periods.close_trigger(schedule)
    after = datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC)
    fire = trigger.get_next_fire_time(None, after)
    assert fire.isoformat() == "2026-12-25T23:00:00+09:00"
    assert scheduler.schedule_signature(schedule) == "25|23|0|Asia/Jayapura"
    schedule.enabled = False
    assert scheduler.schedule_signature(schedule) is None


def test_the_scheduled_job_queues_one_close_and_ignores_a_stale_schedule(app, fresh_period):
    from app import periods, scheduler

    scheduler._app = app
    with app.app_context():
        schedule = periods.save_schedule(25, 23, 0, "Asia/Jakarta")
        signature = scheduler.schedule_signature(schedule)
    scheduler.enqueue_scheduled_close("1|1|0|Asia/Jakarta")  # set from an older schedule
    assert _close_runs(app) == []
    scheduler.enqueue_scheduled_close(signature)
    scheduler.enqueue_scheduled_close(signature)
    runs = _close_runs(app)
    assert len(runs) == 1 and runs[0].params == {"code": fresh_period}


def test_jobs_left_running_by_a_dead_scheduler_are_marked_failed(app, fresh_period):
    from app import jobs, scheduler
    from app.extensions import db
    from models import JobRun
    from models.enums import JobStatus

    with app.app_context():
        run = jobs.enqueue("close_period", {"code": fresh_period})
        db.session.execute(
            sa.update(JobRun).where(JobRun.id == run.id).values(status=JobStatus.RUNNING)
        )
        db.session.commit()
        assert scheduler._fail_orphaned_jobs() >= 1
        db.session.expire_all()
        failed = db.session.get(JobRun, run.id)
        assert failed.status == JobStatus.FAILED and "Terputus" in failed.error
