"""Property-based fuzzing of the REST API (schemathesis over /api/v1/_openapi): whatever a
client sends — wrong types, unknown enumeration values, huge numbers, odd strings, missing or
extra fields — the answer is never a server error (5xx). Bounded so the file runs in about a
minute or two on SQLite."""

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies
from openapi_spec_validator import validate

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, bearer

EXAMPLES = 10
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: The token login is Flask-AppBuilder's and rate limited; fuzzing it would lock the users.
SKIPPED_PATHS = ("/api/v1/security/login", "/api/v1/security/refresh")


@pytest.fixture(scope="module")
def openapi_document(app):
    client = app.test_client()
    response = client.get("/api/v1/_openapi", headers=bearer(client, "admin"))
    assert response.status_code == 200
    return response.get_json()


def test_openapi_document_is_valid_openapi(openapi_document):
    validate(openapi_document)


def server_errors(app, document, headers, methods=None, ids=()) -> list[str]:
    """Every operation of the document, fuzzed; the ones that answered 5xx, with the request.
    Half of the cases of an operation on one record aim at a record that exists (`ids`)."""
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    client = app.test_client()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIPPED_PATHS):
            continue
        if methods and operation.method.upper() not in methods:
            continue

        strategy = operation.as_strategy()
        if "{pk}" in operation.path and ids:
            strategy = strategies.one_of(strategy, strategy.map(_aimed_at(ids)))

        @given(case=strategy)
        @FUZZ_SETTINGS
        def call(case):
            _current_version(client, case, headers)
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
                f" -> {response.status_code} {response.text[:300]}"
            )

        try:
            call()
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    return failures


def _aimed_at(ids: dict):
    """Point a case at an existing record of its resource (household, member …)."""

    def aim(case):
        resource = case.path.split("/")[3]
        choices = ids.get(resource) or ids["household"]
        case.path_parameters = {
            **(case.path_parameters or {}),
            "pk": choices[len(repr(case.body)) % len(choices)],
        }
        return case

    return aim


def _current_version(client, case, headers):
    """A PUT aimed at a record gets its current version, so the change reaches the rules."""
    if case.method != "PUT" or not isinstance(case.body, dict):
        return
    shown = client.get(case.formatted_path, headers=headers)
    if shown.status_code == 200:
        case.body["version"] = shown.get_json()["result"]["version"]


@pytest.fixture()
def register_rows(app, make_household):
    """A few rows, so that some ids the fuzzer tries exist."""
    from app.extensions import db
    from models import Family, Member

    households = [make_household(BANDUNG_VILLAGE), make_household(BOGOR_VILLAGE)]
    with app.app_context():
        members = db.session.scalars(sa.select(Member.id).order_by(Member.id)).all()
        families = db.session.scalars(sa.select(Family.id).order_by(Family.id)).all()
    return {"household": households, "member": members, "family": families}


def test_no_server_error_for_an_administrator(app, openapi_document, register_rows):
    app.appbuilder.sm.limiter.reset()
    headers = bearer(app.test_client(), "admin")
    assert server_errors(app, openapi_document, headers, ids=register_rows) == []


def test_no_server_error_for_a_regional_operator(app, openapi_document, register_rows):
    app.appbuilder.sm.limiter.reset()
    headers = bearer(app.test_client(), "operator.bandung")
    assert (
        server_errors(
            app, openapi_document, headers, methods={"GET", "POST", "PUT"}, ids=register_rows
        )
        == []
    )


def test_no_server_error_for_a_machine_client_with_an_api_key(app, openapi_document, register_rows):
    from app.security import api_keys

    app.appbuilder.sm.limiter.reset()
    with app.app_context():
        key = api_keys.create("interkoneksi", name="fuzzing")["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        server_errors(app, openapi_document, headers, methods={"GET", "POST"}, ids=register_rows)
        == []
    )


# -- the console's list arguments and the API's `q`, fuzzed directly --------------------------
#: Values a hostile client sends: control characters, quotes, Unicode digits, overlong numbers,
#: Rison and SQL fragments, right-to-left overrides.
HOSTILE_TEXT = strategies.one_of(
    strategies.text(max_size=30),
    strategies.sampled_from(
        [
            "\x00",
            "a\x00b",
            "%",
            "'",
            '"',
            "\\",
            "(((",
            ")",
            "!(",
            "٣٢",
            "²³",
            "\u202e12",
            "9" * 400,
            "-1",
            "1e309",
            "NaN",
            "0x10",
            "32.73.%",
            "' OR 1=1 --",
            "'; DROP TABLE household; --",
        ]
    ),
)
LIST_ROUTES = (
    "/households/list/",
    "/members/list/",
    "/families/list/",
    "/memberships/list/",
    "/proposals/list/",
    "/regions/list/",
    "/programs/list/",
    "/periods/list/",
    "/audit/list/",
    "/households/export/csv",
)
RESOURCES = ("household", "member", "family", "membership", "region", "program", "period", "audit")


def _list_view(app, route: str):
    prefix = "/" + route.strip("/").split("/")[0]
    return next(
        view for view in app.appbuilder.baseviews if getattr(view, "route_base", None) == prefix
    )


@strategies.composite
def list_arguments(draw, app):
    route = draw(strategies.sampled_from(LIST_ROUTES))
    view = _list_view(app, route)
    name = type(view).__name__
    keys = sorted(view._filters._all_filters) or ["x"]
    arguments = {}
    for _ in range(draw(strategies.integers(1, 3))):
        key = draw(strategies.one_of(strategies.sampled_from(keys), HOSTILE_TEXT))
        index = draw(strategies.one_of(strategies.integers(0, 12), HOSTILE_TEXT))
        arguments[f"_flt_{index}_{key}"] = draw(HOSTILE_TEXT)
    if draw(strategies.booleans()):
        arguments[f"_oc_{name}"] = draw(
            strategies.one_of(
                strategies.sampled_from(list(view.order_columns) or ["x"]), HOSTILE_TEXT
            )
        )
        arguments[f"_od_{name}"] = draw(
            strategies.one_of(strategies.sampled_from(["asc", "desc"]), HOSTILE_TEXT)
        )
    if draw(strategies.booleans()):
        arguments[f"page_{name}"] = draw(
            strategies.one_of(strategies.integers(-5, 10**12), HOSTILE_TEXT)
        )
        arguments[f"psize_{name}"] = draw(
            strategies.one_of(strategies.integers(-5, 10**6), HOSTILE_TEXT)
        )
    return route, arguments


def test_no_server_error_from_the_console_lists_arguments(
    app, register_rows, server_errors_answered
):
    from urllib.parse import urlencode

    from tests.conftest import signed_in

    app.appbuilder.sm.limiter.reset()
    client = signed_in(app, "prov.jabar")
    failures = []

    @given(case=list_arguments(app))
    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        route, arguments = case
        url = f"{route}?{urlencode(arguments)}"
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{url} -> {status}")

    call()
    assert failures == []


RISON_VALUES = strategies.recursive(
    strategies.one_of(
        HOSTILE_TEXT,
        strategies.integers(),
        strategies.floats(allow_nan=False),
        strategies.booleans(),
        strategies.none(),
    ),
    lambda children: strategies.one_of(
        strategies.lists(children, max_size=3),
        strategies.dictionaries(HOSTILE_TEXT, children, max_size=2),
    ),
    max_leaves=6,
)


@strategies.composite
def rison_queries(draw):
    """A `?q=`: structured Rison of hostile filters, orders, pages and columns, or raw text
    (unbalanced, deeply nested, control characters)."""
    import prison

    if draw(strategies.integers(0, 4)) == 0:
        depth = draw(strategies.integers(1, 2000))
        return draw(
            strategies.one_of(
                HOSTILE_TEXT,
                strategies.just("(" * depth),
                strategies.just("(a:" * depth + "1" + ")" * depth),
            )
        )
    filters = [
        {
            "col": draw(
                strategies.one_of(
                    strategies.sampled_from(
                        [
                            "nik",
                            "kk_number",
                            "register_id",
                            "status",
                            "full_name",
                            "household",
                            "village_code",
                            "welfare_decile",
                            "code",
                            "id",
                        ]
                    ),
                    HOSTILE_TEXT,
                )
            ),
            "opr": draw(
                strategies.one_of(
                    strategies.sampled_from(
                        ["eq", "neq", "sw", "ew", "ct", "in", "not_in", "gt", "lt", "rel_o_m"]
                    ),
                    HOSTILE_TEXT,
                )
            ),
            "value": draw(RISON_VALUES),
        }
        for _ in range(draw(strategies.integers(0, 2)))
    ]
    query = {"filters": filters}
    for key in ("order_column", "order_direction", "page", "page_size", "columns", "keys"):
        if draw(strategies.booleans()):
            query[key] = draw(RISON_VALUES)
    return prison.dumps(query)


def test_no_server_error_from_the_apis_q(app, register_rows, server_errors_answered):
    from urllib.parse import quote

    app.appbuilder.sm.limiter.reset()
    client = app.test_client()
    headers = bearer(client, "prov.jabar")
    failures = []

    @given(
        resource=strategies.sampled_from(RESOURCES),
        endpoint=strategies.sampled_from(["", "_info", "1"]),
        q=rison_queries(),
    )
    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(resource, endpoint, q):
        url = f"/api/v1/{resource}/{endpoint}?q={quote(q)}"
        status = client.get(url, headers=headers).status_code
        if status >= 500:
            failures.append(f"{url[:300]} -> {status}")

    call()
    assert failures == []
