"""Verification codes and the public page that checks a printed certificate."""

import re

import pytest

from tests.fixtures.documents import certificate_url, certificates_of, determine

# --- codes -------------------------------------------------------------------------------------


def test_a_new_code_reads_back_however_it_is_typed():
    from app.register import verification

    code = verification.new_code()
    assert len(code) == 15 and verification.normalise(code) == code
    shown = verification.display(code)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}", shown)
    assert verification.normalise(shown.lower()) == code
    assert verification.normalise(" " + shown.replace("-", " ") + " ") == code


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "ABC",
        "X" * 15,
        "0" * 200,
        "<script>alert(1)</script>",
        "ÄÖÜÄÖÜÄÖÜÄÖÜÄÖÜ",
        "'; DROP TABLE certificate; --",
    ],
)
def test_malformed_codes_are_not_codes(text):
    from app.register import verification

    assert verification.normalise(text) is None


def test_most_altered_codes_fail_their_check_before_any_lookup():
    from app.register import verification

    code = verification.new_code()
    altered = [
        code[:index] + other + code[index + 1 :]
        for index in range(verification.CODE_LENGTH)
        for other in verification.ALPHABET
        if other != code[index]
    ]
    caught = sum(verification.normalise(text) is None for text in altered)
    assert caught / len(altered) > 0.95


def test_content_hash_does_not_depend_on_key_order():
    from app.register import verification

    one = verification.content_hash({"a": 1, "b": ["x", "y"], "c": "Budi"})
    two = verification.content_hash({"c": "Budi", "b": ["x", "y"], "a": 1})
    assert one == two and len(one) == 64
    assert verification.content_hash({"a": 2, "b": ["x", "y"], "c": "Budi"}) != one
    assert verification.fingerprint(one) == " ".join(one[i : i + 4] for i in range(0, 16, 4))


@pytest.mark.parametrize(
    "name,initials",
    [
        ("Budi Santoso", "B. S."),
        ("siti", "S."),
        ("", "–"),
        (None, "–"),
        ("<img src=x> Ani", "S. A."),
        ("A B C D E F", "A. B. C. D."),
    ],
)
def test_initials(name, initials):
    from app.register.verification import initials as make

    assert make(name) == initials


# --- the public page ---------------------------------------------------------------------------


@pytest.fixture()
def issued(app, client, login, make_household, closed_periods):  # noqa: F811
    """A certificate printed by operator.bandung; the client is signed out afterwards."""
    household_id = make_household()
    determine(app, [household_id])
    login("operator.bandung")
    assert client.get(certificate_url(household_id)).status_code == 200
    client.get("/logout/")
    [certificate] = certificates_of(app, household_id)
    from app.extensions import db
    from models import Member

    with app.app_context():
        niks = [
            member.nik for member in db.session.query(Member).filter_by(household_id=household_id)
        ]
    return certificate, niks


def _public(client, url, address="10.20.30.40"):
    return client.get(url, environ_base={"REMOTE_ADDR": address})


def test_a_valid_code_is_confirmed_without_sign_in_and_without_personal_data(client, issued):
    from app.register.verification import display, fingerprint
    from app.security.privacy import mask_nik

    certificate, niks = issued
    response = _public(client, f"/verify/{display(certificate.code)}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "alert-success" in page
    assert display(certificate.code) in page
    assert "B. S." in page and "Sukasari" in page and "Kota Bandung" in page
    assert "2019-11" in page
    assert fingerprint(certificate.content_hash) in page
    for nik in niks:
        assert nik not in page and mask_nik(nik) not in page and nik[:6] + "*" not in page
    assert "Budi Santoso" not in page and "Siti Aminah" not in page
    assert "Santoso" not in page and certificate.register_id not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_code_is_accepted_as_typed(client, issued):
    from app.register.verification import display

    certificate, _niks = issued
    typed = display(certificate.code).lower().replace("-", " ")
    response = _public(client, f"/verify/?code={typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{display(certificate.code)}")
    assert _public(client, f"/verify/{certificate.code.lower()}").status_code == 200


def test_an_altered_code_is_invalid(client, issued):
    from app.register import verification

    certificate, _niks = issued
    code = certificate.code
    for index in (0, 7, 14):
        other = "0" if code[index] != "0" else "1"
        altered = code[:index] + other + code[index + 1 :]
        response = _public(client, f"/verify/{verification.display(altered)}")
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "alert-danger" in page and "alert-success" not in page


def test_a_forged_code_with_a_correct_check_is_invalid(client, issued):
    from app.register import verification

    forged = verification.new_code()  # well-formed, never issued
    response = _public(client, f"/verify/{verification.display(forged)}")
    assert response.status_code == 404
    assert "alert-danger" in response.get_data(as_text=True)


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "x" * 5000, "%E2%80%AE123", "-"])
def test_garbage_is_invalid_and_not_echoed(client, app, text):
    response = _public(client, f"/verify/{text}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "x" * 100 not in page


def test_the_form_page_needs_no_sign_in(client, app):
    response = _public(client, "/verify/")
    assert response.status_code == 200
    assert 'name="code"' in response.get_data(as_text=True)


def test_verification_is_rate_limited_per_address(client, app):
    limit = int(app.config.get("VERIFY_RATE_LIMIT", "30 per minute").split()[0])
    answers = [
        _public(client, "/verify/AAAAA-AAAAA-AAAAA", address="10.99.99.99").status_code
        for _ in range(limit + 1)
    ]
    assert answers[:limit] == [404] * limit
    assert answers[-1] == 429
    # Another address is not affected.
    assert _public(client, "/verify/AAAAA-AAAAA-AAAAA", address="10.99.99.98").status_code == 404
