"""Cek Bansos (/cek/): masked people of a village's determined register, never a NIK, KK
number, birth date or address; bounded per address (429 in Indonesian) and by the offline sum;
counted per village and day only."""

import re

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")
SEARCH = "/cek/?province=32&regency=32.73&district=32.73.01&village=32.73.01.1001&name={name}"


@pytest.fixture()
def limits(app):
    """The lookup's limits, restored afterwards."""
    kept = {key: app.config[key] for key in ("CEK_RATE_LIMIT", "CEK_FREE_SEARCHES")}
    yield app.config
    app.config.update(kept)


def test_the_lookup_shows_masked_people_and_nothing_that_identifies_them(app, client, determined):
    house = determined()
    page = client.get(SEARCH.format(name="santo"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in html
    assert "B*** S***" in html and "Program Keluarga Harapan" in html
    assert "(kepala)" in html and "tahun" in html
    assert not re.search(r"\b\d{16}\b", html)
    assert "Budi" not in html and "Santoso" not in html and "Merdeka" not in html
    for born in house["birth_dates"]:
        for shown in (
            born.isoformat(),
            f"{born:%d-%m-%Y}",
            format_date(born, "d MMMM y", locale="id"),
        ):
            assert shown not in html
    assert house["register_id"] not in html and f">{house['id']}<" not in html


def test_the_lookup_needs_three_letters_and_a_village(app, client, determined):
    determined()
    short = client.get(SEARCH.format(name="bu"))
    assert short.status_code == 400
    assert "Ketik paling sedikit 3 huruf nama." in short.get_data(as_text=True)
    nobody = client.get(SEARCH.format(name="tiadaorang"))
    assert "Tidak ada nama itu dalam data yang ditetapkan di desa ini." in nobody.get_data(
        as_text=True
    )
    # A village that is not under the district chosen is dropped, not searched.
    foreign = client.get(SEARCH.format(name="santo").replace("32.73.01.1001", BOGOR_VILLAGE))
    assert "citizen-results" not in foreign.get_data(as_text=True)


def test_only_the_determined_register_is_searched(app, client, determined):
    from app.extensions import db
    from models import PeriodSnapshot

    house = determined()
    with app.app_context():
        db.session.execute(
            sa.delete(PeriodSnapshot).where(PeriodSnapshot.household_id == house["id"])
        )
        db.session.commit()
    html = client.get(SEARCH.format(name="santo")).get_data(as_text=True)
    assert "B*** S***" not in html


def test_searches_are_counted_per_village_and_day_not_per_person(app, client, determined):
    from app.extensions import db
    from models.complaints import PublicLookupCount

    determined()
    client.get(SEARCH.format(name="santo"))
    client.get(SEARCH.format(name="siti"))
    with app.app_context():
        rows = db.session.execute(
            sa.select(PublicLookupCount.village_code, PublicLookupCount.searches)
        ).all()
    assert rows == [(BANDUNG_VILLAGE, 2)]


def test_a_sum_is_asked_after_the_free_searches_and_buys_more(app, client, determined, limits):
    limits["CEK_FREE_SEARCHES"] = "1 per hour"
    determined()
    assert "B*** S***" in client.get(SEARCH.format(name="santo")).get_data(as_text=True)
    asked = client.get(SEARCH.format(name="santo")).get_data(as_text=True)
    assert "B*** S***" not in asked
    question = re.search(r"berapa (\d+) \+ (\d+)\?", asked)
    token = re.search(r'name="challenge" value="([^"]+)"', asked).group(1)
    wrong = client.get(SEARCH.format(name="santo") + f"&challenge={token}&answer=999")
    assert "Jawaban itu salah." in wrong.get_data(as_text=True)
    answer = int(question.group(1)) + int(question.group(2))
    right = client.get(SEARCH.format(name="santo") + f"&challenge={token}&answer={answer}")
    assert "B*** S***" in right.get_data(as_text=True)
    # The allowance it bought goes on; the sum itself counts once, in any browser.
    assert "B*** S***" in client.get(SEARCH.format(name="santo")).get_data(as_text=True)
    replay = app.test_client().get(
        SEARCH.format(name="santo") + f"&challenge={token}&answer={answer}"
    )
    assert "B*** S***" not in replay.get_data(as_text=True)
    assert "berapa" in replay.get_data(as_text=True)


def test_an_address_over_its_limit_gets_429_in_indonesian(app, client, determined, limits):
    limits["CEK_RATE_LIMIT"] = "2 per hour"
    limits["CEK_FREE_SEARCHES"] = "100 per hour"
    determined()
    for _ in range(2):
        assert client.get(SEARCH.format(name="santo")).status_code == 200
    refused = client.get(SEARCH.format(name="santo"))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "Terlalu banyak pencarian dari alamat Anda." in refused.get_data(as_text=True)
