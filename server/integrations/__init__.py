"""Integration with other systems (SPBE): signed event webhooks for agencies' systems and
public open data. See docs/integrations.md.

* :mod:`.subscriptions`, :mod:`.delivery`, :mod:`.health`, :mod:`.webhooks_api` — webhooks:
  subscriptions from ``[[integrations.webhooks]]`` and the admin API, events written into the
  notice outbox by database triggers (migration ``0010_webhooks``), delivered by
  `loket notify worker`;
* :mod:`.open_data`, :mod:`.open_data_views` — daily figures per service and agency, small
  counts suppressed, as JSON, CSV and the ``/data`` page; :mod:`.city_open_data` the same for
  all halls of the city-wide view."""

from __future__ import annotations

from flask import Flask

from loket.server.context import get_hub
from loket.server.integrations import delivery
from loket.server.notify.worker import HANDLERS

HANDLERS[delivery.KIND] = delivery.make_sender

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """The hub's webhook admin API and open-data endpoints; the config's subscriptions are
    copied into the database now."""
    from loket.server.integrations import (
        messages,  # noqa: F401  (registers the words)
        open_data_views,
        subscriptions,
        webhooks_api,
    )

    hub = get_hub(app)
    subscriptions.sync_config_safely(hub.db, hub.config, hub.clock())
    webhooks_api.init_app(app)
    open_data_views.init_app(app)
