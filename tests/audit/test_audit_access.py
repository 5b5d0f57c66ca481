"""Reading the audit trail: its list filters and order, its labels in Indonesian; only Admin and
Pengawas read it; nothing edits or deletes it, PostgreSQL included."""

import datetime
import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, TEST_DATABASE_URL, csrf_token


def _listed_ids(html: str) -> list[int]:
    ids = []
    for value in re.findall(r"/audit/show/(\d+)", html):
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def _entries(app, ids):
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id.in_(ids))).all()


# -- the audit list: filters and order ------------------------------------------------------------
def test_list_filters_by_entity_user_region_and_date(app, client, login, make_household):
    make_household(BANDUNG_VILLAGE)
    make_household(BOGOR_VILLAGE)
    login("admin")

    html = client.get("/audit/list/").get_data(as_text=True)
    ids = _listed_ids(html)
    assert ids and ids == sorted(ids, reverse=True)  # newest first

    html = client.get("/audit/list/?_flt_0_entity=member").get_data(as_text=True)
    entries = _entries(app, _listed_ids(html))
    assert entries and {e.entity for e in entries} == {"member"}

    html = client.get("/audit/list/?_flt_0_region=32.01").get_data(as_text=True)
    entries = _entries(app, _listed_ids(html))
    assert entries and all(e.region_code.startswith(("32.01.", "32.01")) for e in entries)
    assert BOGOR_VILLAGE in html and BANDUNG_VILLAGE not in html

    html = client.get("/audit/list/?_flt_3_username=admin").get_data(as_text=True)
    entries = _entries(app, _listed_ids(html))
    assert entries and {e.username for e in entries} == {"admin"}

    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    html = client.get(f"/audit/list/?_flt_0_date={today}&_flt_1_date={today}")
    html = html.get_data(as_text=True)
    assert _listed_ids(html)
    for query in (f"_flt_0_date={today + day}", f"_flt_1_date={today - day}"):
        assert _listed_ids(client.get(f"/audit/list/?{query}").get_data(as_text=True)) == [], query
    assert client.get("/audit/list/?_flt_0_date=not-a-date").status_code == 400


def test_audit_labels_are_indonesian(client, login):
    login("pengawas")
    html = client.get("/audit/list/").get_data(as_text=True)
    assert "Jejak Audit" in html and "Pengguna" in html and "Waktu" in html


# -- who may read it; nothing may change it ------------------------------------------------------
@pytest.mark.parametrize("username", ["admin", "pengawas"])
def test_admin_and_pengawas_read_the_trail(client, login, username):
    login(username)
    assert client.get("/audit/list/").status_code == 200
    response = client.get("/api/v1/audit/")
    assert response.status_code == 200
    entry_id = response.get_json()["result"][0]["id"]
    assert client.get(f"/audit/show/{entry_id}").status_code == 200
    assert client.get(f"/api/v1/audit/{entry_id}").status_code == 200


@pytest.mark.parametrize(
    "username",
    ["operator.bandung", "prov.jabar", "pusdatin", "verifikator.bandung", "interkoneksi"],
)
def test_other_roles_cannot_read_the_trail(client, login, token, username):
    if username != "interkoneksi":
        login(username)
        assert client.get("/audit/list/").status_code == 403
        assert client.get("/audit/show/1").status_code == 403
        assert client.get("/api/v1/audit/").status_code == 403
        client.get("/logout/")
    headers = token(username)
    assert client.get("/api/v1/audit/", headers=headers).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/list/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert client.get("/api/v1/audit/").status_code == 401


def test_no_door_edits_or_deletes_an_entry(app, client, login, token, make_household):
    make_household()
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        entry_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
        original = db.session.get(AuditEntry, entry_id)
        original = (original.action, original.before, original.after)
    for username in ("admin", "pengawas"):
        headers = token(username)
        assert (
            client.post(
                "/api/v1/audit/", json={"action": "create", "entity": "x"}, headers=headers
            ).status_code
            == 405
        )
        assert (
            client.put(
                f"/api/v1/audit/{entry_id}", json={"action": "forged"}, headers=headers
            ).status_code
            == 405
        )
        assert client.delete(f"/api/v1/audit/{entry_id}", headers=headers).status_code == 405
        login(username)
        form_token = csrf_token(client, "/audit/list/")
        assert client.get("/audit/add").status_code == 404
        assert client.get(f"/audit/edit/{entry_id}").status_code == 404
        response = client.post(f"/audit/delete/{entry_id}", data={"csrf_token": form_token})
        assert response.status_code == 404
        assert client.get(f"/audit/delete/{entry_id}").status_code == 404
        client.get("/logout/")
    with app.app_context():
        entry = db.session.get(AuditEntry, entry_id)
        assert (entry.action, entry.before, entry.after) == original


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only: set TEST_DATABASE_URL")
def test_postgresql_refuses_update_and_delete_of_entries(app):
    from app import audit
    from app.extensions import db
    from models import AuditEntry

    with app.app_context():
        audit.record("create", "household", 0, region_code=BANDUNG_VILLAGE, after={"a": 1})
        db.session.commit()
        entry_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
        for statement in (
            sa.text("UPDATE audit_entry SET action = 'forged' WHERE id = :id"),
            sa.text("DELETE FROM audit_entry WHERE id = :id"),
            sa.text("TRUNCATE audit_entry"),
        ):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(statement, {"id": entry_id})
            db.session.rollback()
        assert db.session.get(AuditEntry, entry_id).action == "create"
