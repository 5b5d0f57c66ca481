"""The period close's guards against running twice and against a crash: a second close at the
same time is refused by the lock and says so; a killed close leaves the period open, and its
rerun gives the snapshot an uninterrupted close gives."""

import signal
import time
import uuid

import sqlalchemy as sa

from tests.fixtures.periods import (
    NEXT_CODE,
    add_proposals,
    copy_database,
    count,
    demo_households,
    drop_database,
    engine_for,
    flask_command,
    period_row,
    wait_for_line,
)


# -- two closes at once, and a crash ------------------------------------------------------------
def test_two_closes_at_once_one_runs_the_other_says_so(app, fresh_period):
    from app.extensions import db
    from models import PeriodSnapshot
    from models.enums import PeriodStatus

    demo_households(app, 40)
    # Long enough for the second process to start on a busy machine (seconds of imports).
    first = flask_command(
        "close-period",
        env={"DATAKESOS_CLOSE_PAUSE_AFTER": "snapshot", "DATAKESOS_CLOSE_PAUSE_SECONDS": "15"},
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
