"""The password rule, written once for every door that sets a password (Flask-AppBuilder's user
forms and API, one's own change and the administrators' reset in views/users.py, the CLI,
app.security.users): at least PASSWORD_MIN_LENGTH characters, and hard to guess by zxcvbn's
estimate, judged with the user's own names and the application's words.

Asking for the current password before one's own is changed, and counting a wrong one as a
failed sign-in, is the sign-in rule's (app.security.signin.check_current_password).
"""

import re

from flask import current_app
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext
from zxcvbn import zxcvbn

#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" for an online attack with a
#: lockout, and refuses the common passwords and their variants ("Password1!", "Qwerty12345!").
PASSWORD_MIN_SCORE = 3
#: zxcvbn's own limit; a longer password is judged by its first characters.
ESTIMATE_LENGTH = 72
#: Words that zxcvbn's English dictionaries miss but that people here build passwords from.
LOCAL_WORDS = (
    "datakesos",
    "kesos",
    "dinsos",
    "kemensos",
    "sosial",
    "dinas",
    "indonesia",
    "jakarta",
    "bandung",
    "bogor",
    "surabaya",
    "bismillah",
    "sayang",
    "rahasia",
    "sandi",
    "katasandi",
    "merdeka",
    "garuda",
    "pancasila",
    "admin",
    "operator",
    "pusdatin",
)
_WORD_SEPARATOR = re.compile(r"[^0-9a-z]+")
#: The user's own words this long or longer may not carry a password's strength.
PERSONAL_WORD = 4


def check_password_strength(password: str | None, user_inputs=()) -> list[str]:
    """What a password lacks, one translated sentence per problem; empty when it is strong
    enough. The one rule for every door that sets a password (FAB's user forms, own and admin
    reset, the CLI, app.security.users): at least PASSWORD_MIN_LENGTH characters, and a zxcvbn
    score of PASSWORD_MIN_SCORE or more, judged with `user_inputs` (the user's username, names,
    e-mail) and the application's own words, which make a password easy to guess. Every door
    runs in the application's context, whose config holds the settings."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(gettext("Use at least %(length)d characters.", length=minimum))
    return problems + _guessability(password, _words(user_inputs))


def _guessability(password: str, personal: list[str]) -> list[str]:
    """zxcvbn's verdict, in sentences; empty when the password is hard enough to guess."""
    site = _site_words()
    result = _estimate(password, [*personal, *site])
    built_from_names = _built_from(password, personal, site)
    if result["score"] >= PASSWORD_MIN_SCORE and not built_from_names:
        return []
    problems = []
    if "passwords" in {match.get("dictionary_name") for match in result["sequence"]}:
        problems.append(gettext("This is one of the most common passwords."))
    matched_names = {match.get("matched_word") for match in result["sequence"]} & set(personal)
    if built_from_names or matched_names:
        problems.append(
            gettext("Do not build the password from your username, name or e-mail address.")
        )
    problems.append(
        gettext(
            "This password is too easy to guess. Use three or four uncommon words, with digits or "
            "symbols between them."
        )
    )
    return problems


def _built_from(password: str, personal: list[str], site: list[str]) -> bool:
    """Whether the password's strength comes from the user's own words. zxcvbn rates
    "Name.Surname2026" strong even when told the names, so the password is judged again with
    them taken out: if what remains is easy to guess, the names were doing the work."""
    remainder = _without(password, [word for word in personal if len(word) >= PERSONAL_WORD])
    return remainder != password and _estimate(remainder, site)["score"] < PASSWORD_MIN_SCORE


def _estimate(password: str, user_inputs: list[str]) -> dict:
    if not password:  # zxcvbn fails on an empty string; nothing is the easiest guess
        return {"score": 0, "sequence": []}
    return zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=user_inputs)


def _without(password: str, words: list[str]) -> str:
    """The password with every occurrence of `words` taken out, whatever their case."""
    for word in sorted(words, key=len, reverse=True):
        password = re.sub(re.escape(word), "", password, flags=re.IGNORECASE)
    return password


def inputs_of(user) -> list[str]:
    """What a password of `user` must not be built from."""
    return [user.username, user.first_name, user.last_name, user.email]


def _words(values) -> list[str]:
    """Each value and its parts ("operator.bandung" → operator, bandung), in lower case."""
    words = []
    for value in values:
        text = str(value or "").lower()
        for word in [text, *_WORD_SEPARATOR.split(text)]:
            if len(word) >= 3 and word not in words:
                words.append(word)
    return words


def _site_words() -> list[str]:
    names = [current_app.config["APP_NAME"], current_app.config["OFFICE_NAME"]]
    return [*LOCAL_WORDS, *_words(names)]


def password_complexity_validator(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB turns the exception into a form or API error.
    Our own forms (views/users.py) call check_password_strength with the user's names too."""
    problems = check_password_strength(password)
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))
