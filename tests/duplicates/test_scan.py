"""The batch scan over a register with planted duplicates: it finds them (recall, precision),
compares a few pairs per person, changes nothing when rerun, keeps every decision, and answers
bad input in Indonesian from the command line."""

import pytest
import sqlalchemy as sa

from app.demo.duplicates import LIKELY_KINDS

PLANTED = 100


@pytest.fixture()
def planted(app):
    """A demo register of 600 households with PLANTED duplicates of every kind."""
    from app import demo
    from app.demo.duplicates import plant

    with app.app_context():
        demo.generate(households=600)
        yield plant(PLANTED)


def candidates(app) -> dict:
    from app.extensions import db
    from models import DuplicateCandidate

    with app.app_context():
        return {
            (c.first_id, c.second_id): (c.level.name, c.status.name, float(c.score), c.reasons)
            for c in db.session.scalars(
                sa.select(DuplicateCandidate).where(DuplicateCandidate.first_id.is_not(None))
            )
        }


def scan(app, region=""):
    from app.duplicates import scanning

    with app.app_context():
        return scanning.scan(region)


def test_the_scan_finds_planted_duplicates_with_high_recall_and_precision(app, planted):
    result = scan(app)
    found = candidates(app)
    truth = {tuple(sorted((p.original_id, p.duplicate_id))): p.kind for p in planted}
    should = {pair for pair, kind in truth.items() if kind in LIKELY_KINDS}
    likely = {pair for pair, (level, *_rest) in found.items() if level == "LIKELY"}
    recall = len(should & likely) / len(should)
    precision = len(likely & set(truth)) / len(likely)
    assert recall >= 0.95, (recall, [truth[p] for p in should - likely])
    assert precision >= 0.9, precision
    # Every planted second NIK is raised at least as possible.
    second = {pair for pair, kind in truth.items() if kind == "second_nik"}
    assert second <= set(found)
    # Blocking: a few pairs per person, never all pairs.
    assert result.pairs < 0.2 * result.members
    print(f"recall {recall:.3f} precision {precision:.3f} pairs {result.pairs}")


def test_a_rerun_adds_nothing_and_keeps_every_decision(app, planted, audit_trail):
    from app.extensions import db
    from models import DuplicateCandidate, Member
    from models.enums import DuplicateStatus

    scan(app)
    before = candidates(app)
    again = scan(app)
    assert (again.new, again.updated, again.dropped, again.reopened) == (0, 0, 0, 0)
    assert candidates(app) == before
    assert len(audit_trail("duplicate_scan")) == 2

    with app.app_context():
        decided = db.session.scalars(sa.select(DuplicateCandidate).limit(2)).all()
        for candidate in decided:
            candidate.status = DuplicateStatus.DIFFERENT
        db.session.commit()
        kept, changed = decided[0].id, decided[1]
        member = db.session.get(Member, changed.second_id)
        member.birth_place = "Garut"  # any edit: a new version
        db.session.commit()
        changed_id = changed.id
    result = scan(app)
    assert result.kept_decisions >= 1 and result.reopened == 1
    with app.app_context():
        assert db.session.get(DuplicateCandidate, kept).status is DuplicateStatus.DIFFERENT
        assert db.session.get(DuplicateCandidate, changed_id).status is DuplicateStatus.OPEN


def test_a_region_scan_meets_a_twin_registered_elsewhere(app, planted):
    result = scan(app, "32.73")
    assert result.members < 600 * 4
    found = candidates(app)
    assert found and all(level in ("LIKELY", "POSSIBLE") for level, *_ in found.values())


def test_the_command_line_scans_with_progress_and_refuses_unknown_regions(app, planted):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["datakesos", "duplicates", "scan", "--region", "32.73"])
    assert done.exit_code == 0, done.output
    assert "Membandingkan pasangan kandidat" in done.output  # a progress step
    assert "kemungkinan duplikat" in done.output
    found = candidates(app)
    for region in ("99.99", "32.73.99", "bandung"):
        refused = runner.invoke(args=["datakesos", "duplicates", "scan", "--region", region])
        assert refused.exit_code == 1
        assert f"Kode wilayah {region} tidak dikenal." in refused.output
        assert "Traceback" not in refused.output
    assert candidates(app) == found
