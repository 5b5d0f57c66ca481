"""Property-based fuzzing of the REST API (schemathesis over /api/v1/_openapi): whatever a
client sends — wrong types, unknown enumeration values, huge numbers, odd strings, missing or
extra fields — the answer is never a server error (5xx). Bounded so the file runs in about a
minute or two on SQLite."""
import pytest
import sqlalchemy as sa
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from openapi_spec_validator import validate

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, bearer

EXAMPLES = 10
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
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
                f" -> {response.status_code} {response.text[:300]}")

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
        case.path_parameters = {**(case.path_parameters or {}),
                                "pk": choices[len(repr(case.body)) % len(choices)]}
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
    assert server_errors(app, openapi_document, headers, methods={"GET", "POST", "PUT"},
                         ids=register_rows) == []


def test_no_server_error_for_a_machine_client_with_an_api_key(app, openapi_document,
                                                              register_rows):
    from app import api_keys

    app.appbuilder.sm.limiter.reset()
    with app.app_context():
        key = api_keys.create("interkoneksi", name="fuzzing")["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert server_errors(app, openapi_document, headers, methods={"GET", "POST"},
                         ids=register_rows) == []
