"""Hướng dẫn sử dụng: every guide renders for anonymous users, every step names its screen, the screenshots
are the names the browser tests produce, and the guides are reachable from the menu and the sign-in page."""
from __future__ import annotations

import re

import pytest

from app.guides import GUIDE_SHOTS, GUIDES, SHOTS_DIR

KINDS = {"quan-tri-don-vi", "can-bo", "lanh-dao", "tong-hop", "quan-tri-cap-tren"}


def test_one_guide_per_kind_of_user():
    assert {g.slug for g in GUIDES} == KINDS
    assert len(GUIDE_SHOTS) == len(set(GUIDE_SHOTS)) and all(re.fullmatch(r"[a-z0-9_]+", s) for s in GUIDE_SHOTS)


@pytest.mark.parametrize("guide", GUIDES, ids=[g.slug for g in GUIDES])
def test_every_guide_renders_for_anonymous_users_and_every_step_names_its_screen(app, client, guide):
    resp = client.get(f"/guides/{guide.slug}")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    steps = re.findall(r'(?s)<li class="guide-step" data-screen="([^"]+)">(.*?)</li>', body)
    assert len(steps) == len(guide.steps) >= 4
    for (screen, inner), step in zip(steps, guide.steps):
        assert screen.strip() and screen == step.screen
        assert f"Màn hình: <b>{step.screen}</b>" in inner and step.text.split(":")[0][:40] in inner
    assert guide.title in body and "@media print" not in body and "css/guides.css" in body


def test_a_screenshot_shows_when_its_file_exists(app, client, tmp_path, monkeypatch):
    from app import guides

    guide = next(g for g in GUIDES if any(s.shot for s in g.steps))
    shot = next(s.shot for s in guide.steps if s.shot)
    monkeypatch.setattr(guides, "SHOTS_DIR", tmp_path)
    before = client.get(f"/guides/{guide.slug}").get_data(as_text=True)
    assert f"guides/{shot}.png" not in before
    (tmp_path / f"{shot}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    after = client.get(f"/guides/{guide.slug}").get_data(as_text=True)
    assert f'src="/static/guides/{shot}.png"' in after and after.count("<img") == before.count("<img") + 1
    assert SHOTS_DIR.name == "guides" and SHOTS_DIR.parent.name == "static"


def test_the_index_lists_every_guide_and_the_sign_in_page_links_to_it(app, client):
    index = client.get("/guides/").get_data(as_text=True)
    for g in GUIDES:
        assert f'href="/guides/{g.slug}"' in index
    login = client.get("/login/").get_data(as_text=True)
    assert 'href="/guides/"' in login and "Hướng dẫn sử dụng" in login


@pytest.mark.parametrize("kind", ["anonymous", "staff", "unit_admin", "leader", "synthesis", "block_admin", "admin"])
def test_the_menu_shows_the_guides_to_everybody(app, client, demo, kind):
    if kind != "anonymous":
        demo.login(client, kind, "Khối xã, phường" if kind == "block_admin" else "UBND phường Cống Vị")
    body = client.get("/" if kind != "anonymous" else "/login/").get_data(as_text=True)
    menu = re.search(r'(?s)Trợ giúp<b class="caret"></b></a>\s*<ul class="dropdown-menu">(.*?)</ul>', body)
    assert menu is not None, kind
    assert re.search(r'(?s)<a tabindex="-1" href="/guides/">.*?Hướng dẫn sử dụng</a>', menu.group(1)), kind


def test_a_person_who_must_change_the_password_can_read_the_guides(app, client, demo):
    from app.extensions import db
    from app.models import Staff

    person = demo.login(client, "staff", "UBND phường Cống Vị")
    with app.app_context():
        db.session.get(Staff, person["id"]).must_change_password = True
        db.session.commit()
        db.session.remove()
    assert client.get("/staff/list/").status_code == 302
    assert client.get("/guides/can-bo").status_code == 200


def test_the_print_stylesheet_hides_the_menus():
    css = (SHOTS_DIR.parent / "css" / "guides.css").read_text()
    assert "@media print" in css and ".navbar" in css.split("@media print", 1)[1]
