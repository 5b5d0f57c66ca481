"""The offline challenge of the public lookup: a small sum the page asks once an address has
used its free searches, checked here without any outside captcha service. It slows a script
down; the per-address limit is what bounds it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from flask import current_app, session

from app.security import rate_limits

#: The browser's allowance of searches bought with a solved sum.
ALLOWANCE = "cek_allowance"
#: A sum is answered within this many seconds, once (in any browser).
MAX_AGE = 600


def _digest(nonce: str, issued: int, answer: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    text = f"cek:{nonce}:{issued}:{answer}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:32]


def new() -> dict:
    """A sum to show: its question and the opaque token the form sends back."""
    first, second = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    nonce, issued = secrets.token_urlsafe(12), int(time.time())
    token = f"{nonce}.{issued}.{_digest(nonce, issued, first + second)}"
    return {"first": first, "second": second, "token": token}


def solve(token: str | None, answer: str | None) -> bool:
    """A right, fresh answer to a sum not used before buys CEK_CHALLENGE_GRANT searches."""
    nonce, issued, digest = ((token or "").split(".") + ["", "", ""])[:3]
    try:
        value, issued = int((answer or "").strip()), int(issued)
    except ValueError:
        return False
    if not nonce or time.time() - issued > MAX_AGE:
        return False
    if not hmac.compare_digest(digest, _digest(nonce, issued, value)):
        return False
    if rate_limits.spend("CEK_SUM_USES", "cek-sum", nonce) is not None:
        return False  # answered before: a sum is not a pass to share
    session[ALLOWANCE] = current_app.config["CEK_CHALLENGE_GRANT"]
    return True


def spend_search(address: str) -> bool:
    """May this search run without a sum? Spends a free search of the address, or one of the
    browser's bought searches; False when a sum must be solved first."""
    if rate_limits.spend("CEK_FREE_SEARCHES", "cek-free", address) is None:
        return True
    left = session.get(ALLOWANCE, 0)
    if left > 0:
        session[ALLOWANCE] = left - 1
        return True
    return False
