"""Beranda's work queue (app.worklists): each role sees what waits for it, and every number is
the number of rows of the list it links to."""

import datetime
import re

import pytest
import sqlalchemy as sa

from models.enums import Relationship, Sex
from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE, session_csrf, signed_in
from tests.duplicates.test_review import pair  # noqa: F401  (a scanned pair in Kota Bandung)
from tests.fixtures.factories import member_data, nik_for
from tests.fixtures.proposals import find_user, household_form, propose_household

REASON = "Alamat tidak ditemukan saat kunjungan"
_RECORD_COUNT = re.compile(r"<strong>[^<]*</strong>\s*(\d+)\s*</div>")


def _item(page: str, key: str) -> str:
    match = re.search(
        rf'<li class="list-group-item work-item" id="work-{key}"(.*?)</li>', page, re.S
    )
    assert match, f"no work item {key}"
    return match.group(0)


def _count(fragment: str) -> int:
    return int(re.search(r'data-count="(\d+)"', fragment).group(1))


def _link(fragment: str) -> str:
    return (
        re.search(r'class="work-item-link" href="([^"]+)"', fragment).group(1).replace("&amp;", "&")
    )


def _listed(client, url: str) -> int:
    """The record count a list page shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    return int(_RECORD_COUNT.search(response.get_data(as_text=True)).group(1))


def _household(village, warned=False):
    """A new household's data and members; `warned`: the head's NIK encodes another birth
    date (a warning, saved anyway)."""
    head = member_data(village)
    if warned:
        head["nik"] = nik_for(village, datetime.date(1971, 1, 2), Sex.MALE)
    spouse = member_data(
        village,
        Relationship.SPOUSE,
        Sex.FEMALE,
        datetime.date(1984, 6, 9),
        "Siti Aminah",
        kk=head["kk_number"],
    )
    return {"village_code": village, "address": "Jl. Kenanga 3", "welfare_decile": 2}, [
        head,
        spouse,
    ]


def _propose(app, username, village=BANDUNG_VILLAGE, *, warned=False, submit=False):
    from app import proposals

    with app.app_context():
        user = find_user(username)
        data, members = _household(village, warned)
        proposal = propose_household(data, members, user)
        if submit:
            proposals.submit(proposal, user)
        return proposal.id


def _reject(app, proposal_id, reason=REASON):
    from app import proposals
    from app.extensions import db
    from models import Proposal

    with app.app_context():
        proposals.reject(
            db.session.get(Proposal, proposal_id), find_user("verifikator.bandung"), reason
        )


def _scalar(app, sql, **params):
    from app.extensions import db

    with app.app_context():
        return db.session.execute(sa.text(sql), params).scalar()


def _submitted_in_bandung(app) -> int:
    return _scalar(
        app,
        "SELECT count(*) FROM proposal p JOIN household h ON h.id = p.household_id "
        "WHERE p.status = 'SUBMITTED' AND h.village_code LIKE '32.73.%'",
    )


@pytest.fixture()
def bandung_proposals(app):
    """Operator Bandung: two submitted proposals (one with a NIK warning), one draft;
    Bogor: one submitted proposal."""
    return {
        "warned": _propose(app, "operator.bandung", warned=True, submit=True),
        "plain": _propose(app, "operator.bandung", submit=True),
        "draft": _propose(app, "operator.bandung"),
        "bogor": _propose(app, "operator.bogor", BOGOR_VILLAGE, submit=True),
    }


def test_the_verifier_sees_the_submitted_proposals_of_their_regency(app, bandung_proposals):
    verifier = signed_in(app, "verifikator.bandung")
    page = verifier.get("/").get_data(as_text=True)
    item = _item(page, "submitted")
    waiting = _count(item)
    assert waiting == _submitted_in_bandung(app) and waiting >= 2
    warned = re.search(r'work-item-warnings" data-count="(\d+)"', item)
    assert warned and int(warned.group(1)) >= 1
    assert 'data-days="0"' in item  # submitted today
    assert _listed(verifier, _link(item)) == waiting
    # Drafts they cannot act on are no work of theirs: not on Beranda, not in their list.
    assert 'id="work-drafts"' not in page
    listed = verifier.get("/proposals/list/").get_data(as_text=True)
    assert f"/proposals/show/{bandung_proposals['draft']}" not in listed
    assert f"/proposals/show/{bandung_proposals['plain']}" in listed
    assert verifier.get(f"/proposals/show/{bandung_proposals['draft']}").status_code == 404
    assert _listed(verifier, "/proposals/list/?_flt_0_status=DRAFT") == 0


def test_the_operator_sees_drafts_and_rejections_with_their_reasons(app, bandung_proposals):
    _reject(app, bandung_proposals["plain"])
    operator = signed_in(app, "operator.bandung")
    page = operator.get("/").get_data(as_text=True)
    drafts = _item(page, "drafts")
    assert _count(drafts) >= 1
    assert _listed(operator, _link(drafts)) == _count(drafts)
    rejected = _item(page, "rejected")
    assert _count(rejected) >= 1
    assert _listed(operator, _link(rejected)) == _count(rejected)
    assert REASON in rejected and f"/proposals/show/{bandung_proposals['plain']}" in rejected
    assert 'id="work-submitted"' not in page
    duplicates = _item(page, "duplicates")
    assert _link(duplicates).startswith("/duplicates/")
    assert _listed(operator, _link(duplicates)) == _count(duplicates)


def test_the_operator_sees_the_open_duplicate_candidates_of_their_regency(app, pair):  # noqa: F811
    operator = signed_in(app, "operator.bandung")
    item = _item(operator.get("/").get_data(as_text=True), "duplicates")
    assert _count(item) >= 1
    assert _listed(operator, _link(item)) == _count(item)


def test_a_rejected_new_household_is_rejected_everywhere(app, make_household, bandung_proposals):
    make_household()  # one registered household
    _reject(app, bandung_proposals["plain"])
    household = _scalar(
        app, "SELECT household_id FROM proposal WHERE id = :id", id=bandung_proposals["plain"]
    )
    assert _scalar(app, "SELECT status FROM household WHERE id = :id", id=household) == "REJECTED"
    operator = signed_in(app, "operator.bandung")
    page = operator.get("/").get_data(as_text=True)
    registered = int(
        re.search(r'id="total-households".*?dashboard-total-value">([\d.]+)<', page, re.S)
        .group(1)
        .replace(".", "")
    )
    link = re.search(r'id="total-households-link" href="([^"]+)"', page).group(1)
    assert _listed(operator, link.replace("&amp;", "&")) == registered >= 1
    # Proposed = the households whose proposals are still pending; the rejected one is apart.
    proposed = _scalar(
        app,
        "SELECT count(*) FROM household WHERE status = 'PROPOSED' AND village_code LIKE '32.73.%'",
    )
    assert _listed(operator, "/households/list/?_flt_0_status=PROPOSED") == proposed
    assert _listed(operator, "/households/list/?_flt_0_status=REJECTED") == 1
    # Withdrawing the rejected proposal still frees its people.
    response = operator.post(
        f"/proposals/delete/{bandung_proposals['plain']}",
        data={"csrf_token": session_csrf(operator)},
    )
    assert response.status_code == 302
    assert _scalar(app, "SELECT count(*) FROM household WHERE id = :id", id=household) == 0


def test_the_province_sees_its_inactive_regencies(app, bandung_proposals):
    province = signed_in(app, "prov.jabar")
    page = province.get("/").get_data(as_text=True)
    item = _item(page, "inactive_regencies")
    activity = province.get(_link(item)).get_data(as_text=True)
    assert _count(item) == activity.count('class="regency regency-inactive"')
    assert activity.count('class="regency regency-active"') >= 1  # Bandung proposed


def test_pusdatin_sees_the_close_readiness_of_the_open_period(app, bandung_proposals):
    from app.periods import close_summary
    from app.register.reference import open_period
    from models.enums import ProposalStatus

    pusdatin = signed_in(app, "pusdatin")
    page = pusdatin.get("/").get_data(as_text=True)
    item = _item(page, "close_readiness")
    with app.app_context():
        summary = close_summary(open_period())
    assert _count(item) == summary.proposals[ProposalStatus.SUBMITTED] >= 3
    assert re.search(r'id="close-(ready|early|refusal)"', item)
    assert pusdatin.get(_link(item)).status_code == 200


def test_pengawas_gets_the_audit_trail(app):
    page = signed_in(app, "pengawas").get("/").get_data(as_text=True)
    assert _link(_item(page, "audit")).startswith("/audit/")


def test_the_nik_warning_of_the_form_reaches_the_verifier(app, client, login):
    login("operator.bandung")
    wrong = nik_for(BANDUNG_VILLAGE, datetime.date(1970, 1, 1), Sex.MALE)
    response = client.post("/proposals/households/add", data=household_form(client, head_nik=wrong))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    warnings = _scalar(app, "SELECT warnings FROM proposal WHERE id = :id", id=proposal_id)
    assert warnings and "Ujang Sopandi" in str(warnings)
    response = client.post(
        f"/proposals/submit/{proposal_id}", data={"csrf_token": session_csrf(client)}
    )
    assert response.status_code == 302
    verifier = signed_in(app, "verifikator.bandung")
    shown = verifier.get(f"/proposals/show/{proposal_id}").get_data(as_text=True)
    assert 'id="proposal-warnings"' in shown and "proposal-warning-badge" in shown
    assert "Ujang Sopandi" in re.search(
        r'<ul class="proposal-warning-list">(.*?)</ul>', shown, re.S
    ).group(1)
    item = _item(verifier.get("/").get_data(as_text=True), "submitted")
    assert int(re.search(r'work-item-warnings" data-count="(\d+)"', item).group(1)) >= 1
    # A province reads NIKs masked: it sees that there are warnings, not the NIK's date.
    masked = (
        signed_in(app, "prov.jabar").get(f"/proposals/show/{proposal_id}").get_data(as_text=True)
    )
    assert "proposal-warning-badge" in masked and "proposal-warning-list" not in masked
