"""Proposals (usulan) through the console: an operator proposes, a verifier of the same regency
verifies or rejects, and the period close applies what was verified (DESIGN §5, issue 4)."""

import datetime

import pytest
import sqlalchemy as sa

from models.enums import Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, PASSWORD, csrf_token, session_csrf
from tests.fixtures.factories import kk_for, nik_for

HEAD_BIRTH = datetime.date(1975, 8, 17)
SPOUSE_BIRTH = datetime.date(1979, 3, 2)


def _household_form(client, village=BANDUNG_VILLAGE, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/proposals/households/add"),
        "village_code": village,
        "address": "Jl. Cikutra No. 7",
        "rt": "002",
        "rw": "004",
        "welfare_decile": "1",
        "head_full_name": "Ujang Sopandi",
        "head_nik": nik_for(village, HEAD_BIRTH, None),
        "head_kk_number": kk_for(village),
        "head_sex": "MALE",
        "head_birth_place": "Bandung",
        "head_birth_date": HEAD_BIRTH.isoformat(),
        "further_members-0-full_name": "Euis Komariah",
        "further_members-0-nik": nik_for(village, SPOUSE_BIRTH, Sex.FEMALE),
        "further_members-0-relation_to_head": "SPOUSE",
        "further_members-0-sex": "FEMALE",
        "further_members-0-birth_date": SPOUSE_BIRTH.isoformat(),
    }
    data.update(overrides)
    return data


def _scalar(app, sql, **params):
    from app.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(sql), params).scalar()


def _proposal(app, proposal_id):
    from app.extensions import db
    from models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.expunge(proposal)
        return proposal


def _latest_proposal_id(app):
    return _scalar(app, "SELECT max(id) FROM proposal")


def _user(username):
    from flask import current_app

    return current_app.appbuilder.sm.find_user(username=username)


def _switch(client, login, username):
    client.get("/logout/")
    login(username)


def _propose_household(data, members, user):
    """A household proposal saved as its form door saves it: checked, built, committed."""
    from app import proposals
    from app.extensions import db
    from models import Household

    proposals.check_household_proposal(data, members, user).raise_if_any()
    proposal = proposals.build_household_proposal(Household(**data), members, user)
    db.session.commit()
    return proposal


def _propose_member(household_id, data, user):
    """A member proposal saved as its form door saves it: checked, built, committed."""
    from app import proposals
    from app.extensions import db
    from app.register import queries
    from app.register.households import MEMBER_FIELDS
    from models import Member

    household = queries.find_household(user, household_id)
    problems, nik, family, draft = proposals.check_member_proposal(household, data, user)
    problems.raise_if_any()
    member = Member(
        nik=nik, **{name: data[name] for name in MEMBER_FIELDS if data.get(name) is not None}
    )
    proposal = proposals.build_member_proposal(household, member, family, draft, user)
    db.session.commit()
    return proposal


@pytest.fixture()
def verifier_of_bogor(app):
    """A verifier of Kabupaten Bogor (not among the demo users)."""
    from app.security.users import create_user

    with app.app_context():
        if _user("verifikator.bogor") is None:
            create_user("verifikator.bogor", "Verifikator", PASSWORD, region_code="32.01")
    return "verifikator.bogor"


@pytest.fixture()
def proposed(app, client, login):
    """A household with two members, proposed by operator.bandung through the form."""
    login("operator.bandung")
    response = client.post("/proposals/households/add", data=_household_form(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal_id = _latest_proposal_id(app)
    assert response.headers["Location"].endswith(f"/proposals/show/{proposal_id}")
    return proposal_id


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": session_csrf(client), **data})


# -- proposing a household --------------------------------------------------------------
def test_proposed_household_is_visible_to_its_regency_but_not_in_the_register(
    app, client, proposed
):
    proposal = _proposal(app, proposed)
    assert (proposal.kind.name, proposal.status.name, proposal.regency_code) == (
        "NEW_HOUSEHOLD",
        "DRAFT",
        "32.73",
    )
    assert (
        _scalar(app, "SELECT status FROM household WHERE id = :id", id=proposal.household_id)
        == "PROPOSED"
    )
    assert (
        _scalar(
            app,
            "SELECT count(*) FROM member WHERE household_id = :id AND status = 'PROPOSED'",
            id=proposal.household_id,
        )
        == 2
    )
    assert (
        _scalar(
            app, "SELECT count(*) FROM family WHERE household_id = :id", id=proposal.household_id
        )
        == 1
    )
    assert _scalar(
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
        "/proposals/households/add", data=_household_form(client, head_nik="12345")
    )
    assert response.status_code == 200
    assert "NIK harus terdiri dari 16 digit" in response.get_data(as_text=True)
    response = client.post(
        "/proposals/households/add",
        data=_household_form(client, **{"further_members-0-nik": "3273015213790000"}),
    )
    html = response.get_data(as_text=True)
    assert "Euis Komariah" in html  # what the clerk typed is still there
    assert "tidak boleh 0000" in html
    assert _scalar(app, "SELECT count(*) FROM household") == 0
    assert _scalar(app, "SELECT count(*) FROM proposal") == 0


def test_outside_scope_is_refused(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/proposals/households/add", data=_household_form(client, village=BOGOR_VILLAGE)
    )
    assert "di luar wilayah Anda" in response.get_data(as_text=True)
    assert _scalar(app, "SELECT count(*) FROM household") == 0


def test_a_nik_of_a_pending_proposal_cannot_be_proposed_again(app, client, login, proposed):
    taken = _scalar(app, "SELECT nik FROM member WHERE relation_to_head = 'HEAD'")
    response = client.post(
        "/proposals/households/add", data=_household_form(client, head_nik=taken)
    )
    assert "sudah dimiliki orang lain" in response.get_data(as_text=True)
    assert _scalar(app, "SELECT count(*) FROM proposal") == 1


def test_a_household_needs_its_head(app):
    from app.register.households import InvalidRecord
    from models.enums import Relationship
    from tests.fixtures.factories import member_data

    with app.app_context():
        member = member_data(BANDUNG_VILLAGE, relation=Relationship.CHILD)
        with pytest.raises(InvalidRecord) as refused:
            _propose_household(
                {"village_code": BANDUNG_VILLAGE, "address": "Jl. Tanpa Kepala"},
                [member],
                _user("operator.bandung"),
            )
    assert "kepala" in refused.value.message
    assert _scalar(app, "SELECT count(*) FROM household") == 0


# -- the workflow -----------------------------------------------------------------------
def test_submit_verify_and_nobody_verifies_their_own(app, client, login, proposed):
    # The proposer's role cannot verify, and the verifier's button is not there for a draft.
    assert _post(client, f"/proposals/verify/{proposed}").status_code in (302, 403)
    assert _proposal(app, proposed).status.name == "DRAFT"
    response = _post(client, f"/proposals/submit/{proposed}")
    assert response.status_code == 302
    proposal = _proposal(app, proposed)
    assert proposal.status.name == "SUBMITTED" and proposal.submitted_at is not None
    # Submitted: no longer the operator's to edit or withdraw.
    _post(client, f"/proposals/delete/{proposed}")
    assert _proposal(app, proposed).status.name == "SUBMITTED"

    _switch(client, login, "verifikator.bandung")
    page = client.get(f"/proposals/show/{proposed}").get_data(as_text=True)
    assert "Verifikasi" in page and "Tolak" in page
    response = _post(client, f"/proposals/verify/{proposed}")
    assert response.status_code == 302
    proposal = _proposal(app, proposed)
    assert proposal.status.name == "VERIFIED"
    with app.app_context():
        assert proposal.verified_by_id == _user("verifikator.bandung").id
    # A second verification is refused: it is verified already.
    response = client.post(
        f"/proposals/verify/{proposed}",
        data={"csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "Hanya usulan yang sudah diajukan" in response.get_data(as_text=True)


def test_an_admin_does_not_verify_their_own_proposal(app, client, login):
    login("admin")
    response = client.post("/proposals/households/add", data=_household_form(client))
    assert response.status_code == 302
    proposal_id = _latest_proposal_id(app)
    _post(client, f"/proposals/submit/{proposal_id}")
    response = client.post(
        f"/proposals/verify/{proposal_id}",
        data={"csrf_token": session_csrf(client)},
        follow_redirects=True,
    )
    assert "memverifikasi usulannya sendiri" in response.get_data(as_text=True)
    assert _proposal(app, proposal_id).status.name == "SUBMITTED"
    response = _post(client, f"/proposals/reject/{proposal_id}", rejection_reason="Ganda")
    assert _proposal(app, proposal_id).status.name == "SUBMITTED"


def test_another_regency_does_not_see_the_proposal(app, client, login, proposed, verifier_of_bogor):
    _post(client, f"/proposals/submit/{proposed}")
    register_id = _scalar(app, "SELECT register_id FROM household")
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
    assert _proposal(app, proposed).status.name == "SUBMITTED"
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
    assert _proposal(app, proposed).status.name == "SUBMITTED"
    response = _post(
        client,
        f"/proposals/reject/{proposed}",
        rejection_reason="Rumah tangga tidak ditemukan di alamat",
    )
    assert response.status_code == 302
    proposal = _proposal(app, proposed)
    assert proposal.status.name == "REJECTED"
    assert proposal.rejection_reason == "Rumah tangga tidak ditemukan di alamat"
    # The proposer may withdraw it, freeing the NIKs it held for a corrected proposal.
    _switch(client, login, "operator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code == 302
    assert _scalar(app, "SELECT count(*) FROM household") == 0
    assert _scalar(app, "SELECT count(*) FROM proposal") == 0


def test_operator_edits_and_withdraws_only_own_drafts(app, client, login, proposed):
    url = f"/proposals/edit/{proposed}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="expected_version"' in form
    from tests.conftest import form_defaults

    response = client.post(url, data={**form_defaults(client, url), "note": "Dari musdes"})
    assert response.status_code == 302
    assert _proposal(app, proposed).note == "Dari musdes"
    _switch(client, login, "verifikator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code in (302, 403)
    assert _scalar(app, "SELECT count(*) FROM proposal") == 1
    _switch(client, login, "operator.bandung")
    assert _post(client, f"/proposals/delete/{proposed}").status_code == 302
    assert _scalar(app, "SELECT count(*) FROM household") == 0
    assert _scalar(app, "SELECT count(*) FROM member") == 0


def test_readers_see_proposals_and_change_nothing(app, client, login, proposed):
    for username in ("pengawas", "pusdatin", "prov.jabar"):
        _switch(client, login, username)
        assert client.get(f"/proposals/show/{proposed}").status_code == 200
        for step in ("submit", "verify", "delete"):
            _post(client, f"/proposals/{step}/{proposed}")
        assert client.get("/proposals/households/add").status_code in (302, 403)
    assert _proposal(app, proposed).status.name == "DRAFT"


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
    register_id = _scalar(app, "SELECT register_id FROM household WHERE id = :id", id=household_id)
    kk = _scalar(app, "SELECT kk_number FROM family WHERE household_id = :id", id=household_id)
    login("operator.bandung")
    response = client.get(f"/proposals/new-member?register_id={register_id}")
    assert response.status_code == 302
    url = f"/proposals/members/add?_flt_0_household={household_id}"
    assert response.headers["Location"].endswith(url)
    response = client.post(url, data=_member_form(client, url, kk_number=kk))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal = _proposal(app, _latest_proposal_id(app))
    assert proposal.kind.name == "NEW_MEMBER" and proposal.household_id == household_id
    assert (
        _scalar(app, "SELECT status FROM member WHERE id = :id", id=proposal.member_id)
        == "PROPOSED"
    )
    assert _scalar(app, "SELECT status FROM household WHERE id = :id", id=household_id) == "ACTIVE"
    # Bad NIK: refused in Indonesian, nothing written.
    response = client.post(url, data=_member_form(client, url, nik="32730112", kk_number=kk))
    assert "NIK harus terdiri dari 16 digit" in response.get_data(as_text=True)
    assert _scalar(app, "SELECT count(*) FROM proposal") == 1
    # Another regency's household does not exist for this operator.
    assert client.get("/proposals/new-member?register_id=nope").status_code == 404


def test_members_added_to_a_draft_household_join_its_proposal(app, client, login, proposed):
    household_id = _proposal(app, proposed).household_id
    url = f"/proposals/members/add?_flt_0_household={household_id}"
    response = client.post(url, data=_member_form(client, url))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/proposals/show/{proposed}")
    assert _scalar(app, "SELECT count(*) FROM proposal") == 1
    assert (
        _scalar(
            app,
            "SELECT count(*) FROM member WHERE household_id = :id AND status = 'PROPOSED'",
            id=household_id,
        )
        == 3
    )


# -- deactivations ----------------------------------------------------------------------
def test_deactivation_proposals(app, client, login, make_household):
    household_id = make_household()
    register_id = _scalar(app, "SELECT register_id FROM household WHERE id = :id", id=household_id)
    head, spouse = [
        _scalar(
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
    assert response.status_code == 400 and _scalar(app, "SELECT count(*) FROM proposal") == 0
    response = propose(nik=spouse, reason="DECEASED", note="Akta kematian 2026")
    assert response.status_code == 302
    proposal = _proposal(app, _latest_proposal_id(app))
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
    assert _scalar(app, "SELECT status FROM household WHERE id = :id", id=household_id) == "ACTIVE"
    assert _scalar(app, "SELECT count(*) FROM member WHERE status = 'ACTIVE'") == 2
    assert _scalar(app, "SELECT count(*) FROM proposal") == 2
    # A household of another regency is not found.
    bogor = make_household(BOGOR_VILLAGE)
    bogor_register = _scalar(app, "SELECT register_id FROM household WHERE id = :id", id=bogor)
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


# -- the close's part -------------------------------------------------------------------
def test_apply_verified_changes_statuses_set_based(app, make_household):
    from app import proposals
    from app.extensions import db
    from app.register.reference import open_period
    from models import Household, Member
    from models.enums import Relationship
    from tests.fixtures.factories import member_data

    with app.app_context():
        operator, verifier = _user("operator.bandung"), _user("verifikator.bandung")
        registered = db.session.get(Household, make_household())
        gone = db.session.get(Household, make_household())
        spouse = next(m for m in registered.members if m.relation_to_head == Relationship.SPOUSE)
        head = member_data(BANDUNG_VILLAGE, name="Dadang Suryana")
        child = member_data(
            BANDUNG_VILLAGE,
            relation=Relationship.CHILD,
            birth_date=datetime.date(2015, 1, 9),
            name="Rina",
            kk=head["kk_number"],
        )
        new_household = _propose_household(
            {"village_code": BANDUNG_VILLAGE, "address": "Jl. Baru 1"}, [head, child], operator
        )
        waiting = _propose_household(
            {"village_code": BANDUNG_VILLAGE, "address": "Jl. Baru 2"},
            [member_data(BANDUNG_VILLAGE, name="Belum Diverifikasi")],
            operator,
        )
        new_member = _propose_member(
            registered.id,
            member_data(
                BANDUNG_VILLAGE,
                relation=Relationship.CHILD,
                birth_date=datetime.date(2018, 2, 3),
                name="Dede",
                kk=registered.families[0].kk_number,
            ),
            operator,
        )
        member_gone = proposals.propose_deactivation(operator, "DECEASED", member_id=spouse.id)
        household_gone = proposals.propose_deactivation(operator, "MOVED", household_id=gone.id)
        ids = [p.id for p in (new_household, new_member, member_gone, household_gone)]
        for proposal in (new_household, new_member, member_gone, household_gone, waiting):
            proposals.submit(proposal, operator)
        for proposal in (new_household, new_member, member_gone, household_gone):
            proposals.verify(proposal, verifier)
        period_id = open_period().id
        new_household_id, new_member_id = new_household.household_id, new_member.member_id
        spouse_id, gone_id, waiting_id = spouse.id, gone.id, waiting.household_id
        audit_before = db.session.scalar(sa.text("SELECT count(*) FROM audit_entry"))
        db.session.commit()

        with db.engine.begin() as connection:
            counts = proposals.apply_verified(connection, period_id)
        assert counts == {
            "households_activated": 1,
            "members_activated": 3,
            "households_deactivated": 1,
            "members_deactivated": 1,
            "proposals_applied": 4,
        }
        with db.engine.begin() as connection:
            again = proposals.apply_verified(connection, period_id)
        assert set(again.values()) == {0}

        db.session.expire_all()
        assert db.session.get(Household, new_household_id).status.name == "ACTIVE"
        assert {m.status.name for m in db.session.get(Household, new_household_id).members} == {
            "ACTIVE"
        }
        assert db.session.get(Member, new_member_id).status.name == "ACTIVE"
        assert db.session.get(Member, spouse_id).status.name == "DECEASED"
        household = db.session.get(Household, gone_id)
        assert household.status.name == "INACTIVE"
        assert {m.status.name for m in household.members} == {"ACTIVE"}
        assert db.session.get(Household, waiting_id).status.name == "PROPOSED"
        rows = db.session.execute(
            sa.text("SELECT status, applied_period_id FROM proposal ORDER BY id")
        ).all()
        statuses = {status for status, _ in rows}
        assert statuses == {"APPLIED", "SUBMITTED"}
        assert {applied for status, applied in rows if status == "APPLIED"} == {period_id}
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_entry")) == audit_before + 4
        assert sorted(
            int(entity_id)
            for entity_id in db.session.scalars(
                sa.text(
                    "SELECT entity_id FROM audit_entry WHERE action = 'apply' ORDER BY id DESC "
                    "LIMIT 4"
                )
            )
        ) == sorted(ids)

        from app import statistics

        totals = statistics.totals(scope="")
        # Registered (2 people, one now deceased, plus Dede) and the new household (2 people).
        assert (totals.households, totals.people) == (2, 4)


def test_operator_cannot_create_a_household_in_another_regency(app, client, login):
    login("operator.bandung")
    response = client.post(
        "/proposals/households/add", data=_household_form(client, village=BOGOR_VILLAGE)
    )
    assert "di luar wilayah Anda" in response.get_data(as_text=True)
    assert _scalar(app, "SELECT count(*) FROM household") == 0


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
