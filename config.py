"""Settings, read from environment variables so one build serves every deployment; reading
them writes nothing (the secret key file is create_app's)."""

import datetime
import os
from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("DATAKESOS_INSTANCE", BASE_DIR / "instance"))


def database_url(url: str) -> str:
    """SQLAlchemy 2.1 reads plain postgresql:// as psycopg 3; the stack ships psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _password_complexity(password: str) -> None:
    """Flask-AppBuilder's password check calls the app's one rule (imported late: config is
    read before the app package is)."""
    from app.security.passwords import password_complexity_validator

    password_complexity_validator(password)


class Config:
    APP_NAME = os.environ.get("APP_NAME", "Datakesos")
    OFFICE_NAME = os.environ.get("OFFICE_NAME", "Dinas Sosial")
    # Printed documents (reports/): the letterhead's logo, a PNG, JPEG or SVG file (empty: the
    # bundled emblem), and the public address printed in verification QR codes (empty: the
    # address the request came to).
    OFFICE_LOGO = os.environ.get("OFFICE_LOGO", "")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    # Unset: create_app generates one once into INSTANCE_DIR/secret_key and reads it from there.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'datakesos.db'}")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Flask-AppBuilder: the schema belongs to Alembic, permissions to `flask datakesos init`.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_BASE_TEMPLATE = "datakesos/base.html"
    FAB_INDEX_VIEW = "views.dashboard.DashboardIndexView"
    FAB_SECURITY_MANAGER_CLASS = "views.security.DatakesosSecurityManager"
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    APP_THEME = ""

    # Every form carries a token; Flask-AppBuilder does not switch this on by itself.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }

    # List pages never show more than this many rows, whatever `psize_…` asks for.
    MAX_PAGE_SIZE = 100
    PAGE_SIZE = 25
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Large registers (views/datamodel.py, views/dashboard.py): an unfiltered list at or above
    # LIST_COUNT_ESTIMATE_ABOVE rows shows the planner's estimate (PostgreSQL; 0: always count);
    # a pager count of LIST_COUNT_REUSE_ABOVE rows or more is reused LIST_COUNT_REUSE_SECONDS per
    # worker; the dashboard recounts at most every DASHBOARD_REUSE_SECONDS from
    # DASHBOARD_REUSE_ABOVE households.
    LIST_COUNT_ESTIMATE_ABOVE = int(os.environ.get("LIST_COUNT_ESTIMATE_ABOVE", "200000"))
    LIST_COUNT_REUSE_ABOVE = int(os.environ.get("LIST_COUNT_REUSE_ABOVE", "2000"))
    LIST_COUNT_REUSE_SECONDS = int(os.environ.get("LIST_COUNT_REUSE_SECONDS", "60"))
    DASHBOARD_REUSE_ABOVE = int(os.environ.get("DASHBOARD_REUSE_ABOVE", "200000"))
    DASHBOARD_REUSE_SECONDS = int(os.environ.get("DASHBOARD_REUSE_SECONDS", "300"))
    # The fewest characters (after trimming) of the reason an early period close must give.
    PERIOD_CLOSE_EARLY_REASON_MIN_LENGTH = int(
        os.environ.get("PERIOD_CLOSE_EARLY_REASON_MIN_LENGTH", "10")
    )
    # The ministry unit that issues the period's minutes (berita acara): "ministry — unit",
    # its address and the place of the minutes' date line (reports/minutes.py). A regency's
    # certificates are issued by its office (Admin: Reference data → Issuing offices).
    MINISTRY_ISSUER = os.environ.get(
        "MINISTRY_ISSUER",
        "Kementerian Sosial Republik Indonesia — Pusat Data dan Informasi Kesejahteraan Sosial",
    )
    MINISTRY_ADDRESS = os.environ.get(
        "MINISTRY_ADDRESS", "Jl. Salemba Raya No. 28, Jakarta Pusat 10430"
    )
    MINISTRY_PLACE = os.environ.get("MINISTRY_PLACE", "Jakarta")
    # The navigation bar's search (views/quick_search.py): results per page of a name search,
    # and searches per user (counted only when something was typed).
    QUICK_SEARCH_MAX_RESULTS = int(os.environ.get("QUICK_SEARCH_MAX_RESULTS", "50"))
    QUICK_SEARCH_RATE_LIMIT = os.environ.get("QUICK_SEARCH_RATE_LIMIT", "30 per minute")
    # A village's map draws each household up to this many located ones; beyond it (and for
    # the roles that see identity numbers masked) it shows their number instead (app/maps).
    MAP_POINTS_MAX = int(os.environ.get("MAP_POINTS_MAX", "3000"))
    # Provinsi and Interkoneksi see a village's circle only from this many located households.
    MAP_MASKED_MIN_HOUSEHOLDS = int(os.environ.get("MAP_MASKED_MIN_HOUSEHOLDS", "5"))
    # Rows one CSV/XLSX export may hold (XLSX's own limit is 1,048,575); see
    # app/exports/__init__.py.
    EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "500000"))
    # Exports one user may have running at once, across all workers (app/exports/slots.py): each
    # holds a worker and a database connection until its download ends. 0: no limit.
    EXPORT_MAX_CONCURRENT = int(os.environ.get("EXPORT_MAX_CONCURRENT", "2"))
    # Bulk import (app/imports): largest file and most member rows one import takes; the upload
    # page is also bound by MAX_CONTENT_LENGTH.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(64 * 1024 * 1024)))
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))

    # Welfare ranking (app/ranking, README "Welfare ranking"). Deciles per province instead of
    # one national ranking; the share of a village's households its deliberation may move
    # (musyawarah desa, "with reasons"); the largest minutes PDF a deliberation keeps.
    PMT_DECILES_BY_PROVINCE = os.environ.get("PMT_DECILES_BY_PROVINCE", "0") == "1"
    DELIBERATION_OVERRIDE_CAP = float(os.environ.get("DELIBERATION_OVERRIDE_CAP", "0.10"))
    DELIBERATION_MINUTES_MAX_BYTES = int(
        os.environ.get("DELIBERATION_MINUTES_MAX_BYTES", str(5 * 1024 * 1024))
    )

    # Sign-in and session security (app/security/: passwords, signin, rate_limits).
    # Lockout: kept in the database (ab_user.locked_until), so every worker sees it.
    AUTH_LOCKOUT_ATTEMPTS = int(os.environ.get("AUTH_LOCKOUT_ATTEMPTS", "5"))
    AUTH_LOCKOUT_MINUTES = int(os.environ.get("AUTH_LOCKOUT_MINUTES", "15"))
    # Failed sign-ins per client address, web and API together. FAB's own AUTH_RATE_LIMITED stays
    # off: it covers the web form only and counts successful sign-ins too.
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"  # FAB's default: off
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # memory:// counts per process; production: redis://… or memcached://… shared by all workers.
    # Behind a reverse proxy the client address must come from ProxyFix, or all clients share one.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(_password_complexity)
    PASSWORD_MIN_LENGTH = 10

    # Village certificate batches: worker processes at most (default: one per core).
    REPORT_WORKERS = int(os.environ["REPORT_WORKERS"]) if os.environ.get("REPORT_WORKERS") else None
    # The public verification page answers at most this often per address.
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")

    # The citizen's door (app.complaints, README "Public pages"). The lookup (/cek/) answers
    # CEK_RATE_LIMIT searches per address and at most CEK_MAX_RESULTS people; beyond
    # CEK_FREE_SEARCHES an address's visitor solves a small sum (no outside captcha service)
    # that buys CEK_CHALLENGE_GRANT more searches in that browser.
    CEK_RATE_LIMIT = os.environ.get("CEK_RATE_LIMIT", "20 per hour")
    CEK_MAX_RESULTS = int(os.environ.get("CEK_MAX_RESULTS", "20"))
    CEK_FREE_SEARCHES = os.environ.get("CEK_FREE_SEARCHES", "3 per hour")
    CEK_CHALLENGE_GRANT = int(os.environ.get("CEK_CHALLENGE_GRANT", "5"))
    CEK_SUM_USES = "1 per hour"  # a solved sum counts once, in whichever browser
    # Submissions (/sanggah/): per address, and per submitting NIK and day.
    COMPLAINT_RATE_LIMIT = os.environ.get("COMPLAINT_RATE_LIMIT", "10 per day")
    COMPLAINT_NIK_DAILY_LIMIT = int(os.environ.get("COMPLAINT_NIK_DAILY_LIMIT", "3"))
    # The public tracking page (/sanggah/<code>) per address.
    COMPLAINT_TRACK_RATE_LIMIT = os.environ.get("COMPLAINT_TRACK_RATE_LIMIT", "30 per minute")
    # The regency decides within COMPLAINT_DAYS days; COMPLAINT_AT_RISK_DAYS before the deadline
    # a submission is "at risk". Past it, a daily job lapses it ("lapse", Cek Bansos's rule) or
    # hands it to the province while it stays open ("escalate").
    COMPLAINT_DAYS = int(os.environ.get("COMPLAINT_DAYS", "14"))
    COMPLAINT_AT_RISK_DAYS = int(os.environ.get("COMPLAINT_AT_RISK_DAYS", "3"))
    COMPLAINT_OVERDUE = os.environ.get("COMPLAINT_OVERDUE", "lapse")
    # House photos: at most this many per submission, each at most this many bytes and pixels
    # (a decompression bomb is refused before it is decoded); stored at most this wide.
    COMPLAINT_PHOTOS_MAX = int(os.environ.get("COMPLAINT_PHOTOS_MAX", "3"))
    COMPLAINT_PHOTO_MAX_BYTES = int(os.environ.get("COMPLAINT_PHOTO_MAX_BYTES", str(5 * 2**20)))
    COMPLAINT_PHOTO_MAX_PIXELS = int(os.environ.get("COMPLAINT_PHOTO_MAX_PIXELS", "40000000"))
    COMPLAINT_PHOTO_MAX_SIDE = int(os.environ.get("COMPLAINT_PHOTO_MAX_SIDE", "1600"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Idle timeout: sessions are made permanent at sign-in and re-issued on every request.
    PERMANENT_SESSION_LIFETIME = datetime.timedelta(
        minutes=int(os.environ.get("SESSION_TIMEOUT_MINUTES", "30"))
    )
    SESSION_REFRESH_EACH_REQUEST = True
    # Revocable sign-ins (app/security/sessions.py): a console session is a server-side row, deleted
    # at sign-out; its last use is written at most every SESSION_TOUCH_SECONDS. API tokens (JWT)
    # live JWT_ACCESS_TOKEN_MINUTES, refresh tokens JWT_REFRESH_TOKEN_HOURS; a password change,
    # an admin reset, a lockout or a deactivation ends every session and token of the user.
    SESSION_TOUCH_SECONDS = int(os.environ.get("SESSION_TOUCH_SECONDS", "60"))
    JWT_ACCESS_TOKEN_EXPIRES = datetime.timedelta(
        minutes=int(os.environ.get("JWT_ACCESS_TOKEN_MINUTES", "15"))
    )
    JWT_REFRESH_TOKEN_EXPIRES = datetime.timedelta(
        hours=int(os.environ.get("JWT_REFRESH_TOKEN_HOURS", "12"))
    )

    # Interconnection API (views/api/interconnection.py): the NIK status check answers at most
    # NIK_CHECK_MAX NIKs per request and NIK_CHECK_RATE_LIMIT requests per user.
    NIK_CHECK_MAX = int(os.environ.get("NIK_CHECK_MAX", "1000"))
    NIK_CHECK_RATE_LIMIT = os.environ.get("NIK_CHECK_RATE_LIMIT", "60 per minute")
    # Bounded lookups (app/security/lookups.py, app/security/privacy.py), per user over the last 24
    # hours and counted in the database (every worker shares them); 0: no limit. NIKs checked by the
    # NIK status check; whole NIK/KK numbers searched by masked roles (Provinsi, Interkoneksi) in
    # console and API; numbers refused as registered outside the user's region (forms, API,
    # import). A masked caller who checked at least LOOKUP_GUESSING_MIN_CHECKS numbers within
    # LOOKUP_GUESSING_WINDOW_HOURS, LOOKUP_GUESSING_MISS_SHARE of them not registered, is
    # suspended from lookups until an Admin or Pusdatin lifts it (LOOKUP_GUESSING_MIN_CHECKS 0:
    # never).
    NIK_CHECK_DAILY_QUOTA = int(os.environ.get("NIK_CHECK_DAILY_QUOTA", "10000"))
    LOOKUP_SEARCH_DAILY_QUOTA = int(os.environ.get("LOOKUP_SEARCH_DAILY_QUOTA", "100"))
    LOOKUP_CONFLICT_DAILY_QUOTA = int(os.environ.get("LOOKUP_CONFLICT_DAILY_QUOTA", "50"))
    LOOKUP_GUESSING_MIN_CHECKS = int(os.environ.get("LOOKUP_GUESSING_MIN_CHECKS", "200"))
    LOOKUP_GUESSING_MISS_SHARE = float(os.environ.get("LOOKUP_GUESSING_MISS_SHARE", "0.5"))
    LOOKUP_GUESSING_WINDOW_HOURS = int(os.environ.get("LOOKUP_GUESSING_WINDOW_HOURS", "24"))
    # Duplicates (app/duplicates/scoring.py says what the points are): a pair scoring at least
    # DUPLICATE_LIKELY_SCORE is a likely duplicate (a name and birth date that agree and one more
    # piece of evidence), at least DUPLICATE_POSSIBLE_SCORE a possible one (name and birth date
    # alone, which namesakes share). Blocks of more than DUPLICATE_BLOCK_LIMIT people sharing a
    # key are not compared (they tell nothing). An import whose likely duplicates pass
    # DUPLICATE_IMPORT_MAX_SHARE of its rows is refused as a whole.
    DUPLICATE_LIKELY_SCORE = float(os.environ.get("DUPLICATE_LIKELY_SCORE", "8"))
    DUPLICATE_POSSIBLE_SCORE = float(os.environ.get("DUPLICATE_POSSIBLE_SCORE", "5"))
    DUPLICATE_BLOCK_LIMIT = int(os.environ.get("DUPLICATE_BLOCK_LIMIT", "50"))
    DUPLICATE_IMPORT_MAX_SHARE = float(os.environ.get("DUPLICATE_IMPORT_MAX_SHARE", "0.05"))
    # Machine clients sign requests with an API key (`Authorization: Bearer dks_…`), made by
    # `flask datakesos create-api-key USERNAME`; only its hash is stored (ab_api_key).
    FAB_API_KEY_ENABLED = os.environ.get("FAB_API_KEY_ENABLED", "1") == "1"
    FAB_API_KEY_PREFIXES = ["dks_"]
