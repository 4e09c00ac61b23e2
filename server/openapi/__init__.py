"""The machine-readable contract of the JSON API: ``GET /api/openapi.json`` (OpenAPI 3.1,
built from the pydantic models that parse the request bodies) and a readable reference at
``/api/docs`` (Swagger UI, served locally from npm)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template_string, url_for

from loket.server.openapi.body import Body, parse, parse_model

__all__ = ["Body", "init_app", "parse", "parse_model"]

bp = Blueprint("openapi", __name__, url_prefix="/api")

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loket API</title>
<link rel="stylesheet" href="{{ vendor }}/swagger-ui.css">
</head><body>
<main><h1 style="position:absolute;left:-10000px">Loket API</h1>
<div id="api" data-spec="{{ url_for('openapi.spec') }}"></div></main>
<script src="{{ vendor }}/swagger-ui-bundle.js"></script>
<script src="{{ url_for('static', filename='api-docs.js') }}"></script>
</body></html>"""


@bp.get("/openapi.json")
def spec() -> Any:
    from loket.server.openapi.spec import build

    document = current_app.extensions.get("loket.openapi")
    if document is None:
        document = current_app.extensions["loket.openapi"] = build(current_app)
    return jsonify(document)


@bp.get("/docs")
def docs() -> Any:
    vendor = url_for("vendor.asset", package="swagger-ui", filename="x").removesuffix("/x")
    return render_template_string(DOCS_PAGE, vendor=vendor)


def init_app(app: Flask) -> None:
    from loket.server.openapi import access

    app.register_blueprint(bp)
    access.init_app(app)
