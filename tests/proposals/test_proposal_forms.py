"""Proposing through the console's forms (DESIGN §5, issue 4): a new household, a new member of
a registered or of a proposed household, a deactivation; a proposed household is seen by its
regency but not counted in the register; what is wrong or outside the operator's regency is
refused in Indonesian and nothing is written."""

import datetime

import pytest

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, csrf_token
from tests.fixtures.factories import nik_for
from tests.fixtures.proposals import (
    find_user,
    household_form,
    latest_proposal_id,
    load_proposal,
    propose_household,
    scalar,
)


# -- proposing a household --------------------------------------------------------------
def test_proposed_household_is_visible_to_its_regency_but_not_in_the_register(
    app, client, proposed
):
    proposal = load_proposal(app, proposed)
    assert (proposal.kind.name, proposal.status.name, proposal.regency_code) == (
        "NEW_HOUSEHOLD",
        "DRAFT",
        "32.73",
    )
    assert (
        scalar(app, "SELECT status FROM household WHERE id = :id", id=proposal.household_id)
        == "PROPOSED"
    )
    assert (
        scalar(
            app,
            "SELECT count(*) FROM member WHERE household_id = :id AND status = 'PROPOSED'",
            id=proposal.household_id,
        )
        == 2
    )
    assert (
        scalar(
            app, "SELECT count(*) FROM family WHERE household_id = :id", id=proposal.household_id
        )
        == 1
    )
    assert scalar(
        app, "SELECT register_id FROM household WHERE id = :id", id=proposal.household_id
    ).startswith("3273")
    households = client.get("/households/list/").get_data(as_text=True)
    assert "Ujang Sopandi" in households and "Diusulkan" in households
    listed = client.get("/proposals/list/").get_data(as_text=True)
    assert "Rumah tangga baru" in listed and "Draf" in listed
    page = client.get(f"/proposals/show/{proposed}").get_data(as_text=True)
    assert "Ajukan untuk verifikasi" in page

    from app import statistics

    with app.app_context():
        totals = statistics.totals(scope="")
    assert (totals.households, totals.families, totals.people) == (0, 0, 0)
    dashboard = client.get("/")
    assert dashboard.status_code == 200


def test_bad_nik_is_refused_and_nothing_is_written(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/proposals/households/add", data=household_form(client, head_nik="12345")
    )
    assert response.status_code == 200
    assert "NIK harus terdiri dari 16 digit" in response.get_data(as_text=True)
    response = client.post(
        "/proposals/households/add",
        data=household_form(client, **{"further_members-0-nik": "3273015213790000"}),
    )
    html = response.get_data(as_text=True)
    assert "Euis Komariah" in html  # what the clerk typed is still there
    assert "tidak boleh 0000" in html
    assert scalar(app, "SELECT count(*) FROM household") == 0
    assert scalar(app, "SELECT count(*) FROM proposal") == 0


def test_outside_scope_is_refused(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/proposals/households/add", data=household_form(client, village=BOGOR_VILLAGE)
    )
    assert "di luar wilayah Anda" in response.get_data(as_text=True)
    assert scalar(app, "SELECT count(*) FROM household") == 0


def test_a_nik_of_a_pending_proposal_cannot_be_proposed_again(app, client, login, proposed):
    taken = scalar(app, "SELECT nik FROM member WHERE relation_to_head = 'HEAD'")
    response = client.post("/proposals/households/add", data=household_form(client, head_nik=taken))
    assert "sudah dimiliki orang lain" in response.get_data(as_text=True)
    assert scalar(app, "SELECT count(*) FROM proposal") == 1


def test_a_household_needs_its_head(app):
    from app.register.households import InvalidRecord
    from models.enums import Relationship
    from tests.fixtures.factories import member_data

    with app.app_context():
        member = member_data(BANDUNG_VILLAGE, relation=Relationship.CHILD)
        with pytest.raises(InvalidRecord) as refused:
            propose_household(
                {"village_code": BANDUNG_VILLAGE, "address": "Jl. Tanpa Kepala"},
                [member],
                find_user("operator.bandung"),
            )
    assert "kepala" in refused.value.message
    assert scalar(app, "SELECT count(*) FROM household") == 0


# -- new members ------------------------------------------------------------------------
def _member_form(client, url, birth=datetime.date(2012, 6, 5), **overrides):
    data = {
        "csrf_token": csrf_token(client, url),
        "nik": nik_for(BANDUNG_VILLAGE, birth, None),
        "full_name": "Asep Hidayat",
        "kk_number": "",
        "relation_to_head": "CHILD",
        "sex": "MALE",
        "birth_date": birth.isoformat(),
        "disability": "NONE",
        "chronic_illness": "NONE",
    }
    data.update(overrides)
    return data


def test_new_member_of_a_registered_household(app, client, login, make_household):
    household_id = make_household()
    register_id = scalar(app, "SELECT register_id FROM household WHERE id = :id", id=household_id)
    kk = scalar(app, "SELECT kk_number FROM family WHERE household_id = :id", id=household_id)
    login("operator.bandung")
    response = client.get(f"/proposals/new-member?register_id={register_id}")
    assert response.status_code == 302
    url = f"/proposals/members/add?_flt_0_household={household_id}"
    assert response.headers["Location"].endswith(url)
    response = client.post(url, data=_member_form(client, url, kk_number=kk))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal = load_proposal(app, latest_proposal_id(app))
    assert proposal.kind.name == "NEW_MEMBER" and proposal.household_id == household_id
    assert (
        scalar(app, "SELECT status FROM member WHERE id = :id", id=proposal.member_id) == "PROPOSED"
    )
    assert scalar(app, "SELECT status FROM household WHERE id = :id", id=household_id) == "ACTIVE"
    # Bad NIK: refused in Indonesian, nothing written.
    response = client.post(url, data=_member_form(client, url, nik="32730112", kk_number=kk))
    assert "NIK harus terdiri dari 16 digit" in response.get_data(as_text=True)
    assert scalar(app, "SELECT count(*) FROM proposal") == 1
    # Another regency's household does not exist for this operator.
    assert client.get("/proposals/new-member?register_id=nope").status_code == 404


def test_members_added_to_a_draft_household_join_its_proposal(app, client, login, proposed):
    household_id = load_proposal(app, proposed).household_id
    url = f"/proposals/members/add?_flt_0_household={household_id}"
    response = client.post(url, data=_member_form(client, url))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/proposals/show/{proposed}")
    assert scalar(app, "SELECT count(*) FROM proposal") == 1
    assert (
        scalar(
            app,
            "SELECT count(*) FROM member WHERE household_id = :id AND status = 'PROPOSED'",
            id=household_id,
        )
        == 3
    )


# -- deactivations ----------------------------------------------------------------------
def test_deactivation_proposals(app, client, login, make_household):
    household_id = make_household()
    register_id = scalar(app, "SELECT register_id FROM household WHERE id = :id", id=household_id)
    head, spouse = [
        scalar(
            app,
            f"SELECT nik FROM member WHERE household_id = :id AND relation_to_head = '{relation}'",
            id=household_id,
        )
        for relation in ("HEAD", "SPOUSE")
    ]
    login("operator.bandung")
    url = "/proposals/deactivate"
    assert client.get(url).status_code == 200

    def propose(**data):
        return client.post(
            url, data={"csrf_token": csrf_token(client, url), "register_id": register_id, **data}
        )

    response = propose(nik=spouse)
    assert response.status_code == 400 and scalar(app, "SELECT count(*) FROM proposal") == 0
    response = propose(nik=spouse, reason="DECEASED", note="Akta kematian 2026")
    assert response.status_code == 302
    proposal = load_proposal(app, latest_proposal_id(app))
    assert (proposal.kind.name, proposal.reason.name, proposal.status.name) == (
        "DEACTIVATE_MEMBER",
        "DECEASED",
        "DRAFT",
    )
    # Only one pending deactivation per target.
    response = propose(nik=spouse, reason="MOVED")
    assert response.status_code == 409
    assert "sudah memiliki usulan penonaktifan" in response.get_data(as_text=True)
    # The head is not deactivated alone.
    response = propose(nik=head, reason="DECEASED")
    assert response.status_code == 400 and "kepala rumah tangga" in response.get_data(as_text=True)
    response = propose(reason="MOVED")
    assert response.status_code == 302
    assert propose(reason="NOT_FOUND").status_code == 409
    # Nothing changes before the close.
    assert scalar(app, "SELECT status FROM household WHERE id = :id", id=household_id) == "ACTIVE"
    assert scalar(app, "SELECT count(*) FROM member WHERE status = 'ACTIVE'") == 2
    assert scalar(app, "SELECT count(*) FROM proposal") == 2
    # A household of another regency is not found.
    bogor = make_household(BOGOR_VILLAGE)
    bogor_register = scalar(app, "SELECT register_id FROM household WHERE id = :id", id=bogor)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "register_id": bogor_register,
            "reason": "MOVED",
        },
    )
    assert response.status_code == 404
    assert client.get(f"{url}?household={bogor}").status_code == 404


def test_operator_cannot_create_a_household_in_another_regency(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/proposals/households/add", data=household_form(client, village=BOGOR_VILLAGE)
    )
    assert "di luar wilayah Anda" in response.get_data(as_text=True)
    assert scalar(app, "SELECT count(*) FROM household") == 0
