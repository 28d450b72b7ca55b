"""The application factory: nothing is created at import time."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from flask import Flask


def create_app(overrides: Optional[dict[str, Any]] = None) -> Flask:
    """Build one app: config, extensions, security, views, CLI."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)
    from config import INSTANCE_DIR, check_production

    check_production(app.config)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", logging.INFO), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("flask_appbuilder", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    register_extensions(app)
    register_appbuilder(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.extensions import csrf, db, migrate

    import flask_wtf.i18n

    # WTForms ships no Vietnamese catalog: form messages come from app/translations (domain "wtforms").
    flask_wtf.i18n.messages_path = lambda: str(Path(__file__).resolve().parent / "translations")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    csrf.init_app(app)


def register_appbuilder(app: Flask) -> None:
    from flask_appbuilder import AppBuilder

    from app.extensions import db
    from app.views import register_views
    from app.views.home import HomeView

    with app.app_context():
        appbuilder = AppBuilder(indexview=HomeView)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
        from app.views.base import install_action_guard

        install_action_guard(app, appbuilder)
        from app.security.lifecycle import install_request_guards

        install_request_guards(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
