"""Name search ignores case and diacritics ("contains" by default); lists sort in Vietnamese order."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.domain.text import fold

OWN_UNIT = "UBND phường Cống Vị"
# Vietnamese order: D < Đ, o < ô < ơ, u < ư, then tones.
ORDERED = ["Dư Zeta Một", "Dương Zeta Hai", "Đào Zeta Ba", "Đặng Zeta Bốn", "Tô Zeta Năm", "Tổ Zeta Sáu",
           "Tơ Zeta Bảy", "Tu Zeta Tám", "Tư Zeta Chín"]


@pytest.fixture
def zeta_people(app, ctx):
    """People whose names only sort right in Vietnamese order, in the demo unit (inserted shuffled)."""
    from app.models import OrgUnit, Staff

    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(OWN_UNIT)))
    for i, name in enumerate(reversed(ORDERED[::2] + ORDERED[1::2])):
        username = f"zeta{i}_badinh"
        ctx.add(Staff(username=username, full_name=name, name_key=fold(name), first_name=name.split()[-1],
                      last_name=" ".join(name.split()[:-1]), email=f"{username}@zeta.invalid", unit=unit,
                      eval_role="staff", active=True, password="x"))
    ctx.commit()
    return ORDERED


def _names_in(body: str, names) -> list[str]:
    text = html.unescape(body)
    found = sorted((text.find(n), n) for n in names if n in text)
    return [n for _, n in found]


@pytest.mark.parametrize("kind", ["admin", "unit_admin"])
def test_list_sorts_names_in_vietnamese_order(app, demo, zeta_people, kind):
    client = app.test_client()
    demo.login(client, kind)
    body = client.get("/staff/list/?_flt_0_full_name=zeta&psize_StaffView=100").get_data(as_text=True)
    assert _names_in(body, zeta_people) == zeta_people  # the default order
    body = client.get("/staff/list/?_flt_0_full_name=zeta&psize_StaffView=100&_oc_StaffView=full_name&_od_StaffView=desc")
    assert _names_in(body.get_data(as_text=True), zeta_people) == zeta_people[::-1]  # the column header
    body = client.get("/staff/list/?_flt_0_full_name=zeta&psize_StaffView=3&page_StaffView=1").get_data(as_text=True)
    assert _names_in(body, zeta_people) == zeta_people[3:6]  # pages follow the same order


def test_api_sorts_and_searches_the_same_way(app, demo, zeta_people):
    client = app.test_client()
    demo.login(client, "admin")
    q = "(filters:!((col:full_name,opr:ct,value:ZÊTA)),order_column:full_name,order_direction:asc,page_size:100)"
    resp = client.get(f"/api/v1/staff/?q={q}")
    assert resp.status_code == 200, resp.json
    assert [r["full_name"] for r in resp.json["result"]] == zeta_people


@pytest.mark.parametrize("typed", ["nguyen", "NGUYỄN", "Nguyễn", "nguyễn", "NGUYEN"])
def test_name_search_ignores_case_and_diacritics(app, demo, ctx, typed):
    from app.models import Staff

    expected = {u for u, n in ctx.execute(select(Staff.username, Staff.name_key)) if "nguyen" in (n or "")}
    assert len(expected) > 5
    client = app.test_client()
    demo.login(client, "admin")
    body = client.get(f"/staff/list/?_flt_0_full_name={typed}&psize_StaffView=10000").get_data(as_text=True)
    found = set(re.findall(r"\b([a-z0-9]+_badinh[0-9]*)\b", body))
    assert found == expected


def test_org_name_search_is_folded_too(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    body = client.get("/units/list/?_flt_0_name=cong vi").get_data(as_text=True)
    assert OWN_UNIT in html.unescape(body)


def test_contains_is_the_default_search(app):
    """FAB preselects the first filter of a column in the search form."""
    views = {type(v).__name__: v for v in app.appbuilder.baseviews}
    for view_name, column in [("StaffView", "full_name"), ("StaffView", "username"), ("StaffView", "position"),
                              ("UnitView", "name"), ("AuditLogView", "target_label")]:
        first = views[view_name]._filters.get_search_filters()[column][0]
        assert first.arg_name == "ct", (view_name, column, first)
