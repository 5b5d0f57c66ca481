"""Beranda: figures and charts in the user's region scope, drawn on the server, offline.

One module, not split: its tests (the statistics, the charts and the page alike) read the one
register that the fixture below writes, and check the figures it was written to give."""

import datetime
import re
import socket
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from tests.conftest import BANDUNG_VILLAGE, BOGOR_VILLAGE

COBLONG_VILLAGE = "32.73.02.1001"  # Cipaganti, Kecamatan Coblong, Kota Bandung
BULK_BANDUNG = 1200  # enough households to need a thousands separator
TODAY = datetime.date.today()


def born(years: int, days: int = 100) -> datetime.date:
    """A birth date making someone `years` old today, well away from a birthday."""
    return TODAY - datetime.timedelta(days=int(365.25 * years) + days)


@pytest.fixture()
def register(app):
    """Households in two regencies of Jawa Barat, written with Core inserts.

    Kota Bandung: 1,200 + 1 active in Sukasari (32.73.01), 2 in Coblong (32.73.02), one
    inactive and one proposed (not counted). Kabupaten Bogor: 2 active. Members, families and
    memberships as commented below."""
    from app.extensions import db
    from models import Family, Household, Member, Program, ProgramMembership

    with app.app_context():
        programs = dict(db.session.execute(sa.select(Program.code, Program.id)).all())
        households = Household.__table__

        def household(register_id, village, decile, status="ACTIVE"):
            return db.session.execute(
                households.insert().values(
                    register_id=register_id,
                    village_code=village,
                    address="Jl. Contoh 1",
                    welfare_decile=decile,
                    status=status,
                )
            ).inserted_primary_key[0]

        db.session.execute(
            households.insert(),
            [
                {
                    "register_id": f"BULK{n:06d}",
                    "village_code": BANDUNG_VILLAGE,
                    "address": "Jl. Massal",
                    "welfare_decile": n % 10 + 1,
                    "status": "ACTIVE",
                }
                for n in range(BULK_BANDUNG)
            ],
        )
        sukasari = household("HH-SUKASARI", BANDUNG_VILLAGE, 1)
        coblong_1 = household("HH-COBLONG-1", COBLONG_VILLAGE, 2)
        coblong_2 = household("HH-COBLONG-2", COBLONG_VILLAGE, None)
        inactive = household("HH-INACTIVE", BANDUNG_VILLAGE, 1, "INACTIVE")
        household("HH-PROPOSED", COBLONG_VILLAGE, 1, "PROPOSED")
        bogor_1 = household("HH-BOGOR-1", BOGOR_VILLAGE, 3)
        bogor_2 = household("HH-BOGOR-2", BOGOR_VILLAGE, 3)

        def family(kk, household_id):
            return db.session.execute(
                Family.__table__.insert().values(
                    kk_number=kk,
                    household_id=household_id,
                )
            ).inserted_primary_key[0]

        def member(nik, family_id, household_id, relation, sex, birth, status="ACTIVE"):
            return db.session.execute(
                Member.__table__.insert().values(
                    nik=nik,
                    full_name=f"Warga {nik[-4:]}",
                    family_id=family_id,
                    household_id=household_id,
                    relation_to_head=relation,
                    sex=sex,
                    birth_date=birth,
                    status=status,
                )
            ).inserted_primary_key[0]

        def membership(program, household_id, family_id=None, member_id=None, status="ACTIVE"):
            db.session.execute(
                ProgramMembership.__table__.insert().values(
                    program_id=programs[program],
                    household_id=household_id,
                    family_id=family_id,
                    member_id=member_id,
                    status=status,
                )
            )

        # Sukasari: a family of four (one deceased) — PKH for the family, PBI-JK per person.
        f_sukasari = family("3273010101200001", sukasari)
        head = member("3273010505800001", f_sukasari, sukasari, "HEAD", "MALE", born(50))
        wife = member("3273014505850002", f_sukasari, sukasari, "SPOUSE", "FEMALE", born(40))
        child = member("3273014101200003", f_sukasari, sukasari, "CHILD", "FEMALE", born(2))
        grandpa = member(
            "3273010101400004", f_sukasari, sukasari, "PARENT", "MALE", born(80), status="DECEASED"
        )
        membership("PKH", sukasari, family_id=f_sukasari)
        for person in (head, wife, child, grandpa):
            membership("PBI-JK", sukasari, member_id=person)
        membership("BPNT", sukasari, family_id=f_sukasari, status="ENDED")
        # Coblong: a young man on his own, a household-level RUTILAHU membership.
        f_coblong = family("3273020101200005", coblong_1)
        member("3273020101000005", f_coblong, coblong_1, "HEAD", "MALE", born(20))
        membership("RUTILAHU", coblong_1, status="ACTIVE")
        family("3273020101200006", coblong_2)
        # Inactive household: its family, member and membership are not counted.
        f_inactive = family("3273010101200007", inactive)
        gone = member("3273010101700007", f_inactive, inactive, "HEAD", "MALE", born(30))
        membership("PBI-JK", inactive, member_id=gone)
        # Bogor: a couple, BPNT for the family, PBI-JK for both.
        f_bogor = family("3201010101200008", bogor_1)
        bogor_head = member("3201010101750008", f_bogor, bogor_1, "HEAD", "MALE", born(65))
        bogor_wife = member("3201014101780009", f_bogor, bogor_1, "SPOUSE", "FEMALE", born(60))
        membership("BPNT", bogor_1, family_id=f_bogor)
        membership("PBI-JK", bogor_1, member_id=bogor_head)
        membership("PBI-JK", bogor_1, member_id=bogor_wife)
        family("3201010101200010", bogor_2)
        db.session.commit()
    yield


def _name(app, code):
    from app.extensions import db
    from models import Region

    with app.app_context():
        return db.session.scalar(sa.select(Region.name).where(Region.code == code))


def _t(app, message: str) -> str:
    """A message in the language pages are served in (Indonesian unless chosen otherwise)."""
    from flask_babel import gettext

    with app.test_request_context():
        return gettext(message)


def _chart(html: str, key: str) -> str:
    match = re.search(rf'<figure[^>]*id="chart-{key}"[^>]*>(.*?)</figure>', html, re.S)
    assert match, f"chart {key} missing"
    svg = match.group(1)
    assert "<svg" in svg and "</svg>" in svg
    return svg


def _bars(svg: str) -> dict[str, str]:
    """{category label: printed count} of a single-series bar chart."""
    bars = re.findall(
        r'<g class="bar">.*?<desc class="value">([^<]*)</desc>'
        r'.*?<desc class="x_label">([^<]*)</desc>',
        svg,
        re.S,
    )
    return {label: value for value, label in bars}


def _total(html: str, key: str) -> str:
    match = re.search(rf'id="total-{key}".*?class="dashboard-total-value">([^<]*)<', html, re.S)
    assert match, f"total {key} missing"
    return match.group(1).strip()


class _ExternalReferences(HTMLParser):
    """Every src/href of the page's scripts, styles, images and frames (and SVG links)."""

    TAGS = {"script", "link", "img", "iframe", "source", "image", "use", "embed", "object", "a"}

    def __init__(self):
        super().__init__()
        self.references: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.TAGS:
            return
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "data"} and value:
                self.references.append((tag, value))


def _external(html: str) -> list[tuple[str, str]]:
    parser = _ExternalReferences()
    parser.feed(html)
    return [
        (tag, value)
        for tag, value in parser.references
        if tag != "a" and re.match(r"^\s*(https?:)?//", value, re.I)
    ]


# --- Statistics, per scope --------------------------------------------------------------------


def test_households_by_region_break_down_the_scope_one_level(app, register):
    from app import statistics

    with app.app_context():
        national = statistics.households_by_region("")
        province = statistics.households_by_region("32")
        bandung = statistics.households_by_region("32.73")
        sukasari = statistics.households_by_region("32.73.01")
    assert [(r.code, r.count) for r in national] == [("32", BULK_BANDUNG + 5)]
    assert national[0].name == _name(app, "32")
    assert [(r.code, r.name, r.count) for r in province] == [
        ("32.01", "Kabupaten Bogor", 2),
        ("32.73", "Kota Bandung", BULK_BANDUNG + 3),
    ]
    assert [(r.code, r.count) for r in bandung] == [("32.73.01", BULK_BANDUNG + 1), ("32.73.02", 2)]
    assert [r.name for r in bandung] == [_name(app, "32.73.01"), _name(app, "32.73.02")]
    assert [(r.code, r.count) for r in sukasari] == [(BANDUNG_VILLAGE, BULK_BANDUNG + 1)]


def test_totals_count_only_the_active_register_in_scope(app, register):
    from app import statistics

    with app.app_context():
        assert statistics.totals("32.73") == statistics.Totals(BULK_BANDUNG + 3, 3, 4)
        assert statistics.totals("32.01") == statistics.Totals(2, 2, 2)
        assert statistics.totals("") == statistics.Totals(BULK_BANDUNG + 5, 5, 6)
        assert statistics.totals("32.02") == statistics.Totals(0, 0, 0)


def test_welfare_deciles_in_scope(app, register):
    from app import statistics

    with app.app_context():
        bandung = statistics.welfare_deciles("32.73")
        bogor = statistics.welfare_deciles("32.01")
    per_decile = BULK_BANDUNG // 10
    assert bandung[1] == per_decile + 1 and bandung[2] == per_decile + 1
    assert all(bandung[d] == per_decile for d in range(3, 11))
    assert bandung[None] == 1  # Coblong's second household has no decile yet
    assert bogor == {**{d: 0 for d in range(1, 11)}, 3: 2}


def test_program_memberships_count_receiving_members_in_scope(app, register):
    from app import statistics

    with app.app_context():
        bandung = {p.code: p.count for p in statistics.program_memberships("32.73")}
        bogor = {p.code: p.count for p in statistics.program_memberships("32.01")}
        national = {p.code: p.count for p in statistics.program_memberships("")}
    # The deceased member, the ended BPNT and the inactive household do not count.
    assert bandung == {"BPNT": 0, "PBI-JK": 3, "PIP": 0, "PKH": 1, "RUTILAHU": 1}
    assert bogor == {"BPNT": 1, "PBI-JK": 2, "PIP": 0, "PKH": 0, "RUTILAHU": 0}
    assert national == {"BPNT": 1, "PBI-JK": 5, "PIP": 0, "PKH": 1, "RUTILAHU": 1}


def test_members_by_sex_and_age_group(app, register):
    from app import statistics
    from models.enums import Sex

    with app.app_context():
        bandung = statistics.members_by_sex_and_age("32.73")
        bogor = statistics.members_by_sex_and_age("32.01")
    empty = {"0–4": 0, "5–14": 0, "15–24": 0, "25–44": 0, "45–59": 0, "60+": 0}
    assert bandung == {
        Sex.MALE: {**empty, "15–24": 1, "45–59": 1},
        Sex.FEMALE: {**empty, "0–4": 1, "25–44": 1},
    }
    assert bogor == {Sex.MALE: {**empty, "60+": 1}, Sex.FEMALE: {**empty, "60+": 1}}


def test_age_groups_are_exact_to_the_day(app, register):
    from app import statistics
    from models.enums import Sex

    with app.app_context():
        from app.extensions import db
        from models import Member

        birth = db.session.scalar(
            sa.select(Member.birth_date).where(Member.nik == "3273014101200003")
        )
        if (birth.month, birth.day) == (2, 29):
            pytest.skip("a 29 February birthday has no fixed fifth anniversary")
        fifth_birthday = birth.replace(year=birth.year + 5)
        before = statistics.members_by_sex_and_age(
            "32.73.01", on=fifth_birthday - datetime.timedelta(days=1)
        )
        on_the_day = statistics.members_by_sex_and_age("32.73.01", on=fifth_birthday)
    assert before[Sex.FEMALE]["0–4"] == 1 and before[Sex.FEMALE]["5–14"] == 0
    assert on_the_day[Sex.FEMALE]["0–4"] == 0 and on_the_day[Sex.FEMALE]["5–14"] == 1


def test_numbers_use_indonesian_separators(app):
    from app.formatting import number

    with app.test_request_context():
        assert number(1234567) == "1.234.567"


# --- Charts ---------------------------------------------------------------------------------------


def test_charts_are_offline_svg_with_titles_and_a_pdf_data_uri(app, register):
    import base64

    from app.statistics import charts

    with app.test_request_context():
        svgs = charts.dashboard_charts("32.73")
        printable = charts.dashboard_charts("32.73", interactive=False)
    assert set(svgs) == {"regions", "deciles", "programs", "people"}
    for svg in list(svgs.values()) + list(printable.values()):
        assert svg.startswith("<svg") and "<title>" in svg
        assert "kozea" not in svg and "google" not in svg.lower()
        assert not re.search(r'(href|src)="(https?:)?//', svg)
    assert _t(app, "Households by district") in svgs["regions"]
    assert "<script" in svgs["regions"] and "<script" not in printable["regions"]
    uri = charts.svg_data_uri(printable["deciles"])
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == printable["deciles"]


def test_integer_ticks_are_whole_numbers():
    from app.statistics.charts import integer_ticks

    assert integer_ticks(0) == [0, 1]
    assert integer_ticks(3) == [0, 1, 2, 3]
    assert integer_ticks(1205) == [0, 500, 1000, 1500]
    assert all(isinstance(tick, int) for tick in integer_ticks(98_200_000))


# --- The page -------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


def test_admin_sees_national_totals_and_charts(client, login, app, register):
    login("admin")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _total(html, "households") == "1.205"
    assert _total(html, "families") == "5"
    assert _total(html, "people") == "6"
    from app.register.reference import open_period

    with app.app_context():
        assert open_period().code in html

    regions = _chart(html, "regions")
    assert _t(app, "Households by province") in regions
    assert _bars(regions) == {_name(app, "32"): "1.205"}
    programs = _chart(html, "programs")
    assert _t(app, "Program memberships") in programs
    assert _bars(programs) == {"PBI-JK": "5", "PKH": "1", "BPNT": "1", "RUTILAHU": "1", "PIP": "0"}
    deciles = _chart(html, "deciles")
    assert _t(app, "Households by welfare decile") in deciles
    assert _bars(deciles) == {
        "1": "121",
        "2": "121",
        "3": "122",
        **{str(d): "120" for d in range(4, 11)},
        _t(app, "Not set"): "1",
    }
    people = _chart(html, "people")
    assert _t(app, "People by sex and age group") in people and "60+" in people


def test_page_references_nothing_outside_the_app(client, login, register):
    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert _external(html) == []
    assert "kozea.github.io" not in html
    assert "google" not in html.lower()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert "/charts/pygal-tooltips.js" in scripts
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts)


def test_tooltips_script_is_served_locally(client):
    import pygaljs

    response = client.get("/charts/pygal-tooltips.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    with open(pygaljs.path("2.0.x", "pygal-tooltips.min.js"), "rb") as source:
        assert response.data == source.read()


def test_charts_render_with_the_network_unplugged(client, login, register, monkeypatch):
    login("admin")

    def unplugged(*args, **kwargs):
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", unplugged)
    monkeypatch.setattr(socket, "create_connection", unplugged)
    monkeypatch.setattr(socket, "getaddrinfo", unplugged)
    html = client.get("/").get_data(as_text=True)
    for key in ("regions", "deciles", "programs", "people"):
        assert "<rect" in _chart(html, key)


def test_regency_operator_sees_only_their_regency_by_district(client, login, app, register):
    login("operator.bandung")
    html = client.get("/").get_data(as_text=True)
    assert "Kota Bandung" in html
    assert _total(html, "households") == "1.203"
    assert _total(html, "families") == "3"
    assert _total(html, "people") == "4"
    regions = _chart(html, "regions")
    assert _t(app, "Households by district") in regions
    assert _bars(regions) == {_name(app, "32.73.01"): "1.201", _name(app, "32.73.02"): "2"}
    assert "Bogor" not in regions and "Jawa Barat" not in regions
    # PBI-JK: three people in Bandung; Bogor's two are not counted.
    assert _bars(_chart(html, "programs")) == {
        "PBI-JK": "3",
        "PKH": "1",
        "BPNT": "0",
        "RUTILAHU": "1",
        "PIP": "0",
    }


def test_province_user_sees_regencies(client, login, app, register):
    login("prov.jabar")
    html = client.get("/").get_data(as_text=True)
    assert _total(html, "households") == "1.205"
    regions = _chart(html, "regions")
    assert _t(app, "Households by regency/city") in regions
    assert _bars(regions) == {"Kabupaten Bogor": "2", "Kota Bandung": "1.203"}


def test_bogor_operator_does_not_count_bandung(client, login, register):
    login("operator.bogor")
    html = client.get("/").get_data(as_text=True)
    assert _total(html, "households") == "2"
    assert _total(html, "people") == "2"
    assert "Sukasari" not in _chart(html, "regions")
