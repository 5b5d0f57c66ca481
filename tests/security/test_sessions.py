"""Console sessions (app/security/sessions.py): a console session is a server-side row, kept as
the hash of its id and looked up once a request, that sign-out deletes, so a copied cookie is
refused afterwards; a forged or idled-out session signs nobody in.

Sessions are those of throwaway users made here; each browser has an address of its own and
the rate-limit counters are reset, so nothing leaks into the other tests of the session."""

import datetime
import re

import pytest
import sqlalchemy as sa

from tests.fixtures.sessions import (
    HOUSEHOLDS_API,
    HOUSEHOLDS_PAGE,
    page_status,
    session_rows,
    sign_in,
    user_id,
)

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


# --- Sign-out ------------------------------------------------------------------------------------


def test_a_cookie_replayed_after_sign_out_is_refused(app, browser, new_user):
    from app.extensions import db
    from models import AuditEntry

    username = new_user()
    client = browser()
    sign_in(client, username)
    cookie = client.get_cookie("session").value
    assert page_status(client) == 200 and session_rows(app, username) == 1

    client.get("/logout/")
    assert session_rows(app, username) == 0
    thief = browser()
    thief.set_cookie("session", cookie, domain="localhost")
    refused = thief.get(HOUSEHOLDS_PAGE)
    assert refused.status_code == 302 and "/login/" in refused.headers["Location"]
    login_page = thief.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda telah berakhir. Silakan masuk kembali." in login_page
    assert page_status(thief) == 302  # the emptied cookie signs nobody in either
    # the API answers a replayed cookie as it answers anyone without a session
    replay = browser()
    replay.set_cookie("session", cookie, domain="localhost")
    assert replay.get(HOUSEHOLDS_API).status_code == 401
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.username == username)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["login_success", "logout"]
        logout = db.session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.username == username, AuditEntry.action == "logout"
            )
        )
        assert logout.user_id == user_id(app, username) and logout.entity_id == str(logout.user_id)


def test_signing_out_ends_only_that_browser_s_session(app, browser, new_user):
    username = new_user()
    office, home = browser(), browser()
    sign_in(office, username)
    sign_in(home, username)
    office.get("/logout/")
    assert page_status(office) == 302
    assert page_status(home) == 200
    assert session_rows(app, username) == 1


def test_only_the_hash_of_the_session_id_is_stored(app, browser, new_user):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    client.environ_base["HTTP_USER_AGENT"] = "Peramban Uji/1.0"
    sign_in(client, username)
    with client.session_transaction() as cookie_session:
        session_id = cookie_session["sid"]
    with app.app_context():
        row = db.session.scalar(
            sa.select(ConsoleSession).where(ConsoleSession.user_id == user_id(app, username))
        )
        assert row.token_hash != session_id and len(row.token_hash) == 64
        assert session_id not in row.token_hash
        assert row.user_agent == "Peramban Uji/1.0"
        assert row.ip_address == client.environ_base["REMOTE_ADDR"]


def test_a_forged_session_id_signs_nobody_in(app, browser, new_user):
    username = new_user()
    client = browser()
    sign_in(client, username)
    with client.session_transaction() as cookie_session:
        cookie_session["sid"] = "tebakan"
    assert page_status(client) == 302


def test_a_session_idle_past_its_lifetime_is_refused_by_the_server_too(app, browser, new_user):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    sign_in(client, username)
    long_ago = (
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        - app.permanent_session_lifetime
        - datetime.timedelta(minutes=5)
    )
    with app.app_context():
        db.session.execute(
            sa.update(ConsoleSession)
            .where(ConsoleSession.user_id == user_id(app, username))
            .values(last_seen_at=long_ago)
        )
        db.session.commit()
    assert page_status(client) == 302
    sign_in(browser(), username)  # a new sign-in clears rows that have idled out
    assert session_rows(app, username) == 1


def test_a_request_costs_one_session_lookup_and_last_use_is_written_sparingly(
    app, browser, new_user
):
    from app.extensions import db
    from models import ConsoleSession

    username = new_user()
    client = browser()
    sign_in(client, username)
    statements = []

    def _record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _record)
    try:
        assert page_status(client) == 200
        touching = [sql for sql in statements if "console_session" in sql]
        users = [sql for sql in statements if re.search(r"FROM ab_user\b", sql)]
        assert len(touching) == 1 and touching[0].lstrip().upper().startswith("SELECT")
        assert users == touching  # the user comes with it: no query of its own
        statements.clear()
        assert client.get("/static/css/datakesos.css").status_code == 200
        assert not [sql for sql in statements if "console_session" in sql]  # assets: none
        statements.clear()
        with app.app_context():
            row = db.session.scalar(
                sa.select(ConsoleSession).where(ConsoleSession.user_id == user_id(app, username))
            )
            row.last_seen_at -= datetime.timedelta(minutes=2)
            db.session.commit()
        statements.clear()
        assert page_status(client) == 200
        writes = [
            sql
            for sql in statements
            if sql.lstrip().upper().startswith("UPDATE") and "console_session" in sql
        ]
        assert len(writes) == 1  # older than SESSION_TOUCH_SECONDS: written once
        statements.clear()
        assert page_status(client) == 200
        assert not [
            sql
            for sql in statements
            if sql.lstrip().upper().startswith("UPDATE") and "console_session" in sql
        ]
    finally:
        sa.event.remove(engine, "before_cursor_execute", _record)
