"""What every benchmark module of scripts/ shares: the Figure a measurement returns, the Bench
it is given, the signed-in test clients, medians of repeated requests and of raw SQL, and the
default Flask-AppBuilder scaffold that some figures are held against.

Imports nothing of the project at import time: scripts/bench.py sets the environment
(DATABASE_URL, DATAKESOS_INSTANCE, SECRET_KEY) before the app is first imported."""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Requests timed per page figure (after WARM_UP untimed ones); the median is reported.
REPEAT = 15
WARM_UP = 3
OPERATOR = "operator.bandung"
SCOPE = "32.73"
#: The list the operator opens most: their regency's households of one welfare decile.
LIST_URL = "/households/list/?_flt_0_welfare_decile=2"


@dataclass
class Figure:
    name: str
    value: float
    baseline: float | None
    unit: str = "s"
    description: str = ""
    details: dict = field(default_factory=dict)
    #: Goals as (what, at most / at least, number): what is "value" or "ratio".
    goals: list = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return round(self.value / self.baseline, 3)

    @property
    def goal(self) -> str:
        units = {"ratio": "×", "value": " " + self.unit}
        return "; ".join(
            f"{what} {op} {number:g}{units.get(what, '')}" for what, op, number in self.goals
        )

    @property
    def met(self) -> bool | None:
        if not self.goals:
            return None
        for what, op, number in self.goals:
            measured = {"ratio": self.ratio, "value": self.value}.get(what, self.details.get(what))
            if measured is None:
                return None
            if (op == "<=" and measured > number) or (op == ">=" and measured < number):
                return False
        return True

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "goal": self.goal, "met": self.met}


@dataclass
class Bench:
    app: object
    households: int
    seed: int
    database: str
    #: Figures of an earlier run (--compare FILE), by name.
    previous: dict = field(default_factory=dict)
    previous_households: int | None = None


@contextlib.contextmanager
def config_changed(app, **values):
    """Set app.config keys for the block and put their earlier values back after it; yields
    the earlier values (config.py's defaults or the environment's)."""
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield saved
    finally:
        app.config.update(saved)


def median_seconds(action, repeat: int = REPEAT, warm_up: int = WARM_UP) -> float:
    for _ in range(warm_up):
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def csrf_token(html: str) -> str:
    import re

    match = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*'
        r'name="csrf_token"',
        html,
    )
    if not match:
        raise SystemExit("no CSRF token on the login page")
    return match.group(1) or match.group(2)


class Client:
    """A test client whose every request gets its own application context. The benchmark
    runs inside one, and a request would otherwise share its `g` (the signed-in user, the
    region scope) with every other request."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


def signed_in_client(app, username: str):
    from app.demo import demo_password

    client = Client(app)
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    response = client.post(
        "/login/", data={"username": username, "password": demo_password(), "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {username}: {response.status_code}")
    return client


def get_ok(client, url: str):
    def action():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code}")
        return response

    return action


def timed_sql(statements: list[tuple[str, dict]]) -> float:
    """Median seconds of the statements on one plain DBAPI connection (no ORM, no pool
    checkout per run)."""
    from app.extensions import db

    connection = db.engine.raw_connection()

    def action():
        cursor = connection.cursor()
        for sql, parameters in statements:
            cursor.execute(sql, parameters)
            cursor.fetchall()
        cursor.close()
        connection.rollback()

    try:
        return median_seconds(action)
    finally:
        connection.close()


def sample_household():
    """A household of the operator's regency in the middle of its id range, with members."""
    import sqlalchemy as sa

    from app.extensions import db

    return db.session.execute(
        sa.text(
            "SELECT h.id, m.nik FROM household h JOIN member m ON m.household_id = h.id "
            "AND m.relation_to_head = 'HEAD' WHERE h.village_code LIKE '32.73.%' "
            "AND h.status = 'ACTIVE' ORDER BY h.id OFFSET (SELECT count(*) / 2 FROM household "
            "WHERE village_code LIKE '32.73.%') LIMIT 1"
        )
    ).one()


def register_naive_views(app) -> None:
    """A default Flask-AppBuilder scaffold on the same model, as `flask fab create-app` would
    give: a ModelView with its default list, search and relationship select (the village,
    chosen among every region). The one-to-many selects (families, members, memberships) are
    left out of its forms: they would load every member of the register into one page."""
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from models import Household

    scalar = [
        column.name
        for column in Household.__table__.columns
        if column.name not in ("id", "village_code", "created_at", "updated_at", "version")
    ]

    class NaiveHouseholdView(ModelView):
        route_base = "/bench-naive/households"
        datamodel = SQLAInterface(Household)
        add_columns = ["village", *scalar]
        edit_columns = ["village", *scalar]
        search_columns = ["village", *scalar]

    with app.app_context():
        app.appbuilder.add_view_no_menu(NaiveHouseholdView)
