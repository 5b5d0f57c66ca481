"""HTML → PDF for every printed document: Jinja templates with autoescaping, rendered by
WeasyPrint with a URL fetcher that serves only this package's own assets.

Why the fetcher: WeasyPrint's default fetcher reads `file://` and the network, so a household
name such as `<img src="file:///etc/passwd">` would, if it ever reached the HTML unescaped, put a
server file into the PDF. Here text is always escaped, and even markup written by us can load
nothing but:

- `asset:<path>` — a file under reports/static/ (CSS, images), or `asset:fonts/<name>` for the
  DejaVu fonts of the Debian package fonts-dejavu-core (declared in the Makefile), so that every
  machine prints with the same font files;
- `data:` — images made in memory (charts, QR codes, the configured logo).

Every other scheme (file, http, https, ftp, …) is refused and logged.
"""

from __future__ import annotations

import base64
import datetime
import functools
import logging
import mimetypes
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from flask import current_app, has_app_context
from flask_babel import force_locale, format_date, format_datetime, gettext, ngettext
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.clock import utcnow
from models.types import visible

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
ASSETS = PACKAGE / "static"
TEMPLATES = PACKAGE / "templates"
#: Fonts: a copy under reports/static/fonts wins; otherwise the Debian package's files.
FONT_DIRECTORIES = (ASSETS / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
FONT_FILES = frozenset(
    {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSansMono.ttf",
        "DejaVuSansMono-Bold.ttf",
    }
)
STYLESHEET = "asset:css/report.css"
DEFAULT_LOGO = ASSETS / "images" / "emblem.svg"
LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
LOGO_MAX_BYTES = 1024 * 1024
DATA_URI_MAX_BYTES = 8 * 1024 * 1024
#: Documents are official Indonesian papers, whatever language the console is shown in.
DOCUMENT_LOCALE = "id"


class RefusedResource(ValueError):
    """A document asked for something outside the app's own assets."""


class AssetFetcher(URLFetcher):
    """WeasyPrint 70's URL fetcher, with `fetch` answering only `asset:` and `data:` URLs (its
    own opener, which would read files and the network, is never called). A refused resource
    is left out and the document still renders; `refused` lists what was asked for."""

    def __init__(self):
        super().__init__(
            allowed_protocols=("asset", "data"), fail_on_errors=False, allow_redirects=False
        )
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        scheme, _, rest = str(url).partition(":")
        scheme = scheme.lower()
        if scheme == "asset":
            path = _asset_path(rest)
            if path is not None:
                return URLFetcherResponse(
                    url, _read_asset(path), {"Content-Type": _media_type(path)}
                )
        elif scheme == "data":
            body, media_type = _decode_data_uri(url)
            return URLFetcherResponse(url, body, {"Content-Type": media_type})
        shown = str(url)[:200]
        self.refused.append(shown)
        log.warning("PDF rendering refused to load %s", shown)
        raise RefusedResource(f"not an asset of the application: {shown}")


def _asset_path(rest: str) -> Path | None:
    """The file behind `asset:<rest>`, or None: no `..`, no absolute paths, no other folder."""
    relative = unquote(rest.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    parts = PurePosixPath(relative).parts
    if not parts or any(part in (".", "..") or "\\" in part or "\x00" in part for part in parts):
        return None
    if parts[0] == "fonts":
        if len(parts) != 2 or parts[1] not in FONT_FILES:
            return None
        for directory in FONT_DIRECTORIES:
            candidate = directory / parts[1]
            if candidate.is_file():
                return candidate
        log.error("Font %s is missing: install the Debian package fonts-dejavu-core", parts[1])
        return None
    root = ASSETS.resolve()
    candidate = (root / relative).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None


_ASSET_CACHE: dict[Path, bytes] = {}


def _read_asset(path: Path) -> bytes:
    if path not in _ASSET_CACHE:
        _ASSET_CACHE[path] = path.read_bytes()
    return _ASSET_CACHE[path]


def _media_type(path: Path) -> str:
    if path.suffix == ".ttf":
        return "font/ttf"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _decode_data_uri(url: str) -> tuple[bytes, str]:
    if len(url) > DATA_URI_MAX_BYTES * 4 // 3 + 100:
        raise RefusedResource("data: URI too large")
    response = urllib.request.DataHandler().data_open(urllib.request.Request(url))
    return response.read(), response.headers.get_content_type()


def clean_text(value: str) -> str:
    """Text from the register as printed: without bidirectional overrides or invisible
    control characters (stored text has none since they are stripped on input, but older
    rows and region names from outside may), so what is printed reads as what is stored."""
    return visible(value)


def _finalize(value):
    """Applied to every `{{ … }}` of a document template, before autoescaping."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return clean_text(value)
    return value


def _environment() -> Environment:
    # Imported here: worker processes that only lay out HTML (htmls_to_pdf) need not load the app.
    from app import formatting

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
    environment.filters["number"] = formatting.number
    environment.filters["signed"] = formatting.signed
    environment.filters["fraction"] = formatting.fraction
    environment.filters["date_id"] = formatting.date
    environment.filters["datetime_id"] = datetime_text
    environment.filters["day_id"] = day_text
    environment.filters["short_day_id"] = short_day_text
    environment.filters["value"] = formatting.value
    environment.filters["terbilang"] = words
    environment.filters["percent"] = percent
    return environment


_ENVIRONMENT: Environment | None = None


def environment() -> Environment:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _environment()
    return _ENVIRONMENT


def datetime_text(value: datetime.datetime | None) -> str:
    """ "28 November 2026 09.15 WIB": naive values are UTC, shown in the app's time zone."""
    if value is None:
        return ""
    return format_datetime(value, "d MMMM y HH.mm zzz")


def day_text(value) -> str:
    """ "28 November 2026" (a datetime is first moved to the app's time zone)."""
    if value is None:
        return ""
    return format_date(value, "d MMMM y")


def short_day_text(value) -> str:
    """ "28 Nov 2026", for narrow table columns."""
    if value is None:
        return ""
    return format_date(value, "d MMM y")


def words(value) -> str:
    """A number in Indonesian words (terbilang): 396 → "tiga ratus sembilan puluh enam"."""
    from lokal import terbilang

    if value is None:
        return ""
    return terbilang(value)


def percent(part, whole, digits: int = 1) -> str:
    if not whole:
        return "–"
    from flask_babel import format_decimal

    share = round(100 * part / whole, digits)
    return format_decimal(share, format="#,##0." + "0" * digits) + "%"


# --- WeasyPrint: one font configuration and stylesheet per process -----------------------------


@dataclass
class _Shared:
    pid: int
    font_config: object
    stylesheet: object


_SHARED: _Shared | None = None


def _shared() -> _Shared:
    """Parsing the stylesheet and loading its fonts takes longer than laying out a certificate:
    do it once per process (a forked or spawned worker makes its own)."""
    global _SHARED
    if _SHARED is None or _SHARED.pid != os.getpid():
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(url=STYLESHEET, url_fetcher=AssetFetcher(), font_config=font_config)
        _SHARED = _Shared(os.getpid(), font_config, stylesheet)
    return _SHARED


def html_to_pdf(html: str, fetcher: AssetFetcher | None = None) -> bytes:
    """Lay out HTML made by `render_html` and return the PDF. Needs no app or database, so
    worker processes can call it."""
    from weasyprint import HTML

    fetcher = fetcher or AssetFetcher()
    shared = _shared()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[shared.stylesheet],
        font_config=shared.font_config,
        attachments=[],
        pdf_identifier=None,
        custom_metadata=False,
    )


def htmls_to_pdf(htmls: list[str], fetcher: AssetFetcher | None = None) -> bytes:
    """Several documents in one PDF, each keeping its own page numbers ("page 1 of 2" on every
    certificate of a village batch): laid out one by one, their pages written together."""
    from weasyprint import HTML

    fetcher = fetcher or AssetFetcher()
    shared = _shared()
    documents = [
        HTML(string=html, base_url=None, url_fetcher=fetcher).render(
            stylesheets=[shared.stylesheet], font_config=shared.font_config
        )
        for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(attachments=[])


# --- Documents ---------------------------------------------------------------------------------


def logo_uri() -> str:
    """The configured office logo (OFFICE_LOGO: a PNG, JPEG or SVG file chosen by the
    administrator) as a data: URI, or the bundled emblem."""
    configured = current_app.config.get("OFFICE_LOGO") if has_app_context() else None
    path = Path(configured) if configured else DEFAULT_LOGO
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        modified = None
    return _logo_uri(path, modified)


@functools.lru_cache(maxsize=8)
def _logo_uri(path: Path, modified: int | None) -> str:
    """logo_uri() per process, read again when the file changes (the navigation bar shows the
    logo on every page)."""
    media_type = LOGO_TYPES.get(path.suffix.lower())
    try:
        if media_type is None or path.stat().st_size > LOGO_MAX_BYTES:
            raise ValueError("unsupported logo file")
        content = path.read_bytes()
    except (OSError, ValueError) as error:
        log.warning("OFFICE_LOGO %s not used (%s); printing the default emblem", path, error)
        path, media_type = DEFAULT_LOGO, "image/svg+xml"
        content = DEFAULT_LOGO.read_bytes()
    return f"data:{media_type};base64," + base64.b64encode(content).decode("ascii")


def page_context(printed_by: str | None, printed_at: datetime.datetime | None = None) -> dict:
    """What every document's header and footer show."""
    config = current_app.config
    return {
        "office_name": config.get("OFFICE_NAME", "Dinas Sosial"),
        "app_name": config.get("APP_NAME", "Datakesos"),
        "logo_uri": logo_uri(),
        "printed_at": printed_at or utcnow(),
        "printed_by": clean_text(printed_by or gettext("system")),
    }


def in_document_locale(function):
    """Run `function` with Indonesian translations, dates and numbers (labels, chart titles
    and formatted values made while gathering a document's data are then Indonesian too)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with force_locale(DOCUMENT_LOCALE):
            return function(*args, **kwargs)

    return wrapper


def render_html(template: str, context: dict) -> str:
    """The document's HTML, in Indonesian. Call inside an app context."""
    with force_locale(DOCUMENT_LOCALE):
        return environment().get_template(template).render(**context)


def render_pdf(template: str, context: dict, fetcher: AssetFetcher | None = None) -> bytes:
    return html_to_pdf(render_html(template, context), fetcher)
