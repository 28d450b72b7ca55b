"""What people read is Vietnamese: no English leftovers on the main pages."""
import re

import pytest

ENGLISH = [">Cancel<", ">OK<", ">Search<", ">Save<", ">Edit<", ">Delete<", ">List<", "Invalid login", ">Back<",
           "Record Count", ">Actions<", "No records found", "Add Filter", ">Login<", ">Logout<"]


def _visible(body: str) -> str:
    return re.sub(r"\s+", " ", body)


@pytest.mark.parametrize("kind,url", [
    (None, "/login/"),
    ("admin", "/"),
    ("admin", "/staff/list/"),
    ("admin", "/staff/add"),
    ("admin", "/units/list/"),
    ("admin", "/audit/list/"),
    ("unit_admin", "/mau01/"),
    ("staff", "/account/password"),
])
def test_no_english_leftovers(app, demo, kind, url):
    client = app.test_client()
    if kind:
        demo.login(client, kind)
    resp = client.get(url)
    assert resp.status_code == 200, url
    body = _visible(resp.get_data(as_text=True))
    leftovers = [w for w in ENGLISH if w in body]
    assert not leftovers, f"{url}: {leftovers}"
    assert '<html' in body


@pytest.mark.parametrize("kind", ["admin", "staff"])
def test_profile_page_offers_no_dead_buttons(app, demo, kind):
    """FAB's profile page links to its own password/edit screens, which every role is denied."""
    client = app.test_client()
    demo.login(client, kind)
    body = client.get("/users/userinfo/").get_data(as_text=True)
    assert "resetmypassword" not in body and "userinfoedit" not in body
