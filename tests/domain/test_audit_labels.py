"""How the audit log names actions and actors."""
import pytest

from app.domain.audit import ACTION_LABELS, AUTOMATIC_ACTOR, CLI_ACTOR, action_label, actor_label


@pytest.mark.parametrize("action, kind, label", [
    ("org_created", "department", "Tạo phòng ban"),
    ("org_created", "unit", "Tạo đơn vị"),
    ("org_created", "block", "Tạo khối"),
    ("org_updated", "department", "Sửa phòng ban"),
    ("org_deleted", "unit", "Xóa đơn vị"),
    ("org_created", "org", "Tạo đơn vị, phòng ban"),  # older rows that did not record the kind
    ("org_created", None, "Tạo đơn vị, phòng ban"),
    ("user_created", "staff", "Tạo tài khoản"),
    ("something_new", None, "something_new"),
])
def test_action_label(action, kind, label):
    assert action_label(action, kind) == label


def test_every_action_has_a_vietnamese_label():
    assert all(label and not label.isascii() for label in ACTION_LABELS.values())


@pytest.mark.parametrize("name, actor_id, ip, shown", [
    ("Quản trị Quận (admin)", 1, "127.0.0.1", "Quản trị Quận (admin)"),
    ("Người đã xóa (cu_badinh)", None, "10.0.0.1", "Người đã xóa (cu_badinh)"),  # account deleted: the name stays
    (None, None, "cli", CLI_ACTOR),
    (None, None, "10.0.0.1", AUTOMATIC_ACTOR),  # e.g. a lock after too many wrong passwords
])
def test_actor_label(name, actor_id, ip, shown):
    assert actor_label(name, actor_id, ip) == shown
    assert CLI_ACTOR == "Hệ thống (dòng lệnh)"
