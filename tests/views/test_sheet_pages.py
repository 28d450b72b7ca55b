"""The evaluation screens: the sheet page and its actions, the print view, my lists, the admin screens.

Everything goes through the pages as a person would (GET the page, POST its form with the version it
showed); the services decide, the pages show their Vietnamese answers by the field and change nothing on
a refusal.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import flashes
from tests.evaluation_fixtures import (  # noqa: F401  (calendar is a fixture)
    COMMENT_DAY, GRADING_DAY, NOVEMBER, SELF_DAY, calendar, clock_at, fingerprint, full_scores, make_unit, open_period,
    sheet_of,
)
from tests.evaluation_month import Driver, Outcome, check_month, run_month


def sign_in(app, demo, person_id: int):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = demo.session_cookie_id(person_id)
        sess["_fresh"] = True
    return client


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def version_of(body: str) -> str:
    return re.search(r'name="version" value="(\d+)"', body).group(1)


def form_of(scores: list[dict], prefix: str = "self_", note: str = "note_") -> dict[str, str]:
    out = {}
    for s in scores:
        out[f"{prefix}{s['criterion_id']}"] = s["points"]
        out[f"{note}{s['criterion_id']}"] = s.get("note") or ""
    return out


# -- a browser's view of a form -------------------------------------------------------------------------
class FormParser(HTMLParser):
    """The values a browser would post from ``<form id=…>``: inputs, textareas, selected options, checked boxes."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, None)
        elif tag == "option" and self._select:
            if self.values.get(self._select) is None or "selected" in a:
                if "selected" in a or self.values.get(self._select) is None:
                    self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def browser_form(body: str, form_id: str = "sheet-form") -> dict[str, str]:
    parser = FormParser(form_id)
    parser.feed(body)
    return {k: v for k, v in parser.values.items() if v is not None}


def attrs(body: str) -> dict[str, str]:
    tag = re.search(r'<div class="col-md-12 eval-sheet"([^>]*)>', body).group(1)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


class ScreenDriver(Driver):
    """The month of tests/evaluation_month.py, every step through the screens with a signed-in browser."""

    def __init__(self, app, demo, session, unit):
        self.app, self.demo, self.s, self.unit = app, demo, session, unit
        self.clients: dict[tuple, Any] = {}
        self.admin = demo.user("admin")["id"]

    def client(self, who: int):
        """A signed-in browser per person and day (sessions end on the app's clock, as the API's tokens do)."""
        from app.services import clock

        key = (who, clock.today())
        if key not in self.clients:
            self.clients[key] = sign_in(self.app, self.demo, who)
        return self.clients[key]

    def open_period(self) -> int:
        resp = self.client(self.admin).post("/periods/open", data={"period": NOVEMBER}, follow_redirects=True)
        body = text(resp)
        assert resp.status_code == 200 and f"Đã mở kỳ đánh giá {NOVEMBER}" in body, flashes(body)
        from app.models import Period

        self.s.expire_all()
        return self.s.scalar(select(Period.id).where(Period.key == NOVEMBER))

    def close_period(self, period_id: int) -> dict:
        resp = self.client(self.admin).post(f"/periods/{period_id}/close", follow_redirects=True)
        body = text(resp)
        assert resp.status_code == 200 and f"Đã khóa kỳ đánh giá {NOVEMBER}" in body, flashes(body)
        return {"state": "closed", "page": body}

    def mine(self, who: int) -> dict:
        body = text(self.client(who).get("/"))
        todo = body[body.index("Việc cần làm"):]
        return {"id": int(re.search(r'href="/sheet/(\d+)"', todo).group(1))}

    def view(self, who: int, sheet_id: int) -> dict:
        resp = self.client(who).get(f"/sheet/{sheet_id}")
        assert resp.status_code == 200
        body = text(resp)
        a = attrs(body)
        out: dict[str, Any] = {"state": a["state"], "self_assessed": a["self-assessed"] == "1", "unit_results": None}
        m = re.search(r'class="panel panel-default unit-results" data-total="(\d+)"', body)
        if m:
            by_grade = {g: int(n) for g, n in re.findall(r'data-grade="([A-Z])" data-count="(\d+)"', body)}
            out["unit_results"] = {"total": int(m.group(1)), "by_grade": by_grade}
        return out

    def act(self, who: int, action: str, sheet_id: int, **kw: Any) -> Outcome:
        client = self.client(who)
        seen = client.get(f"/sheet/{sheet_id}")
        if seen.status_code != 200:
            return Outcome(seen.status_code)
        form = browser_form(text(seen))
        final = action in ("save_final", "finalise")
        if "scores" in kw:
            prefix, note = ("final_", "fnote_") if final else ("self_", "note_")
            for k in [k for k in form if k.startswith((prefix, note))]:
                form[k] = ""
            form.update(form_of(kw["scores"], prefix, note))
        if "worked_days" in kw:
            form["worked_days"] = str(kw["worked_days"])
        for key in ("text", "reason", "grade", "grade_reason", "quota_reason"):
            if key in kw:
                form[key] = kw[key]
        form["action"] = action
        resp = client.post(f"/sheet/{sheet_id}", data=form)
        if resp.status_code == 302:
            page = text(client.get(resp.headers["Location"]))
            a = attrs(page)
            return Outcome(200, sheet={"state": a["state"], "grade": a["grade"] or None, "version": int(a["version"])})
        body = text(resp)
        a = attrs(body) if 'eval-sheet' in body else {}
        if resp.status_code != 404:
            assert flashes(body), (resp.status_code, body[:500])  # the refusal is said on the page
        return Outcome(resp.status_code, a.get("error-code") or None)

    def inbox(self, who: int) -> list[tuple[int, str, int]]:
        body = text(self.client(who).get("/sheet/inbox?page_size=500"))
        return [(int(s), r, int(u)) for s, r, u in
                re.findall(r'class="inbox-row" data-sheet="(\d+)" data-role="([a-z]+)" data-unit="(\d+)"', body)]

    def auto_forward(self) -> int:
        from app.services.evaluation import periods
        from app.services.uow import unit_of_work

        with unit_of_work(self.s):
            n = periods.auto_forward_overdue(self.s)
        self.s.expire_all()
        return n


def test_a_month_for_a_unit_of_30_through_the_screens(app, ctx, demo, calendar):
    """Self-assessment, comment, returns, recalls, a quota override, grading and close, all on the pages."""
    unit = make_unit(ctx, size=30)
    driver = ScreenDriver(app, demo, ctx, unit)
    result = run_month(driver, unit, ctx)
    assert "Đã khóa" in result["closed"]["page"]
    check_month(ctx, unit, result)


@pytest.fixture
def month(app, ctx, calendar):
    unit = make_unit(ctx, size=6)
    open_period(ctx)
    return unit


def test_smoke_sheet_page(app, ctx, demo, month):
    clock_at(SELF_DAY)
    me = month.staff[0]
    sid = sheet_of(ctx, me)
    client = sign_in(app, demo, me)
    resp = client.get(f"/sheet/{sid}")
    body = text(resp)
    assert resp.status_code == 200, body[:2000]
    assert "Lưu nháp" in body and "Gửi phiếu" in body
