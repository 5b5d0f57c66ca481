"""The citizen's door, end to end at a phone's width (390×844): a resident finds a household of
Kota Bandung in the public lookup (/cek/) — masked, with no NIK and no birth date on the page —,
files a sanggah with a house photo carrying EXIF GPS and tracks it; the regency's verifier
opens it in the queue (the photo, served without EXIF and only to the regency's own users; the
point on the district's map), starts the verification and upholds it; the verified
deactivation proposal this makes is applied by the next period close; the tracking page shows
the outcome, and the lookup no longer lists the household.

The lookup reads the determined register of the last closed period: run alone, this file first
closes the open period (the command line, as an early close); after test_journeys_b_close.py
that close is done. The household's deactivation then lands in the next period, which has not
begun by the calendar; the server never closes such a period, so the close that applies it runs
on the command line with the test hook app.clock.TODAY_ENV set to that period's last day."""

import datetime
import os
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from PIL import Image

from app.complaints.lookup import mask
from app.complaints.places import point_inside
from tests.e2e.conftest import SCREENSHOTS, _flask
from tests.e2e.helpers import (
    PASSWORD,
    PHONE,
    assert_page_ok,
    check_on_every_load,
    row,
    scalar,
    sign_in,
)
from tests.fixtures.photos import jpeg

pytestmark = pytest.mark.e2e

VERIFIER = "verifikator.bandung"
REGENCY = "32.73"
# The live server's (tests/e2e/conftest.py, live_server): a close on the command line signs
# its documents' codes with the same key.
E2E_SECRET_KEY = "e2e-secret-key-long-enough-for-hs256-jwt"
TRACKING_URL = re.compile(r"/sanggah/([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})$")
SIXTEEN_DIGITS = re.compile(r"\b\d{16}\b")
OBJECTION_TEXT = "Rumah ini sudah kosong; keluarganya pindah ke luar kota sejak tahun lalu."
DECISION_REASON = "Dicek di lapangan: rumah kosong, keluarga pindah ke Kabupaten Garut."


# -- the data ---------------------------------------------------------------------------------
def _close_on_the_command_line(e2e_database_url, instance, today=None, early_reason=None):
    """`flask datakesos close-period` against the live server's database (the scheduler, not
    this, prints the close's documents)."""
    env = dict(
        os.environ,
        DATABASE_URL=e2e_database_url,
        DATAKESOS_INSTANCE=str(instance),
        SECRET_KEY=E2E_SECRET_KEY,
        FLASK_APP="run.py",
    )
    env.pop("DATAKESOS_TODAY", None)
    if today is not None:
        env["DATAKESOS_TODAY"] = today.isoformat()
    arguments = ["datakesos", "close-period"]
    if early_reason:
        arguments += ["--early-reason", early_reason]
    return _flask(env, *arguments, timeout=300)


def _last_closed_period(e2e_db):
    return row(
        e2e_db,
        "SELECT id, code FROM period WHERE status = 'CLOSED' ORDER BY end_date DESC LIMIT 1",
    )


def _determined_register(e2e_db, e2e_database_url, tmp_path):
    """The last closed period; closes the open one first when none is (this file run alone)."""
    closed = _last_closed_period(e2e_db)
    if closed is None:
        _close_on_the_command_line(
            e2e_database_url,
            tmp_path / "close-instance",
            early_reason="Uji perjalanan warga: register penetapan pertama",
        )
        closed = _last_closed_period(e2e_db)
    assert closed is not None
    return closed


def _choose_household(e2e_db, period_id: int, avoid: set[int]) -> dict:
    """An active household of Kota Bandung in the determined register of `period_id`, untouched
    by proposals and submissions, whose head's name no one else of the village carries (the
    search then finds it alone); and a registered neighbour of the same village who objects."""
    with e2e_db.connect() as connection:
        candidates = (
            connection.execute(
                sa.text("""
            SELECT h.id, h.village_code, m.full_name AS head_name
            FROM household h
            JOIN period_snapshot s ON s.household_id = h.id AND s.period_id = :period
            JOIN member m ON m.household_id = h.id AND m.relation_to_head = 'HEAD'
            WHERE h.village_code LIKE :regency AND h.status = 'ACTIVE' AND m.status = 'ACTIVE'
              AND NOT EXISTS (SELECT 1 FROM proposal p WHERE p.household_id = h.id)
              AND NOT EXISTS (SELECT 1 FROM complaint c WHERE c.household_id = h.id)
            ORDER BY h.id DESC"""),
                {"period": period_id, "regency": REGENCY + ".%"},
            )
            .mappings()
            .all()
        )
        for candidate in candidates:
            if candidate["id"] in avoid:
                continue
            villagers = (
                connection.execute(
                    sa.text("""
                SELECT m.id, m.household_id, m.nik, m.full_name
                FROM member m JOIN household h ON h.id = m.household_id
                WHERE h.village_code = :village AND h.status = 'ACTIVE' AND m.status = 'ACTIVE'
                ORDER BY m.id"""),
                    {"village": candidate["village_code"]},
                )
                .mappings()
                .all()
            )
            name = candidate["head_name"].lower()
            carriers = [person for person in villagers if name in person["full_name"].lower()]
            neighbours = [
                person
                for person in villagers
                if person["household_id"] != candidate["id"] and person["household_id"] not in avoid
            ]
            if len(carriers) == 1 and neighbours and len(re.sub(r"\W", "", name)) >= 3:
                births = connection.execute(
                    sa.text("SELECT birth_date FROM member WHERE household_id = :id"),
                    {"id": candidate["id"]},
                ).scalars()
                return {
                    **candidate,
                    "birth_dates": [_as_date(value) for value in births],
                    "submitter": dict(neighbours[-1]),
                }
    pytest.fail("no household of Kota Bandung fits the journey", pytrace=False)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _birth_date_forms(day: datetime.date) -> list[str]:
    """How a birth date could be written on a page: 05-03-1985, 05/03/1985, 1985-03-05, and
    in Indonesian words (5 Maret 1985, 05 Maret 1985)."""
    return [
        day.strftime("%d-%m-%Y"),
        day.strftime("%d/%m/%Y"),
        day.isoformat(),
        format_date(day, "d MMMM y", locale="id"),
        format_date(day, "dd MMMM y", locale="id"),
    ]


# -- the browser ------------------------------------------------------------------------------
def _another_page(browser, live_server, server_errors, console_errors, findings):
    """A second person's browser at a phone's size, watched as the page fixture watches its
    own: server errors, console errors, and the accessibility check of every page it loads
    (its findings fail the test at the page fixture's end)."""
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on(
        "response",
        lambda response: response.status >= 500
        and server_errors.append(f"{response.status} {response.url}"),
    )
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    check_on_every_load(page, findings)
    return page


def _choose(page, select: str, value: str) -> None:
    """A region select: choosing reloads the page with the next level (citizen.js)."""
    with page.expect_navigation():
        page.locator(select).select_option(value)
    assert page.locator(select).input_value() == value


def _search(page, name: str) -> None:
    """Search the chosen village; solves the sum if this address used its free searches."""
    page.locator("#cek-name").fill(name)
    with page.expect_navigation():
        page.locator("form[data-region-form] button[type=submit]").click()
    answer = page.locator("#cek-answer")
    if answer.count():
        label = page.locator("label[for=cek-answer]").inner_text()
        first, second = map(int, re.search(r"(\d+)\s*\+\s*(\d+)", label).groups())
        answer.fill(str(first + second))
        with page.expect_navigation():
            page.locator("form[data-region-form] button[type=submit]").click()
        assert page.locator("#cek-answer").count() == 0, "the sum was not accepted"


def _open_menu_link(page, href_part: str) -> None:
    """Follow the menu's link to `href_part` (by address, not by its words), unfolding the
    phone's menu first and then the link's dropdown when it lies in one."""
    link = page.locator(f".navbar a[href*='{href_part}']").first
    assert link.count() == 1, f"no menu link to {href_part} on {page.url}"
    toggle = page.locator(".navbar-toggle")
    if not link.is_visible() and toggle.is_visible():
        toggle.click()
        page.wait_for_function(_MENU_UNFOLDED)
    if not link.is_visible():
        link.locator(
            "xpath=ancestor::li[contains(@class, 'dropdown')]"
            "/a[contains(@class, 'dropdown-toggle')]"
        ).first.click()
    with page.expect_navigation():
        link.click()


# Bootstrap's collapse has ended (tests/e2e/test_journeys_f_phone.py waits the same way).
_MENU_UNFOLDED = """() => { const menu = document.querySelector('.navbar-collapse');
  return menu && menu.classList.contains('in') && !menu.classList.contains('collapsing'); }"""


def _screenshot(page, step: str) -> None:
    """The verifier's page (the screenshot fixture takes the resident's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"test_resident_objects_and_the_regency_decides-{step}.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _steps_done(page) -> int:
    return page.locator("ol.citizen-steps li.done").count()


def _track(page, code, server_errors, console_errors) -> str:
    page.goto(f"/sanggah/{code}")
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator("table.citizen-standing").is_visible()
    assert code in page.locator("table.citizen-standing code").inner_text()
    return page.locator("td.citizen-status").inner_text().strip()


# -- the journey ------------------------------------------------------------------------------
def test_resident_objects_and_the_regency_decides(
    page,
    browser,
    live_server,
    screenshot,
    server_errors,
    console_errors,
    accessibility_findings,
    bandung_household,
    e2e_db,
    e2e_database_url,
    tmp_path,
):
    if not live_server.demo_loaded:
        pytest.skip("no demo data")
    period = _determined_register(e2e_db, e2e_database_url, tmp_path)
    chosen = _choose_household(e2e_db, period["id"], avoid={bandung_household["id"]})
    village = chosen["village_code"]
    submitter = chosen["submitter"]

    # The resident, on a phone: the lookup, village by village, then part of a name.
    page.set_viewport_size(PHONE)
    page.goto("/cek/")
    assert_page_ok(page, server_errors, console_errors)
    _choose(page, "#cek-province", village[:2])
    _choose(page, "#cek-regency", REGENCY)
    _choose(page, "#cek-district", village[:8])
    _choose(page, "#cek-village", village)
    _search(page, chosen["head_name"])
    assert_page_ok(page, server_errors, console_errors)
    results = page.locator("table.citizen-results tbody tr")
    assert results.count() == 1, page.locator("main, body").first.inner_text()[:1500]
    assert mask(chosen["head_name"]) in results.first.inner_text()
    screenshot("lookup")

    # Nothing on the page identifies the person beyond the masked name: no NIK or KK number,
    # no birth date of any member of the household.
    content = page.content()
    assert not SIXTEEN_DIGITS.findall(content), SIXTEEN_DIGITS.findall(content)
    for born in chosen["birth_dates"]:
        for written in _birth_date_forms(born):
            assert written not in content, f"a birth date on the lookup page: {written}"
    assert results.first.locator("a[href*='kind=DECILE']").count() == 1

    # The sanggah: the household is the result's, the objector a registered neighbour, the
    # house placed by the photo's GPS (no coordinates typed).
    with page.expect_navigation():
        results.first.locator("a[href*='kind=OBJECTION']").click()
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator("input[name=kind][value=OBJECTION]").is_checked()
    assert page.locator("input[name=household_token]").input_value()
    latitude, longitude = point_inside(village)
    photo = tmp_path / "rumah.jpg"
    photo.write_bytes(jpeg(gps=(latitude, longitude)))
    page.locator("#submitter_nik").fill(submitter["nik"])
    page.locator("#submitter_name").fill(submitter["full_name"])
    page.locator("#reason").select_option("NOT_LIVING_HERE")
    page.locator("#text").fill(OBJECTION_TEXT)
    page.locator("#photos").set_input_files(str(photo))
    assert page.locator("#latitude").input_value() == ""
    screenshot("sanggah-form")
    with page.expect_navigation():
        page.locator("form.citizen-form button[type=submit]").click()
    found = TRACKING_URL.search(page.url)
    assert found, f"not on a tracking page: {page.url}\n{page.inner_text('body')[:1500]}"
    code = found.group(1)
    assert_page_ok(page, server_errors, console_errors)
    assert code in page.locator(".alert-success").inner_text()
    received = page.locator("td.citizen-status").inner_text().strip()
    assert _steps_done(page) == 1
    screenshot("tracking-received")

    complaint = row(
        e2e_db,
        """SELECT id, status, kind, reason, location_source, outside_boundary, latitude,
                  longitude, regency_code, submitter_member_id
           FROM complaint WHERE household_id = :household ORDER BY id DESC""",
        household=chosen["id"],
    )
    assert complaint is not None
    assert (complaint["status"], complaint["kind"], complaint["reason"]) == (
        "RECEIVED",
        "OBJECTION",
        "NOT_LIVING_HERE",
    )
    assert complaint["location_source"] == "exif"
    assert complaint["latitude"] == pytest.approx(latitude, abs=1e-4)
    assert complaint["longitude"] == pytest.approx(longitude, abs=1e-4)
    assert not complaint["outside_boundary"]
    assert complaint["regency_code"] == REGENCY
    assert complaint["submitter_member_id"] == submitter["id"]
    photo_id = scalar(
        e2e_db, "SELECT id FROM complaint_photo WHERE complaint_id = :id", id=complaint["id"]
    )
    assert photo_id is not None

    # The regency's verifier, on a phone too: the queue, the submission's page.
    verifier = _another_page(
        browser, live_server, server_errors, console_errors, accessibility_findings
    )
    anonymous = browser.new_context(base_url=live_server.url)
    try:
        sign_in(verifier, VERIFIER, PASSWORD)
        _open_menu_link(verifier, "/complaints/list/")
        assert_page_ok(verifier, server_errors, console_errors)
        with verifier.expect_navigation():
            verifier.locator(f"a[href$='/complaints/show/{complaint['id']}']").first.click()
        assert_page_ok(verifier, server_errors, console_errors)
        assert code in verifier.locator("h1").inner_text()
        assert verifier.locator(".complaint-sla").is_visible()
        assert verifier.locator("figure.complaint-map svg").count() == 1
        images = verifier.locator("div.complaint-photos img")
        assert images.count() == 1
        images.first.scroll_into_view_if_needed()
        assert verifier.evaluate(
            "(img) => img.complete && img.naturalWidth > 0", images.first.element_handle()
        ), "the photo did not load"
        photo_url = f"/complaints/photo/{photo_id}"
        assert images.first.get_attribute("src").endswith(photo_url)

        # The photo as the regency's officer gets it: the house, re-encoded without EXIF (no
        # GPS point, no camera); to anyone without a session, no photo at all.
        answer = verifier.request.get(photo_url)
        assert answer.status == 200, answer.status
        assert answer.headers["content-type"].startswith("image/"), answer.headers
        stored = Image.open(BytesIO(answer.body()))
        assert stored.size[0] > 0
        assert dict(stored.getexif()) == {}, dict(stored.getexif())
        refused = anonymous.request.get(photo_url, max_redirects=0)
        assert refused.status in (301, 302, 303, 401, 403, 404), refused.status
        assert not refused.headers.get("content-type", "").startswith("image/")
        if refused.status in (301, 302, 303):
            assert "/login" in refused.headers["location"], refused.headers
        _screenshot(verifier, "verifier-submission")

        # The verification starts; the resident's page follows.
        with verifier.expect_navigation():
            verifier.locator(
                f"form[action$='/complaints/start/{complaint['id']}'] button[type=submit]"
            ).click()
        assert_page_ok(verifier, server_errors, console_errors)
        assert verifier.locator(".alert-success").count() == 1
        in_verification = _track(page, code, server_errors, console_errors)
        assert in_verification != received
        assert _steps_done(page) == 2

        # Upheld, with the reason the resident reads.
        verifier.locator("form.complaint-decide #decision-reason").fill(DECISION_REASON)
        with verifier.expect_navigation():
            verifier.locator("form.complaint-decide button[name=decision][value=uphold]").click()
        assert_page_ok(verifier, server_errors, console_errors)
        assert verifier.locator(".alert-success").count() == 1
        assert DECISION_REASON in verifier.locator("td.complaint-decision").inner_text()
        assert verifier.locator("form.complaint-decide").count() == 0
        _screenshot(verifier, "verifier-decided")
    finally:
        anonymous.close()
        verifier.context.close()

    decided = row(
        e2e_db,
        """SELECT c.status, c.decision_reason, p.id AS proposal, p.kind,
                  p.status AS proposal_status, p.household_id, p.period_id
           FROM complaint c JOIN proposal p ON p.id = c.proposal_id WHERE c.id = :id""",
        id=complaint["id"],
    )
    assert decided is not None, "the upheld sanggah made no proposal"
    assert decided["status"] == "UPHELD" and decided["decision_reason"] == DECISION_REASON
    assert (decided["kind"], decided["proposal_status"], decided["household_id"]) == (
        "DEACTIVATE_HOUSEHOLD",
        "VERIFIED",
        chosen["id"],
    )
    upheld = _track(page, code, server_errors, console_errors)
    assert upheld not in (received, in_verification)
    assert _steps_done(page) == 3
    assert DECISION_REASON in page.locator("td.citizen-reason").inner_text()

    # The close of the proposal's period applies it: the household leaves the register.
    open_period = row(
        e2e_db,
        "SELECT code, end_date FROM period WHERE id = :id AND status = 'OPEN'",
        id=decided["period_id"],
    )
    assert open_period is not None, "the proposal's period is not the open one"
    _close_on_the_command_line(
        e2e_database_url, tmp_path / "close-instance", today=_as_date(open_period["end_date"])
    )
    assert scalar(e2e_db, "SELECT status FROM period WHERE code = :c", c=open_period["code"]) == (
        "CLOSED"
    )
    assert (
        scalar(e2e_db, "SELECT status FROM proposal WHERE id = :id", id=decided["proposal"])
        == "APPLIED"
    )
    assert (
        scalar(e2e_db, "SELECT status FROM household WHERE id = :id", id=chosen["id"]) == "INACTIVE"
    )

    # The resident's tracking page keeps the outcome; the lookup, now reading the period just
    # closed, no longer lists the household.
    assert _track(page, code, server_errors, console_errors) == upheld
    assert _steps_done(page) == 3
    assert DECISION_REASON in page.locator("td.citizen-reason").inner_text()
    screenshot("tracking-decided")
    page.goto(
        f"/cek/?province={village[:2]}&regency={REGENCY}&district={village[:8]}&village={village}"
    )
    _search(page, chosen["head_name"])
    assert_page_ok(page, server_errors, console_errors)
    assert page.locator("table.citizen-results").count() == 0
    assert page.locator(".citizen-none").count() == 1
