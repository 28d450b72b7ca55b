"""A trial period says "Vận hành thử" on the screens and in the exports that name it; a real one does not."""
from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook

from tests.evaluation_fixtures import SELF_DAY, clock_at, make_unit, open_period, sheet_of


@pytest.fixture(params=[True, False], ids=["trial", "real"])
def world(app, request):
    from app.extensions import db

    with app.app_context():
        unit = make_unit(db.session, size=5)
        open_period(db.session, "2026-11", trial=request.param)
        sid = sheet_of(db.session, unit.staff[0])
        db.session.remove()
    clock_at(SELF_DAY)
    return unit, sid, request.param


def signed_in(app, demo, person_id):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = demo.session_cookie_id(person_id)
        sess["_fresh"] = True
    return client


def page(client, url) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return html.unescape(resp.get_data(as_text=True))


def test_the_person_sees_the_mark_on_their_pages(app, demo, world):
    unit, sid, trial = world
    client = signed_in(app, demo, unit.staff[0])
    for url in ("/", f"/sheet/{sid}", f"/sheet/{sid}/print", "/sheet/history", "/tasks/"):
        assert ("Vận hành thử" in page(client, url)) is trial, url


def test_synthesis_pages_and_exports_carry_the_mark(app, demo, world):
    unit, sid, trial = world
    client = app.test_client()
    demo.login(client, "admin")
    for url in ("/synthesis/board?period=2026-11", "/synthesis/summary?period=2026-11", "/periods/"):
        assert ("trial-badge" in page(client, url)) is trial, url  # /periods/ also offers "Vận hành thử" to open one
    for url in ("/synthesis/export?period=2026-11", "/synthesis/export?period=2026-11&people=1"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.data[:2] == b"PK"
        sheet = load_workbook(io.BytesIO(resp.data), read_only=True).active
        head = " ".join(str(c) for row in sheet.iter_rows(max_row=8, values_only=True) for c in row if c)
        assert ("Vận hành thử" in head) is trial, head
