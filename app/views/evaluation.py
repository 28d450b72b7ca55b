"""The monthly evaluation on screen: the sheet page, its print view, my inbox and history, the review list.

Views only read the form and call the services (``services.evaluation.sheets`` — one call per transition —
and ``inbox``); what may be done, and whether the input is good, is the services' answer. A refusal
(``DomainError``) shows the page again with what was typed and the Vietnamese message by the field, and
changes nothing (the unit of work rolled back). Which sheet a person may see is decided by the services
from ids: a sheet out of reach is 404 whatever the URL.

Permissions: ``Sheet`` (``can_show`` the page and the print view, ``can_edit`` the actions, ``can_list``
my inbox and history) is held by everybody through ``staff``; ``SheetReview`` (``can_list``) by the
admins, leaders, department heads and synthesis: the rows are still those of ``sheet_clause``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain.dates import fmt_date, fmt_datetime
from app.domain.errors import DomainError, OutOfReach, ValidationError
from app.domain.evaluation import periods as P
from app.domain.evaluation import rules as R
from app.domain.evaluation import workflow as wf
from app.extensions import db
from app.models import OrgUnit, Period
from app.security.scope import current_actor, org_clause
from app.services import uow
from app.services.evaluation import concurrency
from app.services.evaluation import inbox as queries
from app.services.evaluation import sheets as service

STALE_FLASH = concurrency.STALE_MESSAGE  # "Phiếu đã được người khác thay đổi, hãy tải lại"

BUTTONS = {  # action → (label, css class)
    wf.SAVE_SELF: ("Lưu nháp", "btn-default"),
    wf.SUBMIT: ("Gửi phiếu", "btn-primary"),
    wf.RECALL: ("Thu hồi", "btn-warning"),
    wf.SAVE_COMMENT: ("Lưu nhận xét", "btn-default"),
    wf.COMMENT: ("Nhận xét và chuyển lãnh đạo đánh giá", "btn-primary"),
    wf.RETURN: ("Trả lại", "btn-warning"),
    wf.SAVE_FINAL: ("Lưu điểm đánh giá", "btn-default"),
    wf.FINALISE: ("Hoàn thành đánh giá, xếp loại", "btn-success"),
    wf.REOPEN: ("Mở lại phiếu", "btn-danger"),
    wf.REASSIGN: ("Giao lại người nhận xét, đánh giá", "btn-default"),
}
DONE = {
    wf.SAVE_SELF: "Đã lưu nháp phiếu tự đánh giá.",
    wf.SUBMIT: "Đã gửi phiếu.",
    wf.RECALL: "Đã thu hồi phiếu.",
    wf.SAVE_COMMENT: "Đã lưu nhận xét.",
    wf.COMMENT: "Đã nhận xét và chuyển phiếu.",
    wf.RETURN: "Đã trả lại phiếu.",
    wf.SAVE_FINAL: "Đã lưu điểm đánh giá.",
    wf.FINALISE: "Đã hoàn thành đánh giá, xếp loại.",
    wf.REOPEN: "Đã mở lại phiếu.",
    wf.REASSIGN: "Đã giao lại người nhận xét, người đánh giá.",
}
UNKNOWN_ACTION = "Thao tác không hợp lệ."
SELF_ACTIONS = {wf.SAVE_SELF, wf.SUBMIT}
FINAL_ACTIONS = {wf.SAVE_FINAL, wf.FINALISE}


# -- template filters ------------------------------------------------------------------------------------
def points(value: Any) -> str:
    """Points as Vietnamese read them: 2,5 · 90 · 89,75 (blank for none)."""
    if value is None or value == "":
        return ""
    d = Decimal(value).quantize(Decimal("0.01"))
    text = f"{d:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def install_filters(app) -> None:
    app.add_template_filter(fmt_date, "vn_date")
    app.add_template_filter(fmt_datetime, "vn_datetime")
    app.add_template_filter(points, "points")


# -- the form --------------------------------------------------------------------------------------------
def _form_scores(form, prefix: str, note_prefix: str) -> Any:
    """The typed scores as the service's ``[{criterion_id, points, note}]``; a row left blank is left out.

    Criterion ids come from the inputs' names; the service refuses one that is not the sheet's. A form
    without score inputs gives ``UNSET``: the service takes what was saved.
    """
    ids = sorted({name[len(prefix):] for name in form if name.startswith(prefix)}
                 | {name[len(note_prefix):] for name in form if name.startswith(note_prefix)})
    if not ids:
        return service.UNSET
    out = []
    for cid in ids:
        pts = (form.get(f"{prefix}{cid}") or "").strip()
        note = form.get(f"{note_prefix}{cid}") or ""
        if pts or note.strip():
            out.append({"criterion_id": cid, "points": pts or None, "note": note})
    return out


def _field_of(field: Optional[str], action: str) -> Optional[str]:
    """The form input a service error names: ``scores.<id>`` → ``self_<id>``/``final_<id>``."""
    if not field:
        return None
    if field.startswith("scores."):
        key = field.split(".", 1)[1]
        return f"{'final' if action in FINAL_ACTIONS else 'self'}_{key}"
    if field.startswith("fails."):
        return "fail_" + field.split(".", 1)[1]
    return field


def _errors_of(exc: DomainError, action: str) -> dict[str, list[str]]:
    problems = (exc.detail or {}).get("problems") or [{"field": exc.field, "message": exc.message}]
    out: dict[str, list[str]] = {}
    for p in problems:
        name = _field_of(p.get("field"), action) or "_top"
        out.setdefault(name, []).append(p["message"])
    return out


def _optional(form, name: str) -> Any:
    """A select's value: absent → not given (``UNSET``); the empty choice → None (the service checks it)."""
    if name not in form:
        return service.UNSET
    value = form.get(name, "").strip()
    return value or None


def run_action(session, sheet_id: int, actor, action: str, form) -> None:
    """One service call for the button pressed, with the form's values."""
    version = form.get("version")
    if action == wf.SAVE_SELF:
        scores = _form_scores(form, "self_", "note_")
        service.save_self(session, sheet_id, actor, version, [] if scores is service.UNSET else scores, form.get("worked_days"))
    elif action == wf.SUBMIT:
        worked = form.get("worked_days") if "worked_days" in form else service.UNSET
        service.submit(session, sheet_id, actor, version, _form_scores(form, "self_", "note_"), worked)
    elif action == wf.RECALL:
        service.recall(session, sheet_id, actor, version)
    elif action == wf.SAVE_COMMENT:
        service.save_comment(session, sheet_id, actor, version, form.get("text", ""))
    elif action == wf.COMMENT:
        service.comment(session, sheet_id, actor, version, form.get("text", ""))
    elif action == wf.RETURN:
        service.return_sheet(session, sheet_id, actor, version, form.get("reason", ""))
    elif action in FINAL_ACTIONS:
        scores = _form_scores(form, "final_", "fnote_")
        fails = ({"reason": form.get("fail_reason", ""), "reference": form.get("fail_reference", "")}
                 if form.get("fails") else None)
        worked = form.get("worked_days") if "worked_days" in form else service.UNSET
        if action == wf.SAVE_FINAL:
            service.save_final(session, sheet_id, actor, version, scores, worked, fails)
        else:
            service.finalise(session, sheet_id, actor, version, scores, grade=form.get("grade") or None,
                             grade_reason=form.get("grade_reason", ""), quota_reason=form.get("quota_reason", ""),
                             fails=fails, worked_days=worked)
    elif action == wf.REOPEN:
        service.reopen(session, sheet_id, actor, version, form.get("reason", ""))
    elif action == wf.REASSIGN:
        service.reassign(session, sheet_id, actor, version, commenter_id=_optional(form, "commenter_id"),
                         evaluator_id=_optional(form, "evaluator_id"), reason=form.get("reason", ""))
    else:
        raise ValidationError("bad_action", UNKNOWN_ACTION, "action")


def grouped(v: service.SheetView) -> list[tuple[R.CriterionGroup, list]]:
    """The criteria by group, each with its stored score row (or None)."""
    scores = v.scores
    return [(g, [(c, scores.get(c.id)) for c in g.criteria]) for g in v.rule.groups]


class SheetView(BaseView):
    """``/sheet/<id>`` the sheet page (and its actions), ``/sheet/<id>/print``, ``/sheet/inbox``, ``/sheet/history``."""

    route_base = "/sheet"
    class_permission_name = "Sheet"
    default_view = "inbox"
    method_permission_name = {"show": "show", "print_view": "show", "act": "edit", "inbox": "list", "history": "list"}

    # -- the sheet page ------------------------------------------------------------------------------
    @expose("/<int:pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        actor = current_actor()
        try:
            with uow.unit_of_work(db.session):
                v = service.open_sheet(db.session, pk, actor)
                # rendered before the commit, which would expire what was just loaded (5 more statements)
                return self._page(v)
        except OutOfReach:
            abort(404)

    @expose("/<int:pk>", methods=["POST"])
    @has_access
    def act(self, pk):
        actor = current_actor()
        action = request.form.get("action", "")
        try:
            with uow.unit_of_work(db.session):
                run_action(db.session, pk, actor, action, request.form)
        except OutOfReach:
            abort(404)
        except DomainError as exc:
            if exc.code == concurrency.STALE_CODE:
                flash(STALE_FLASH, "danger")
            try:
                v = service.sheet_view(db.session, pk, actor)
            except OutOfReach:
                abort(404)
            errors = _errors_of(exc, action)
            if exc.code != concurrency.STALE_CODE:
                flash(exc.message, "danger")
            return self._page(v, typed=request.form, errors=errors, failed=action, code=exc.code), exc.http_status
        flash(DONE.get(action, "Đã lưu."), "success")
        return redirect(url_for(".show", pk=pk))

    def _page(self, v: service.SheetView, typed=None, errors=None, failed: str = "", code: str = ""):
        session = db.session
        actor = current_actor()
        people = None
        if wf.REASSIGN in v.actions:
            people = queries.assignable_people(session, actor, v.sheet.unit_id)
        return self.render_template(
            "evaluation/sheet.html", v=v, s=v.sheet, groups=grouped(v), typed=typed, errors=errors or {},
            failed=failed, buttons=BUTTONS, wf=wf, R=R, step_labels=P.STEP_LABELS, people=people,
            can=set(v.actions), error_code=code,
        )

    # -- print ---------------------------------------------------------------------------------------
    @expose("/<int:pk>/print")
    @has_access
    def print_view(self, pk):
        try:
            with uow.unit_of_work(db.session):  # a refusal's audit row is kept
                v = service.sheet_view(db.session, pk, current_actor())
                return self.render_template("evaluation/print.html", v=v, s=v.sheet, groups=grouped(v), R=R, wf=wf)
        except OutOfReach:
            abort(404)

    # -- my lists ------------------------------------------------------------------------------------
    @expose("/inbox")
    @has_access
    def inbox(self):
        actor = current_actor()
        page, size = _paging()
        box = queries.inbox(db.session, actor, page, size)
        return self.render_template("evaluation/inbox.html", box=box, pages=_pages(box.total, size), page=page)

    @expose("/history")
    @has_access
    def history(self):
        actor = current_actor()
        page, size = _paging()
        items, total = queries.history(db.session, actor.id, page, size) if actor.id is not None else ([], 0)
        return self.render_template("evaluation/history.html", items=items, total=total, pages=_pages(total, size), page=page)


def _paging() -> tuple[int, int]:
    try:
        return queries.paging(request.args.get("page"), request.args.get("page_size"))
    except DomainError as exc:
        flash(exc.message, "danger")
        abort(400)


def _pages(total: int, size: int) -> int:
    return max((total + size - 1) // size, 1)


class SheetReviewView(BaseView):
    """``/sheet-review/``: the sheets of a period that the person may see (filters, paging, folded name search)."""

    route_base = "/sheet-review"
    class_permission_name = "SheetReview"
    default_view = "list"
    method_permission_name = {"list": "list"}

    @expose("/")
    @has_access
    def list(self):
        session = db.session
        actor = current_actor()
        periods = session.scalars(select(Period).order_by(Period.first_day.desc(), Period.id.desc())).all()
        args = request.args
        page, size = _paging()
        chosen = None
        key = (args.get("period") or "").strip()
        if key:
            chosen = next((p for p in periods if p.key == key), None)
            if chosen is None:
                flash(f"Không tìm thấy kỳ đánh giá “{key}”.", "danger")
                abort(404)
        elif periods:
            chosen = next((p for p in periods if p.state == Period.OPEN), periods[0])
        state = args.get("state") or None
        if state is not None and state not in wf.STATES:
            flash(f"Trạng thái “{state}” không hợp lệ.", "danger")
            abort(400)
        name = (args.get("q") or "").strip()[:100]
        units = session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "unit", org_clause(actor, "unit")).order_by(OrgUnit.name_key)
        ).all()
        unit_id = None
        if args.get("unit"):
            unit_id = next((u.id for u in units if str(u.id) == args["unit"].strip()), None)
            if unit_id is None:  # not a number, or not a unit within reach
                flash("Không tìm thấy đơn vị này trong phạm vi của bạn.", "danger")
                abort(404)
        result = queries.review_list(session, actor, chosen, unit_id, state, page, size, name=name) if chosen else None
        return self.render_template(
            "evaluation/review.html", periods=periods, chosen=chosen, units=units, unit_id=unit_id, state=state, q=name,
            result=result, page=page, size=size, pages=_pages(result.total if result else 0, size), wf=wf,
        )


__all__ = ["SheetView", "SheetReviewView", "install_filters", "points", "run_action"]
