"""Indonesian first: labels, dates and numbers; English on request."""

import datetime
import re

import pytest


def test_console_speaks_indonesian_by_default(client, login):
    login("admin")
    html = client.get("/households/list/").get_data(as_text=True)
    assert "Rumah Tangga" in html and "Desil kesejahteraan" in html
    assert "Periode berjalan" in html


def test_language_switch_to_english_and_back(client, login):
    login("admin")
    client.get("/lang/en")
    assert "Households" in client.get("/households/list/").get_data(as_text=True)
    client.get("/lang/id")
    assert "Rumah Tangga" in client.get("/households/list/").get_data(as_text=True)


def test_indonesian_dates_and_numbers(app):
    from app import formatting

    with app.test_request_context():
        assert formatting.number(1234567) == "1.234.567"
        assert formatting.date(datetime.date(2026, 11, 28)) == "28 November 2026"
        assert formatting.value(True) == "Ya"
        assert formatting.value(None) == "–"


def test_screen_times_are_wib_and_durations_have_a_decimal_comma(app):
    import zoneinfo

    from app import formatting

    stored = datetime.datetime(2026, 12, 4, 3, 11)  # naive UTC, as the database keeps it
    with app.test_request_context():
        assert formatting.moment(stored) == "4 Desember 2026 10.11 WIB"
        assert formatting.date(stored) == "4 Desember 2026 10.11 WIB"
        makassar = stored.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Makassar"))
        assert formatting.moment(makassar) == "4 Desember 2026 03.11 WITA"  # its own zone
        assert formatting.fraction(0.187, 3) == "0,187"


def test_language_menu_names_each_language_in_words(client, login):
    login("admin")
    html = client.get("/households/list/").get_data(as_text=True)
    assert "- English" not in html
    assert '<span lang="id">Bahasa Indonesia</span>' in html
    assert re.search(r'<a [^>]*href="/lang/en"[^>]*lang="en"[^>]*>English</a>', html)


def test_select2_and_the_date_picker_speak_indonesian(client, login):
    login("admin")
    html = client.get("/households/list/").get_data(as_text=True)
    for script in ("vendor/select2-i18n/id.js", "js/select2-id.js", "js/dates-id.js"):
        assert f"/static/{script}" in html
        assert client.get(f"/static/{script}").status_code == 200
    # Loaded after Select2 itself, and the language set before ab.js draws the boxes.
    assert html.index("select2.min.js") < html.index("select2-i18n/id.js")
    assert html.index("select2-i18n/id.js") < html.index("js/select2-id.js")


def test_dates_are_read_as_written_in_indonesia_or_in_iso():
    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from views.fields import DayField, parse_day

    april_9 = datetime.date(2000, 4, 9)
    assert parse_day("09/04/2000") == parse_day("9/4/2000") == parse_day("2000-04-09") == april_9
    with pytest.raises(ValueError):
        parse_day("31/02/2000")

    class Born(Form):
        born = DayField("Born")

    for written in ("09/04/2000", "2000-04-09"):
        form = Born(MultiDict({"born": written}))
        assert form.validate() and form.born.data == april_9
    assert Born(data={"born": april_9}).born._value() == "2000-04-09"  # the API's ISO form
    assert not Born(MultiDict({"born": "9 April"})).validate()
