"""“Vai trò và quyền”: each role, how one comes to hold it, what it may do and how many hold it.

Read-only, for the district admin; it replaces FAB's screens of raw permission strings, menus and
views. What it lists is read from the role rows in the database (what sign-in really checks),
described with the Vietnamese labels of ``security.permissions``.
"""
from __future__ import annotations

from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from sqlalchemy import func, select

from app.domain.root import current as root
from app.domain.roles import ADMIN, SECURITY_ROLES, role_label, role_source, scope_label
from app.extensions import db
from app.models import Staff
from app.security.permissions import describe


class RolesView(BaseView):
    route_base = "/roles-overview"
    class_permission_name = "RolesOverview"
    method_permission_name = {"index": "list"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        session = db.session
        by_name = {r.name: r for r in session.scalars(select(Role))}
        holders = dict(
            session.execute(
                select(assoc_user_role.c.role_id, func.count(Staff.id))
                .join(Staff, Staff.id == assoc_user_role.c.user_id)
                .where(Staff.active.is_(True))
                .group_by(assoc_user_role.c.role_id)
            ).all()
        )
        roles = []
        for spec in SECURITY_ROLES:
            row = by_name.get(spec.name)
            pairs = {(pv.permission.name, pv.view_menu.name) for pv in row.permissions} if row is not None else set()
            roles.append({
                "label": role_label(spec.name),
                "scope": scope_label(spec.scope),
                "source": role_source(spec.name),
                "holders": holders.get(row.id, 0) if row is not None else 0,
                "grants": describe(pairs),
                "all": spec.name == ADMIN,
            })
        return self.render_template("roles/index.html", roles=roles, root=root())
