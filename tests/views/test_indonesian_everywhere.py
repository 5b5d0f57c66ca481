"""Indonesian everywhere a signed-in Indonesian user looks: every console page of the door walk
(tests/security/test_doors.py: every GET rule, its arguments filled with the planted households),
Flask-AppBuilder's own security pages included, read by every demo role in Indonesian, shows no
English message of the catalog — no text, no placeholder, no label a screen reader reads.

An English message id counts when the catalog translates it into something else and it appears
as a whole text (a text node, or a `placeholder`, `title` or `aria-label`): then the page shows
the id instead of its translation (a string that bypasses gettext, or a msgid missing from the
Indonesian catalog)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import USERS, signed_in
from tests.security.test_doors import (  # noqa: F401 (planted: the door walk's households)
    SKIPPED_ENDPOINTS,
    _own,
    _urls,
    _view_of,
    planted,
)

#: Attributes read aloud or shown in place of a text.
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
#: Not pages of the console: the API (JSON for programs) and files.
NOT_PAGES = re.compile(r"^/(api|swagger)/|/export/|\.(pdf|csv|xlsx|json)$|/_info")
LETTERS = re.compile(r"[^\W\d_]")


def catalog_path(app) -> Path:
    """The Indonesian catalog the app speaks (Flask-AppBuilder adds its own directory, which
    has no Indonesian)."""
    for directory in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"):
        path = Path(directory) / "id" / "LC_MESSAGES" / "messages.po"
        if path.exists():
            return path
    raise AssertionError("no Indonesian catalog")


def english_messages(app) -> set[str]:
    """The msgids the Indonesian catalog translates into something else."""
    with catalog_path(app).open("rb") as handle:
        catalog = read_po(handle, locale="id")
    found = set()
    for message in catalog:
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        translation = message.string[0] if isinstance(message.string, tuple) else message.string
        if not msgid or "%(" in msgid or "%s" in msgid or msgid == translation:
            continue
        if len(LETTERS.findall(msgid)) < 4:
            continue
        found.add(msgid)
    return found


class _Texts(HTMLParser):
    """Every text node and read-aloud attribute of a page, stripped; scripts and styles left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return set(parser.texts)


def console_pages(app, username: str, households: dict) -> list[str]:
    """Every page of the walk a browser opens: GET rules outside the API, their arguments
    filled with a household of the role's own region (its show and edit pages open)."""
    from app.register.reference import open_period

    with app.app_context():
        open_code = open_period().code
    houses = (_own(username, households) or [households["bandung"]])[:1]
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint in SKIPPED_ENDPOINTS or "GET" not in rule.methods:
            continue
        if rule.endpoint.startswith("LocaleView") or NOT_PAGES.search(rule.rule):
            continue
        pages += _urls(rule, _view_of(app, rule.endpoint), houses, open_code)
    return [page for page in pages if not NOT_PAGES.search(page)]


def english_left(client, pages: list[str], english: set[str]) -> list[str]:
    found = []
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        texts = visible_texts(response.get_data(as_text=True))
        found += [f"{page}: {text!r}" for text in sorted(texts & english)]
    return found


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_console_page_speaks_indonesian(app, planted, username, server_errors_answered):  # noqa: F811
    client = signed_in(app, username)
    client.get("/lang/id")
    pages = console_pages(app, username, planted)
    assert len(pages) > 50
    found = english_left(client, pages, english_messages(app))
    assert not found, f"{len(found)} English text(s) as {username}:\n" + "\n".join(found)


def test_the_scan_finds_english_when_it_is_there(app, planted):  # noqa: F811
    """The scan itself: the same pages in English show the catalog's English."""
    client = signed_in(app, "admin")
    client.get("/lang/en")
    found = english_left(client, ["/households/list/", "/audit/list/"], english_messages(app))
    client.get("/lang/id")
    assert any("'Households'" in line or "'Audit trail'" in line for line in found), found


def _text_nodes(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return visible_texts(response.get_data(as_text=True))


def test_audit_entries_read_as_words_with_their_json_one_click_away(app):
    from app import audit
    from app.extensions import db

    with app.test_request_context():
        audit.record(
            "apply",
            "member",
            7,
            after={"chronic_illness": "NONE", "birth_date": "1971-03-14", "household_id": 3},
            username="system",
        )
        db.session.commit()
        from models import AuditEntry

        entry_id = db.session.query(db.func.max(AuditEntry.id)).scalar()
    client = signed_in(app, "admin")
    page = client.get(f"/audit/show/{entry_id}").get_data(as_text=True)
    texts = visible_texts(page)
    # Labels, enumeration labels and dates as the member's own screens show them.
    assert {"Penyakit kronis/menahun", "Tidak ada", "14 Maret 1971"} <= texts
    assert not {"chronic_illness", "NONE", "apply", "system", "household_id"} & texts
    # The recorded JSON, English keys and stored codes, behind a "JSON" toggle for auditors.
    assert re.search(r'<details class="audit-json"><summary[^>]*>JSON</summary>', page)
    assert "&#34;chronic_illness&#34;: &#34;NONE&#34;" in page
    listed = _text_nodes(client, "/audit/list/")
    assert not {"apply", "system"} & listed
    assert any(text.endswith(" WIB") for text in listed)


def test_security_screens_show_permissions_views_and_roles_in_words(app):
    client = signed_in(app, "admin")
    code_names = re.compile(r"^(can_\w+|menu_access|\w+(View|Api))$|^\[")
    for url in ("/permissions/list/", "/viewmenus/list/", "/permissionviews/list/", "/roles/list/"):
        texts = _text_nodes(client, url)
        assert not [text for text in texts if code_names.search(text)], url
    role_form = client.get("/roles/edit/1").get_data(as_text=True)
    assert "can_list" not in role_form and " on HouseholdView" not in role_form
    user_form = " ".join(_text_nodes(client, "/users/add"))
    assert "LDAP" not in user_form and "OpenID" not in user_form and "OID" not in user_form
    assert not {"Name", "Description", "Roles", "Users"} & _text_nodes(client, "/groups/list/")


def test_job_times_are_shown_in_wib_and_kept_in_iso_for_scripts(app):
    import datetime

    from models import JobRun
    from models.enums import JobStatus
    from views.reports import _job_summary

    job = JobRun(
        id=1,
        kind="bulk_certificates",
        status=JobStatus.QUEUED,
        params={},
        requested_at=datetime.datetime(2026, 12, 4, 3, 11),
    )
    with app.test_request_context():
        summary = _job_summary(job)
    assert summary["requested_at"] == "2026-12-04T03:11:00"
    assert summary["requested_at_shown"] == "4 Desember 2026 10.11 WIB"
