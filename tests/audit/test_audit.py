"""The audit trail's entries: every change to register data, users and roles is recorded with
who, when, from where, before and after — the whole row on create and delete, cascades
included, only what changed on update, never a password hash — and rolled back with its
change."""

import datetime
import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, PASSWORD, csrf_token
from tests.fixtures.factories import kk_for, nik_for

_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|expected_version)"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def _form_state(client, url: str) -> dict:
    """The hidden fields a form carries (CSRF token and, where there is one, the version the
    record had when the form was opened)."""
    html = client.get(url).get_data(as_text=True)
    state = {}
    for match in _HIDDEN.finditer(html):
        value = _VALUE.search(match.group(0))
        if value:
            state.setdefault(match.group(1), value.group(1))
    assert "csrf_token" in state, f"no csrf token on {url}"
    return state


def _trail(client, since: int, **columns) -> list[dict]:
    """Entries from /api/v1/audit/ after entry `since` whose columns equal the given values,
    newest first. (Ids of emptied register tables are reused on SQLite: `since` tells this
    test's entries from earlier ones.)"""
    filters = ",".join(
        [f"(col:id,opr:gt,value:{since})"]
        + [f"(col:{name},opr:eq,value:'{value}')" for name, value in columns.items()]
    )
    response = client.get(f"/api/v1/audit/?q={quote(f'(filters:!({filters}),page_size:100)')}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["result"]


def _household_of(app, village_code, column="id"):
    from app.extensions import db
    from models import Household

    with app.app_context():
        return db.session.scalar(
            sa.select(getattr(Household, column)).where(Household.village_code == village_code)
        )


def _head(app, household_id):
    from app.extensions import db
    from models import Member

    with app.app_context():
        head = db.session.scalar(
            sa.select(Member).where(
                Member.household_id == household_id, Member.relation_to_head == "HEAD"
            )
        )
        return {
            "id": head.id,
            "nik": head.nik,
            "kk": head.family.kk_number,
            "birth_date": head.birth_date,
            "full_name": head.full_name,
        }


@pytest.fixture()
def since(app):
    """The newest entry before the test."""
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


# -- what is recorded ---------------------------------------------------------------------------
def test_admin_edit_of_a_household_is_recorded_with_before_and_after(
    app, client, login, since, make_household
):
    household_id = make_household()
    login("admin")
    edit_url = f"/households/edit/{household_id}"
    response = client.post(
        edit_url,
        data={
            **_form_state(client, edit_url),
            "village_code": BANDUNG_VILLAGE,
            "address": "Jl. <Baru> 5",
            "floor_area_m2": "45",
            "floor_type": "CERAMIC",
            "has_television": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200

    (entry,) = _trail(client, since, entity="household", entity_id=household_id, action="update")
    assert entry["username"] == "admin"
    assert entry["ip_address"] == "127.0.0.1"
    assert entry["region_code"] == BANDUNG_VILLAGE
    assert entry["before"]["address"] == "Jl. Merdeka 1"
    assert entry["after"]["address"] == "Jl. <Baru> 5"
    assert (entry["before"]["floor_area_m2"], entry["after"]["floor_area_m2"]) == (None, 45)
    assert (entry["before"]["floor_type"], entry["after"]["floor_type"]) == (None, "CERAMIC")
    assert (entry["before"]["has_television"], entry["after"]["has_television"]) == (False, True)
    # Only what changed; no bookkeeping columns.
    assert set(entry["after"]) == {"address", "floor_area_m2", "floor_type", "has_television"}
    assert set(entry["before"]) == set(entry["after"])

    listed = client.get("/audit/list/?_flt_0_entity=household").get_data(as_text=True)
    assert f"/audit/show/{entry['id']}" in listed
    page = client.get(f"/audit/show/{entry['id']}").get_data(as_text=True)
    assert 'class="audit-values"' in page
    assert "Jl. Merdeka 1" in page
    assert "Jl. &lt;Baru&gt; 5" in page and "Jl. <Baru> 5" not in page


def _new_household_form(client):
    birth = datetime.date(1979, 3, 21)
    return {
        "csrf_token": csrf_token(client, "/households/add"),
        "village_code": BANDUNG_VILLAGE,
        "address": "Jl. Audit 7",
        "rt": "001",
        "rw": "002",
        "head_full_name": "Ujang Sutisna",
        "head_nik": nik_for(BANDUNG_VILLAGE, birth, None),
        "head_kk_number": kk_for(BANDUNG_VILLAGE),
        "head_sex": "MALE",
        "head_birth_place": "Bandung",
        "head_birth_date": birth.isoformat(),
    }


def test_create_and_delete_are_recorded_with_the_whole_row(app, client, login, since):
    login("admin")
    data = _new_household_form(client)
    client.post("/households/add", data=data, follow_redirects=True)
    household_id = _household_of(app, BANDUNG_VILLAGE)
    assert household_id is not None
    head = _head(app, household_id)

    (created,) = _trail(client, since, entity="household", entity_id=household_id, action="create")
    assert created["username"] == "admin"
    assert created["before"] is None
    assert created["after"]["address"] == "Jl. Audit 7"
    assert created["after"]["village_code"] == BANDUNG_VILLAGE
    assert created["after"]["status"] == "ACTIVE"  # enumerations by name
    (member,) = _trail(client, since, entity="member", entity_id=head["id"], action="create")
    assert member["after"]["nik"] == data["head_nik"]
    assert member["after"]["birth_date"] == "1979-03-21"  # dates in ISO 8601
    assert member["after"]["relation_to_head"] == "HEAD"
    assert member["region_code"] == BANDUNG_VILLAGE
    assert _trail(
        client,
        since,
        entity="family",
        action="create",
        region_code=BANDUNG_VILLAGE,
        username="admin",
    )

    token = csrf_token(client, f"/households/show/{household_id}")
    client.post(f"/households/delete/{household_id}", data={"csrf_token": token})
    assert _household_of(app, BANDUNG_VILLAGE) is None
    (deleted,) = _trail(client, since, entity="household", entity_id=household_id, action="delete")
    assert deleted["username"] == "admin"
    assert deleted["before"]["address"] == "Jl. Audit 7"
    assert deleted["after"] is None
    (member_deleted,) = _trail(
        client, since, entity="member", entity_id=head["id"], action="delete"
    )
    assert member_deleted["before"]["full_name"] == "Ujang Sutisna"
    assert member_deleted["region_code"] == BANDUNG_VILLAGE


def test_rows_the_database_deletes_by_cascade_are_recorded_too(app, since, make_household):
    """Deleting a household whose families and members were never loaded: the database's
    ON DELETE CASCADE removes them, and the trail still names each one."""
    household_id = make_household(BOGOR_VILLAGE)
    from app.extensions import db
    from models import AuditEntry, Family, Household, Member

    with app.app_context():
        member_ids = db.session.scalars(
            sa.select(Member.id).where(Member.household_id == household_id)
        ).all()
        family_ids = db.session.scalars(
            sa.select(Family.id).where(Family.household_id == household_id)
        ).all()
        db.session.expunge_all()
        db.session.delete(db.session.get(Household, household_id))
        db.session.commit()
        deleted = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.id > since,
                AuditEntry.action == "delete",
                AuditEntry.region_code == BOGOR_VILLAGE,
                AuditEntry.entity.in_(["member", "family"]),
                AuditEntry.entity_id.in_([str(i) for i in member_ids + family_ids]),
            )
        ).all()
        members = {e.entity_id: e for e in deleted if e.entity == "member"}
        assert set(members) == {str(i) for i in member_ids}
        families = {e.entity_id for e in deleted if e.entity == "family"}
        assert families == {str(i) for i in family_ids}
        assert {e.before["full_name"] for e in members.values()} == {"Budi Santoso", "Siti Aminah"}
        assert all(e.username == "system" for e in deleted)


def test_member_edit_records_the_region_of_its_household(app, client, login, since, make_household):
    household_id = make_household(BOGOR_VILLAGE)
    head = _head(app, household_id)
    login("admin")
    edit_url = f"/members/edit/{head['id']}"
    client.post(
        edit_url,
        data={
            **_form_state(client, edit_url),
            "nik": head["nik"],
            "full_name": "Budi Setiawan",
            "kk_number": head["kk"],
            "relation_to_head": "HEAD",
            "sex": "MALE",
            "birth_place": "Bandung",
            "birth_date": head["birth_date"].isoformat(),
            "disability": "NONE",
            "chronic_illness": "NONE",
            "status": "ACTIVE",
        },
        follow_redirects=True,
    )
    (entry,) = _trail(client, since, entity="member", entity_id=head["id"], action="update")
    assert entry["region_code"] == BOGOR_VILLAGE
    assert entry["before"] == {"full_name": "Budi Santoso"}
    assert entry["after"] == {"full_name": "Budi Setiawan"}


def test_a_change_and_its_entry_are_rolled_back_together(app, make_household):
    household_id = make_household()
    from app.extensions import db
    from models import AuditEntry, Household

    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        household = db.session.get(Household, household_id)
        household.address = "Jl. Tidak Jadi"
        db.session.flush()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before + 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_column_set_without_being_loaded_keeps_its_old_value(app, since, make_household):
    household_id = make_household()
    from app.extensions import db
    from models import AuditEntry, Household

    with app.app_context():
        household = db.session.get(Household, household_id)
        db.session.expire(household, ["address"])
        household.address = "Jl. Tanpa Muat 3"
        db.session.commit()
        entry = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.id > since,
                AuditEntry.entity == "household",
                AuditEntry.action == "update",
            )
        )
        assert entry.before == {"address": "Jl. Merdeka 1"}
        assert entry.after == {"address": "Jl. Tanpa Muat 3"}


def test_a_new_user_is_recorded_without_the_password_hash(app, since):
    from app.extensions import db
    from app.security.users import create_user
    from models import AuditEntry

    with app.app_context():
        user = create_user("audit.tester", "Operator", PASSWORD, region_code="32.73")
        user_id, password_hash = user.id, user.password
        try:
            entries = db.session.scalars(
                sa.select(AuditEntry)
                .where(
                    AuditEntry.id > since,
                    AuditEntry.entity == "user",
                    AuditEntry.entity_id == str(user_id),
                )
                .order_by(AuditEntry.id)
            ).all()
            created = next(e for e in entries if e.action == "create")
            assert created.after["username"] == "audit.tester"
            assert created.after["roles"] == ["Operator"]
            assert created.after["password"] == "********"
            assert any(
                e.action == "update"
                and e.after == {"region_code": "32.73"}
                and e.region_code == "32.73"
                for e in entries
            )
        finally:
            db.session.delete(db.session.get(type(user), user_id))
            db.session.commit()
        entries = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.id > since,
                AuditEntry.entity == "user",
                AuditEntry.entity_id == str(user_id),
            )
        ).all()
        deleted = next(e for e in entries if e.action == "delete")
        assert deleted.before["password"] == "********"
        assert deleted.before["roles"] == ["Operator"]
        for entry in entries:
            assert password_hash not in json.dumps([entry.before, entry.after])


def test_role_and_role_permission_changes_are_recorded(app, since):
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        security_manager = app.appbuilder.sm
        role = security_manager.add_role("Audit test role")
        role_id = role.id
        try:
            permission = security_manager.find_permission_view_menu("can_list", "AuditView")
            security_manager.add_permission_role(role, permission)
            entries = db.session.scalars(
                sa.select(AuditEntry)
                .where(
                    AuditEntry.id > since,
                    AuditEntry.entity == "role",
                    AuditEntry.entity_id == str(role_id),
                )
                .order_by(AuditEntry.id)
            ).all()
            assert [e.action for e in entries] == ["create", "update"]
            assert entries[0].after["name"] == "Audit test role"
            assert entries[1].before == {"permissions": []}
            assert entries[1].after == {"permissions": ["can list on AuditView"]}
        finally:
            security_manager.delete_role(db.session.get(type(role), role_id))
        deleted = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.id > since,
                AuditEntry.entity == "role",
                AuditEntry.entity_id == str(role_id),
                AuditEntry.action == "delete",
            )
        )
        assert deleted.before["permissions"] == ["can list on AuditView"]
