"""Garbage in the arguments FAB parses gives a Vietnamese 400 or 404, never a 500, on every route.

The routes come from the app's URL map (like the scope matrix), so a view added later is covered.
Exceptions propagate in tests (TESTING), so a crash fails here with its traceback.
"""
from __future__ import annotations

import re

import pytest

from app.security.permissions import FAB_SCREENS
from tests.views.test_scope_matrix import SKIP_ENDPOINTS

HUGE = "99999999999999999999"
BAD_NUMBERS = ["x", "-1", HUGE, "1.5", "", "1e3", "%00"]
BAD_FILTER_VALUES = [HUGE, "x", "\x00", "0001-01-01T00:00+14:00", ""]
BAD_PKS = [HUGE, f"-{HUGE}", "x", "1.5"]
BAD_Q = [
    "(((", "(" * 3000, "[" * 3000, "x", "!(1)", "(page:x)", f"(page:{HUGE})", "(page:-5)", f"(page_size:{HUGE})",
    "(order_column:zz,order_direction:asc)", "(order_column:full_name,order_direction:zz)", "(filters:x)",
    "(filters:!(x))", "(filters:!((col:full_name,opr:zz,value:1)))", "(filters:!((col:zz,opr:eq,value:1)))",
    f"(filters:!((col:unit_id,opr:eq,value:{HUGE})))", "(filters:!((col:unit_id,opr:eq,value:abc)))",
    "(filters:!((col:full_name,opr:ct,value:!(1,2))))", "(filters:!((col:eval_role,opr:eq,value:(a:1))))",
    "(columns:!(password))", "(keys:!(zz))", "%00", "(filters:!((col:full_name,opr:ct,value:'%00')))",
]
LIST_METHODS = ("list", "show", "edit", "add")

ACTORS = [("admin", None), ("unit_admin", "UBND phường Cống Vị")]
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉọỏốồổỗộớờởỡợụủứừửữựỳỷỹỵáàãéèíìóòõúùý]")


def _views(app):
    return {type(v).__name__: v for v in app.appbuilder.baseviews}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if SKIP_ENDPOINTS.match(rule.endpoint) or "logout" in rule.endpoint:
            continue
        yield rule


def _base_url(rule, pk="1"):
    url = rule.rule
    for arg in rule.arguments:
        value = {"pk": pk, "filename": "x.txt", "name": "none"}.get(arg, "1")
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{arg}>", value, url)
    return url


def _garbage_urls(app, rule):
    """Each URL carries one bad argument, so a refusal of one cannot hide a crash on another.

    Lists get every kind of garbage on every searchable column; show/edit/add (the same guard, FAB's
    same parsers) a sample of it, which keeps the walk short.
    """
    views = _views(app)
    view_name, _, method = rule.endpoint.partition(".")
    view = views.get(view_name)
    base = _base_url(rule)
    if getattr(view, "class_permission_name", view_name) in FAB_SCREENS:
        yield f"{base}?page_{view_name}=x"  # withdrawn: refused whatever the arguments
        return
    if "pk" in rule.arguments:
        for pk in BAD_PKS:
            yield _base_url(rule, pk)
    if method in LIST_METHODS and hasattr(view, "_filters"):
        if method == "list":
            for value in BAD_NUMBERS:
                yield f"{base}?page_{view_name}={value}"
                yield f"{base}?psize_{view_name}={value}"
            yield f"{base}?mypage_x=abc"  # FAB's pattern is unanchored
            yield f"{base}?_oc_{view_name}=password&_od_{view_name}=asc"
            order = (getattr(view, "order_columns", None) or ["id"])[0]
            yield f"{base}?_oc_{view_name}={order}&_od_{view_name}=sideways"
            for column in getattr(view, "order_columns", None) or []:  # every sort link of the header
                yield f"{base}?_oc_{view_name}={column}&_od_{view_name}=desc"
        else:
            yield f"{base}?page_{view_name}=x"
            yield f"{base}?psize_{view_name}={HUGE}"
        if method == "show":
            return  # FAB's show reads no filters
        if method == "list":
            columns = sorted(view._filters.get_search_filters())
            values = BAD_FILTER_VALUES
        else:  # add/edit apply a filter on any column: one of each type
            by_type = {}
            for column, filters in sorted(view._filters._all_filters.items()):
                by_type.setdefault(tuple(type(f).__name__ for f in filters), column)
            columns = sorted(by_type.values())
            values = [HUGE, "x"]
        for column in columns:
            yield f"{base}?_flt_9_{column}=1"
            for value in values:
                yield f"{base}?_flt_0_{column}={value}"
            yield f"{base}?_flt_1_{column}={HUGE}"
    if view_name.endswith("Api"):
        for q in BAD_Q if rule.endpoint.endswith("get_list") else BAD_Q[:6]:
            yield f"{base}?q={q}"


def _post_garbage(view):
    """Form fields of an add/edit form, every one set to a value no row or column can hold."""
    form = {}
    for name in getattr(view, "add_columns", None) or []:
        form[name] = HUGE
    form.update({"rowid": [HUGE, "x"], "action": "delete"})
    return form


@pytest.mark.parametrize("kind,unit", ACTORS, ids=[k for k, _ in ACTORS])
def test_garbage_arguments_never_crash(app, demo, kind, unit):
    client = app.test_client()
    if unit:
        demo.login(client, kind, unit)
    else:
        demo.login(client, kind)
    views = _views(app)
    checked = refused = 0

    def check(method, url, data=None):
        nonlocal checked, refused
        resp = client.open(url, method=method, data=data)
        assert resp.status_code < 500, f"{kind} {method} {url}: {resp.status_code}"
        checked += 1
        if resp.status_code in (400, 404) and not resp.is_json:
            refused += 1
            body = resp.get_data(as_text=True)
            assert VIETNAMESE.search(body), f"{kind} {method} {url}: not Vietnamese: {body[:300]}"
        resp.close()

    for rule in _rules(app):
        if "POST" in rule.methods:  # every form field set to a value no row or column can hold
            view = views.get(rule.endpoint.split(".")[0])
            check("POST", _base_url(rule), _post_garbage(view) if view is not None else {})
            check("POST", _base_url(rule) + f"?_flt_0_unit={HUGE}", {"name": "\x00"})
        if "GET" in rule.methods:
            check("GET", _base_url(rule))
            for url in _garbage_urls(app, rule):
                check("GET", url)
    assert checked > 300 and refused > 150


def test_a_broken_rison_is_a_vietnamese_400(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get("/api/v1/staff/?q=(((")
    assert resp.status_code == 400
    assert resp.json["code"] and "không hợp lệ" in resp.json["message"]
    resp = client.get(f"/api/v1/staff/{HUGE}")
    assert resp.status_code == 404 and resp.json["code"] == "not_found"


@pytest.mark.parametrize("url,status", [
    ("/staff/list/?page_StaffView=x", 400),
    ("/staff/list/?psize_StaffView=99999999999999999999", 400),
    ("/staff/list/?_flt_0_unit=abc", 400),
    (f"/staff/show/{HUGE}", 404),
    ("/units/list/?_flt_0_name=%00", 400),
])
def test_bad_screen_arguments_are_refused_in_the_layout(app, demo, url, status):
    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get(url)
    body = resp.get_data(as_text=True)
    assert resp.status_code == status
    assert 'class="navbar' in body and "Quay lại" in body  # inside the app's layout, with a way back


def test_withdrawn_fab_routes_are_not_offered_to_the_admin(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    for url in ("/users/download/x.txt", "/staff/download/x.txt", "/userstatschartview/chart/", "/roles/list/",
                "/permissions/list/", "/viewmenus/list/", "/permissionviews/list/", "/users/list/", "/groups/list/"):
        assert client.get(url).status_code in (403, 404), url
    menu = client.get("/").get_data(as_text=True)
    for label in ("List Users", "List Roles", "Danh sách người dùng", "Danh sách vai trò", "Thống kê", "Views/Menus"):
        assert label not in menu, label
    assert "Vai trò và quyền" in menu


EXTERNAL = re.compile(r"""(?:src|href|action|data-src)\s*=\s*["']\s*(?:https?:)?//([^/"'\s]+)""", re.I)
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*(?:https?:)?//([^/"')\s]+)""", re.I)


def _local_assets(body: str) -> set[str]:
    return set(re.findall(r"""(?:src|href)\s*=\s*["'](/static/[^"'?#]+\.(?:css|js))""", body))


def test_no_page_served_to_the_admin_loads_anything_from_another_host(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    pages = assets = 0
    seen_assets: set[str] = set()
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        resp = client.get(_base_url(rule))
        if not resp.mimetype.startswith("text/html"):
            resp.close()
            continue
        body = resp.get_data(as_text=True)
        hosts = {h for h in EXTERNAL.findall(body) if h.split(":")[0] not in ("localhost",)}
        assert not hosts, f"{rule.rule} references {hosts}"
        seen_assets |= _local_assets(body)
        pages += 1
    for path in sorted(seen_assets):
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.get_data(as_text=True)
        resp.close()
        if path.endswith(".css"):
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # licence comments name their sites
            hosts = set(CSS_EXTERNAL.findall(text))
            assert not hosts, f"{path} loads {hosts}"
        else:
            assert "google.load(" not in text and "gstatic.com/charts" not in text, path
        assets += 1
    assert pages > 10 and assets > 5


# -- the evaluation screens with a real sheet: garbage in every field of every action ---------------------
EVAL_GARBAGE = [HUGE, "x", "-1", "1e3", "\x00", "", "2,555", "NaN", "Infinity"]


def test_evaluation_pages_take_garbage_without_crashing(app, demo, ctx):
    """The sheet page (each action, each field), the lists and the admin screens, with a real open period."""
    from sqlalchemy import select

    from app.domain.evaluation import workflow as wf
    from app.models import Period, RuleSetVersion, Sheet
    from tests.evaluation_fixtures import open_period

    open_period(ctx, "2026-11")
    period = ctx.scalar(select(Period))
    owner = demo.user("staff", "UBND phường Cống Vị")
    sheet = ctx.scalar(select(Sheet).where(Sheet.person_id == owner["id"]))
    version = ctx.scalar(select(RuleSetVersion.id).order_by(RuleSetVersion.id))
    criterion = ctx.scalar(select(RuleSetVersion).where(RuleSetVersion.id == sheet.rule_version_id)).criteria[0].id
    checked = 0
    for kind in ("staff", "admin"):
        client = app.test_client()
        demo.login(client, kind, "UBND phường Cống Vị") if kind != "admin" else demo.login(client, "admin")
        for action in [a for a in wf.ACTIONS if a != wf.AUTO_FORWARD] + ["zz", ""]:
            for bad in EVAL_GARBAGE:
                form = {"action": action, "version": bad, f"self_{criterion}": bad, f"note_{criterion}": bad,
                        f"final_{criterion}": bad, f"self_{bad}": "1", "worked_days": bad, "text": bad, "reason": bad,
                        "grade": bad, "grade_reason": bad, "quota_reason": bad, "fails": "1", "fail_reason": bad,
                        "fail_reference": bad, "commenter_id": bad, "evaluator_id": bad}
                resp = client.post(f"/sheet/{sheet.id}", data=form)
                assert resp.status_code < 500, (kind, action, bad, resp.status_code)
                checked += 1
        urls = [f"/sheet/{sheet.id}", f"/sheet/{sheet.id}/print", "/sheet/inbox", "/sheet/history"]
        for bad in EVAL_GARBAGE:
            urls += [f"/sheet/inbox?page={bad}", f"/sheet/history?page_size={bad}", f"/sheet-review/?period={bad}",
                     f"/sheet-review/?unit={bad}", f"/sheet-review/?state={bad}", f"/sheet-review/?q={bad}",
                     f"/sheet-review/?page={bad}"]
        for url in urls:
            resp = client.get(url)
            assert resp.status_code < 500, (kind, url, resp.status_code)
            if resp.status_code in (400, 404):
                assert VIETNAMESE.search(resp.get_data(as_text=True)), url
            checked += 1
        if kind == "admin":
            for bad in EVAL_GARBAGE:
                for url, form in [
                    ("/periods/open", {"period": bad, "working_days": bad, "self_assessment_from": bad, "self_assessment_to": bad,
                                       "trial": bad}),
                    (f"/periods/{period.id}/edit", {"working_days": bad, "comment_from": bad, "comment_to": bad}),
                    (f"/periods/{period.id}/extend", {"unit": bad, "step": bad, "until": bad, "reason": bad}),
                    (f"/rule-sets/{version}", {f"criterion_name_{criterion}": bad, f"criterion_max_{criterion}": bad,
                                               "band_min_A": bad, "band_label_A": bad, "quota_percent": bad}),
                    (f"/rule-sets/{version}/new", {"effective_from": bad}),
                ]:
                    resp = client.post(url, data=form)
                    assert resp.status_code < 500, (url, form, resp.status_code)
                    checked += 1
    assert checked > 350


# --- synthesis screens (issue 10): garbage in their own query arguments ----------------------------------
SYNTHESIS_ARGS = ["period", "unit", "block", "page", "page_size", "span", "policy", "people"]


@pytest.mark.parametrize("kind,unit", ACTORS, ids=[k for k, _ in ACTORS])
def test_synthesis_arguments_never_crash(app, demo, kind, unit):
    from app.extensions import db
    from tests.evaluation_fixtures import open_period

    with app.app_context():
        open_period(db.session, "2026-11")
        db.session.remove()
    client = app.test_client()
    demo.login(client, kind, unit) if unit else demo.login(client, kind)
    refused = 0
    for page in ("/synthesis/board", "/synthesis/summary", "/synthesis/dashboard", "/synthesis/export", "/synthesis/rollup"):
        for arg in SYNTHESIS_ARGS:
            for value in BAD_NUMBERS + ["\x00", "x" * 200, "2026-Q9", "0"]:
                resp = client.get(page, query_string={arg: value})
                assert resp.status_code < 500, (page, arg, value)
                if resp.status_code in (400, 404):
                    refused += 1
                    assert VIETNAMESE.search(resp.get_data(as_text=True)), (page, arg, value)
    for url in ("/results/x", f"/results/{HUGE}", "/results/-1"):
        assert client.get(url).status_code == 404
        assert client.post(url + "/feedback", data={"text": "x"}).status_code == 404
    assert refused > 50
