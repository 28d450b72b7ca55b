"""Any root: the instance names and types its root; screens, exports and messages use the root's word."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain import root
from app.domain.root import Root, infer_kind
from app.settings import Settings, SettingsError, replace

APP = Path(__file__).resolve().parents[2] / "app"
GOOD = {"ACCOUNT_SUFFIX": "badinh"}


@pytest.mark.parametrize("name, kind", [
    ("Phường Ba Đình", "Phường"), ("Xã Gia Lâm", "Xã"), ("Thành phố Hà Nội", "Thành phố"), ("Sở Nội vụ", "Sở"),
    ("Quận Ba Đình", "Quận"), ("  phường   Giảng Võ ", "Phường"), ("Đặc khu Bạch Long Vỹ", "Đặc khu"), ("Ba Đình", None),
])
def test_the_kind_is_read_from_the_name(name, kind):
    assert infer_kind(name) == kind


def test_words_of_a_root():
    r = Root("Thành phố Hà Nội", "Thành phố")
    assert (r.word, r.admin, r.admin_title, r.whole, r.level) == (
        "thành phố", "quản trị cấp thành phố", "Quản trị cấp thành phố", "toàn thành phố", "cấp thành phố")


def test_org_name_and_kind_and_the_old_alias():
    s = Settings.from_config({**GOOD, "ORG_NAME": "Sở Nội vụ", "ORG_KIND": "sở"})
    assert (s.org_name, s.org_kind) == ("Sở Nội vụ", "Sở")
    old = Settings.from_config({**GOOD, "DISTRICT_NAME": "Huyện Gia Lâm"})
    assert (old.org_name, old.org_kind) == ("Huyện Gia Lâm", "Huyện")
    both = Settings.from_config({**GOOD, "ORG_NAME": "Phường Ngọc Hà", "DISTRICT_NAME": "Quận Ba Đình"})
    assert both.org_name == "Phường Ngọc Hà" and both.root.admin == "quản trị cấp phường"
    default = Settings.from_config(GOOD)
    assert (default.org_name, default.org_kind) == ("Phường Ba Đình", "Phường")


def test_a_name_without_a_known_kind_needs_org_kind():
    with pytest.raises(SettingsError, match="ORG_KIND"):
        Settings.from_config({**GOOD, "ORG_NAME": "Ban Quản lý dự án Hà Nội 2"[4:]})
    assert Settings.from_config({**GOOD, "ORG_NAME": "Ba Đình", "ORG_KIND": "Phường"}).org_kind == "Phường"


def test_outside_an_app_the_default_root_answers():
    assert root.current().kind == "Phường"


# Where the words "quận"/"huyện" may still be written: the root's own module (the list of kinds), the
# settings' comments and the demo command's help naming the pre-2025 district it can still seed.
ALLOWED = {"domain/root.py", "settings.py", "cli.py"}


def test_no_screen_or_message_hard_codes_the_district():
    found = []
    for path in sorted(APP.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt", ".po") or str(path.relative_to(APP)) in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?i)quận|huyện", line):
                found.append(f"{path.relative_to(APP)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


@pytest.fixture
def ward(app):
    previous = replace(app, org_name="Phường Ba Đình", org_kind="Phường")
    yield
    app.extensions["settings"] = previous


def test_a_ward_reads_its_own_word_on_the_roles_page(app, client, demo, ward):
    demo.login(client, "admin")
    body = client.get("/roles-overview/").get_data(as_text=True)
    assert "Quản trị cấp phường" in body and "Toàn phường" in body and "toàn phường" in body
    assert not re.search(r"(?i)quận|huyện", body.replace("Quản trị Quận", ""))  # the demo admin's own name


def test_a_city_reads_its_word_in_a_refusal(app, ctx):
    from app.domain.errors import PermissionDenied
    from app.domain.org import OrgRuleError, check_parent, kind_label
    from app.services.evaluation import periods

    previous = replace(app, org_name="Thành phố Hà Nội", org_kind="Thành phố")
    try:
        with pytest.raises(PermissionDenied) as exc:
            periods._require_admin(ctx, None, "mở kỳ đánh giá")
        assert exc.value.message == "Chỉ quản trị cấp thành phố mới được mở kỳ đánh giá."
        with pytest.raises(OrgRuleError, match="^Thành phố là gốc"):
            check_parent("district", "block")
        assert kind_label("district") == "Thành phố" and kind_label("unit") == "Đơn vị"
    finally:
        app.extensions["settings"] = previous


def test_the_ward_demo_seeds_a_believable_ward(tmp_path):
    """A fresh instance of a ward: `flask demo` seeds the post-2025 ward, its sign-ins name the ward's word."""
    from app import create_app
    from app.cli import run_setup
    from app.models import OrgUnit, Staff
    from app.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ward.db", "ACCOUNT_SUFFIX": "badinh",
                      "ORG_NAME": "Phường Ba Đình", "INSTANCE_DIR": str(tmp_path),
                      "AUTH_DB_FAKE_PASSWORD_HASH_CHECK": "pbkdf2:sha256:1$salt$" + "0" * 64})
    with app.app_context():
        run_setup()
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["demo"])
    assert out.exit_code == 0, out.output
    with app.app_context():
        units = set(db.session.scalars(db.select(OrgUnit.name).where(OrgUnit.kind == "unit")))
        assert {"Văn phòng Đảng ủy", "Văn phòng HĐND và UBND", "Phòng Kinh tế, Hạ tầng và Đô thị",
                "Phòng Văn hóa – Xã hội", "Trung tâm Phục vụ hành chính công"} <= units
        assert not any(re.search(r"(?i)quận|huyện", u) for u in units)
        root_node = db.session.scalar(db.select(OrgUnit).where(OrgUnit.kind == "district"))
        assert root_node.name == "Phường Ba Đình" and root_node.kind_label == "Phường"
        people = db.session.scalar(db.select(db.func.count(Staff.id)))
        usernames = list(db.session.scalars(db.select(Staff.username)))
        assert people > 200 and all(u == "admin" or u.endswith("_badinh") for u in usernames)
        blocks_with_admin = db.session.scalar(db.select(db.func.count(db.distinct(Staff.managed_block_id))))
        assert blocks_with_admin == db.session.scalar(db.select(db.func.count(OrgUnit.id)).where(OrgUnit.kind == "block"))
        # every unit starts with a catalogue, so people can register tasks on the first day
        from app.models import ProductType
        from seed.demo import DEMO_CATALOGUE

        per_unit = dict(db.session.execute(db.select(ProductType.unit_id, db.func.count()).group_by(ProductType.unit_id)).all())
        unit_ids = set(db.session.scalars(db.select(OrgUnit.id).where(OrgUnit.kind == "unit")))
        assert set(per_unit) == unit_ids and set(per_unit.values()) == {len(DEMO_CATALOGUE)}
        db.session.remove()
        db.engine.dispose()
    assert "Quản trị cấp phường" in out.output and not re.search(r"(?i)quận|huyện", out.output)
