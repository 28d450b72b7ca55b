"""The application factory: nothing is created at import time."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Optional[dict[str, Any]] = None) -> Flask:
    """Build one app: config and settings (checked), extensions, security, views, CLI."""
    from config import INSTANCE_DIR, check_production

    from app.settings import Settings, install

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("config.Config")
    app.config.setdefault("INSTANCE_DIR", str(INSTANCE_DIR))
    if overrides:
        app.config.update(overrides)
    check_production(app.config)
    settings = Settings.from_config(app.config)
    install(app, settings)
    Path(settings.instance_dir).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", logging.INFO), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("flask_appbuilder", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    register_extensions(app)
    register_appbuilder(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import flask_wtf.i18n

    from app.extensions import csrf, db, migrate

    # WTForms ships no Vietnamese catalog: form messages come from app/translations (domain "wtforms").
    flask_wtf.i18n.messages_path = lambda: str(Path(__file__).resolve().parent / "translations")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)


def register_appbuilder(app: Flask) -> None:
    from flask_appbuilder import AppBuilder

    from app.api import register_apis
    from app.extensions import db
    from app.security.lifecycle import install_request_guards
    from app.views import register_views
    from app.views.base import install_action_guard
    from app.views.home import HomeView

    with app.app_context():
        appbuilder = AppBuilder(indexview=HomeView)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
        register_apis(appbuilder)
        install_action_guard(app, appbuilder)
        install_request_guards(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
