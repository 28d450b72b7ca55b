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


# -- values as people read them ---------------------------------------------------------------------

RAW_VALUE = re.compile(r">\s*(True|False|None)\s*<")
ROLE_LIST = re.compile(r"\[[^\]<]*\b(?:Admin|staff|unit_admin|block_admin|leader|synthesis|department_head)\b[^\]<]*\]")
MACHINE_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{2}:\d{2}[+-]\d{2}:\d{2}")


def _text(body: str) -> str:
    """What a person sees: scripts and tag attributes removed, tags kept as boundaries."""
    body = re.sub(r"(?is)<script.*?</script>", "", body)
    return re.sub(r"<([a-zA-Z0-9]+)[^>]*>", r"<\1>", body)


def _list_and_show_pages(app, client):
    """Every list page of the URL map, and the first rows' show pages linked from it."""
    import html

    seen = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.endswith(".list") or rule.arguments:
            continue
        url = rule.rule
        resp = client.get(url)
        if resp.status_code != 200:
            continue
        body = resp.get_data(as_text=True)
        yield url, body
        for link in list(dict.fromkeys(re.findall(r'href="(/[a-z-]+/show/\d+)[^"]*"', body)))[:5]:
            link = html.unescape(link)
            if link not in seen:
                seen.add(link)
                show = client.get(link)
                assert show.status_code == 200, link
                yield link, show.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["admin", "unit_admin"])
def test_lists_and_records_show_values_not_python(app, demo, ctx, kind):
    """No True/False/None, no role lists like [Admin, staff], no machine timestamps: dd/mm/yyyy HH:MM."""
    from app.services import audit

    me = demo.user(kind)
    from app.models import Staff

    person = ctx.get(Staff, me["id"])
    person.last_login = person.created_on  # a moment with seconds and microseconds
    audit.record(ctx, "user_updated", actor=person, target=person, detail={"x": 1})
    ctx.commit()
    client = app.test_client()
    demo.login(client, kind)
    pages = 0
    for url, body in _list_and_show_pages(app, client):
        text = _text(body)
        assert not RAW_VALUE.findall(text), f"{url}: {RAW_VALUE.findall(text)[:5]}"
        assert not ROLE_LIST.findall(text), f"{url}: {ROLE_LIST.findall(text)[:5]}"
        assert not MACHINE_TIME.findall(text), f"{url}: {MACHINE_TIME.findall(text)[:5]}"
        pages += 1
    assert pages >= (12 if kind == "admin" else 8)


def test_the_profile_page_reads_like_the_rest(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    text = _text(client.get("/users/userinfo/").get_data(as_text=True))
    assert not RAW_VALUE.findall(text) and not ROLE_LIST.findall(text) and not MACHINE_TIME.findall(text), text[-3000:]
