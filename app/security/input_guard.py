"""Requests refused before any view reads them: input no door can store, search or parse.

- A NUL byte (or another C0 control character but tab, line feed and carriage return) anywhere:
  in the path, a URL argument, a form field, an uploaded file's name or a JSON body.
  PostgreSQL cannot hold NUL in text at all (every such request was a server error there), and
  no name, address, code or search needs the others.
- A malformed `?q=` of the REST API: Rison that does not parse, or nests deeper than
  MAX_NESTING (the parser recurses, and `(((` alone sent it into endless recursion).

Each is answered 400 with a message in the user's language: JSON under /api/, the console's
error page elsewhere. Uploaded files' contents are left to their own readers (app/imports)."""

from __future__ import annotations

import json
import re

import prison
from flask import Flask, abort, request
from flask_babel import gettext

#: C0 control characters but \t \n \r, and DEL: never part of a value anyone types.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Deepest nesting a `?q=` of the REST API may have; the deepest the API's own use is 4.
MAX_NESTING = 10


def install(app: Flask) -> None:
    app.before_request(refuse_hostile_input)


def refuse_hostile_input():
    if _has_control_characters():
        abort(
            400,
            description=gettext(
                "The request contains a control character (such as NUL) that no field accepts. "
                "Remove it and send again."
            ),
        )
    if request.path.startswith("/api/") and "q" in request.args:
        problem = rison_problem(request.args["q"])
        if problem:
            abort(400, description=problem)
    return None


def _has_control_characters() -> bool:
    if CONTROL.search(request.path):
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if CONTROL.search(key) or CONTROL.search(value):
                return True
    for upload in request.files.values():
        if CONTROL.search(upload.filename or ""):
            return True
    if request.is_json and request.content_length:
        return _json_has_control_characters(request.get_data(cache=True, as_text=True))
    return False


def _json_has_control_characters(text: str) -> bool:
    """Raw control characters, or their JSON escapes (\\u0000) inside strings."""
    if CONTROL.search(text):
        return True
    if "\\u00" not in text:
        return False
    try:
        body = json.loads(text)
    except ValueError:
        return False  # the view answers a body that is not JSON
    return _nested_control_characters(body)


def _nested_control_characters(value) -> bool:
    if isinstance(value, str):
        return bool(CONTROL.search(value))
    if isinstance(value, dict):
        return any(
            _nested_control_characters(key) or _nested_control_characters(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_nested_control_characters(item) for item in value)
    return False


def rison_problem(text: str) -> str | None:
    """Why a `?q=` cannot be read, or None. Flask-AppBuilder reads it again afterwards (and
    answers Rison that parses but does not fit its schema with its own 400)."""
    if _nesting(text) > MAX_NESTING:
        return gettext("The q parameter nests deeper than %(depth)d levels.", depth=MAX_NESTING)
    try:
        prison.loads(text)
    except prison.decoder.ParserException:
        return None  # Flask-AppBuilder tries it as JSON, then answers 400 itself
    except (RecursionError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return gettext("The q parameter is not valid Rison.")
    return None


def _nesting(text: str) -> int:
    """How deep parentheses nest outside quoted strings (Rison quotes with ' and escapes
    with !)."""
    depth = deepest = 0
    quoted = escaped = False
    for character in text:
        if quoted:
            if escaped:
                escaped = False
            elif character == "!":
                escaped = True
            elif character == "'":
                quoted = False
        elif character == "'":
            quoted = True
        elif character == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif character == ")":
            depth -= 1
    return deepest
