"""The regency's queue (/complaints/): scope, photos for the regency's own officers only,
decisions with a reason, what an upheld submission becomes, and the 14-day job with a moved
clock."""

import datetime
import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.conftest import session_csrf, signed_in
from tests.fixtures.complaints import send, tracking_code

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture()
def sent(app, client, determined):
    """One sanggah about a Kota Bandung household: (its id, its tracking code, the household)."""
    house = determined()
    code = tracking_code(send(client, house))
    from app.complaints import tracking

    with app.app_context():
        return tracking.find(code).id, code, house


def decide(browser, complaint_id, decision: str, reason: str):
    """The decision form of the submission's page, as its buttons send it."""
    return browser.post(
        f"/complaints/decide/{complaint_id}",
        data={"csrf_token": session_csrf(browser), "decision": decision, "reason": reason},
    )


def _complaint(app, complaint_id):
    from app.extensions import db
    from models.complaints import Complaint

    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        db.session.expunge_all()
        return complaint


def _photo_id(app, complaint_id) -> int:
    from app.extensions import db
    from models.complaints import ComplaintPhoto

    with app.app_context():
        return db.session.scalar(
            sa.select(ComplaintPhoto.id).where(ComplaintPhoto.complaint_id == complaint_id)
        )


def test_the_queue_is_the_regencys_own(app, sent):
    complaint_id, code, _house = sent
    for username in (
        "verifikator.bandung",
        "operator.bandung",
        "prov.jabar",
        "pusdatin",
        "pengawas",
    ):
        browser = signed_in(app, username)
        assert code in browser.get("/complaints/list/").get_data(as_text=True), username
        assert browser.get(f"/complaints/show/{complaint_id}").status_code == 200, username
    bogor = signed_in(app, "operator.bogor")
    assert code not in bogor.get("/complaints/list/").get_data(as_text=True)
    assert bogor.get(f"/complaints/show/{complaint_id}").status_code == 404
    page = signed_in(app, "verifikator.bandung").get(f"/complaints/show/{complaint_id}")
    html = page.get_data(as_text=True)
    assert "Sesuai jadwal" in html and "complaint-map" in html and "dari foto" in html


def test_photos_go_only_to_the_regencys_officers_and_carry_no_exif(app, client, sent):
    complaint_id, _code, _house = sent
    photo = f"/complaints/photo/{_photo_id(app, complaint_id)}"
    body = signed_in(app, "verifikator.bandung").get(photo)
    assert body.status_code == 200 and body.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(body.data))
    assert not image.getexif() and "exif" not in image.info
    assert signed_in(app, "operator.bogor").get(photo).status_code in (403, 404)
    assert signed_in(app, "prov.jabar").get(photo).status_code in (403, 404)
    assert signed_in(app, "pusdatin").get(photo).status_code in (403, 404)
    assert client.get(photo).status_code in (302, 401, 403)
    province_page = signed_in(app, "prov.jabar").get(f"/complaints/show/{complaint_id}")
    assert "Foto hanya ditampilkan kepada petugas kabupaten/kota" in province_page.get_data(
        as_text=True
    )


def test_an_upheld_sanggah_becomes_a_verified_deactivation(app, sent, audit_trail):
    complaint_id, code, house = sent
    verifier = signed_in(app, "verifikator.bandung")
    token = session_csrf(verifier)
    verifier.post(f"/complaints/start/{complaint_id}", data={"csrf_token": token})
    assert _complaint(app, complaint_id).status.name == "IN_VERIFICATION"
    public = app.test_client().get(f"/sanggah/{code}").get_data(as_text=True)
    assert "Dalam verifikasi" in public
    short = verifier.post(
        f"/complaints/decide/{complaint_id}",
        data={"csrf_token": token, "decision": "uphold", "reason": "ok"},
        follow_redirects=True,
    )
    assert "Tuliskan alasan keputusan (paling sedikit 10 karakter)." in short.get_data(as_text=True)
    assert _complaint(app, complaint_id).status.name == "IN_VERIFICATION"
    reason = "Dicek ke lapangan: rumah bertingkat, dua mobil."
    verifier.post(
        f"/complaints/decide/{complaint_id}",
        data={"csrf_token": token, "decision": "uphold", "reason": reason},
    )
    complaint = _complaint(app, complaint_id)
    assert complaint.status.name == "UPHELD" and complaint.proposal_id
    from app.extensions import db
    from models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, complaint.proposal_id)
        assert proposal.kind.name == "DEACTIVATE_HOUSEHOLD" and proposal.status.name == "VERIFIED"
        assert proposal.household_id == house["id"] and proposal.reason.name == "OBJECTION"
    public = app.test_client().get(f"/sanggah/{code}").get_data(as_text=True)
    assert "Dikabulkan" in public and reason in public
    actions = [entry[2] for entry in audit_trail("update") if entry[1] == "complaint"]
    assert any(after.get("status") == "UPHELD" for after in actions)


def test_decisions_outside_the_role_or_scope_are_refused(app, sent):
    complaint_id, _code, _house = sent
    for username in ("operator.bandung", "prov.jabar", "operator.bogor"):
        browser = signed_in(app, username)
        answer = browser.post(
            f"/complaints/decide/{complaint_id}",
            data={
                "csrf_token": session_csrf(browser),
                "decision": "reject",
                "reason": "Tidak terbukti di lapangan.",
            },
        )
        assert answer.status_code in (302, 403, 404), username
        assert _complaint(app, complaint_id).status.name == "RECEIVED", username


def test_an_upheld_usul_leaves_the_operator_a_task(app, client, determined):
    house = determined()
    code = tracking_code(
        send(
            client,
            house,
            kind="PROPOSAL",
            village_code=house["village"],
            head_name="Ujang Sutisna",
            address="Gang Mawar 3",
        )
    )
    from app.complaints import tracking
    from app.extensions import db

    with app.app_context():
        complaint_id = tracking.find(code).id
    verifier = signed_in(app, "verifikator.bandung")
    decide(verifier, complaint_id, "uphold", "Keluarga ini layak diusulkan.")
    operator = signed_in(app, "operator.bandung")
    page = operator.get(f"/complaints/show/{complaint_id}").get_data(as_text=True)
    assert "Usulkan rumah tangga" in page and "/proposals/households/add" in page
    operator.post(f"/complaints/task/{complaint_id}", data={"csrf_token": session_csrf(operator)})
    assert _complaint(app, complaint_id).task_done_at is not None
    with app.app_context():
        db.session.rollback()


@pytest.mark.parametrize("rule", ["lapse", "escalate"])
def test_the_daily_job_applies_the_deadline_with_a_moved_clock(app, sent, monkeypatch, rule):
    from app import jobs
    from app.clock import TODAY_ENV
    from app.complaints import deadlines
    from app.extensions import db

    complaint_id, code, _house = sent
    kept = app.config["COMPLAINT_OVERDUE"]
    app.config["COMPLAINT_OVERDUE"] = rule
    try:
        with app.app_context():
            real_today = datetime.date.today()
            monkeypatch.setenv(TODAY_ENV, (real_today + datetime.timedelta(days=10)).isoformat())
            jobs.run_job(jobs.enqueue(deadlines.JOB_KIND))
            assert _complaint(app, complaint_id).status.name == "RECEIVED"
            monkeypatch.setenv(TODAY_ENV, (real_today + datetime.timedelta(days=16)).isoformat())
            run = jobs.run_job(jobs.enqueue(deadlines.JOB_KIND))
            assert run.status.name == "SUCCEEDED", run.error
            db.session.rollback()
    finally:
        app.config["COMPLAINT_OVERDUE"] = kept
    complaint = _complaint(app, complaint_id)
    public = app.test_client().get(f"/sanggah/{code}").get_data(as_text=True)
    if rule == "lapse":
        assert complaint.status.name == "LAPSED"
        assert "Kedaluwarsa" in public and "Tidak diputuskan dalam 14 hari" in public
    else:
        assert complaint.status.name == "RECEIVED" and complaint.escalated_at is not None
        assert "diteruskan ke provinsi" in public
        page = signed_in(app, "prov.jabar").get(f"/complaints/show/{complaint_id}")
        assert "Lewat batas waktu" in page.get_data(as_text=True)
    assert re.search(r"Batas keputusan", public)


def test_beranda_counts_what_waits_and_links_to_exactly_those(app, sent):
    complaint_id, code, _house = sent
    verifier = signed_in(app, "verifikator.bandung")
    home = verifier.get("/").get_data(as_text=True)
    item = re.search(r'id="work-complaints" data-count="(\d+)".*?href="([^"]+)"', home, re.S)
    assert item and item.group(1) == "1"
    listed = verifier.get(item.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert code in listed
    decide(verifier, complaint_id, "reject", "Tidak terbukti di lapangan.")
    home = verifier.get("/").get_data(as_text=True)
    assert 'id="work-complaints" data-count="0"' in home
    assert code not in verifier.get(item.group(2).replace("&amp;", "&")).get_data(as_text=True)
    province = signed_in(app, "prov.jabar").get("/").get_data(as_text=True)
    assert 'id="work-complaints_breached" data-count="0"' in province


def test_counts_per_regency_on_the_activity_page_and_in_the_recap(app, sent):
    from tests.fixtures.documents import pdf_text

    complaint_id, _code, _house = sent
    verifier = signed_in(app, "verifikator.bandung")
    decide(verifier, complaint_id, "reject", "Tidak terbukti di lapangan.")
    from app.extensions import db
    from models.complaints import Complaint

    with app.app_context():  # received and decided in the days of the test's open period
        db.session.execute(
            sa.update(Complaint).values(
                received_at=datetime.datetime(2091, 1, 10, 3),
                due_at=datetime.datetime(2091, 1, 24, 3),
                decided_at=datetime.datetime(2091, 1, 12, 3),
            )
        )
        db.session.commit()
    period = "2091-01"
    province = signed_in(app, "prov.jabar")
    page = province.get(f"/activity/?period={period}").get_data(as_text=True)
    row = re.search(
        r'<tr class="regency[^"]*" data-code="32.73">.*?regency-complaints">(.*?)</td>', page, re.S
    ).group(1)
    assert re.sub(r"<[^>]+>|\s", "", row) == "1/1/0"
    text = pdf_text(province.get(f"/reports/region/32.73/recap.pdf?period={period}").data)
    assert "Pengaduan warga yang diterima dalam periode" in text


def test_the_scheduler_queues_the_deadline_job_once_a_day(app, monkeypatch):
    from app import jobs, scheduler
    from app.clock import TODAY_ENV
    from app.complaints import deadlines
    from app.extensions import db
    from models import JobRun

    def queued() -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(JobRun).where(JobRun.kind == deadlines.JOB_KIND)
        )

    with app.app_context():
        scheduler._deadlines_day[0] = None
        before = queued()
        monkeypatch.setenv(TODAY_ENV, "2091-03-01")
        scheduler.queue_complaint_deadlines()
        scheduler.queue_complaint_deadlines()
        assert queued() == before + 1
        monkeypatch.setenv(TODAY_ENV, "2091-03-02")
        scheduler.queue_complaint_deadlines()
        assert queued() == before + 2
        while jobs.run_next(deadlines.JOB_KIND):
            pass
        db.session.execute(sa.delete(JobRun).where(JobRun.kind == deadlines.JOB_KIND))
        db.session.commit()
        scheduler._deadlines_day[0] = None
