"""Turn the role table into FAB's role rows: idempotent, run by ``flask setup``."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import PermissionView, Role

from app.domain.roles import ADMIN, SECURITY_ROLES
from app.security.permissions import PUBLIC_GRANTS, WITHHELD, grants_for


def sync_roles(appbuilder) -> dict[str, int]:
    """Create every permission FAB knows about, then make each role hold exactly its grants.

    Returns role name → number of permissions held.
    """
    sm = appbuilder.sm
    session = sm.session
    # Roles first: FAB hands every new permission to the Admin role and fails without it.
    roles = {}
    for name in [spec.name for spec in SECURITY_ROLES] + [sm.auth_role_public]:
        role = session.query(Role).filter(Role.name == name).one_or_none()
        if role is None:
            role = Role(name=name)
            session.add(role)
        roles[name] = role
    session.commit()
    appbuilder.add_permissions(update_perms=True)
    all_pvs = session.query(PermissionView).all()
    by_pair = {(pv.permission.name, pv.view_menu.name): pv for pv in all_pvs}
    counts: dict[str, int] = {}
    for spec in SECURITY_ROLES:
        role = roles[spec.name]
        if spec.name == ADMIN:
            wanted = [pv for pv in all_pvs if (pv.permission.name, pv.view_menu.name) not in WITHHELD]
        else:
            wanted = [by_pair[p] for p in sorted(grants_for(spec.name)) if p in by_pair]
        role.permissions = wanted
        counts[spec.name] = len(wanted)
    public = roles[sm.auth_role_public]
    public.permissions = [by_pair[p] for p in sorted(PUBLIC_GRANTS) if p in by_pair]
    session.commit()
    return counts


def missing_grants() -> dict[str, list[tuple[str, str]]]:
    """Declared grants with no matching FAB permission (a typo in the table, or a removed view)."""
    from flask import current_app

    session = current_app.appbuilder.sm.session
    existing = {(pv.permission.name, pv.view_menu.name) for pv in session.query(PermissionView).all()}
    out = {}
    for spec in SECURITY_ROLES:
        if spec.name == ADMIN:
            continue
        missing = sorted(p for p in grants_for(spec.name) if p not in existing)
        if missing:
            out[spec.name] = missing
    return out
