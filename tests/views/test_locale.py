"""Indonesian first: labels, dates and numbers; English on request."""

import datetime


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
