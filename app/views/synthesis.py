"""Synthesis screens (issue 10): the follow-up board, the period summary and its export, the roll-up,
the dashboard; a person's results with feedback; in-app notices. Declarations and rendering only: the
services decide what is in reach, and a DomainError becomes the app's Vietnamese error page (GET) or a
flashed message (POST).
"""
from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain import rollup as R
from app.domain.dates import fmt_date, fmt_datetime
from app.domain.errors import DomainError, ValidationError
from app.domain.evaluation import workflow as wf
from app.extensions import db
from app.models import OrgUnit, Period
from app.security.scope import current_actor, org_clause
from app.services.uow import unit_of_work
from app.settings import settings
from app.views import charts

MAX_PARAM = 40


def _arg(name: str):
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAM or "\x00" in value:
        raise ValidationError("bad_param", f"Giá trị “{name}” không hợp lệ.", name)
    return value


def _period_key():
    """The period asked for, else the latest open one, else the latest; None when there is none."""
    key = _arg("period")
    if key is not None:
        return key
    row = db.session.execute(select(Period.key).order_by((Period.state == Period.OPEN).desc(), Period.last_day.desc())
                             .limit(1)).first()
    return row[0] if row else None


def _choices(actor):
    periods = db.session.execute(select(Period.key, Period.trial).order_by(Period.last_day.desc())).all()
    units = db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "unit", org_clause(actor, "unit"))
                               .order_by(OrgUnit.name_key)).all()
    blocks = db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "block", org_clause(actor, "block"))
                                .order_by(OrgUnit.name_key)).all()
    return {"periods": periods, "units": units, "blocks": blocks}


class SynthesisView(BaseView):
    route_base = "/synthesis"
    class_permission_name = "Synthesis"
    method_permission_name = {"index": "list", "board": "list", "summary": "list", "rollup": "list",
                              "dashboard": "list", "export": "export"}
    default_view = "board"

    def _render(self, template, **kw):
        actor = current_actor()
        return self.render_template(template, choices=_choices(actor), args=request.args, R=R, wf=wf,
                                    fmt_date=fmt_date, **kw)

    @expose("/")
    @has_access
    def index(self):
        return redirect(url_for("SynthesisView.board"))

    @expose("/board")
    @has_access
    def board(self):
        from app.services.synthesis import followup

        key = _period_key()
        if key is None:
            return self._render("synthesis/empty.html", title="Theo dõi tiến độ")
        b = followup.board(db.session, current_actor(), key, _arg("unit"), _arg("block"), _arg("page") or 0,
                           _arg("page_size") or 100, org_name=settings().org_name)
        return self._render("synthesis/board.html", b=b, title="Theo dõi tiến độ")

    @expose("/summary")
    @has_access
    def summary(self):
        from app.services.synthesis import summary as service

        key = _period_key()
        if key is None:
            return self._render("synthesis/empty.html", title="Tổng hợp kết quả")
        s = service.summary(db.session, current_actor(), key, _arg("unit"), _arg("block"), settings().org_name)
        return self._render("synthesis/summary.html", s=s, title="Tổng hợp kết quả")

    @expose("/export")
    @has_access
    def export(self):
        from app.services.synthesis import export as service

        key = _period_key()
        if key is None:
            raise ValidationError("no_period", "Chưa có kỳ đánh giá nào để xuất.", "period")
        fn = service.people_xlsx if _arg("people") else service.summary_xlsx
        name, data = fn(db.session, current_actor(), key, _arg("unit"), _arg("block"), settings().org_name)
        return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @expose("/rollup")
    @has_access
    def rollup(self):
        from app.services import clock
        from app.services.synthesis import rollup as service

        span = _arg("span") or str(clock.today().year)
        policy = _arg("policy") or settings().rollup_policy
        r = service.rollup(db.session, current_actor(), span, policy, _arg("unit"), _arg("block"), _arg("page") or 0,
                           _arg("page_size") or 100, settings().org_name)
        return self._render("synthesis/rollup.html", r=r, span=span, policy=policy, policies=R.POLICIES,
                            title="Tổng hợp quý, năm")

    @expose("/dashboard")
    @has_access
    def dashboard(self):
        from app.services.synthesis import summary as service

        key = _period_key()
        if key is None:
            return self._render("synthesis/empty.html", title="Biểu đồ")
        s = service.summary(db.session, current_actor(), key, _arg("unit"), _arg("block"), settings().org_name)
        points = service.trend(db.session, s.scope)
        bars = charts.stacked_bars(f"Phân bố xếp loại theo đơn vị, {s.period.label}",
                                   [(u.unit_name, u.counts, u.total) for u in s.units], R.GRADES)
        trend = charts.lines("Tỷ lệ xếp loại qua các kỳ (%)", [p.period_key for p in points],
                             {g: [p.share(g) for p in points] for g in R.GRADES})
        return self._render("synthesis/dashboard.html", s=s, points=points, bars=bars, trend=trend, title="Biểu đồ")


class ResultsView(BaseView):
    """A person's results of closed periods, and the one feedback (kiến nghị) on each."""

    route_base = "/results"
    class_permission_name = "Results"
    method_permission_name = {"mine": "list", "show": "show", "feedback": "feedback", "answer": "answer"}
    default_view = "mine"

    @expose("/")
    @has_access
    def mine(self):
        from app.services.synthesis import feedback

        actor = current_actor()
        rows = feedback.my_results(db.session, actor.id) if actor.id is not None else []
        return self.render_template("synthesis/results_mine.html", rows=rows, R=R, wf=wf)

    @expose("/<sheet_id>")
    @has_access
    def show(self, sheet_id):
        from app.services.synthesis import feedback

        v = feedback.view(db.session, current_actor(), sheet_id, settings().feedback_days)
        return self.render_template("synthesis/result.html", v=v, fmt_date=fmt_date, fmt_datetime=fmt_datetime,
                                    max_text=feedback.MAX_TEXT)

    def _post(self, sheet_id, fn, field, done):
        try:
            with unit_of_work(db.session):
                fn(db.session, current_actor(), sheet_id, request.form.get(field), settings().feedback_days)
            flash(done, "success")
        except DomainError as exc:
            if exc.code == "not_found":
                raise
            flash(exc.message, "danger")
        return redirect(url_for("ResultsView.show", sheet_id=sheet_id))

    @expose("/<sheet_id>/feedback", methods=["POST"])
    @has_access
    def feedback(self, sheet_id):
        from app.services.synthesis import feedback

        return self._post(sheet_id, feedback.send, "text", "Đã gửi kiến nghị.")

    @expose("/<sheet_id>/answer", methods=["POST"])
    @has_access
    def answer(self, sheet_id):
        from app.services.synthesis import feedback

        return self._post(sheet_id, feedback.answer, "answer", "Đã gửi trả lời kiến nghị.")


class NoticesView(BaseView):
    route_base = "/notices"
    class_permission_name = "Notices"
    method_permission_name = {"index": "list", "read": "list"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        from app.notify import notices

        actor = current_actor()
        items = notices.latest(db.session, actor.id) if actor.id is not None else []
        unread = notices.unread_count(db.session, actor.id)
        return self.render_template("synthesis/notices.html", items=items, unread=unread, fmt_datetime=fmt_datetime)

    @expose("/read", methods=["POST"])
    @has_access
    def read(self):
        from app.notify import notices

        actor = current_actor()
        if actor.id is not None:
            with unit_of_work(db.session):
                notices.mark_all_read(db.session, actor.id)
        return redirect(url_for("NoticesView.index"))


def register(appbuilder) -> None:
    cat = "Synthesis"
    appbuilder.add_view(SynthesisView, "Follow-up board", label="Theo dõi tiến độ", icon="fa-tasks", category=cat,
                        category_label="Tổng hợp", category_icon="fa-bar-chart")
    appbuilder.add_link("Period summary", label="Tổng hợp kết quả", href="/synthesis/summary", icon="fa-table", category=cat)
    appbuilder.add_link("Rollup", label="Tổng hợp quý, năm", href="/synthesis/rollup", icon="fa-calendar", category=cat)
    appbuilder.add_link("Dashboard", label="Biểu đồ", href="/synthesis/dashboard", icon="fa-pie-chart", category=cat)
    appbuilder.add_view(ResultsView, "My results", label="Kết quả của tôi", icon="fa-check-square-o", category="Me",
                        category_label="Cá nhân", category_icon="fa-user")
    appbuilder.add_view(NoticesView, "Notices", label="Thông báo", icon="fa-bell", category="Me")
