"""A guarded close: "Tutup sekarang" first shows what the close would determine and asks for a
confirmation; a period that has not begun is never closed, by any door; before its last day only
as an early close with a reason, which the audit trail keeps."""

import datetime
import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, csrf_token
from tests.fixtures.periods import count, period_row, user_id

NOT_STARTED = "2090-12-15"
EARLY = "2091-01-15"
LAST_DAY = "2091-01-31"
REASON = "Banjir di Kota Bandung: penetapan dipercepat atas perintah Kepala Dinas"
NOT_STARTED_MESSAGE = (
    "Periode 2091-01 belum dimulai (dimulai pada 1 Januari 2091); periode tidak pernah ditutup "
    "sebelum hari pertamanya."
)
NEEDS_REASON_MESSAGE = (
    "Periode 2091-01 berlangsung sampai 31 Januari 2091: menutupnya sebelum itu adalah "
    "penutupan lebih awal dan memerlukan alasan minimal 10 karakter."
)


@pytest.fixture()
def today(monkeypatch):
    """`today("2091-01-15")`: the date the close's guards take as today."""
    from app.clock import TODAY_ENV

    return lambda date: monkeypatch.setenv(TODAY_ENV, date)


@pytest.fixture()
def pusdatin(client, login):
    login("pusdatin")
    return client


def _close_jobs(app) -> list:
    from app.extensions import db
    from models import JobRun

    with app.app_context():
        runs = db.session.scalars(
            sa.select(JobRun).where(JobRun.kind == "close_period").order_by(JobRun.id)
        ).all()
        db.session.expunge_all()
        return runs


def _status(app, code):
    from app.extensions import db

    with app.app_context():
        return period_row(db.session.connection(), code).status


def _confirm(client, code, **form):
    token = csrf_token(client, "/period-close/")
    return client.post(
        "/period-close/close-now/confirm",
        data={"csrf_token": token, "code": code, **form},
        follow_redirects=True,
    )


def _text(html: str) -> str:
    """The page's words, tags and repeated white space removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _proposals(app, make_household, code, states: dict) -> None:
    """Deactivation proposals of Kota Bandung in period `code`, so many per state."""
    from app.extensions import db
    from models import Period, Proposal
    from models.enums import DeactivationReason, ProposalKind, ProposalStatus

    targets = [
        make_household(BANDUNG_VILLAGE) for _ in range(sum(states.values()))
    ]  # one proposal per household: one pending deactivation per target
    with app.app_context():
        period_id = db.session.scalar(sa.select(Period.id).where(Period.code == code))
        operator, verifier = user_id("operator.bandung"), user_id("verifikator.bandung")
        now = datetime.datetime.now()
        for state, number in states.items():
            for _ in range(number):
                status = ProposalStatus[state]
                db.session.add(
                    Proposal(
                        kind=ProposalKind.DEACTIVATE_HOUSEHOLD,
                        status=status,
                        period_id=period_id,
                        regency_code="32.73",
                        household_id=targets.pop(),
                        reason=DeactivationReason.MOVED,
                        proposed_by_id=operator,
                        submitted_at=None if status == ProposalStatus.DRAFT else now,
                        verified_by_id=verifier if status == ProposalStatus.VERIFIED else None,
                        verified_at=now if status == ProposalStatus.VERIFIED else None,
                        rejection_reason="Tidak lengkap" if state == "REJECTED" else None,
                    )
                )
        db.session.commit()


# -- the confirmation ---------------------------------------------------------------------------
def test_close_now_first_shows_the_summary_and_queues_nothing(
    app, pusdatin, make_household, fresh_period, audit_trail
):
    from app.extensions import db
    from models import PeriodSnapshot, Region
    from models.enums import PeriodStatus

    _proposals(app, make_household, fresh_period, {"SUBMITTED": 2, "VERIFIED": 1, "DRAFT": 3})
    with app.app_context():
        regencies = db.session.scalar(
            sa.select(sa.func.count()).select_from(Region).where(Region.level == 2)
        )
        snapshots = count(db.session.connection(), PeriodSnapshot)
    token = csrf_token(pusdatin, "/period-close/")
    response = pusdatin.post("/period-close/close-now", data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Konfirmasi penutupan periode" in text
    assert "Belum ada yang masuk antrean." in text
    assert "2091-01 (1 Januari 2091 – 31 Januari 2091)" in text
    assert "Tanggal penutupan 31 Desember 2091" in text  # the fixture's today
    # Kota Bandung's submitted proposals make it active; no other regency did anything.
    assert (
        f"1 dari {regencies} kabupaten/kota melakukan perbaikan atau usulan pada periode ini"
        in text
    )
    rows = {
        state: _text(row)
        for state, row in re.findall(r'<tr class="proposals-(\w+)">(.*?)</tr>', html, re.S)
    }
    assert rows == {
        "submitted": "Diajukan 2 Menunggu verifikasi: tidak ditetapkan oleh penutupan ini",
        "verified": "Terverifikasi 1 Ditetapkan oleh penutupan ini",
        "rejected": "Ditolak 0 Tidak ditetapkan",
        "draft": "Draf 3 Belum diajukan: tidak ditetapkan",
    }
    assert "Hari terakhir periode ini 31 Januari 2091: penutupan tidak memerlukan alasan." in text
    assert 'name="early_reason"' not in html and "Konfirmasi penutupan</button>" in html
    # Nothing happened: no job, the period open, no snapshot, no request in the trail.
    assert _close_jobs(app) == []
    assert _status(app, fresh_period) == PeriodStatus.OPEN
    with app.app_context():
        assert count(db.session.connection(), PeriodSnapshot) == snapshots
    assert audit_trail("close_requested") == []


# -- never a period that has not begun ----------------------------------------------------------
def test_a_period_that_has_not_started_is_refused_in_the_console(
    app, pusdatin, fresh_period, today
):
    from models.enums import PeriodStatus

    today(NOT_STARTED)
    html = pusdatin.get("/period-close/close-now").get_data(as_text=True)
    assert NOT_STARTED_MESSAGE in _text(html)
    assert 'id="confirm-close"' not in html  # nothing to confirm
    response = _confirm(pusdatin, fresh_period, early_reason=REASON)
    assert response.status_code == 400
    assert NOT_STARTED_MESSAGE in _text(response.get_data(as_text=True))
    assert _close_jobs(app) == []
    assert _status(app, fresh_period) == PeriodStatus.OPEN


def test_a_period_that_has_not_started_is_refused_by_the_cli_the_schedule_and_the_job(
    app, fresh_period, today, monkeypatch
):
    from app import jobs, periods, scheduler
    from app.errors import DomainError
    from models.enums import JobStatus, PeriodStatus

    today(NOT_STARTED)
    runner = app.test_cli_runner()
    for extra in ([], ["--early-reason", REASON]):
        result = runner.invoke(args=["datakesos", "close-period", *extra])
        assert result.exit_code == 1, result.output
        assert NOT_STARTED_MESSAGE in " ".join(result.output.split())
    # The schedule's door queues nothing (and says why in its log).
    monkeypatch.setattr(scheduler, "_app", app)
    with app.app_context():
        signature = scheduler.schedule_signature(periods.save_schedule(25, 23, 0, "Asia/Jakarta"))
    scheduler.enqueue_scheduled_close(signature)
    assert _close_jobs(app) == []
    with app.app_context(), pytest.raises(DomainError) as refused:
        periods.request_close(scheduled=True)
    assert refused.value.message == NOT_STARTED_MESSAGE
    # A job queued around the guards (by hand) is refused when it runs.
    with app.app_context():
        jobs.enqueue("close_period", {"code": fresh_period})
        failed = jobs.run_next("close_period")
        assert failed.status == JobStatus.FAILED
        assert NOT_STARTED_MESSAGE in " ".join((failed.error or "").split())
    assert _status(app, fresh_period) == PeriodStatus.OPEN


# -- before the last day only with a reason -----------------------------------------------------
def test_an_early_close_without_a_reason_is_refused_and_keeps_what_was_typed(
    app, pusdatin, fresh_period, today, audit_trail
):
    today(EARLY)
    token = csrf_token(pusdatin, "/period-close/")
    html = pusdatin.post("/period-close/close-now", data={"csrf_token": token}).get_data(
        as_text=True
    )
    assert (
        "Tanggal penutupan 15 Januari 2091 sebelum akhir periode (31 Januari 2091): ini "
        "penutupan lebih awal, yang memerlukan alasan." in _text(html)
    )
    assert "Alasan penutupan lebih awal" in html and 'name="early_reason"' in html
    for typed in (None, "", "   banjir  "):  # no field, empty, 6 characters once trimmed
        form = {} if typed is None else {"early_reason": typed}
        response = _confirm(pusdatin, fresh_period, **form)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert NEEDS_REASON_MESSAGE in _text(html)
        assert f">{typed or ''}</textarea>" in html  # the reason as typed, to complete it
        assert "has-error" in html
    assert _close_jobs(app) == []
    assert audit_trail("close_requested") == []


def test_an_early_close_with_a_reason_is_queued_and_the_reason_audited(
    app, pusdatin, fresh_period, today, audit_trail
):
    from app import jobs
    from app.extensions import db
    from models.enums import JobStatus, PeriodStatus

    today(EARLY)
    response = _confirm(pusdatin, fresh_period, early_reason=f"  {REASON} ")
    html = _text(response.get_data(as_text=True))
    assert "Penutupan periode 2091-01 sudah masuk dalam antrean" in html, html[:2000]
    [run] = _close_jobs(app)
    with app.app_context():
        assert run.status == JobStatus.QUEUED and run.requested_by_id == user_id("pusdatin")
    assert audit_trail("close_requested") == [
        (
            "pusdatin",
            "period",
            {"code": fresh_period, "early": True, "scheduled": False, "early_reason": REASON},
        )
    ]
    assert _status(app, fresh_period) == PeriodStatus.OPEN  # queued, not closed
    # The scheduler runs it later, still early: the job carries the reason, the close keeps it.
    with app.app_context():
        finished = jobs.run_next("close_period")
        assert finished.status == JobStatus.SUCCEEDED, finished.error
        db.session.rollback()
    assert _status(app, fresh_period) == PeriodStatus.CLOSED
    closed = [after for _user, entity, after in audit_trail("update") if entity == "period"]
    assert closed[-1]["status"] == "CLOSED"
    assert closed[-1]["early"] is True and closed[-1]["early_reason"] == REASON


def test_the_cli_closes_early_only_with_an_early_reason(app, fresh_period, today, audit_trail):
    from models.enums import PeriodStatus

    today(EARLY)
    runner = app.test_cli_runner()
    for extra in ([], ["--early-reason", "singkat"]):
        result = runner.invoke(args=["datakesos", "close-period", *extra])
        assert result.exit_code == 1, result.output
        assert NEEDS_REASON_MESSAGE in " ".join(result.output.split())
    assert _status(app, fresh_period) == PeriodStatus.OPEN
    result = runner.invoke(args=["datakesos", "close-period", "--early-reason", REASON])
    assert result.exit_code == 0, result.output
    assert "Periode 2091-01 ditutup" in result.output
    closed = [after for _user, entity, after in audit_trail("update") if entity == "period"]
    assert closed[-1]["early"] is True and closed[-1]["early_reason"] == REASON


@pytest.mark.parametrize("date", [LAST_DAY, "2091-02-03"])
def test_a_close_on_or_after_the_last_day_needs_no_reason(
    app, pusdatin, fresh_period, today, audit_trail, date
):
    today(date)
    token = csrf_token(pusdatin, "/period-close/")
    html = pusdatin.post("/period-close/close-now", data={"csrf_token": token}).get_data(
        as_text=True
    )
    assert "Hari terakhir periode ini 31 Januari 2091: penutupan tidak memerlukan alasan." in (
        _text(html)
    )
    assert 'name="early_reason"' not in html
    response = _confirm(pusdatin, fresh_period)
    html = _text(response.get_data(as_text=True))
    assert "Penutupan periode 2091-01 sudah masuk dalam antrean" in html
    [run] = _close_jobs(app)
    assert run.params == {"code": fresh_period}
    assert audit_trail("close_requested") == [
        ("pusdatin", "period", {"code": fresh_period, "early": False, "scheduled": False})
    ]


def test_the_schedule_closes_on_time_and_early_without_a_reason(
    app, fresh_period, today, monkeypatch, audit_trail
):
    """The schedule is Pusdatin's standing decision: it needs no reason, and an early scheduled
    close is recorded as such."""
    from app import jobs, periods, scheduler
    from app.extensions import db
    from models.enums import JobStatus, PeriodStatus

    monkeypatch.setattr(scheduler, "_app", app)
    with app.app_context():
        signature = scheduler.schedule_signature(periods.save_schedule(25, 23, 0, "Asia/Jakarta"))
    today(EARLY)
    scheduler.enqueue_scheduled_close(signature)
    [run] = _close_jobs(app)
    assert run.params == {"code": fresh_period, "scheduled": True}
    with app.app_context():
        assert jobs.run_next("close_period").status == JobStatus.SUCCEEDED
        db.session.rollback()
    assert _status(app, fresh_period) == PeriodStatus.CLOSED
    assert audit_trail("close_requested") == [
        ("system", "period", {"code": fresh_period, "early": True, "scheduled": True})
    ]
    # The next period (2091-02), on the schedule after its last day.
    today("2091-02-28")
    scheduler.enqueue_scheduled_close(signature)
    following = _close_jobs(app)[-1]
    assert following.params == {"code": "2091-02"} and following.status == JobStatus.QUEUED
