"""The proposal workflow (usulan) through the console: an operator submits, a verifier of the
same regency verifies or rejects (with a reason) and sees the proposed people; nobody verifies
their own; other regencies do not see it; readers change nothing (DESIGN §5, issue 4)."""

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, session_csrf
from tests.fixtures.proposals import (
    find_user,
    household_form,
    latest_proposal_id,
    load_proposal,
    scalar,
)


def _switch(client, login, username):
    client.get("/logout/")
    login(username)


@pytest.fixture()
def verifier_of_bogor(app):
    """A verifier of Kabupaten Bogor (not among the demo users)."""
    from app.security.users import create_user

    with app.app_context():
        if find_user("verifikator.bogor") is None:
            create_user("verifikator.bogor", "Verifikator", PASSWORD, region_code="32.01")
    return "verifikator.bogor"


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": session_csrf(client), **data})


# -- the workflow -----------------------------------------------------------------------
def test_submit_verify_and_nobody_verifies_their_own(app, client, login, proposed):
    # The proposer's role cannot verify, and the verifier's button is not there for a draft.
    assert _post(client, f"/proposals/verify/{proposed}").status_code in (302, 403)
    assert load_proposal(app, proposed).status.name == "DRAFT"
    response = _post(client, f"/proposals/submit/{proposed}")
    assert response.status_code == 302
    proposal = load_proposal(app, proposed)
    assert proposal.status.name == "SUBMITTED" and proposal.submitted_at is not None
    # Submitted: no longer the operator's to edit or withdraw.
    _post(client, f"/proposals/delete/{proposed}")
    assert load_proposal(app, proposed).status.name == "SUBMITTED"

    _switch(client, login, "verifikator.bandung")
    page = client.get(f"/proposals/show/{proposed}").get_data(as_text=True)
    assert "Verifikasi" in page and "Tolak" in page
    response = _post(client, f"/proposals/verify/{proposed}")
    assert response.status_code == 302
    proposal = load_proposal(app, proposed)
    assert proposal.status.name == "VERIFIED"
    with app.app_context():
        assert proposal.verified_by_id == find_user("verifikator.bandung").id
    # A second verification is refused: it is verified already.
    response = client.post(
        f"/proposals/verify/{proposed}",
        data={"csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "Hanya usulan yang sudah diajukan" in response.get_data(as_text=True)


def test_an_admin_does_not_verify_their_own_proposal(app, client, login):
    login("admin")
    response = client.post("/proposals/households/add", data=household_form(client))
    assert response.status_code == 302
    proposal_id = latest_proposal_id(app)
    _post(client, f"/proposals/submit/{proposal_id}")
    response = client.post(
        f"/proposals/verify/{proposal_id}",
        data={"csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "memverifikasi usulannya sendiri" in response.get_data(as_text=True)
    assert load_proposal(app, proposal_id).status.name == "SUBMITTED"
    response = _post(client, f"/proposals/reject/{proposal_id}", rejection_reason="Ganda")
    assert load_proposal(app, proposal_id).status.name == "SUBMITTED"


def test_another_regency_does_not_see_the_proposal(app, client, login, proposed, verifier_of_bogor):
    _post(client, f"/proposals/submit/{proposed}")
    register_id = scalar(app, "SELECT register_id FROM household")
    assert register_id in client.get("/proposals/list/").get_data(as_text=True)
    for username in ("operator.bogor", verifier_of_bogor):
        _switch(client, login, username)
        assert client.get(f"/proposals/show/{proposed}").status_code == 404
        assert "Ujang Sopandi" not in client.get("/households/list/").get_data(as_text=True)
        assert register_id not in client.get("/proposals/list/").get_data(as_text=True)
        for step in ("verify", "reject", "submit", "delete", "edit"):
            status = _post(
                client, f"/proposals/{step}/{proposed}", rejection_reason="x"
            ).status_code
            assert status in (302, 403, 404), (username, step, status)
    assert load_proposal(app, proposed).status.name == "SUBMITTED"
    _switch(client, login, verifier_of_bogor)
    for step in ("verify", "reject"):
        assert (
            _post(client, f"/proposals/{step}/{proposed}", rejection_reason="x").status_code == 404
        )


def test_reject_needs_a_reason(app, client, login, proposed):
    _post(client, f"/proposals/submit/{proposed}")
    _switch(client, login, "verifikator.bandung")
    response = _post(client, f"/proposals/reject/{proposed}", rejection_reason="   ")
    assert response.status_code == 400
    assert "alasan penolakan" in response.get_data(as_text=True)
    assert load_proposal(app, proposed).status.name == "SUBMITTED"
    response = _post(
        client,
        f"/proposals/reject/{proposed}",
        rejection_reason="Rumah tangga tidak ditemukan di alamat",
    )
    assert response.status_code == 302
    proposal = load_proposal(app, proposed)
    assert proposal.status.name == "REJECTED"
    assert proposal.rejection_reason == "Rumah tangga tidak ditemukan di alamat"
    # The proposer may withdraw it, freeing the NIKs it held for a corrected proposal.
    _switch(client, login, "operator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code == 302
    assert scalar(app, "SELECT count(*) FROM household") == 0
    assert scalar(app, "SELECT count(*) FROM proposal") == 0


def test_operator_edits_and_withdraws_only_own_drafts(app, client, login, proposed):
    url = f"/proposals/edit/{proposed}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="expected_version"' in form
    from tests.conftest import form_defaults

    response = client.post(url, data={**form_defaults(client, url), "note": "Dari musdes"})
    assert response.status_code == 302
    assert load_proposal(app, proposed).note == "Dari musdes"
    _switch(client, login, "verifikator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code in (302, 403)
    assert scalar(app, "SELECT count(*) FROM proposal") == 1
    _switch(client, login, "operator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code == 302
    assert scalar(app, "SELECT count(*) FROM household") == 0
    assert scalar(app, "SELECT count(*) FROM member") == 0


def test_readers_see_proposals_and_change_nothing(app, client, login, proposed):
    for username in ("pengawas", "pusdatin", "prov.jabar"):
        _switch(client, login, username)
        assert client.get(f"/proposals/show/{proposed}").status_code == 200
        for step in ("submit", "verify", "delete"):
            _post(client, f"/proposals/{step}/{proposed}")
        assert client.get("/proposals/households/add").status_code in (302, 403)
    assert load_proposal(app, proposed).status.name == "DRAFT"


def test_the_verifier_sees_the_proposed_people_on_the_proposal(app, client, login, proposed):
    _post(client, f"/proposals/submit/{proposed}")
    _switch(client, login, "verifikator.bandung")
    page = client.get(f"/proposals/show/{proposed}").get_data(as_text=True)
    assert "Orang yang diusulkan" in page
    from app.extensions import db
    from models import Member, Proposal

    with app.app_context():
        household_id = db.session.get(Proposal, proposed).household_id
        people = db.session.scalars(sa.select(Member).where(Member.household_id == household_id))
        for person in people:
            assert person.full_name in page and person.nik in page
    _switch(client, login, "prov.jabar")  # a province reads NIKs masked, here too
    page = client.get(f"/proposals/show/{proposed}").get_data(as_text=True)
    with app.app_context():
        for person in db.session.scalars(
            sa.select(Member).where(Member.household_id == household_id)
        ):
            assert person.full_name in page and person.nik not in page
