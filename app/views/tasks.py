"""Screens of work plans and tasks (issue 9): my plan (week and period), add/edit, progress and evidence,
plan approval, the leader's follow-up, the task breakdown of a sheet, the product catalogue.

Views hold no rules: every change is one ``services.tasks`` call in one unit of work; a refusal is
flashed (Vietnamese, naming the field) and nothing changes. Evidence is always sent as an attachment
with ``nosniff`` and a name made from its sniffed type (never the name a person gave, as is).
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain import tasks as T
from app.domain.dates import fmt_date, fmt_datetime
from app.domain.errors import DomainError, OutOfReach
from app.domain.evaluation.scoring import fmt_points
from app.extensions import db
from app.security.scope import current_actor
from app.services import clock
from app.services import tasks as service
from app.services.uow import abort, unit_of_work

FIELD_LABELS = {
    "title": "Tên nhiệm vụ", "description": "Mô tả", "expected_product": "Sản phẩm dự kiến",
    "product_type_id": "Loại sản phẩm", "quantity": "Số lượng", "deadline": "Thời hạn", "document_ref": "Số văn bản",
    "notes": "Ghi chú", "assigned_kind": "Nguồn giao", "status": "Trạng thái", "to": "Sang kỳ",
}
CHANGE_LABELS = {"add": "Thêm nhiệm vụ", "edit": "Sửa nhiệm vụ", "cancel": "Hủy nhiệm vụ", "delay": "Gia hạn",
                 "carry": "Chuyển kỳ sau"}


def attachment(got: service.Download) -> Response:
    """A file as a download, never shown inline, never sniffed by the browser."""
    resp = Response(got.data, mimetype=got.content_type)
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in got.filename)
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(got.filename)}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _change_text(change) -> str:
    import json

    try:
        detail = json.loads(change.detail or "{}")
    except ValueError:
        detail = {}
    parts = []
    for key, pair in detail.items():
        if isinstance(pair, list) and len(pair) == 2:
            before, after = pair
            label = FIELD_LABELS.get(key, key)
            parts.append(f"{label}: {before if before is not None else '—'} → {after}" if before is not None
                         else f"{label}: {after}")
    return "; ".join(parts)


def _helpers() -> dict:
    return {"fmt_date": fmt_date, "fmt_datetime": fmt_datetime, "fmt_points": fmt_points, "T": T,
            "change_text": _change_text, "change_labels": CHANGE_LABELS, "kind_labels": service.KIND_LABELS}


def _period_arg(periods):
    key = (request.values.get("period") or "").strip()
    if key:
        return key
    return periods[0].key if periods else ""


class TaskView(BaseView):
    """My plan, other people's plans (for their leaders), the follow-up and the breakdown of a sheet."""

    route_base = "/tasks"
    class_permission_name = "Tasks"
    default_view = "index"
    method_permission_name = {
        "index": "read", "person": "read", "followup": "read", "approvals": "read", "breakdown": "read",
        "evidence_file": "read", "edit": "read",
        "add": "write", "save": "write", "progress": "write", "evidence": "write", "status": "write", "delay": "write",
        "rate": "write", "carry": "write", "plan": "write", "leader_rate": "write", "import_tasks": "write",
    }

    # -- helpers -------------------------------------------------------------------------------------
    def _back(self, default: str = ""):
        target = request.form.get("next") or ""
        if target.startswith("/tasks/") and "//" not in target and "\\" not in target:
            return redirect(target)
        return redirect(default or url_for(".index"))

    def _do(self, fn, *args, ok: str = "", **kwargs):
        try:
            with unit_of_work(db.session):
                result = fn(db.session, current_actor(), *args, **kwargs)
        except DomainError as exc:
            label = FIELD_LABELS.get(exc.field or "", "")
            flash(f"{label}: {exc.message}" if label and not exc.message.startswith(label) else exc.message, "danger")
            for p in (exc.detail or {}).get("problems", [])[:20]:
                flash(f"Dòng {p.get('row')}, cột “{p.get('column')}”: {p.get('message')}", "danger")
            return None, exc
        if ok:
            flash(ok, "success")
        return result, None

    def _plan_page(self, person_id, template="tasks/plan.html"):
        actor = current_actor()
        periods = service.open_periods(db.session)
        key = _period_arg(periods)
        mode = request.args.get("view") if request.args.get("view") in ("week", "period") else "period"
        week = None
        if mode == "week":
            try:
                week = T.parse_date(request.args.get("week")) or clock.today()
            except DomainError:
                week = clock.today()
        if not key:
            return self.render_template("tasks/plan.html", view=None, periods=periods, mode=mode, week=week, **_helpers())
        try:
            v = service.plan_view(db.session, actor, person_id, key, week=week)
        except DomainError as exc:
            abort(db.session, exc)  # keeps the refusal's audit row
            if isinstance(exc, OutOfReach):
                return self.render_template("tasks/plan.html", view=None, periods=periods, mode=mode, week=week,
                                            missing=exc.message, **_helpers()), 404
            raise
        prev_week = next_week = None
        if week is not None:
            monday = week - dt.timedelta(days=week.weekday())
            prev_week, next_week = monday - dt.timedelta(days=7), monday + dt.timedelta(days=7)
        return self.render_template(template, view=v, periods=periods, mode=mode, week=week, prev_week=prev_week,
                                    next_week=next_week, later_periods=[p for p in periods if p.first_day > v.period.last_day],
                                    **_helpers())

    # -- pages ---------------------------------------------------------------------------------------
    @expose("/")
    @has_access
    def index(self):
        return self._plan_page(current_actor().id)

    @expose("/person/<int:pk>")
    @has_access
    def person(self, pk: int):
        return self._plan_page(pk)

    @expose("/edit/<int:pk>")
    @has_access
    def edit(self, pk: int):
        try:
            c = service.load_task(db.session, current_actor(), pk)
        except OutOfReach as exc:
            abort(db.session, exc)
            return self.render_template("tasks/plan.html", view=None, periods=[], mode="period", week=None,
                                        missing=exc.message, **_helpers()), 404
        items = service.catalogue(db.session, c.person.unit_id, active_only=True) if c.person.unit_id else []
        return self.render_template("tasks/edit.html", c=c, catalogue=items, may_edit=service.can_edit(current_actor(), c.place),
                                    **_helpers())

    @expose("/followup")
    @has_access
    def followup(self):
        actor = current_actor()
        periods = service.open_periods(db.session)
        key = _period_arg(periods)
        kind = request.args.get("kind") if request.args.get("kind") in service.KIND_LABELS else ""
        v = None
        if key:
            try:
                v = service.follow_up(db.session, actor, key, kind, request.args.get("person") or None,
                                      (request.args.get("q") or "")[:200])
            except DomainError as exc:
                flash(exc.message, "danger")
                v = service.follow_up(db.session, actor, key, kind) if not isinstance(exc, OutOfReach) else None
        return self.render_template("tasks/followup.html", v=v, periods=periods, period=key, kind=kind,
                                    person=request.args.get("person") or "", q=request.args.get("q") or "", **_helpers())

    @expose("/approvals")
    @has_access
    def approvals(self):
        plans = service.waiting_plans(db.session, current_actor())
        return self.render_template("tasks/approvals.html", plans=plans, **_helpers())

    @expose("/sheet/<int:pk>/breakdown")
    @has_access
    def breakdown(self, pk: int):
        try:
            st = service.sheet_tasks(db.session, current_actor(), pk)
        except OutOfReach as exc:
            abort(db.session, exc)
            return self.render_template("tasks/breakdown.html", st=None, missing=exc.message, **_helpers()), 404
        return self.render_template("tasks/breakdown.html", st=st, **_helpers())

    @expose("/evidence/file/<int:pk>")
    @has_access
    def evidence_file(self, pk: int):
        try:
            with unit_of_work(db.session):
                got = service.download_evidence(db.session, current_actor(), pk)
        except OutOfReach as exc:
            return self.render_template("tasks/plan.html", view=None, periods=[], mode="period", week=None,
                                        missing=exc.message, **_helpers()), 404
        return attachment(got)

    # -- changes -------------------------------------------------------------------------------------
    @expose("/add", methods=["POST"])
    @has_access
    def add(self):
        f = request.form
        data = {k: f.get(k) for k in ("title", "description", "expected_product", "product_type_id", "quantity",
                                      "deadline", "assigned_kind", "document_ref", "notes") if k in f}
        self._do(service.create_task, f.get("period"), data, person_id=f.get("person_id") or None,
                 change_reason=f.get("change_reason"), ok="Đã thêm nhiệm vụ.")
        return self._back()

    @expose("/save/<int:pk>", methods=["POST"])
    @has_access
    def save(self, pk: int):
        f = request.form
        data = {k: f.get(k) for k in ("title", "description", "expected_product", "product_type_id", "quantity",
                                      "deadline", "document_ref", "notes") if k in f}
        _, err = self._do(service.update_task, pk, data, f.get("change_reason"), ok="Đã lưu nhiệm vụ.")
        return self._back(url_for(".edit", pk=pk))

    @expose("/progress/<int:pk>", methods=["POST"])
    @has_access
    def progress(self, pk: int):
        f = request.form
        self._do(service.update_progress, pk, f.get("progress"), f.get("notes"), f.get("quantity_done") or None,
                 ok="Đã cập nhật tiến độ.")
        return self._back()

    @expose("/evidence/<int:pk>", methods=["POST"])
    @has_access
    def evidence(self, pk: int):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Tệp minh chứng: cần chọn một tệp.", "danger")
            return self._back()
        data = upload.read()
        self._do(service.attach_evidence, pk, data, upload.filename, ok="Đã đính kèm minh chứng.")
        return self._back()

    @expose("/status/<int:pk>", methods=["POST"])
    @has_access
    def status(self, pk: int):
        action = request.form.get("action") or ""
        if action not in (T.START, T.FINISH, T.REOPEN, T.CANCEL):
            flash("Thao tác không hợp lệ.", "danger")
            return self._back()
        self._do(service.change_status, pk, action, request.form.get("reason"), ok="Đã cập nhật trạng thái.")
        return self._back()

    @expose("/delay/<int:pk>", methods=["POST"])
    @has_access
    def delay(self, pk: int):
        self._do(service.delay_task, pk, request.form.get("deadline"), request.form.get("reason"), ok="Đã gia hạn.")
        return self._back()

    @expose("/rate/<int:pk>", methods=["POST"])
    @has_access
    def rate(self, pk: int):
        f = request.form
        passed = {"pass": True, "fail": False}.get(f.get("quality") or "")
        exempt = {"yes": True, "no": False}.get(f.get("exempt") or "")
        exceeded = {"yes": True, "no": False}.get(f.get("exceeded") or "")
        self._do(service.rate_task, pk, passed=passed, note=f.get("note"), exempt=exempt,
                 exempt_reason=f.get("exempt_reason"), exceeded=exceeded, ok="Đã ghi đánh giá.")
        return self._back()

    @expose("/carry/<int:pk>", methods=["POST"])
    @has_access
    def carry(self, pk: int):
        f = request.form
        self._do(service.carry_over, pk, f.get("to_period"), f.get("reason"), ok="Đã chuyển nhiệm vụ sang kỳ sau.")
        return self._back()

    @expose("/plan/<int:pk>", methods=["POST"])
    @has_access
    def plan(self, pk: int):
        f = request.form
        action = f.get("action") or ""
        if action not in (T.SUBMIT, T.APPROVE, T.RETURN):
            flash("Thao tác không hợp lệ.", "danger")
            return self._back()
        labels = {T.SUBMIT: "Đã gửi kế hoạch để phê duyệt.", T.APPROVE: "Đã phê duyệt kế hoạch.", T.RETURN: "Đã trả lại kế hoạch."}
        self._do(service.plan_action, pk, f.get("period"), action, f.get("reason"), ok=labels[action])
        return self._back()

    @expose("/leader-rate/<int:pk>", methods=["POST"])
    @has_access
    def leader_rate(self, pk: int):
        f = request.form
        self._do(service.rate_leader, pk, f.get("period"), f.get("dd"), f.get("e"), ok="Đã chấm đ, e.")
        return self._back()

    @expose("/import", methods=["POST"])
    @has_access
    def import_tasks(self):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Tệp Excel: cần chọn một tệp.", "danger")
            return self._back(url_for(".followup"))
        result, err = self._do(service.import_tasks, request.form.get("period"), upload.stream)
        if result is not None:
            flash(f"Đã nhập {result.created} nhiệm vụ.", "success")
        return self._back(url_for(".followup"))


class TaskCatalogueView(BaseView):
    """The unit's product catalogue (quy đổi): unit, block and district admins in scope."""

    route_base = "/task-catalogue"
    class_permission_name = "TaskCatalogue"
    default_view = "index"
    method_permission_name = {"index": "read", "save": "manage", "delete": "manage", "import_xlsx": "manage"}

    def _units(self):
        from sqlalchemy import select

        from app.models import OrgUnit
        from app.security.scope import org_clause

        return list(db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "unit", org_clause(current_actor(), "unit", manage=True))
                                       .order_by(OrgUnit.name_key).limit(2000)))

    def _unit_id(self, units):
        wanted = service.as_id(request.values.get("unit_id"))
        ids = {u.id for u in units}
        if wanted in ids:
            return wanted
        return units[0].id if units else None

    @expose("/")
    @has_access
    def index(self):
        units = self._units()
        unit_id = self._unit_id(units)
        items = service.catalogue(db.session, unit_id) if unit_id else []
        return self.render_template("tasks/catalogue.html", units=units, unit_id=unit_id, items=items,
                                    columns=service.CATALOGUE_COLUMNS, **_helpers())

    def _done(self, fn, *args, ok=""):
        try:
            with unit_of_work(db.session):
                result = fn(db.session, current_actor(), *args)
        except DomainError as exc:
            flash(exc.message, "danger")
            for p in (exc.detail or {}).get("problems", [])[:20]:
                flash(f"Dòng {p.get('row')}, cột “{p.get('column')}”: {p.get('message')}", "danger")
            return None
        if ok:
            flash(ok, "success")
        return result

    def _back(self, unit_id):
        uid = service.as_id(unit_id)
        return redirect(url_for(".index", unit_id=uid) if uid else url_for(".index"))

    @expose("/save", methods=["POST"])
    @has_access
    def save(self):
        f = request.form
        self._done(service.save_product, f.get("unit_id"), f.get("code"), f.get("name"), f.get("coefficient"),
                   f.get("norms"), f.get("product_id") or None, ok="Đã lưu loại sản phẩm.")
        return self._back(f.get("unit_id"))

    @expose("/delete/<int:pk>", methods=["POST"])
    @has_access
    def delete(self, pk: int):
        self._done(service.delete_product, pk, ok="Đã xóa (hoặc ngừng dùng, nếu đã có nhiệm vụ dùng) loại sản phẩm.")
        return self._back(request.form.get("unit_id"))

    @expose("/import", methods=["POST"])
    @has_access
    def import_xlsx(self):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Tệp Excel: cần chọn một tệp.", "danger")
            return self._back(request.form.get("unit_id"))
        result = self._done(service.import_catalogue, request.form.get("unit_id"), upload.stream)
        if result is not None:
            flash(f"Đã nhập danh mục: {result.created} loại mới, {result.updated} loại cập nhật.", "success")
        return self._back(request.form.get("unit_id"))
