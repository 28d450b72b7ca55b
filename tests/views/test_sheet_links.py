"""The sheet page leads to the tasks behind it: the breakdown opens for the person and their evaluator."""
from __future__ import annotations

from tests.evaluation_fixtures import SELF_DAY, clock_at, make_unit, open_period, sheet_of


def test_the_sheet_page_links_to_its_task_breakdown(app, demo):
    from app.extensions import db

    with app.app_context():
        unit = make_unit(db.session, size=6)  # staff[1] is a plain colleague (staff[2] the unit admin)
        open_period(db.session, "2026-11")
        sid = sheet_of(db.session, unit.staff[0])
        db.session.remove()
    clock_at(SELF_DAY)
    for person in (unit.staff[0], unit.head):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = demo.session_cookie_id(person)
            sess["_fresh"] = True
        body = client.get(f"/sheet/{sid}").get_data(as_text=True)
        link = f"/tasks/sheet/{sid}/breakdown"
        assert link in body
        assert client.get(link).status_code == 200
    stranger = app.test_client()
    with stranger.session_transaction() as sess:
        sess["_user_id"] = demo.session_cookie_id(unit.staff[1])
        sess["_fresh"] = True
    assert stranger.get(f"/tasks/sheet/{sid}/breakdown").status_code == 404
    assert stranger.get(f"/sheet/{sid}").status_code == 404
