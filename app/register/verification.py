"""Verification codes of printed certificates.

A code is 13 random characters and 2 check characters of Crockford's base-32 alphabet, printed
as three groups: `7K3QF-9XW2M-R4TB8`. The check characters catch a mistyped or altered code
before the database is asked; the database decides whether a well-formed code was issued.
Each issue stores a SHA-256 hash of what the certificate says; its first 16 hexadecimal digits
are printed on the certificate and shown by the public page, to compare.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets

import sqlalchemy as sa

from app import audit
from app.extensions import db
from models.certificates import Certificate

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RANDOM_LENGTH = 13
CHECK_LENGTH = 2
CODE_LENGTH = RANDOM_LENGTH + CHECK_LENGTH
FINGERPRINT_LENGTH = 16
#: Readers confuse these; Crockford's alphabet reads them as the digit they look like.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


#: Codes of another kind (a complaint's tracking code) use the same grammar with their own
#: check characters, so a certificate's code is never a valid tracking code and back.
CERTIFICATE = "certificate"


def _check(body: str, purpose: str = CERTIFICATE) -> str:
    digest = hashlib.sha256(f"datakesos-{purpose}:{body}".encode("ascii")).digest()
    return "".join(ALPHABET[byte % 32] for byte in digest[:CHECK_LENGTH])


def new_code(purpose: str = CERTIFICATE) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check(body, purpose)


def display(code: str) -> str:
    """ "7K3QF9XW2MR4TB8" → "7K3QF-9XW2M-R4TB8"."""
    return "-".join(code[index : index + 5] for index in range(0, len(code), 5))


def normalise(text: str | None, purpose: str = CERTIFICATE) -> str | None:
    """The stored form of a code as typed or scanned (any case, dashes, spaces), or None if it
    cannot be a code: wrong length, foreign characters or a failed check."""
    if not text or len(text) > 64:
        return None
    code = "".join(character for character in text.upper() if character not in "- \t")
    code = code.translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(character not in ALPHABET for character in code):
        return None
    if _check(code[:RANDOM_LENGTH], purpose) != code[RANDOM_LENGTH:]:
        return None
    return code


def content_hash(content: dict) -> str:
    """SHA-256 of the certificate's content in a canonical JSON form."""
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fingerprint(hash_hex: str) -> str:
    """The part of the hash printed and shown: "3f2a 9c41 07be d5e2"."""
    short = hash_hex[:FINGERPRINT_LENGTH]
    return " ".join(short[index : index + 4] for index in range(0, len(short), 4))


def initials(full_name: str | None) -> str:
    """ "Budi Santoso" → "B. S." (letters only, at most four)."""
    letters = [word[0].upper() for word in (full_name or "").split() if word[:1].isalpha()]
    return " ".join(f"{letter}." for letter in letters[:4]) or "–"


def issue(
    *,
    household_id: int,
    register_id: str,
    period_id: int,
    village_code: str,
    head_name: str | None,
    content: dict,
    issued_by_id: int | None,
    issued_at: datetime.datetime,
    job_run_id: int | None = None,
    audit_entry: bool = True,
    who: tuple | None = None,
) -> Certificate:
    """Store a certificate with a new unique code and the hash of `content` (which must
    already hold `code` and `issued_at` — see `prepare`). Committed by the caller."""
    certificate = Certificate(
        code=content["code"],
        household_id=household_id,
        register_id=register_id,
        period_id=period_id,
        village_code=village_code,
        head_initials=initials(head_name),
        content_hash=content_hash(content),
        issued_by_id=issued_by_id,
        issued_at=issued_at,
        job_run_id=job_run_id,
    )
    db.session.add(certificate)
    if audit_entry:
        audit.record_many([issued_entry(certificate, who=who)])
    return certificate


def issued_entry(certificate: Certificate, who: tuple | None = None) -> dict:
    """The audit entry of an issued certificate (who, when, which household and code)."""
    return audit.entry(
        "certificate_issued",
        "household",
        certificate.household_id,
        region_code=certificate.village_code,
        after={
            "code": certificate.code,
            "register_id": certificate.register_id,
            "period_id": certificate.period_id,
            "content_hash": certificate.content_hash,
            "job_run_id": certificate.job_run_id,
        },
        who=who,
    )


def unused_code(purpose: str = CERTIFICATE, column=Certificate.code) -> str:
    """A code not issued before in `column` (a clash of 65 random bits is practically
    impossible, but the unique constraint would turn it into an error: ask first)."""
    while True:
        code = new_code(purpose)
        if not db.session.scalar(sa.select(sa.literal(1)).where(column == code)):
            return code


def lookup(text: str | None) -> Certificate | None:
    """The certificate behind a code as typed, or None (malformed, forged or unknown)."""
    code = normalise(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
