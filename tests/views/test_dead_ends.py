"""No button that can only fail: for every demo user, every link on the household and member
lists and on a household's page answers when followed (no 4xx, no 5xx) — edit, proposals,
certificates and the lists' "+" are offered only where they can succeed — and every user reaches
their profile and the form that changes their password."""

import html as markup
import re

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, USERS, signed_in
from tests.fixtures.documents import determine

pytestmark = pytest.mark.usefixtures("fresh_rate_limits", "closed_periods")

_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]+)"', re.I)
#: Links the walk does not follow: signing out ends the walk's session, a language switch is
#: not part of the page's work, and "#" is a button of a script (delete asks for confirmation).
_NOT_FOLLOWED = ("#", "javascript:", "mailto:", "http:", "https:", "/logout", "/lang/", "/static/")


@pytest.fixture()
def households(app, make_household):
    """A Bandung household of the determined register, one not yet determined, one that left
    the register, and one of Bogor (determined)."""
    from app.extensions import db
    from models import Household
    from models.enums import HouseholdStatus

    ids = {
        "determined": make_household(),
        "undetermined": make_household(),
        "inactive": make_household(),
        "bogor": make_household(BOGOR_VILLAGE),
    }
    determine(app, [ids["determined"], ids["bogor"]])
    with app.app_context():
        db.session.get(Household, ids["inactive"]).status = HouseholdStatus.INACTIVE
        db.session.commit()
    return ids


def _pages(username: str, households: dict) -> list[str]:
    region = USERS[username][1]
    own = [
        pk
        for name, pk in households.items()
        if (BOGOR_VILLAGE if name == "bogor" else BANDUNG_VILLAGE).startswith(region)
    ]
    return ["/households/list/", "/members/list/", *(f"/households/show/{pk}" for pk in own)]


def _links(page_html: str) -> list[str]:
    """The links of the page's own content (the navigation bar is the whole app's)."""
    content = page_html.split("</nav>", 1)[-1]
    return [
        markup.unescape(href)
        for href in _LINK.findall(content)
        if not markup.unescape(href).startswith(_NOT_FOLLOWED)
    ]


@pytest.mark.parametrize("username", sorted(set(USERS) - {"interkoneksi"}))
def test_every_link_of_the_household_pages_and_lists_answers(app, households, username):
    client = signed_in(app, username)
    followed, dead = set(), []
    for page in _pages(username, households):
        response = client.get(page)
        assert response.status_code == 200, f"{username} {page}: {response.status_code}"
        for link in _links(response.get_data(as_text=True)):
            if link in followed:
                continue
            followed.add(link)
            answer = client.get(link, follow_redirects=True)
            answer.get_data()  # an export streams: read it to its end, as a browser does
            answer.close()
            if answer.status_code >= 400:
                dead.append(f"{page} → {link}: {answer.status_code}")
    assert followed, username
    assert not dead, f"{username}: dead ends\n" + "\n".join(dead)


def _actions(client, pk) -> str:
    html = client.get(f"/households/show/{pk}").get_data(as_text=True)
    match = re.search(r'<div class="household-actions">.*?</div>', html, re.S)
    return match.group(0) if match else ""


def test_a_household_page_offers_only_what_can_succeed(app, households):
    operator = signed_in(app, "operator.bandung")
    determined = _actions(operator, households["determined"])
    for target in ("/edit/", "/proposals/members/add", "/proposals/deactivate", "certificate.pdf"):
        assert target in determined, target
    undetermined = _actions(operator, households["undetermined"])
    assert "certificate.pdf" not in undetermined and "/proposals/deactivate" in undetermined
    inactive = _actions(operator, households["inactive"])
    for target in ("/proposals/members/add", "/proposals/deactivate", "certificate.pdf"):
        assert target not in inactive, target
    for username in ("pengawas", "verifikator.bandung", "prov.jabar", "pusdatin"):
        assert _actions(signed_in(app, username), households["determined"]) == "", username


def test_no_proposal_is_offered_while_no_period_is_open(app, households):
    from app.extensions import db
    from models import Period
    from models.enums import PeriodStatus

    with app.app_context():
        period = db.session.scalar(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
        period.status, period_id = PeriodStatus.CLOSING, period.id
        db.session.commit()
    try:
        actions = _actions(signed_in(app, "operator.bandung"), households["determined"])
    finally:
        with app.app_context():
            db.session.get(Period, period_id).status = PeriodStatus.OPEN
            db.session.commit()
    assert "/proposals/" not in actions and "/edit/" in actions


def test_the_member_list_s_plus_leads_to_the_households(app, households):
    admin = signed_in(app, "admin")
    page = admin.get("/members/list/").get_data(as_text=True)
    assert 'href="/members/add"' in page
    answer = admin.get("/members/add")
    assert answer.status_code == 302 and "/households/list/" in answer.headers["Location"]
    # From a household's page the member form opens for that household.
    pk = households["determined"]
    assert admin.get(f"/members/add?_flt_0_household={pk}").status_code == 200


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_user_opens_their_profile_and_the_password_form(app, username):
    client = signed_in(app, username)
    profile = client.get("/users/userinfo/")
    assert profile.status_code == 200, username
    assert "/resetmypassword/form" in profile.get_data(as_text=True), username
    assert client.get("/resetmypassword/form").status_code == 200, username
