"""Commands act as the explicit system actor, and the audit log names it "Hệ thống (dòng lệnh)"."""
from __future__ import annotations

from sqlalchemy import select


def _events(app, action, target_like):
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        rows = db.session.execute(select(AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.ip).where(
            AuditEvent.action == action, AuditEvent.target_label.like(f"%{target_like}%"))).all()
        db.session.remove()
    return rows


def test_accounts_reset_is_done_by_the_system(app, demo):
    person = demo.user("staff")
    result = app.test_cli_runner().invoke(args=["accounts", "reset", person["username"]])
    assert result.exit_code == 0, result.output
    assert _events(app, "password_reset", person["username"]) == [(None, "Hệ thống (dòng lệnh)", "cli")]


def test_create_admin_is_done_by_the_system(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "quantri2", "--full-name", "Quản trị Hai",
                                                "--password", "Ba-Dinh-quan-tri-2026!x"])
    assert result.exit_code == 0, result.output
    assert _events(app, "user_created", "quantri2") == [(None, "Hệ thống (dòng lệnh)", "cli")]
