"""The migrations and the models agree: autogenerate against the migrated database finds nothing."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrations_match_models(app):
    from flask_appbuilder import Model

    from app import models  # noqa: F401
    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_setup_is_idempotent(app):
    from app.cli import run_setup
    from app.extensions import db
    from flask_appbuilder.security.sqla.models import PermissionView, Role

    with app.app_context():
        before = (db.session.query(Role).count(), db.session.query(PermissionView).count())
        counts = run_setup()
        after = (db.session.query(Role).count(), db.session.query(PermissionView).count())
    assert before == after
    from app.security.permissions import WITHHELD

    with app.app_context():
        withheld = sum(1 for pv in db.session.query(PermissionView).all() if (pv.permission.name, pv.view_menu.name) in WITHHELD)
    assert withheld > 0 and counts["Admin"] == after[1] - withheld


def test_every_declared_grant_exists(app):
    """A typo in the role table, or a view renamed, shows up here rather than as a silent 403."""
    from app.security.sync import missing_grants

    with app.app_context():
        assert missing_grants() == {}
