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


def rule_of(ctx, sid):
    from app.models import Sheet
    from app.services.evaluation.sheets import rule_version

    return rule_version(ctx, ctx.get(Sheet, sid).rule_version_id)


def page_form(client, sid) -> dict:
    resp = client.get(f"/sheet/{sid}")
    assert resp.status_code == 200
    return browser_form(text(resp))


def post(client, sid, form, action):
    return client.post(f"/sheet/{sid}", data={**form, "action": action})


def field_errors(body: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, msg in re.findall(r'data-field="([^"]+)">([^<]+)<', body):
        out.setdefault(name, []).append(msg)
    return out


def submit_via_services(ctx, unit, sid, owner, fraction="max"):
    from app.services.evaluation import sheets as S
    from app.services.uow import unit_of_work
    from tests.evaluation_fixtures import actor_of

    clock_at(SELF_DAY)
    with unit_of_work(ctx):
        S.submit(ctx, sid, actor_of(ctx, owner), S.load(ctx, sid, actor_of(ctx, owner)).sheet.version,
                 scores=full_scores(ctx, sid, fraction), worked_days=20)


def comment_via_services(ctx, unit, sid):
    from app.services.evaluation import sheets as S
    from app.services.uow import unit_of_work
    from tests.evaluation_fixtures import actor_of

    clock_at(COMMENT_DAY)
    actor = actor_of(ctx, unit.deputy)
    with unit_of_work(ctx):
        S.comment(ctx, sid, actor, S.load(ctx, sid, actor).sheet.version, "Hoàn thành tốt nhiệm vụ.")


# -- bad input through the form: the message by the field, what was typed kept, nothing changed ---------------
def _criterion(rule, kind="normal"):
    return next(c for c in rule.criteria if c.kind == kind)


BAD_SELF = [
    ("score above the maximum", lambda r: {f"self_{_criterion(r).id}": str(_criterion(r).max_points + 1)}, "self_", "vượt quá"),
    ("negative score", lambda r: {f"self_{_criterion(r).id}": "-1"}, "self_", "không được âm"),
    ("score not a number", lambda r: {f"self_{_criterion(r).id}": "mười"}, "self_", "phải là một số"),
    ("bonus without a justification", lambda r: {f"self_{_criterion(r, 'bonus').id}": "3", f"note_{_criterion(r, 'bonus').id}": " "},
     "self_bonus", "lý do"),
    ("worked days above the working days", lambda r: {"worked_days": "45"}, "worked_days", "không được vượt quá"),
]


@pytest.mark.parametrize("case,change,where,says", BAD_SELF, ids=[c[0] for c in BAD_SELF])
def test_bad_self_assessment_through_the_form(app, ctx, demo, month, case, change, where, says):
    clock_at(SELF_DAY)
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    rule = rule_of(ctx, sid)
    client = sign_in(app, demo, owner)
    form = {**page_form(client, sid), **form_of(full_scores(ctx, sid)), "worked_days": "20"}
    bad = change(rule)
    form.update(bad)
    before = fingerprint(ctx, sid)
    for action in ("save_self", "submit"):
        resp = post(client, sid, form, action)
        body = text(resp)
        assert resp.status_code == 400, case
        assert any(says in m for m in flashes(body)), flashes(body)
        errors = field_errors(body)
        field = next(iter(k for k in bad if k.startswith(("self_", "worked_days"))))
        assert field in errors and says in " ".join(errors[field]), errors
        for name, value in bad.items():  # what was typed is still in the form
            if value.strip():
                assert browser_form(body)[name] == value
        assert fingerprint(ctx, sid) == before


def test_acting_outside_the_window_through_the_form(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    clock_at(SELF_DAY)
    client = sign_in(app, demo, owner)
    form = {**page_form(client, sid), **form_of(full_scores(ctx, sid)), "worked_days": "20"}
    clock_at(COMMENT_DAY)  # the self-assessment window is over; the form typed before is sent now
    client = sign_in(app, demo, owner)  # sessions end on the app's clock
    before = fingerprint(ctx, sid)
    resp = post(client, sid, form, "submit")
    body = text(resp)
    assert resp.status_code == 400 and "Đã hết thời hạn tự đánh giá." in flashes(body)
    assert fingerprint(ctx, sid) == before


def test_a_sheet_not_routed_to_you_through_the_form(app, ctx, demo, month):
    """The head reads the unit's sheets but the comment is the deputy's: refused, nothing changes."""
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    submit_via_services(ctx, month, sid, owner)
    clock_at(COMMENT_DAY)
    head = sign_in(app, demo, month.head)
    page = text(head.get(f"/sheet/{sid}"))
    assert "Nhận xét và chuyển" not in page  # no button for what is not theirs
    before = fingerprint(ctx, sid)
    resp = post(head, sid, {**browser_form(page), "text": "Tôi nhận xét thay"}, "comment")
    assert resp.status_code == 403 and flashes(text(resp))
    assert fingerprint(ctx, sid) == before


def test_a_stale_version_through_the_form(app, ctx, demo, month):
    clock_at(SELF_DAY)
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    client = sign_in(app, demo, owner)
    tab1 = {**page_form(client, sid), **form_of(full_scores(ctx, sid)), "worked_days": "20"}
    tab2 = {**tab1, "worked_days": "19"}
    assert post(client, sid, tab1, "save_self").status_code == 302
    before = fingerprint(ctx, sid)
    resp = post(client, sid, tab2, "save_self")
    body = text(resp)
    assert resp.status_code == 409
    assert "Phiếu đã được người khác thay đổi, hãy tải lại." in flashes(body)
    assert browser_form(body)["worked_days"] == "19"  # what was typed is kept
    assert fingerprint(ctx, sid) == before


def test_a_higher_grade_than_the_points_give_through_the_form(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    submit_via_services(ctx, month, sid, owner, 0.8)
    comment_via_services(ctx, month, sid)
    clock_at(GRADING_DAY)
    head = sign_in(app, demo, month.head)
    form = page_form(head, sid)
    assert form["final_" + str(_criterion(rule_of(ctx, sid)).id)]  # prefilled with the self-assessment
    before = fingerprint(ctx, sid)
    resp = post(head, sid, {**form, "grade": "A"}, "finalise")
    body = text(resp)
    assert resp.status_code == 400 and "grade" in field_errors(body)
    assert browser_form(body)["grade"] == "A"
    assert fingerprint(ctx, sid) == before
    # a lower grade with a reason is accepted
    resp = post(head, sid, {**browser_form(text(head.get(f"/sheet/{sid}"))), "grade": "C", "grade_reason": "Sai sót bị phản ánh"},
                "finalise")
    assert resp.status_code == 302
    body = text(head.get(f"/sheet/{sid}"))
    assert attrs(body)["grade"] == "C" and "Sai sót bị phản ánh" in body


def test_reassign_with_the_empty_choice_does_not_bypass_the_checks(app, ctx, demo, month):
    sid = sheet_of(ctx, month.staff[0])
    clock_at(SELF_DAY)
    admin = sign_in(app, demo, demo.user("admin")["id"])
    page = text(admin.get(f"/sheet/{sid}"))
    form = browser_form(page)
    assert "evaluator_id" in form and "commenter_id" in form
    before = fingerprint(ctx, sid)
    resp = post(admin, sid, {**form, "evaluator_id": "", "reason": "Lãnh đạo nghỉ phép"}, "reassign")
    assert resp.status_code == 400 and "Phiếu phải có lãnh đạo đánh giá." in flashes(text(resp))
    assert fingerprint(ctx, sid) == before
    resp = post(admin, sid, {**form, "commenter_id": "", "reason": "Lãnh đạo nghỉ phép"}, "reassign")
    assert resp.status_code == 302
    from app.models import Sheet

    ctx.expire_all()
    assert ctx.get(Sheet, sid).commenter_id is None


# -- who sees what -----------------------------------------------------------------------------------------
def test_a_stranger_gets_404_on_the_sheet_page_and_the_print_view(app, ctx, demo, month):
    clock_at(SELF_DAY)
    sid = sheet_of(ctx, month.staff[0])
    colleague = sign_in(app, demo, month.staff[1])
    other_unit = sign_in(app, demo, demo.user("staff")["id"])
    for client in (colleague, other_unit):
        for url in (f"/sheet/{sid}", f"/sheet/{sid}/print"):
            resp = client.get(url)
            assert resp.status_code == 404, url
            assert month.usernames[month.staff[0]] not in text(resp)
        before = fingerprint(ctx, sid)
        assert post(client, sid, {"version": "1", "worked_days": "1"}, "save_self").status_code == 404
        assert fingerprint(ctx, sid) == before


def test_the_print_view_has_the_grade_name_scores_and_signature_lines(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    submit_via_services(ctx, month, sid, owner)
    comment_via_services(ctx, month, sid)
    clock_at(GRADING_DAY)
    head = sign_in(app, demo, month.head)
    assert post(head, sid, page_form(head, sid), "finalise").status_code == 302
    body = text(sign_in(app, demo, owner).get(f"/sheet/{sid}/print"))
    rule = rule_of(ctx, sid)
    from app.models import Sheet

    ctx.expire_all()
    grade = ctx.get(Sheet, sid).grade
    assert grade and rule.grade_label(grade) in body
    for line in ("Người tự đánh giá", "Người nhận xét", "Người đánh giá/ Thủ trưởng", "PHIẾU ĐÁNH GIÁ"):
        assert line in body
    assert "Hoàn thành tốt nhiệm vụ." in body  # the comment
    assert "sheet-print.css" in body
    css = app.test_client().get("/static/css/sheet-print.css")
    assert "size: A4" in css.get_data(as_text=True)
    css.close()
    assert re.search(r"\d{2}/\d{2}/\d{4}", body)  # dates dd/mm/yyyy


def test_home_lists_my_sheet_and_what_waits_for_me(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    clock_at(SELF_DAY)
    body = text(sign_in(app, demo, owner).get("/"))
    assert "Việc cần làm" in body and f"/sheet/{sid}" in body and "Đang tự đánh giá" in body and "Cán bộ trong phạm vi" in body
    assert re.search(r"<b>\d+</b> ngày", body)  # days left of the self-assessment
    submit_via_services(ctx, month, sid, owner)
    body = text(sign_in(app, demo, month.deputy).get("/"))
    assert "Phiếu chờ tôi xử lý: 1" in body and "nhận xét: 1" in body and f"/sheet/{sid}" in body


def test_inbox_history_and_review_list(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    submit_via_services(ctx, month, sid, owner)
    deputy = sign_in(app, demo, month.deputy)
    body = text(deputy.get("/sheet/inbox"))
    assert f'data-sheet="{sid}" data-role="commenter"' in body
    body = text(sign_in(app, demo, owner).get("/sheet/history"))
    assert "Tháng 11/2026" in body or "11/2026" in body
    assert f"/sheet/{sid}/print" in body
    head = sign_in(app, demo, month.head)
    from app.models import Staff

    name = ctx.get(Staff, owner).full_name
    from app.domain.text import fold

    body = text(head.get("/sheet-review/?q=" + fold(name).upper()))  # folded: no case, no diacritics
    assert name in body and ctx.get(Staff, month.staff[1]).full_name not in body
    body = text(head.get(f"/sheet-review/?state=submitted&unit={month.unit_id}"))
    assert name in body and "Tìm thấy <b>1</b> phiếu" in body
    assert head.get("/sheet-review/?state=zz").status_code == 400
    assert sign_in(app, demo, month.staff[1]).get("/sheet-review/").status_code == 403  # staff: no review list


# -- the admin screens -------------------------------------------------------------------------------------
def test_admin_opens_extends_and_closes_a_period_from_the_screen(app, ctx, demo, calendar):
    from app.models import Period, PeriodExtension, Sheet

    admin = sign_in(app, demo, demo.user("admin")["id"])
    resp = admin.post("/periods/open", data={"period": "2026-13"})
    assert resp.status_code == 400 and "YYYY-MM" in " ".join(flashes(text(resp)))
    assert ctx.scalar(select(Period.id)) is None
    resp = admin.post("/periods/open", data={"period": "2026-Q4", "trial": "1", "working_days": "60"}, follow_redirects=True)
    body = text(resp)
    assert "Đã mở kỳ đánh giá 2026-Q4" in body and "trial-badge" in body
    period = ctx.scalar(select(Period))
    assert (period.kind, period.trial, period.working_days) == ("quarter", True, 60)
    assert ctx.scalar(select(func_count(Sheet.id))) > 100
    resp = admin.post("/periods/open", data={"period": "2026-Q4"})
    assert resp.status_code == 400 and "đã được mở" in " ".join(flashes(text(resp)))
    unit = demo.user("staff")["unit_id"]
    resp = admin.post(f"/periods/{period.id}/extend", data={"unit": unit, "step": "self_assessment", "until": "2027-01-30",
                                                             "reason": ""})
    assert resp.status_code == 400 and ctx.scalar(select(PeriodExtension.id)) is None
    resp = admin.post(f"/periods/{period.id}/extend", data={"unit": unit, "step": "self_assessment", "until": "2027-01-30",
                                                             "reason": "Đơn vị sáp nhập"}, follow_redirects=True)
    assert "Đã gia hạn" in text(resp) and ctx.scalar(select(PeriodExtension.until)).isoformat() == "2027-01-30"
    resp = admin.post(f"/periods/{period.id}/close", follow_redirects=True)
    assert "Đã khóa kỳ đánh giá 2026-Q4" in text(resp)
    ctx.expire_all()
    assert ctx.get(Period, period.id).state == "closed"
    staff = sign_in(app, demo, demo.user("staff")["id"])
    assert staff.get("/periods/").status_code == 403 and staff.post(f"/periods/{period.id}/close").status_code == 403


def func_count(column):
    from sqlalchemy import func

    return func.count(column)


def test_a_frozen_rule_version_refuses_edits_and_offers_a_new_version(app, ctx, demo, month):
    from app.models import Criterion, RuleSetVersion

    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    rule = rule_of(ctx, sid)
    admin = sign_in(app, demo, demo.user("admin")["id"])
    c = _criterion(rule)
    # not frozen yet: an edit is saved
    page = text(admin.get(f"/rule-sets/{rule.id}"))
    form = browser_form_any(page, f"/rule-sets/{rule.id}")
    resp = admin.post(f"/rule-sets/{rule.id}", data={**form, f"criterion_name_{c.id}": "Chấp hành chủ trương (sửa)"})
    assert resp.status_code == 302
    ctx.expire_all()
    assert ctx.get(Criterion, c.id).name == "Chấp hành chủ trương (sửa)"
    bad = admin.post(f"/rule-sets/{rule.id}", data={**form, f"criterion_max_{c.id}": "abc"})
    assert bad.status_code == 400 and "phải là một số" in text(bad)
    # frozen by a finalised sheet
    submit_via_services(ctx, month, sid, owner)
    comment_via_services(ctx, month, sid)
    clock_at(GRADING_DAY)
    head = sign_in(app, demo, month.head)
    assert post(head, sid, page_form(head, sid), "finalise").status_code == 302
    page = text(admin.get(f"/rule-sets/{rule.id}"))
    assert "không sửa được" in page and f'name="criterion_max_{c.id}"' not in page and "Tạo phiên bản mới" in page
    before = ctx.get(Criterion, c.id).max_points
    resp = admin.post(f"/rule-sets/{rule.id}", data={f"criterion_max_{c.id}": "1", f"criterion_name_{c.id}": "X"})
    assert resp.status_code == 409 and "không thể sửa" in text(resp)
    ctx.expire_all()
    assert ctx.get(Criterion, c.id).max_points == before
    resp = admin.post(f"/rule-sets/{rule.id}/new", data={"effective_from": "2027-01"})
    assert resp.status_code == 302
    new = ctx.scalar(select(RuleSetVersion).where(RuleSetVersion.effective_from == "2027-01"))
    assert new is not None and len(new.criteria) == len(rule.criteria)
    assert admin.get(f"/rule-sets/{new.id}").status_code == 200
    assert sign_in(app, demo, month.head).get(f"/rule-sets/{rule.id}").status_code == 403


def browser_form_any(body: str, action: str) -> dict[str, str]:
    """The inputs of the form posting to ``action`` (forms without an id)."""
    start = body.index(f'action="{action}"')
    chunk = body[body.rindex("<form", 0, start):body.index("</form>", start)]
    return {k: v for k, v in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', chunk)}


def test_smoke_sheet_page(app, ctx, demo, month):
    clock_at(SELF_DAY)
    me = month.staff[0]
    sid = sheet_of(ctx, me)
    client = sign_in(app, demo, me)
    resp = client.get(f"/sheet/{sid}")
    body = text(resp)
    assert resp.status_code == 200, body[:2000]
    assert "Lưu nháp" in body and "Gửi phiếu" in body


def test_the_sheet_page_runs_a_fixed_number_of_statements(app, ctx, demo, month):
    """No N+1: the page costs the same with one event and score row or with many."""
    from sqlalchemy import event

    from app.extensions import db

    clock_at(SELF_DAY)
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    client = sign_in(app, demo, owner)
    form = {**page_form(client, sid), **form_of(full_scores(ctx, sid)[:1]), "worked_days": "20"}
    assert post(client, sid, form, "save_self").status_code == 302
    count = {"n": 0}

    def counted(*args, **kwargs):
        count["n"] += 1

    def statements() -> int:
        count["n"] = 0
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            assert client.get(f"/sheet/{sid}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
        return count["n"]

    few = statements()
    for _ in range(5):
        form = {**page_form(client, sid), **form_of(full_scores(ctx, sid)), "worked_days": "20"}
        assert post(client, sid, form, "save_self").status_code == 302
    assert statements() == few


def test_admin_edits_working_days_and_a_window_from_the_screen(app, ctx, demo, calendar):
    import datetime as dt

    from app.models import Period

    open_period(ctx)
    period = ctx.scalar(select(Period))
    admin = sign_in(app, demo, demo.user("admin")["id"])
    page = text(admin.get("/periods/"))
    form = browser_form_any(page, f"/periods/{period.id}/edit")
    assert form["working_days"] == str(period.working_days) and "grading_to" in form
    resp = admin.post(f"/periods/{period.id}/edit", data=form)
    assert resp.status_code == 400 and "Không có thay đổi nào." in flashes(text(resp))
    resp = admin.post(f"/periods/{period.id}/edit", data={**form, "working_days": "99"})
    assert resp.status_code == 400 and ctx.get(Period, period.id).working_days == period.working_days
    resp = admin.post(f"/periods/{period.id}/edit", data={**form, "working_days": "18", "grading_to": "2026-12-06"},
                      follow_redirects=True)
    assert "Đã cập nhật kỳ đánh giá 2026-11" in text(resp)
    ctx.expire_all()
    p = ctx.get(Period, period.id)
    assert (p.working_days, p.grading_to) == (18, dt.date(2026, 12, 6))


def test_the_evaluation_menu_by_role(app, ctx, demo, month):
    staff = text(sign_in(app, demo, month.staff[0]).get("/"))
    for label in ("Đánh giá", "Việc cần làm/Phiếu chờ xử lý", "Phiếu của tôi qua các kỳ", "Kết quả của tôi"):
        assert label in staff, label
    for label in ("Danh sách phiếu", "Kỳ đánh giá", "Bộ tiêu chí"):
        assert label not in staff, label
    head = text(sign_in(app, demo, month.head).get("/"))
    assert "Danh sách phiếu" in head and "Kỳ đánh giá" not in head
    admin = text(sign_in(app, demo, demo.user("admin")["id"]).get("/"))
    for label in ("Danh sách phiếu", "Kỳ đánh giá", "Bộ tiêu chí"):
        assert label in admin, label


def test_admin_reopens_a_finalised_sheet_with_a_reason(app, ctx, demo, month):
    owner = month.staff[0]
    sid = sheet_of(ctx, owner)
    submit_via_services(ctx, month, sid, owner)
    comment_via_services(ctx, month, sid)
    clock_at(GRADING_DAY)
    head = sign_in(app, demo, month.head)
    assert post(head, sid, page_form(head, sid), "finalise").status_code == 302
    admin = sign_in(app, demo, demo.user("admin")["id"])
    page = text(admin.get(f"/sheet/{sid}"))
    assert "Mở lại phiếu" in page and "Hoàn thành đánh giá" not in page
    before = fingerprint(ctx, sid)
    resp = post(admin, sid, {**browser_form(page), "reason": " "}, "reopen")
    assert resp.status_code == 400 and flashes(text(resp)) and fingerprint(ctx, sid) == before
    resp = post(admin, sid, {**browser_form(page), "reason": "Khiếu nại được chấp nhận"}, "reopen")
    assert resp.status_code == 302
    body = text(admin.get(f"/sheet/{sid}"))
    assert attrs(body)["state"] != "finalised" and "Khiếu nại được chấp nhận" in body  # the history shows the reason
    assert re.search(r"<td>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</td>", body)  # dd/mm/yyyy HH:MM
