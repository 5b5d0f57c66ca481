"""One region scope at every door (DESIGN §4, §8).

The matrix walks every URL rule the app registers that takes a record id, for every demo
user, against a Kabupaten Bogor and a Kota Bandung household and their families, members and
memberships — so a door added later without the scope fails here by itself."""

import pytest
import sqlalchemy as sa

from tests.conftest import (
    BANDUNG_VILLAGE,
    BOGOR_VILLAGE,
    PASSWORD,
    USERS,
    bearer,
    csrf_token,
    session_csrf,
)

SCOPED_COLUMNS = ("village_code", "household_id", "region_code")
NATIONAL_READERS = {"admin", "pusdatin", "pengawas"}


def _scoped_model(model) -> bool:
    """Register data in a region. Users (ab_user) are managed by national Admins only."""
    if model.__tablename__.startswith("ab_"):
        return False
    return any(hasattr(model, column) for column in SCOPED_COLUMNS)


def _in_scope(username, village_code):
    prefix = USERS[username][1]
    return not prefix or village_code.startswith(prefix + ".")


@pytest.fixture()
def two_households(app, make_household):
    """Ids of each model's rows, by region."""
    from app.extensions import db
    from models import Member, Program, ProgramMembership

    rows = {}
    for name, village in (("bandung", BANDUNG_VILLAGE), ("bogor", BOGOR_VILLAGE)):
        household_id = make_household(village)
        with app.app_context():
            member = db.session.scalar(sa.select(Member).where(Member.household_id == household_id))
            program = db.session.scalar(sa.select(Program).where(Program.code == "PBI-JK"))
            membership = ProgramMembership(
                program=program, household_id=household_id, member_id=member.id
            )
            db.session.add(membership)
            proposal = _submitted_proposal(household_id, village)
            db.session.add(proposal)
            session = _deliberation(village)
            complaint = _complaint(household_id, member, village)
            db.session.add(complaint)
            db.session.commit()
            rows[name] = {
                "Household": household_id,
                "Family": member.family_id,
                "Member": member.id,
                "ProgramMembership": membership.id,
                "Proposal": proposal.id,
                "Deliberation": session.id,
                "Complaint": complaint.id,
                "village": village,
            }
    yield rows
    from models import Deliberation

    with app.app_context():
        ids = [row["Deliberation"] for row in rows.values()]
        db.session.execute(sa.delete(Deliberation).where(Deliberation.id.in_(ids)))
        db.session.commit()


def _deliberation(village):
    """The village's deliberation session of the open period (one per village and period)."""
    import datetime

    from flask import current_app

    from app.extensions import db
    from app.register.reference import open_period
    from models import Deliberation

    period_id = open_period().id
    existing = db.session.scalar(
        sa.select(Deliberation).where(
            Deliberation.period_id == period_id, Deliberation.village_code == village
        )
    )
    if existing is not None:
        return existing
    operator = "operator.bandung" if village == BANDUNG_VILLAGE else "operator.bogor"
    session = Deliberation(
        period_id=period_id,
        village_code=village,
        held_on=datetime.date.today(),
        participants="Kepala desa; ketua RT 01",
        created_by_id=current_app.appbuilder.sm.find_user(username=operator).id,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _complaint(household_id, member, village):
    """A resident's sanggah about the household, with one photo."""
    import datetime

    from app.register.verification import new_code
    from models.complaints import Complaint, ComplaintPhoto
    from models.enums import ComplaintKind, ComplaintReason

    now = datetime.datetime.now()
    return Complaint(
        code=new_code("complaint"),
        kind=ComplaintKind.OBJECTION,
        village_code=village,
        regency_code=village[:5],
        household_id=household_id,
        submitter_nik=member.nik,
        submitter_name=member.full_name,
        reason=ComplaintReason.CAPABLE,
        received_at=now,
        due_at=now + datetime.timedelta(days=14),
        photos=[
            ComplaintPhoto(
                media_type="image/png", width=1, height=1, size=1, sha256="0" * 64, content=b"x"
            )
        ],
    )


def _submitted_proposal(household_id, village):
    """A deactivation proposal of the household, waiting for its verifier."""
    from flask import current_app

    from app.register.reference import open_period
    from models import Proposal
    from models.enums import DeactivationReason, ProposalKind, ProposalStatus

    operator = "operator.bandung" if village == BANDUNG_VILLAGE else "operator.bogor"
    return Proposal(
        kind=ProposalKind.DEACTIVATE_HOUSEHOLD,
        status=ProposalStatus.SUBMITTED,
        period_id=open_period().id,
        regency_code=village[:5],
        household_id=household_id,
        reason=DeactivationReason.MOVED,
        proposed_by_id=current_app.appbuilder.sm.find_user(username=operator).id,
    )


def _fingerprint(app):
    from app.extensions import db

    with app.app_context():
        return [
            tuple(db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all())
            for table in ("household", "family", "member", "program_membership", "proposal")
        ]


def _doors(app):
    """(rule, view) for every URL rule with a record id on a view of region-scoped data."""
    views = {type(view).__name__: view for view in app.appbuilder.baseviews}
    for rule in app.url_map.iter_rules():
        view = views.get(rule.endpoint.split(".")[0])
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is not None and model.__name__ == "AuditEntry":
            continue  # national readers only (Admin, Pengawas): covered by test_audit
        if model is not None and model.__name__ == "Office":
            continue  # Admin only: covered by tests/reports/test_offices.py
        if "pk" in rule.arguments and model is not None and _scoped_model(model):
            yield rule, view


def test_every_view_and_api_of_regional_data_declares_the_scope(app):
    from app.security.scope import InUserRegion

    checked = 0
    for view in app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is None or not _scoped_model(model):
            continue
        if model.__name__ == "AuditEntry":
            continue  # national readers only (Admin, Pengawas); checked in test_audit
        filters = [entry[1] for entry in (view.base_filters or [])]
        assert InUserRegion in filters, f"{type(view).__name__} has no region scope"
        checked += 1
    assert checked >= 8


def _request(client, rule, pk, method, headers, json_body):
    url = rule.build({"pk": pk, **({"name": "x"} if "name" in rule.arguments else {})})[1]
    if method == "GET":
        return client.get(url, headers=headers)
    if method == "DELETE":
        return client.delete(url, headers=headers)
    if method == "PUT":
        return client.put(url, headers=headers, json=json_body)
    data = {} if headers else {"csrf_token": session_csrf(client)}
    return client.post(url, headers=headers, data=data, json=json_body if headers else None)


@pytest.mark.parametrize("username", sorted(USERS))
def test_matrix_of_doors_roles_and_regions(app, two_households, username):
    doors = list(_doors(app))
    assert len(doors) >= 20
    web = app.test_client()
    token = csrf_token(web, "/login/")
    web.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    api = app.test_client()
    headers_api = bearer(api, username)

    for region, rows in two_households.items():
        visible = _in_scope(username, rows["village"])
        before = _fingerprint(app)
        for rule, view in doors:
            pk = rows[view.datamodel.obj.__name__]
            is_api = rule.rule.startswith("/api/")
            client, headers = (api, headers_api) if is_api else (web, {})
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            if visible:
                methods = [method for method in methods if method == "GET"]  # keep the rows
            for method in methods:
                body = {"address": "diubah", "version": 99} if is_api else None
                status = _request(client, rule, pk, method, headers, body).status_code
                door = f"{username} {method} {rule.rule} [{region}]"
                assert status < 500, door
                if not visible:
                    assert not 200 <= status < 300, door
                    if (
                        method == "GET"
                        and (rule.endpoint.endswith((".show", ".get")))
                        and (
                            username.startswith(("operator", "verifikator"))
                            or username == "prov.jabar"
                        )
                    ):
                        assert status == 404, door
                elif (
                    method == "GET"
                    and rule.endpoint.endswith((".show", ".get"))
                    and (username in NATIONAL_READERS or username.startswith(("operator", "prov")))
                ):
                    assert status == 200, door
        if not visible or username in ("prov.jabar", "pengawas", "pusdatin", "verifikator.bandung"):
            assert _fingerprint(app) == before, f"{username} changed {region} data"


def test_operator_cannot_add_a_member_to_a_foreign_household(app, client, login, two_households):
    login("operator.bandung")
    bogor = two_households["bogor"]["Household"]
    for url in (
        f"/members/add?_flt_0_household={bogor}",
        f"/proposals/members/add?_flt_0_household={bogor}",
    ):
        assert client.get(url).status_code in (403, 404), url
        response = client.post(url, data={"csrf_token": session_csrf(client), "nik": "x"})
        assert response.status_code in (403, 404), url
    client.get("/logout/")
    login("admin")  # a national role may add members anywhere, but not to a household that
    missing = bogor + 10_000  # does not exist
    assert client.get(f"/members/add?_flt_0_household={missing}").status_code == 404


def test_operator_cannot_move_a_household_to_another_regency_through_the_api(
    app, client, two_households
):
    bandung = two_households["bandung"]["Household"]
    headers = bearer(client, "operator.bandung")
    response = client.put(
        f"/api/v1/household/{bandung}",
        headers=headers,
        json={"village_code": BOGOR_VILLAGE, "version": 1},
    )
    assert response.status_code in (400, 403)
    from app.extensions import db
    from models import Household

    with app.app_context():
        assert db.session.get(Household, bandung).village_code == BANDUNG_VILLAGE


def test_province_reads_both_regencies_and_edits_neither(app, client, login, two_households):
    login("prov.jabar")
    for rows in two_households.values():
        assert client.get(f"/households/show/{rows['Household']}").status_code == 200
        response = client.get(f"/households/edit/{rows['Household']}")
        assert response.status_code in (302, 403)


def test_region_prefix_filter_is_index_backed_on_postgresql(app):
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        with db.engine.connect() as connection:
            connection.execute(sa.text("SET enable_seqscan = off"))
            plan = "\n".join(
                row[0]
                for row in connection.execute(
                    sa.text("EXPLAIN SELECT id FROM household WHERE village_code LIKE '32.73.%'")
                )
            )
    assert "ix_household_village_status" in plan, plan


def test_nik_is_masked_for_province_and_interconnection(app, client, login, two_households):
    from app.extensions import db
    from models import Member

    member_id = two_households["bandung"]["Member"]
    with app.app_context():
        nik = db.session.get(Member, member_id).nik
    login("prov.jabar")
    page = client.get(f"/members/show/{member_id}").get_data(as_text=True)
    assert nik not in page and nik[:6] + "********" + nik[-2:] in page
    api = app.test_client()
    headers = bearer(api, "interkoneksi")
    listed = api.get("/api/v1/member/", headers=headers).get_json()
    assert listed["result"] and all("*" in row["nik"] for row in listed["result"])
    client.get("/logout/")
    login("operator.bandung")
    assert nik in client.get(f"/members/show/{member_id}").get_data(as_text=True)


def test_proposal_doors_are_in_the_scope_matrix(app):
    doors = {rule.rule for rule, view in _doors(app) if type(view).__name__ == "ProposalView"}
    assert {
        "/proposals/show/<pk>",
        "/proposals/verify/<pk>",
        "/proposals/reject/<pk>",
        "/proposals/submit/<pk>",
        "/proposals/delete/<pk>",
        "/proposals/edit/<pk>",
    } <= doors
