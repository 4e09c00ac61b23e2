"""Wall screens that inform, and the hall's public service information.

Modules: :mod:`.media` (checking, thumbnailing and storing uploads), :mod:`.content`
(playlists per screen group, scheduled running texts, Standar Pelayanan, maklumat),
:mod:`.schedule` (date/weekday/time-of-day fields), :mod:`.skm` (the published SKM results),
:mod:`.complaints` (online pengaduan), :mod:`.push` (the ``signage`` Socket.IO event),
:mod:`.api` (JSON API and media files), :mod:`.pages` (public pages and the supervisors'
page)."""

from __future__ import annotations

from flask import Flask

from loket.server.context import get_hub
from loket.server.signage import messages, models  # noqa: F401  (strings and tables)


def init_app(app: Flask) -> None:
    from loket.server.extensions import csrf
    from loket.server.signage import api, pages, push

    csrf.exempt(api.bp)  # checked per request: only session-authenticated writes need it
    # The complaint form checks its own CSRF token (FlaskForm), to answer in the page's words.
    csrf.exempt(pages.complaint_send)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    push.init_socket(get_hub(app))


def start_in_hub(app: Flask) -> None:
    return None
