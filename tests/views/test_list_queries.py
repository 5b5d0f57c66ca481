"""List pages run a fixed number of SQL statements, whatever the page size (no N+1)."""

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE


@pytest.fixture()
def statements(app):
    from app.extensions import db

    seen = []

    def _count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", _count)


@pytest.mark.parametrize(
    "url", ["/households/list/", "/members/list/", "/families/list/", "/memberships/list/"]
)
def test_statements_do_not_grow_with_page_size(app, client, login, make_household, statements, url):
    for _ in range(12):
        make_household(BANDUNG_VILLAGE)
    login("operator.bandung")
    view = {
        "households": "HouseholdView",
        "members": "MemberView",
        "families": "FamilyView",
        "memberships": "MembershipView",
    }[url.split("/")[1]]
    client.get(f"{url}?psize_{view}=2")  # warm caches (permissions, regions)
    statements.clear()
    assert client.get(f"{url}?psize_{view}=2").status_code == 200
    small = len(statements)
    statements.clear()
    assert client.get(f"{url}?psize_{view}=20").status_code == 200
    large = len(statements)
    assert large == small, (small, large)
