"""“Gộp đơn vị”: merge a unit into another (district and block admins, units in their reach)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain.dates import fmt_datetime
from app.domain.errors import DomainError
from app.extensions import db
from app.models import OrgUnit
from app.security.scope import current_actor, org_clause
from app.services import transfers, uow
from flask_login import current_user


class UnitMergeView(BaseView):
    route_base = "/unit-merge"
    class_permission_name = "UnitMerge"
    method_permission_name = {"index": "list", "merge": "merge"}
    default_view = "index"

    def _units(self):
        from app.services.org import managed_units

        return managed_units(db.session, current_actor())

    def _merged(self):
        actor = current_actor()
        return db.session.scalars(
            select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.merged_into_id.isnot(None),
                                  org_clause(actor, "unit", manage=True)).order_by(OrgUnit.merged_at.desc())
        ).all()

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("rollout/merge.html", units=self._units(), merged=self._merged(), fmt_datetime=fmt_datetime,
                                    chosen=request.args.get("source", type=int))

    @expose("/merge", methods=["POST"])
    @has_access
    def merge(self):
        source, target = request.form.get("source"), request.form.get("target")
        try:
            with uow.unit_of_work(db.session):
                done = transfers.merge_units(db.session, source, target, current_actor(), current_user._get_current_object())
        except DomainError as exc:
            flash(exc.message, "danger")
            return self.render_template("rollout/merge.html", units=self._units(), merged=self._merged(), fmt_datetime=fmt_datetime,
                                        chosen=request.form.get("source", type=int)), exc.http_status
        flash(f"Đã gộp “{done['source']}” vào “{done['target']}”: {done['people']} người chuyển sang, "
              f"{done['sheets']} phiếu của kỳ đang mở đi theo người. Kết quả các kỳ trước vẫn ghi đơn vị cũ.", "success")
        return redirect(url_for(".index"))
