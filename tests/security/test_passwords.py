"""The password rule (app/security/passwords.py): length and guessability decide (zxcvbn, and
the passwords common here that its English lists do not know), not composition rules; a
password built from the user's own names is refused; the messages are Indonesian."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "password",
    [
        "",
        "pendek-1A",  # empty, too short
        "Password1!",
        "Qwerty12345!",
        "P@ssw0rd2024!",
        "Welcome2024!",  # common, with the usual dress
        "aaaaaaaaaaaa",
        "1234567890123",  # repeats and sequences
        "Rahasia2026!",
        "Bismillah123!",  # common here, unknown to zxcvbn's English lists
    ],
)
def test_weak_and_common_passwords_are_refused(app_context, password):
    from app.security.passwords import check_password_strength

    assert check_password_strength(password)


def test_a_password_built_from_the_user_s_own_names_is_refused(app, app_context):
    from app.security.passwords import check_password_strength

    with app.test_request_context(headers={"Accept-Language": "id"}):
        problems = check_password_strength("Dede.Sukmana2026", ["dede.sukmana", "Dede", "Sukmana"])
        assert (
            "Jangan menyusun kata sandi dari nama pengguna, nama, atau alamat email Anda."
            in problems
        )
        assert check_password_strength("Rinawati.Cimahi", ["rinawati.cimahi"])
        # the same passwords are fine for someone of other names
        assert check_password_strength("Dede.Sukmana2026", ["operator.bandung", "Rina"]) == []
        assert check_password_strength("Rinawati.Cimahi") == []


def test_strong_passwords_pass_without_composition_rules(app_context):
    """Length and guessability decide; a long passphrase in lower case needs no capital."""
    from app.security.passwords import check_password_strength

    assert check_password_strength(PASSWORD) == []  # the demo password: zxcvbn score 4
    assert check_password_strength(PASSWORD, ["admin", "operator.bandung"]) == []
    assert check_password_strength("Kesos#2026ok") == []
    assert check_password_strength("kuda baterai staples benar") == []
    assert check_password_strength("Jembatan-Kuning-Tua-47! " * 4) == []  # past zxcvbn's 72


def test_strength_messages_are_indonesian(app, app_context):
    from app.security.passwords import check_password_strength

    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert check_password_strength("Password1!") == [
            "Ini salah satu kata sandi yang paling umum.",
            "Kata sandi ini terlalu mudah ditebak. Gunakan tiga atau empat kata yang tidak "
            "umum, dengan angka atau simbol di antaranya.",
        ]
        assert check_password_strength("abc")[0] == "Gunakan minimal 10 karakter."
