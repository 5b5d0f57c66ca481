def test_login_page_is_indonesian(client):
    html = client.get("/login/").get_data(as_text=True)
    assert "csrf_token" in html
