"""Pages of the console (list, NIK search, national list, dashboard, NIK check API, household
page), each beside the raw SQL of the same work."""

from __future__ import annotations

from bench_common import (
    LIST_URL,
    OPERATOR,
    SCOPE,
    Bench,
    Client,
    Figure,
    config_changed,
    get_ok,
    median_seconds,
    sample_household,
    signed_in_client,
    timed_sql,
)

_IN_SCOPE = "(h.village_code = %(scope)s OR h.village_code LIKE %(like)s)"


def _list_statements(extra_where: str, parameters: dict) -> list[tuple[str, dict]]:
    """The least a 25-row list page of households needs: the page of rows with each head,
    and the count of matching rows for the pager."""
    parameters = {"scope": SCOPE, "like": SCOPE + ".%", **parameters}
    where = f"{_IN_SCOPE} AND {extra_where}"
    return [
        (
            f"SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
            f"WHERE {where} ORDER BY h.id DESC LIMIT 25",
            parameters,
        ),
        (
            f"SELECT m.* FROM member m WHERE m.relation_to_head = 'HEAD' AND m.household_id IN "
            f"(SELECT h.id FROM household h WHERE {where} ORDER BY h.id DESC LIMIT 25)",
            parameters,
        ),
        (f"SELECT count(*) FROM household h WHERE {where}", parameters),
    ]


def list_page(bench: Bench) -> list[Figure]:
    """The operator's household list (25 rows, their regency, one decile) through the console
    vs. the raw SQL of the same page; and the same list from a default Flask-AppBuilder
    scaffold."""
    app = bench.app
    client = signed_in_client(app, OPERATOR)
    page = median_seconds(get_ok(client, LIST_URL))
    with config_changed(app, LIST_COUNT_REUSE_SECONDS=0) as saved:
        recounted = median_seconds(get_ok(client, LIST_URL))
    raw = timed_sql(_list_statements("h.welfare_decile = %(decile)s", {"decile": 2}))
    admin = signed_in_client(bench.app, "admin")
    naive_url = "/bench-naive/households/list/?_flt_0_welfare_decile=2"
    naive = median_seconds(get_ok(admin, naive_url), repeat=1, warm_up=0)
    figures = [
        Figure(
            "list_page",
            round(page, 4),
            round(raw, 4),
            description=f"GET {LIST_URL} as {OPERATOR} (pager count reused up to "
            f"{saved['LIST_COUNT_REUSE_SECONDS']} s when large) vs. its raw SQL "
            "(rows, heads, exact count)",
            goals=[("ratio", "<=", 2.0)],
        ),
        Figure(
            "list_page.recounted",
            round(recounted, 4),
            round(raw, 4),
            description="the same page counting its rows on every request (before the "
            "pager count was reused) vs. its raw SQL",
        ),
        Figure(
            "list_page.naive_scaffold",
            round(naive, 4),
            round(page, 4),
            description="the same list from a default ModelView (admin) vs. the console's",
        ),
    ]
    previous = bench.previous.get("list_page")
    if previous and bench.previous_households and bench.previous_households < bench.households:
        figures.append(
            Figure(
                f"list_page.vs_{bench.previous_households // 1000}k",
                round(page, 4),
                previous["value"],
                description=f"the list page at {bench.households:,} vs. at "
                f"{bench.previous_households:,} households (--compare)",
                goals=[("ratio", "<=", 1.2)],
            )
        )
    return figures


def nik_lookup(bench: Bench) -> list[Figure]:
    """Finding a household by a member's NIK from the list's search vs. the raw SQL."""
    household_id, nik = sample_household()
    client = signed_in_client(bench.app, OPERATOR)
    url = f"/households/list/?_flt_0_nik={nik}"
    if f"/households/show/{household_id}" not in client.get(url).get_data(as_text=True):
        raise SystemExit(f"the NIK search did not find household {household_id}")
    page = median_seconds(get_ok(client, url))
    raw = timed_sql(
        _list_statements(
            "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id AND m.nik = %(nik)s)",
            {"nik": nik},
        )
    )
    return [
        Figure(
            "nik_lookup",
            round(page, 4),
            round(raw, 4),
            description=f"GET /households/list/?_flt_0_nik=… as {OPERATOR} vs. its raw SQL",
            goals=[("value", "<=", 0.020)],
        )
    ]


def list_page_national(bench: Bench) -> list[Figure]:
    """A national user's unfiltered household list: the pager's count from the planner's
    estimate (views/datamodel.py) vs. the raw SQL (25 rows and an exact count); and the same
    page counting every row, as before the estimate."""
    app = bench.app
    client = signed_in_client(app, "pusdatin")
    url = "/households/list/"
    page = median_seconds(get_ok(client, url))
    # Neither the estimate nor a count reused from an earlier request (views/datamodel.py).
    with config_changed(app, LIST_COUNT_ESTIMATE_ABOVE=0, LIST_COUNT_REUSE_SECONDS=0) as saved:
        exact = median_seconds(get_ok(client, url))
    raw = timed_sql(
        [
            (
                "SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
                "ORDER BY h.id DESC LIMIT 25",
                {},
            ),
            ("SELECT count(*) FROM household", {}),
        ]
    )
    return [
        Figure(
            "list_page.national",
            round(page, 4),
            round(raw, 4),
            description=f"GET {url} as pusdatin (count estimated above "
            f"{saved['LIST_COUNT_ESTIMATE_ABOVE']:,} rows) vs. raw SQL with an exact "
            "count",
        ),
        Figure(
            "list_page.national_exact_count",
            round(exact, 4),
            round(page, 4),
            description="the same page counting every row on every request (before) vs. "
            "with the estimate",
        ),
    ]


def dashboard(bench: Bench) -> list[Figure]:
    """The national dashboard (pusdatin) reusing its figures for DASHBOARD_REUSE_SECONDS on a
    large register (views/dashboard.py) vs. counting everything on every view (before)."""
    app = bench.app
    client = signed_in_client(app, "pusdatin")
    with config_changed(app, DASHBOARD_REUSE_SECONDS=0) as saved:
        live = median_seconds(get_ok(client, "/"), repeat=3, warm_up=1)
    reused = median_seconds(get_ok(client, "/"))
    return [
        Figure(
            "dashboard.national",
            round(reused, 4),
            round(live, 4),
            description="GET / as pusdatin, figures reused (large register) vs. "
            "recounted on every view",
            details={"reuse_seconds": saved["DASHBOARD_REUSE_SECONDS"]},
        )
    ]


def nik_lookup_api(bench: Bench) -> list[Figure]:
    """The interconnection API's NIK check (POST /api/v1/nik-status/, one NIK) vs. its raw
    SQL (the member, its household and programs)."""
    household_id, nik = sample_household()
    client = Client(bench.app)
    from app.demo import demo_password

    response = client.post(
        "/api/v1/security/login",
        json={
            "username": "interkoneksi",
            "password": demo_password(),
            "provider": "db",
            "refresh": False,
        },
    )
    if response.status_code != 200:
        raise SystemExit(
            f"the API sign-in as interkoneksi failed: {response.status_code} "
            f"{response.get_data(as_text=True)[:300]}"
        )
    headers = {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    def action():
        answer = client.post("/api/v1/nik-status/", json={"niks": [nik]}, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"nik-status: {answer.status_code} {answer.get_data(as_text=True)}")

    page = median_seconds(action, repeat=10, warm_up=2)  # NIK_CHECK_RATE_LIMIT: 60/minute
    raw = timed_sql(
        [
            (
                "SELECT m.id, h.welfare_decile, h.village_code FROM member m JOIN household h "
                "ON h.id = m.household_id WHERE m.nik = %(nik)s AND m.status = 'ACTIVE'",
                {"nik": nik},
            ),
            (
                "SELECT p.code FROM program_membership pm JOIN program p ON p.id = pm.program_id "
                "JOIN member m ON m.household_id = pm.household_id WHERE m.nik = %(nik)s",
                {"nik": nik},
            ),
        ]
    )
    return [
        Figure(
            "nik_lookup.api",
            round(page, 4),
            round(raw, 4),
            description="POST /api/v1/nik-status/ (one NIK, interkoneksi) vs. raw SQL",
            goals=[("value", "<=", 0.020)],
        )
    ]


def household_page(bench: Bench) -> list[Figure]:
    """A household's page with its members, families and program memberships."""
    household_id, _nik = sample_household()
    client = signed_in_client(bench.app, OPERATOR)
    page = median_seconds(get_ok(client, f"/households/show/{household_id}"))
    parameters = {"id": household_id}
    raw = timed_sql(
        [
            (
                "SELECT h.*, r.name FROM household h JOIN region r ON r.code = h.village_code "
                "WHERE h.id = %(id)s",
                parameters,
            ),
            ("SELECT * FROM member WHERE household_id = %(id)s ORDER BY id", parameters),
            ("SELECT * FROM family WHERE household_id = %(id)s ORDER BY id", parameters),
            (
                "SELECT pm.*, p.code FROM program_membership pm JOIN program p ON p.id = "
                "pm.program_id "
                "WHERE pm.household_id = %(id)s ORDER BY pm.id",
                parameters,
            ),
        ]
    )
    return [
        Figure(
            "household_page",
            round(page, 4),
            round(raw, 4),
            description=f"GET /households/show/<id> as {OPERATOR} vs. its raw SQL",
            goals=[("value", "<=", 0.050)],
        )
    ]
