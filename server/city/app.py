"""The application factory of the city-wide view (`loket city serve`): the hall's login,
security headers, language switch and fonts, over the city's central database."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, g, request
from jinja2 import ChoiceLoader, FileSystemLoader

from loket.server import context
from loket.server.config import CityConfig
from loket.server.db import Database
from loket.server.errors import HubError, error_response
from loket.server.extensions import csrf, limiter, login_manager
from loket.server.i18n import LANGUAGES, translate

SERVER_DIR = Path(__file__).resolve().parent.parent


def create_city_app(config: CityConfig, *, testing: bool = False,
                    db: Database | None = None) -> Flask:
    from loket.server.app import configure_web

    app = Flask(__name__, static_folder=str(SERVER_DIR / "static"),
                template_folder=str(SERVER_DIR / "templates"))
    configure_web(app, config, testing)
    app.config[context.CITY_CONFIG] = config
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(Path(__file__).parent / "templates")),
        FileSystemLoader(str(SERVER_DIR / "templates")),
    ])
    if db is None:
        db = Database(config.storage.url, echo=config.storage.echo)
        db.upgrade()
    app.extensions[context.DB] = db
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from loket.server import auth, vendor, web
    from loket.server.city import (
        messages,  # noqa: F401  (registers the texts)
        views,
    )

    auth.init_app(app)
    web.init_app(app)
    vendor.init_app(app)
    app.register_blueprint(views.bp)
    app.view_functions["web.index"] = views.overview
    from loket.server.integrations import city_open_data  # public open data of every hall

    city_open_data.init_app(app)

    @app.before_request
    def _language() -> None:
        g.lang = _pick_language(config.city.language)

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        lang = getattr(g, "lang", config.city.language)
        return {
            "_": lambda key, **kw: translate(key, lang, **kw),
            "lang": lang,
            "hall": SimpleNamespace(name=config.city.name),
            "other_lang": "en" if lang == "id" else "id",
        }

    @app.errorhandler(HubError)
    def _refused(exc: HubError) -> Any:
        return error_response(exc.code, exc.status, exc.message(g.get("lang", "id")))

    return app


def _pick_language(default: str) -> str:
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return default
