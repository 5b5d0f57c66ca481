"""Error pages in the console's language and look: a row outside the user's region, a page that
does not exist, a forbidden door, an upload over MAX_CONTENT_LENGTH. Under /api/ the same
errors are answered as JSON (`{"message": …}`), as Flask-AppBuilder's own answers are."""

from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException, default_exceptions

from app.formatting import number

PAGES = {
    400: (
        lazy_gettext("The request could not be processed"),
        lazy_gettext("The form or address is incomplete or invalid. Go back and try again."),
    ),
    403: (
        lazy_gettext("Access denied"),
        lazy_gettext("You do not have permission to open this page."),
    ),
    404: (
        lazy_gettext("Page not found"),
        lazy_gettext(
            "The page or record you are looking for was not found, or is outside your region."
        ),
    ),
    405: (
        lazy_gettext("The request could not be processed"),
        lazy_gettext("This page cannot be opened this way."),
    ),
    413: (lazy_gettext("The file is too large"), None),  # the message names the limit
}


def register(app, appbuilder) -> None:
    """Answer the console's errors with a page of our own (views.dashboard.install)."""

    def page(error: HTTPException):
        title, message = PAGES[error.code]
        if _described(error):
            message = error.description  # a reason of our own, in the user's language
        elif error.code == 413:
            # Refused before any view ran (the CSRF check reads the form), whatever the page.
            message = gettext(
                "The file sent is larger than the limit of %(size)s MB.",
                size=number(round(current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024), 1)),
            )
        if request.path.startswith("/api/"):
            return jsonify(message=str(message or title)), error.code
        if request.accept_mimetypes.best == "application/json":
            return error
        # Flask-AppBuilder sets g.user in a before_request that a routing error never reached.
        g.user = current_user
        return render_template(
            "datakesos/error.html",
            appbuilder=appbuilder,
            base_template=appbuilder.base_template,
            code=error.code,
            title=title,
            message=message,
        ), error.code

    for code in PAGES:
        app.register_error_handler(code, page)


def _described(error: HTTPException) -> bool:
    """Whether the error was raised with a description of our own (abort(400, description=…))
    rather than Werkzeug's English default; subclasses such as Flask-WTF's CSRFError carry
    English reasons of their own and get the page's general message."""
    plain = type(error) is default_exceptions.get(error.code)
    return plain and bool(error.description) and error.description != type(error).description
