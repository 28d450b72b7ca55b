"""The district admin's evaluation screens: periods ("Kỳ đánh giá") and rule sets ("Bộ tiêu chí").

Only the Admin role holds ``Periods`` and ``RuleSets``; the services check again (``admin_only``). Every
change is one service call in one unit of work (``services.evaluation.periods`` and ``rules``); a refusal
shows the page again with what was typed and the message, and changes nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import func, select

from app.domain.errors import DomainError, OutOfReach, ValidationError
from app.domain.evaluation import periods as P
from app.domain.evaluation import rules as R
from app.domain.evaluation import workflow as wf
from app.extensions import db
from app.models import OrgUnit, Period, RuleSet, RuleSetVersion, Sheet
from app.security.scope import current_actor
from app.services import uow
from app.services.evaluation import periods as period_service
from app.services.evaluation import rules as rule_service

WINDOW_FIELDS = [(step, f"{step}_from", f"{step}_to") for step in P.STEPS]


def _windows(form) -> dict:
    """``{step: (from, to)}`` for the steps whose two dates were typed (the others keep the defaults)."""
    out = {}
    for step, a, b in WINDOW_FIELDS:
        start, end = (form.get(a) or "").strip(), (form.get(b) or "").strip()
        if start or end:
            out[step] = (start, end)
    return out


def _period(session, pk) -> Period:
    period = session.get(Period, pk)
    if period is None:
        abort(404)
    return period


class PeriodsView(BaseView):
    route_base = "/periods"
    class_permission_name = "Periods"
    default_view = "list"
    method_permission_name = {"list": "list", "open": "open", "close": "close", "extend": "edit", "edit": "edit"}

    @expose("/")
    @has_access
    def list(self):
        return self._page()

    def _page(self, typed=None, error: DomainError | None = None, status: int = 200):
        session = db.session
        periods = session.scalars(select(Period).order_by(Period.first_day.desc(), Period.id.desc())).all()
        counts: dict[int, dict[str, int]] = {}
        for pid, state, n in session.execute(select(Sheet.period_id, Sheet.state, func.count()).group_by(Sheet.period_id, Sheet.state)):
            counts.setdefault(pid, {})[state] = n
        units = session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "unit").order_by(OrgUnit.name_key)).all()
        field = error.field if error is not None else None
        return self.render_template(
            "evaluation/periods.html", periods=periods, counts=counts, units=units, typed=typed or {}, error=error,
            field=field, wf=wf, P=P, window_fields=WINDOW_FIELDS,
        ), status

    def _run(self, fn, done: str):
        try:
            with uow.unit_of_work(db.session):
                fn(db.session)
        except OutOfReach:
            abort(404)
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._page(request.form, exc, exc.http_status)
        flash(done, "success")
        return redirect(url_for(".list"))

    @expose("/open", methods=["POST"])
    @has_access
    def open(self):
        form = request.form
        key = (form.get("period") or "").strip()

        def work(session):
            period = period_service.open_period(session, key, current_actor(), trial=bool(form.get("trial")),
                                                working_days=(form.get("working_days") or "").strip() or None,
                                                windows=_windows(form) or None)
            work.period = period

        return self._run(work, f"Đã mở kỳ đánh giá {key}.")

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        period = _period(db.session, pk)
        return self._run(lambda s: period_service.close_period(s, period, current_actor()), f"Đã khóa kỳ đánh giá {period.key}.")

    @expose("/<int:pk>/edit", methods=["POST"])
    @has_access
    def edit(self, pk):
        period = _period(db.session, pk)
        form = request.form

        def work(session):
            days = (form.get("working_days") or "").strip()
            days_changed = bool(days) and days != str(period.working_days)
            if days_changed:
                period_service.set_working_days(session, period, days, current_actor())
            windows = {step: span for step, span in _windows(form).items()
                       if span != (period.windows.get(step).start.isoformat(), period.windows.get(step).end.isoformat())}
            if windows:
                period_service.set_windows(session, period, windows, current_actor())
            if not days_changed and not windows:
                raise ValidationError("no_change", "Không có thay đổi nào.", "working_days")

        return self._run(work, f"Đã cập nhật kỳ đánh giá {period.key}.")

    @expose("/<int:pk>/extend", methods=["POST"])
    @has_access
    def extend(self, pk):
        period = _period(db.session, pk)
        form = request.form

        def work(session):
            raw = (form.get("unit") or "").strip()
            unit = session.get(OrgUnit, int(raw)) if raw.isdigit() and len(raw) < 10 else None
            if unit is None:
                raise ValidationError("bad_unit", "Hãy chọn đơn vị được gia hạn.", "unit")
            period_service.extend(session, period, unit, form.get("step", ""), form.get("until", ""), current_actor(),
                                  form.get("reason", ""))

        return self._run(work, f"Đã gia hạn kỳ đánh giá {period.key}.")


class RuleSetsView(BaseView):
    route_base = "/rule-sets"
    class_permission_name = "RuleSets"
    default_view = "list"
    method_permission_name = {"list": "list", "show": "show", "edit": "edit", "new_version": "add"}

    @expose("/")
    @has_access
    def list(self):
        session = db.session
        families = session.scalars(select(RuleSet).order_by(RuleSet.is_default.desc(), RuleSet.name)).all()
        frozen = set(session.scalars(select(Sheet.rule_version_id).where(Sheet.state == wf.FINALISED).distinct()))
        return self.render_template("evaluation/rule_sets.html", families=families, frozen=frozen)

    def _version_page(self, row: RuleSetVersion, typed=None, error: DomainError | None = None, status: int = 200):
        session = db.session
        rule = rule_service.to_domain(row)
        frozen = rule_service.is_frozen(session, row.id)
        field_errors = {}
        if error is not None:
            field_errors[error.field or "_top"] = error.message
        return self.render_template("evaluation/rule_version.html", row=row, rule=rule, frozen=frozen, typed=typed,
                                    error=error, field_errors=field_errors, R=R), status

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        try:
            row = rule_service.get_version(db.session, pk)
        except OutOfReach:
            abort(404)
        return self._version_page(row)

    @expose("/<int:pk>", methods=["POST"])
    @has_access
    def edit(self, pk):
        form = request.form
        try:
            row = rule_service.get_version(db.session, pk)
        except OutOfReach:
            abort(404)
        criteria = {c.id: {"name": form.get(f"criterion_name_{c.id}"), "max_points": form.get(f"criterion_max_{c.id}")}
                    for c in row.criteria if f"criterion_name_{c.id}" in form}
        groups = {g.id: form.get(f"group_max_{g.id}") for g in row.groups if f"group_max_{g.id}" in form}
        bands = {b.code: {"label": form.get(f"band_label_{b.code}"), "min_points": form.get(f"band_min_{b.code}")}
                 for b in row.bands if f"band_label_{b.code}" in form}
        quota = {k: form.get(f"quota_{k}") for k in ("percent", "exceptional_percent") if f"quota_{k}" in form}
        try:
            with uow.unit_of_work(db.session):
                rule_service.edit_version(db.session, pk, current_actor(), criteria, groups, bands, quota)
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._version_page(rule_service.get_version(db.session, pk), form, exc, exc.http_status)
        flash("Đã lưu bộ tiêu chí.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/new", methods=["POST"])
    @has_access
    def new_version(self, pk):
        try:
            with uow.unit_of_work(db.session):
                new = rule_service.new_version_from(db.session, pk, request.form.get("effective_from", ""), current_actor())
                new_id = new.id
        except OutOfReach:
            abort(404)
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._version_page(rule_service.get_version(db.session, pk), request.form, exc, exc.http_status)
        flash("Đã tạo phiên bản mới của bộ tiêu chí.", "success")
        return redirect(url_for(".show", pk=new_id))


__all__ = ["PeriodsView", "RuleSetsView"]
