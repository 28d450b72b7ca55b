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

# Every action of the sheet page (app/views/evaluation.py), each posted to a foreign sheet.
def _sheet_actions():
    from app.domain.evaluation import workflow as wf

    return [a for a in wf.ACTIONS if a != wf.AUTO_FORWARD]


SHEET_ACTIONS = _sheet_actions()

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
        sheet_id, period_id, version_id = _evaluation_targets(s, person.id)
        from app.models import Sheet

        return {
            "sheet_id": sheet_id,
            "sheet_version": s.get(Sheet, sheet_id).version,
            "period_id": period_id,
            "rule_version_id": version_id,
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


def _evaluation_targets(session, person_id):
    """The foreign person's sheet of an open period (opened here by the district admin), that period, its rule version."""
    from app.models import Period, Sheet, Staff
    from app.security.scope import actor_for
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    period = session.scalar(select(Period).where(Period.key == "2026-11"))
    if period is None:
        with unit_of_work(session):
            period = periods.open_period(session, "2026-11", actor_for(session.scalar(select(Staff).where(Staff.username == "admin"))))
    sheet = session.scalar(select(Sheet).where(Sheet.person_id == person_id, Sheet.period_id == period.id))
    return sheet.id, period.id, sheet.rule_version_id


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
        "SheetView": f["sheet_id"],
        "PeriodsView": f["period_id"],
        "RuleSetsView": f["rule_version_id"],
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
    if view == "SheetView":  # the sheet page and its print view name the person with their account
        return [f["person_username"]]
    return [f["person_username"], f["audit_marker"]]


def _fingerprint(app, f):
    from app.extensions import db
    from app.models import AuditEvent, Criterion, OrgUnit, Period, Sheet, SheetEvent, Staff

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
            _sheet_state(s, f),
        )


def _sheet_state(s, f):
    """The foreign sheet, the period and the rule version as stored: what the evaluation screens could change."""
    from app.models import Criterion, Period, Sheet, SheetEvent, SheetScore

    sheet = s.get(Sheet, f["sheet_id"])
    s.refresh(sheet)
    return (
        sheet.state, sheet.version, sheet.commenter_id, sheet.evaluator_id, sheet.self_total, sheet.comment,
        s.scalar(select(func.count(SheetScore.id)).where(SheetScore.sheet_id == sheet.id)),
        s.scalar(select(func.count(SheetEvent.id)).where(SheetEvent.sheet_id == sheet.id)),
        s.scalar(select(Period.state).where(Period.id == f["period_id"])),
        tuple(s.execute(select(Criterion.name, Criterion.max_points).where(Criterion.version_id == f["rule_version_id"])
                        .order_by(Criterion.id)).all()),
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
            sheet_actions = SHEET_ACTIONS if rule.endpoint == "SheetView.act" else [None]
            for url, sheet_action in [(u, a) for u in urls for a in sheet_actions]:
                data = {}
                if method == "POST":
                    data = {
                        "full_name": "HACKED", "name": "HACKED", "unit": f["unit_id"], "parent": f["block_id"],
                        "rowid": [f["person_id"], f["unit_id"], f["dept_id"], f["audit_id"]],
                        "action": url.rsplit("/", 2)[-2] if "/action/" in url else "delete",
                        "eval_role": "staff",
                        # the sheet page's form: every action with input that would change the sheet
                        "version": "1", "self_1": "1", "worked_days": "1", "text": "HACKED", "reason": "HACKED",
                        "commenter_id": "", "evaluator_id": str(f["person_id"]), "period": "2027-01",
                        "criterion_max_1": "1", "effective_from": "2030-01",
                    }
                    if sheet_action:
                        data.update(action=sheet_action, version=str(f["sheet_version"]))
                resp = client.open(url, method=method, data=data, json=None if data else None)
                where = f"{kind} {method} {url}" + (f" {sheet_action}" if sheet_action else "")
                _check(resp, markers, where)
                checked += 1
                if method != "GET":
                    assert _fingerprint(app, f) == before, f"{where} changed foreign data"
    assert checked > 50


def test_matrix_covers_every_scoped_view(app):
    """Every FAB view or API of the app has a foreign pk and markers, so the matrix checks it."""
    known = {"StaffView", "StaffApi", "UserDBModelView", "UnitView", "OrgApi", "BlockView", "DepartmentView", "AuditLogView",
             # Bearer-only (cookies get 401 above); their matrix signs in with tokens: tests/api/test_sheet_scope_matrix.py
             "SheetApi", "PeriodApi",
             # the evaluation screens: a foreign sheet, the open period, the rule version in force
             "SheetView", "PeriodsView", "RuleSetsView"}
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


# --- the Mẫu 01 import and the read API, per role --------------------------------------------------------
#
# Every non-district role imports (the screen's upload → confirm for those who may, the service for every
# actor: `flask mau01 import` runs as the system actor, never as a unit admin) a sheet with one valid row of
# its own unit and one row that names something outside its reach. Nothing outside the reach changes, and the
# row gets the message that says so (without naming the foreign unit's block).

STAFF_TEXT = "Công chức, viên chức, lao động hợp đồng"
IMPORT_ACTORS = ACTORS
IMPORTERS = {"unit_admin", "block_admin"}  # the roles with the Mẫu 01 screens


def _import_world(app):
    """Foreign targets: a person of another block's unit, a unit named like the actors' own unit in another
    block (with a person), a person whose unit was cleared, the district admin, another block's admin."""
    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.models import OrgUnit, Staff
    from app.services import org
    from app.services import staff as staff_service

    with app.app_context():
        s = db.session
        # the first of a name: the demo's own (the clone below is created later)
        unit = lambda name: s.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name))
                                     .order_by(OrgUnit.id))
        block = lambda name: s.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(name)))
        foreign_unit = unit(OTHER_BLOCK_UNIT)
        clone = org.create(s, OWN_UNIT, "unit", block("Khối Giáo dục"), actor=SYSTEM)
        twin = Staff(full_name="Đào Thị Sinh Đôi", unit=clone, eval_role="staff", phone="0987000111")
        staff_service.prepare(s, twin, SYSTEM)
        s.add(twin)
        people = s.scalars(select(Staff).where(Staff.unit_id == foreign_unit.id, Staff.eval_role == "staff",
                                               Staff.is_unit_admin.is_(False)).order_by(Staff.id)).all()
        foreign, cleared = people[0], people[1]
        cleared.unit_id = cleared.department_id = None
        other_block_admin = s.scalar(select(Staff).where(Staff.managed_block_id == block("Khối Giáo dục").id))
        s.commit()
        return {
            "foreign": (foreign.id, foreign.username, foreign.full_name),
            "twin": (twin.id, twin.username, twin.full_name, twin.phone),
            "cleared": (cleared.id, cleared.username, cleared.full_name),
            "admin": s.scalar(select(Staff.username).where(Staff.username == "admin")),
            "block_admin": (other_block_admin.id, other_block_admin.username, other_block_admin.full_name),
            "own_unit_id": unit(OWN_UNIT).id,
        }


def _sheet(rows):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ …"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {len(rows)} người"])
    ws.append([None])
    ws.append(["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
               "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"])
    for i, (name, unit, account, phone, evaluator) in enumerate(rows, 1):
        ws.append([i, name, "Chuyên viên", account, None, phone, unit, STAFF_TEXT, None, None, evaluator])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


OWN_ROW = ("Hà Văn Hợp Lệ", OWN_UNIT, None, "0912000001", None)
# case -> (row naming something outside reach, column of the expected error or None, message)
IMPORT_CASES = {
    "foreign_person_by_account": (lambda w: (w["foreign"][2], OWN_UNIT, w["foreign"][1], None, None),
                                  "Tài khoản", "ngoài phạm vi bạn quản lý"),
    "foreign_unit": (lambda w: ("Người Đơn Vị Lạ", OTHER_BLOCK_UNIT, None, "0912000002", None),
                     "Đơn vị", "không có trong phạm vi bạn quản lý"),
    "same_named_unit_in_another_block": (lambda w: (w["twin"][2], OWN_UNIT, None, w["twin"][3], None), None, ""),
    "same_named_units_person_by_account": (lambda w: (w["twin"][2], OWN_UNIT, w["twin"][1], None, None),
                                           "Tài khoản", "ngoài phạm vi bạn quản lý"),
    "person_without_a_unit": (lambda w: (w["cleared"][2], OWN_UNIT, w["cleared"][1], None, None),
                              "Tài khoản", "ngoài phạm vi bạn quản lý"),
    "district_admin_account": (lambda w: ("Quản trị Quận", OWN_UNIT, w["admin"], None, None),
                               "Tài khoản", "ngoài phạm vi bạn quản lý"),
    "block_admin_account": (lambda w: (w["block_admin"][2], OWN_UNIT, w["block_admin"][1], None, None),
                            "Tài khoản", "ngoài phạm vi bạn quản lý"),
    "foreign_evaluator": (lambda w: ("Người Đánh Giá Lạ", OWN_UNIT, None, "0912000003", w["foreign"][1]),
                          "Lãnh đạo đánh giá", "trong phạm vi bạn quản lý"),
}


def _world_state(app, reach_unit_ids):
    """Every person outside ``reach_unit_ids`` and every org node, as stored; and the new people's units."""
    from app.extensions import db
    from app.models import OrgUnit, Staff

    with app.app_context():
        s = db.session
        people = {
            p.id: (p.full_name, p.position, p.phone, p.unit_id, p.department_id, p.eval_role, p.is_unit_admin,
                   p.reviewer_id, p.evaluator_id, p.managed_block_id, p.active, p.password)
            for p in s.scalars(select(Staff))
        }
        nodes = {n.id: (n.name, n.kind, n.parent_id, n.block_id, n.unit_id) for n in s.scalars(select(OrgUnit))}
        db.session.remove()
    foreign = {k: v for k, v in people.items() if v[3] not in reach_unit_ids}
    return foreign, nodes, people


def _reach_units(app, kind):
    from app.extensions import db
    from app.models import OrgUnit

    with app.app_context():
        if kind == "block_admin":
            block = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(OWN_BLOCK)))
            ids = set(db.session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.block_id == block.id)))
        elif kind == "unit_admin":
            ids = {db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(OWN_UNIT))
                                     .order_by(OrgUnit.id))}
        else:
            ids = set()  # readers and staff administer nobody
        db.session.remove()
    return ids


def _check_import_outcome(app, kind, case, out, before, reach_ids, world):
    _, column, message = IMPORT_CASES[case]
    foreign_before, nodes_before, people_before = before
    foreign_after, nodes_after, people_after = _world_state(app, reach_ids)
    assert {k: v for k, v in foreign_after.items() if k in foreign_before} == foreign_before, f"{kind} {case}: foreign people changed"
    new = set(people_after) - set(people_before)
    assert all(people_after[i][3] in reach_ids for i in new), f"{kind} {case}: a new person outside reach"
    assert set(nodes_after) - set(nodes_before) == set() and nodes_after == nodes_before, f"{kind} {case}: org tree changed"
    errors = out["errors"]
    text = str(out)
    assert "Khối Giáo dục" not in text, f"{kind} {case}: the foreign block is named"
    if kind not in IMPORTERS:
        assert not out["committed"] and not new and errors, f"{kind} {case}: a reader imported"
        return
    if column is None:  # the same-named unit resolves to the actor's own unit: a new person there, the twin untouched
        assert out["committed"] and errors == [], (kind, case, errors)
        assert [people_after[i][3] for i in new] == [world["own_unit_id"]] * 2
        return
    assert not out["committed"] and not new, (kind, case)
    hits = [e for e in errors if e["column"] == column and message in e["message"]]
    assert hits and {e["row"] for e in errors} == {7}, (kind, case, errors)


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
@pytest.mark.parametrize("kind,home", IMPORT_ACTORS, ids=[k for k, _ in IMPORT_ACTORS])
def test_import_service_changes_nothing_outside_reach(app, demo, kind, home, case):
    """The service, with each actor (the path of the screens; the CLI runs as the system actor)."""
    import io

    from app.extensions import db
    from app.models import Staff
    from app.security.scope import actor_for
    from app.services.mau01 import run_import
    from app.services.uow import unit_of_work

    person = demo.user(kind, home)  # before the world has a second unit of the same name
    reach_ids = _reach_units(app, kind)
    world = _import_world(app)
    row = IMPORT_CASES[case][0](world)
    before = _world_state(app, reach_ids)
    with app.test_request_context():
        actor = actor_for(db.session.get(Staff, person["id"]))
        with unit_of_work(db.session):
            result = run_import(db.session, io.BytesIO(_sheet([OWN_ROW, row])), actor,
                                actor_user=db.session.get(Staff, person["id"]), source_name="matrix.xlsx")
        out = result.as_json()
        db.session.remove()
    _check_import_outcome(app, kind, case, out, before, reach_ids, world)


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
@pytest.mark.parametrize("kind,home", IMPORT_ACTORS, ids=[k for k, _ in IMPORT_ACTORS])
def test_import_screens_change_nothing_outside_reach(app, demo, kind, home, case):
    """Upload → preview → confirm, as each role; the confirm re-plans, so a token alone commits nothing."""
    import io

    client = app.test_client()
    demo.login(client, kind, home)  # before the world has a second unit of the same name
    reach_ids = _reach_units(app, kind)
    world = _import_world(app)
    row = IMPORT_CASES[case][0](world)
    before = _world_state(app, reach_ids)
    resp = client.post("/mau01/upload", data={"file": (io.BytesIO(_sheet([OWN_ROW, row])), "matrix.xlsx")},
                       content_type="multipart/form-data")
    if kind not in IMPORTERS:
        assert resp.status_code == 403
        assert _world_state(app, reach_ids) == before
        return
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Xem trước" in body
    for marker in (world["foreign"][1], world["twin"][1], world["cleared"][1], world["block_admin"][1], "Khối Giáo dục"):
        if marker not in str(row):  # what the row itself typed is echoed in its message, nothing else
            assert marker not in body, f"{kind} {case}: preview names {marker}"
    token = re.search(r"/mau01/(?:confirm|errors)/([A-Za-z0-9_-]+)", body).group(1)
    done = client.post(f"/mau01/confirm/{token}").get_data(as_text=True)
    _, column, message = IMPORT_CASES[case]
    committed = "Đã nhập Mẫu 01" in done
    if column is not None:
        assert message in body and not committed, (kind, case)
    out = {"committed": committed, "errors": [] if column is None else [{"row": 7, "column": column, "message": message}]}
    _check_import_outcome(app, kind, case, out, before, reach_ids, world)


def test_the_command_line_imports_as_the_system_actor(app, tmp_path):
    """`flask mau01 import` has no signed-in person: it runs as SYSTEM, and the audit log says so."""
    from app.extensions import db
    from app.models import AuditEvent

    path = tmp_path / "ds.xlsx"
    path.write_bytes(_sheet([OWN_ROW]))
    result = app.test_cli_runner().invoke(args=["mau01", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = set(db.session.scalars(select(AuditEvent.actor_name).where(AuditEvent.action.in_(("import_mau01", "user_created")),
                                                                             AuditEvent.ip == "cli")))
        db.session.remove()
    assert names == {"Hệ thống (dòng lệnh)"}


# The read API, per role: lists and shows only what the role may see.
API_ACTORS = ACTORS


def _visible_units(app, kind):
    from app.extensions import db
    from app.models import OrgUnit

    with app.app_context():
        if kind == "block_admin":
            block = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(OWN_BLOCK)))
            ids = set(db.session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.block_id == block.id)))
        else:
            ids = {db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(OWN_UNIT))
                                     .order_by(OrgUnit.id))}
        db.session.remove()
    return ids


@pytest.mark.parametrize("kind,home", API_ACTORS, ids=[k for k, _ in API_ACTORS])
def test_read_api_lists_and_shows_nothing_foreign(app, demo, kind, home):
    from app.extensions import db
    from app.models import OrgUnit, Staff

    client = app.test_client()
    me = demo.login(client, kind, home)  # before the world has a second unit of the same name
    visible = _visible_units(app, kind)
    world = _import_world(app)
    staff = client.get("/api/v1/staff/?q=(page_size:500)")
    org = client.get("/api/v1/org/?q=(page_size:500)")
    if kind == "staff":  # no API permission at all
        assert staff.status_code == 403 and org.status_code == 403
        return
    assert staff.status_code == 200 and org.status_code == 200
    people = staff.get_json()["result"]
    units = org.get_json()["result"]
    assert people and units  # the control: own unit is listed
    assert {p["unit_id"] for p in people} <= visible, kind
    with app.app_context():
        unit_of = dict(db.session.execute(select(OrgUnit.id, OrgUnit.block_id).where(OrgUnit.kind == "unit")).all())
        foreign_ids = [world["foreign"][0], world["twin"][0], world["cleared"][0], world["block_admin"][0],
                       db.session.scalar(select(Staff.id).where(Staff.username == "admin"))]
        db.session.remove()
    assert {u["id"] for u in units} <= visible, kind
    for pid in foreign_ids:
        assert client.get(f"/api/v1/staff/{pid}").status_code == 404, (kind, pid)
    for uid in set(unit_of) - visible:
        assert client.get(f"/api/v1/org/{uid}").status_code == 404, (kind, uid)
    if kind != "block_admin":  # a block admin may sit in a unit of another block (Phòng Nội vụ)
        assert client.get(f"/api/v1/staff/{me['id']}").status_code == 200


# --- synthesis screens (issue 10): every role, a period open, against a foreign unit ----------------------

SYNTHESIS_PAGES = ["/synthesis/board", "/synthesis/summary", "/synthesis/dashboard", "/synthesis/export",
                   "/synthesis/export?people=1", "/synthesis/rollup?span=2026-Q4"]


@pytest.mark.parametrize("kind,home,foreign_unit", CASES, ids=[f"{k}->{u}" for k, _, u in CASES])
def test_synthesis_screens_stay_within_reach(app, demo, kind, home, foreign_unit):
    from app.extensions import db
    from tests.evaluation_fixtures import open_period

    with app.app_context():
        open_period(db.session, "2026-11")
        db.session.remove()
    f = _foreign(app, foreign_unit)
    client = app.test_client()
    if kind != "anonymous":
        demo.login(client, kind, home)
    for page in SYNTHESIS_PAGES:
        joiner = "&" if "?" in page else "?"
        for url in (page, f"{page}{joiner}unit={f['unit_id']}", f"{page}{joiner}block={f['block_id']}"):
            resp = client.get(url)
            assert resp.status_code in (200, 302, 403, 404), (kind, url, resp.status_code)
            if resp.status_code == 200:
                body = _text_of(resp)
                assert f["unit_name"] not in body, f"{kind} {url}: leaked {f['unit_name']}"
            # a foreign unit never answers; nor another block (the actor's own block shows only what they reach)
            if "unit=" in url or ("block=" in url and foreign_unit == OTHER_BLOCK_UNIT):
                assert resp.status_code != 200, f"{kind} {url}: a foreign unit or block answered"
