"""The console speaks Indonesian first: every message id — ours, Flask-AppBuilder's and WTForms' —
has an Indonesian translation, placeholders survive translation, and the merged catalogs reach the
pages. A string added to the code without a translation fails here; the fix is
`scripts/translations.sh refresh`, then fill in what it lists."""

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
ID_CATALOG = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
EN_CATALOG = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATE = TRANSLATIONS / "messages.pot"
SCRIPT = ROOT / "scripts" / "translations.sh"
FIX = "run `scripts/translations.sh refresh` and translate what it lists"

NAMED = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[sd]")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _strings(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _describe(message) -> str:
    where = ", ".join(path for path, _ in message.locations) or "?"
    return f"{_strings(message.id)[0]!r} ({where})"


@pytest.fixture(scope="module")
def indonesian():
    return _read(ID_CATALOG, "id")


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory):
    """Our code extracted now, exactly as `scripts/translations.sh extract` does it (babel.cfg)."""
    output = tmp_path_factory.mktemp("i18n") / "app.pot"
    subprocess.run(
        [str(SCRIPT), "extract-app", str(output)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return _read(output)


def test_every_indonesian_entry_is_translated_and_not_fuzzy(indonesian):
    assert not indonesian.fuzzy, "the catalog header is fuzzy: pybabel compile would skip it"
    problems = []
    for message in indonesian:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append("fuzzy: " + _describe(message))
        elif not all(_strings(message.string)):
            problems.append("untranslated: " + _describe(message))
    assert not problems, f"{len(problems)} Indonesian entries to fix ({FIX}):\n" + "\n".join(
        problems
    )


def test_strings_in_the_code_are_in_the_indonesian_catalog(fresh_extraction, indonesian):
    missing = [
        _describe(m)
        for m in fresh_extraction
        if m.id and indonesian.get(m.id, context=m.context) is None
    ]
    assert not missing, (
        f"{len(missing)} message(s) in the code have no Indonesian entry ({FIX}):\n"
        + "\n".join(missing)
    )


def test_message_template_is_up_to_date(fresh_extraction):
    template = _read(TEMPLATE)
    stale = [
        _describe(m)
        for m in fresh_extraction
        if m.id and template.get(m.id, context=m.context) is None
    ]
    assert not stale, "translations/messages.pot is stale (" + FIX + "):\n" + "\n".join(stale)


def test_catalogs_cover_the_whole_template(indonesian):
    """Flask-AppBuilder's and WTForms' strings too, in both languages."""
    template = _read(TEMPLATE)
    english = _read(EN_CATALOG, "en")
    for name, catalog in (("id", indonesian), ("en", english)):
        missing = [
            _describe(m) for m in template if m.id and catalog.get(m.id, context=m.context) is None
        ]
        assert not missing, f"{name} catalog lacks template entries ({FIX}):\n" + "\n".join(missing)
    for msgid in (
        "Save",
        "Add",
        "Edit",
        "Delete",
        "Search",
        "Sign In",
        "Logout",
        "List Users",
        "This field is required.",
        "Invalid login. Please try again.",
    ):
        assert indonesian.get(msgid) is not None, f"Flask-AppBuilder string {msgid!r} is missing"


def test_placeholders_survive_translation(indonesian):
    problems = []
    for message in indonesian:
        if not message.id or not all(_strings(message.string)):
            continue
        source = " ".join(_strings(message.id))
        expected = (
            sorted(set(NAMED.findall(source))),
            len(POSITIONAL.findall(_strings(message.id)[0])),
        )
        for text in _strings(message.string):
            found = (sorted(set(NAMED.findall(text))), len(POSITIONAL.findall(text)))
            if found != expected:
                problems.append(f"{_describe(message)}: expected {expected}, msgstr {text!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_form_wording_of_the_verification_form(indonesian):
    """Enumeration labels read as on the national verification form."""
    expected = {
        "Owned": "Milik sendiri",
        "Rented": "Kontrak/sewa",
        "Head of household": "Kepala rumah tangga",
        "Wife/husband": "Istri/suami",
        "Male": "Laki-laki",
        "Female": "Perempuan",
        "Not married": "Belum kawin",
        "Widowed": "Cerai mati",
        "PLN electricity, metered": "Listrik PLN dengan meteran",
        "No diploma": "Tidak punya ijazah",
        "Physical disability": "Tuna daksa/cacat tubuh",
    }
    for msgid, wording in expected.items():
        message = indonesian.get(msgid)
        assert message is not None and message.string == wording, msgid


@pytest.fixture()
def compiled(app):
    """The .mo files as `make` builds them (they are not committed), and Flask-Babel's cache
    emptied so the app reads them even if another test already asked for a translation."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalog = _read(po, po.parent.parent.name)
            with mo.open("wb") as handle:
                write_mo(handle, catalog)
    with app.app_context():
        from flask_babel import get_babel

        get_babel(app).instance.domain_instance.cache.clear()
    return app


def test_app_translates_its_own_and_flask_appbuilder_strings(compiled):
    """Flask-AppBuilder's translation folder and ours are merged; Indonesian is the default."""
    from flask_babel import gettext

    from models.enums import Sex

    with compiled.test_request_context("/"):
        assert gettext("Save") == "Simpan"
        assert gettext("Add") == "Tambah"
        assert gettext("List Users") == "Daftar Pengguna"
        assert gettext("NIK must be exactly 16 digits.") == "NIK harus terdiri dari 16 digit angka."
        assert (
            gettext("Unknown region code %(code)s.", code="99") == "Kode wilayah 99 tidak dikenal."
        )
        assert str(Sex.FEMALE) == "Perempuan"
    with compiled.test_request_context("/?_l_=en"):
        assert gettext("Save") == "Save"
        assert str(Sex.FEMALE) == "Female"


def test_login_page_is_in_indonesian(compiled, client):
    html = client.get("/login/").get_data(as_text=True)
    assert "Kata Sandi" in html and "Nama Pengguna" in html and "Masuk" in html
