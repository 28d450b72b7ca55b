"""Role × endpoint × foreign unit: nobody reaches data outside their scope, through any route.

The endpoints come from the app's own URL map and the actors from the role table, so a view added
later is covered without anyone remembering to add it here.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.domain.roles import SECURITY_ROLES
from app.domain.text import fold

OWN_UNIT = "UBND phường Cống Vị"
SAME_BLOCK_UNIT = "UBND phường Kim Mã"
OTHER_BLOCK_UNIT = "Trường Tiểu học Kim Đồng"
OWN_BLOCK = "Khối xã, phường"

# Every non-district role, signed in, against units outside its reach.
ACTORS = [(r.name, OWN_BLOCK if r.name == "block_admin" else OWN_UNIT) for r in SECURITY_ROLES if r.name != "Admin"]
CASES = [(kind, home, OTHER_BLOCK_UNIT) for kind, home in ACTORS] + [
    (kind, home, SAME_BLOCK_UNIT) for kind, home in ACTORS if kind != "block_admin"
] + [("anonymous", None, OTHER_BLOCK_UNIT)]

# Routes that are not data: sign-in, language, static files, the menu.
SKIP_ENDPOINTS = re.compile(r"^(static|appbuilder\.static|AuthDBView\.|LocaleView\.|UtilView\.|SecurityApi\.|MenuApi\.|HomeView\.)")


def _foreign(app, unit_name):
    """Ids and unique markers of rows in a foreign unit."""
    from app.extensions import db
    from app.models import AuditEvent, OrgUnit, Staff
    from app.services import audit

    with app.app_context():
        s = db.session
        unit = s.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(unit_name)))
        person = s.scalar(select(Staff).where(Staff.unit_id == unit.id).order_by(Staff.id))
        dept = s.scalar(select(OrgUnit).where(OrgUnit.kind == "department", OrgUnit.unit_id == unit.id))
        marker = f"MARKER-{unit.id}-audit"
        event = audit.record(s, "user_updated", target=marker, unit_id=unit.id)
        s.commit()
        return {
            "unit_id": unit.id,
            "unit_name": unit.name,
            "block_id": unit.block_id,
            "block_name": unit.block.name,
            "person_id": person.id,
            "person_username": person.username,
            "dept_id": dept.id if dept else unit.id,
            "audit_id": event.id,
            "audit_marker": marker,
        }


def _pk_for(endpoint: str, f: dict):
    view = endpoint.split(".")[0]
    return {
        "StaffView": f["person_id"],
        "StaffApi": f["person_id"],
        "UserDBModelView": f["person_id"],
        "UnitView": f["unit_id"],
        "OrgApi": f["unit_id"],
        "BlockView": f["block_id"],
        "DepartmentView": f["dept_id"],
        "AuditLogView": f["audit_id"],
    }.get(view, 1)


def _markers(endpoint: str, f: dict) -> list[str]:
    view = endpoint.split(".")[0]
    if view in ("StaffView", "StaffApi", "UserDBModelView"):
        return [f["person_username"]]
    if view in ("UnitView", "OrgApi", "DepartmentView"):
        return [f["unit_name"]]
    if view == "BlockView":
        return [f["block_name"]]
    if view == "AuditLogView":
        return [f["audit_marker"]]
    return [f["person_username"], f["audit_marker"]]


def _fingerprint(app, f):
    from app.extensions import db
    from app.models import AuditEvent, OrgUnit, Staff

    with app.app_context():
        s = db.session
        person = s.get(Staff, f["person_id"])
        unit = s.get(OrgUnit, f["unit_id"])
        return (
            s.scalar(select(func.count(Staff.id))),
            s.scalar(select(func.count(OrgUnit.id))),
            s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.target_label == f["audit_marker"])),
            (person.full_name, person.unit_id, person.active, person.password, sorted(r.name for r in person.roles)),
            (unit.name, unit.parent_id),
        )


def _routes(app):
    for rule in app.url_map.iter_rules():
        if SKIP_ENDPOINTS.match(rule.endpoint):
            continue
        yield rule


def _url(app, rule, f):
    view_cls = rule.endpoint.split(".")[0]
    values = {}
    for arg in rule.arguments:
        if arg == "pk":
            values["pk"] = _pk_for(rule.endpoint, f)
        elif arg == "name":
            values["name"] = "__all__"  # replaced per action below
        elif arg == "filename":
            values["filename"] = "x.txt"
        elif arg == "group_by":
            values["group_by"] = "0"
        else:
            values[arg] = "1"
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **values)
    if rule.endpoint.endswith(".list"):
        url += f"?psize_{view_cls}=10000"
    if rule.endpoint.endswith("Api.get_list"):
        url += "?q=(page_size:500)"
    return url


def _action_names(app, endpoint):
    view_cls = endpoint.split(".")[0]
    for view in app.appbuilder.baseviews:
        if view.__class__.__name__ == view_cls:
            return list(getattr(view, "actions", {}).keys()) or ["none"]
    return ["none"]


def _text_of(resp) -> str:
    """The response as text; for a downloaded workbook, the text of all its parts."""
    data = resp.get_data()
    if data[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return data.decode("utf-8", "replace")


def _check(resp, markers, where):
    assert resp.status_code in (200, 302, 400, 401, 403, 404, 405), f"{where}: unexpected {resp.status_code}"
    if resp.status_code == 200:
        body = _text_of(resp)
        for m in markers:
            assert m not in body, f"{where}: leaked {m!r}"
    if resp.status_code == 302:
        location = resp.headers.get("Location", "")
        assert "/show/" not in location or "login" in location, f"{where}: redirected into data {location}"


@pytest.mark.parametrize("kind,home,foreign_unit", CASES, ids=[f"{k}->{u}" for k, _, u in CASES])
def test_no_route_reaches_a_foreign_unit(app, demo, kind, home, foreign_unit):
    f = _foreign(app, foreign_unit)
    client = app.test_client()
    if kind != "anonymous":
        demo.login(client, kind, home)
    before = _fingerprint(app, f)
    checked = 0
    for rule in _routes(app):
        markers = _markers(rule.endpoint, f)
        base_url = _url(app, rule, f)
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "DELETE"}):
            urls = [base_url]
            if "name" in rule.arguments:
                urls = [base_url.replace("__all__", a) for a in _action_names(app, rule.endpoint)]
            for url in urls:
                data = {}
                if method == "POST":
                    data = {
                        "full_name": "HACKED", "name": "HACKED", "unit": f["unit_id"], "parent": f["block_id"],
                        "rowid": [f["person_id"], f["unit_id"], f["dept_id"], f["audit_id"]],
                        "action": url.rsplit("/", 2)[-2] if "/action/" in url else "delete",
                        "eval_role": "staff",
                    }
                resp = client.open(url, method=method, data=data, json=None if data else None)
                _check(resp, markers, f"{kind} {method} {url}")
                checked += 1
                if method != "GET":
                    assert _fingerprint(app, f) == before, f"{kind} {method} {url} changed foreign data"
    assert checked > 50


def test_matrix_covers_every_scoped_view(app):
    """Every FAB view or API of the app has a foreign pk and markers, so the matrix checks it."""
    known = {"StaffView", "StaffApi", "UserDBModelView", "UnitView", "OrgApi", "BlockView", "DepartmentView", "AuditLogView",
             # Bearer-only (cookies get 401 above); their matrix signs in with tokens: tests/api/test_sheet_scope_matrix.py
             "SheetApi", "PeriodApi"}
    app_views = {
        rule.endpoint.split(".")[0]
        for rule in _routes(app)
        if "pk" in rule.arguments and not rule.endpoint.startswith(("Role", "Permission", "ViewMenu", "UserGroup", "UserStats"))
    }
    assert app_views <= known, f"views with rows but no foreign target in the matrix: {app_views - known}"


# Control: the same lists do show the actor's own unit, so the matrix above is not vacuous.
OWN_LISTS = {
    "unit_admin": ["/staff/list/?psize_StaffView=10000", "/departments/list/", "/units/list/", "/api/v1/staff/?q=(page_size:500)"],
    "leader": ["/staff/list/?psize_StaffView=10000", "/api/v1/staff/?q=(page_size:500)"],
    "department_head": ["/staff/list/?psize_StaffView=10000"],
    "synthesis": ["/staff/list/?psize_StaffView=10000"],
}


@pytest.mark.parametrize("kind", sorted(OWN_LISTS))
def test_own_unit_is_visible(app, demo, kind):
    f = _foreign(app, OWN_UNIT)
    client = app.test_client()
    demo.login(client, kind, OWN_UNIT)
    for url in OWN_LISTS[kind]:
        resp = client.get(url)
        assert resp.status_code == 200, url
        body = resp.get_data(as_text=True)
        expected = f["person_username"] if "staff" in url else f["unit_name"]
        assert expected in body, f"{kind} does not see own {expected} at {url}"
    show = client.get(f"/staff/show/{f['person_id']}")
    assert show.status_code == 200 and f["person_username"] in show.get_data(as_text=True)


def test_block_admin_sees_every_unit_of_the_block_and_only_those(app, demo):
    client = app.test_client()
    demo.login(client, "block_admin", OWN_BLOCK)
    body = client.get("/units/list/?psize_UnitView=1000").get_data(as_text=True)
    assert OWN_UNIT in body and SAME_BLOCK_UNIT in body
    assert OTHER_BLOCK_UNIT not in body


def test_staff_role_sees_no_lists(app, demo):
    client = app.test_client()
    demo.login(client, "staff", OWN_UNIT)
    for url in ("/staff/list/", "/units/list/", "/blocks/list/", "/audit/list/"):
        assert client.get(url).status_code == 403, url
