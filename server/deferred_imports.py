"""Libraries imported by the serving hub's dependencies that it may never use, run at their
first use instead of at start.

python-engineio's package imports its client side whatever the application uses:
``engineio.client`` imports requests and websocket-client, ``engineio.async_client`` imports
aiohttp (with urllib3, charset-normalizer, idna, yarl, multidict, attrs...). The hub is a
server: it needs them only for a webhook or a notice sent over HTTP (requests), never for a
display, a kiosk or a counter. Together they were 13 MB of the hub's memory at start
(docs/benchmarks.md, "Hub: faster", perf-mem); SQLAlchemy's PostgreSQL dialect 3 MB more on
SQLite (:data:`OTHER_DIALECTS`).

A deferred module is a module object in ``sys.modules`` with its name, file, spec and package
path set but its code not yet run: ``import requests`` binds it and runs nothing; the first
attribute read from it (``requests.Session``) runs the module's code in that same object, as
an ordinary import would have, and returns the attribute. Importing one of its submodules
(``import requests.adapters``) runs the package first, as always. So the only change is when
the code runs; what a program sees of the module is the same.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types
from typing import Any

log = logging.getLogger(__name__)

CLIENT_SIDE = ("requests", "websocket", "aiohttp")
"""The client libraries python-engineio imports at its own import (see above)."""
REDIS = ("redis", "redis.asyncio")
"""redis-py, which python-socketio imports for its Redis message queue (``import redis``,
``from redis.exceptions import RedisError``, ``from redis import asyncio``): 6 MB at start for
a hub without ``[realtime] message_queue``. It is deferred as an open package (see
:func:`defer`): ``redis.exceptions`` runs alone, ``redis.asyncio`` is deferred as its
attribute, and redis runs at the first use of anything else (``redis.Redis``), before
``redis.asyncio`` runs."""
OTHER_DIALECTS = ("sqlalchemy.dialects.postgresql",)
"""SQLAlchemy's PostgreSQL dialect, which Loket's modules import for their PostgreSQL
statements (``postgresql.insert``): 3 MB at start for a hub on SQLite, which never uses it.
A hub on PostgreSQL runs it when its engine is created."""

_lock = threading.RLock()
_running: set[str] = set()


class DeferredModule(types.ModuleType):
    """A module whose code runs at the first read of an attribute it does not have yet."""

    def __getattr__(self, name: str) -> Any:
        with _lock:
            if type(self) is DeferredModule:
                if self.__name__ in _running:
                    # Read by its own code while it runs (``from . import sub`` asks whether
                    # the package has ``sub`` yet): it has not, as in an ordinary import.
                    raise AttributeError(
                        f"partially initialized module {self.__name__!r} has no attribute "
                        f"{name!r}")
                _run(self)
        return getattr(self, name)


def _run(module: types.ModuleType) -> None:
    name = module.__name__
    spec = module.__spec__
    assert spec is not None and spec.loader is not None
    parent = sys.modules.get(name.rpartition(".")[0])
    if isinstance(parent, DeferredModule) and parent.__name__ not in _running:
        _run(parent)  # a package runs before its submodules
    _running.add(name)
    try:
        if spec.submodule_search_locations is not None:
            module.__path__ = spec.submodule_search_locations
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)  # as a failed import leaves it: the next import retries
        raise
    finally:
        _running.discard(name)
    module.__class__ = types.ModuleType
    log.debug("imported %s at its first use", name)


def defer(*names: str, open_package: bool = False) -> list[str]:
    """Put each module of ``names`` that is installed, not imported yet and plain Python into
    ``sys.modules`` as a :class:`DeferredModule`; the names deferred. A submodule's package
    is imported now (``sqlalchemy.dialects`` for ``sqlalchemy.dialects.postgresql``), or is
    deferred itself with ``open_package``, and holds the deferred module as its attribute, as
    after an ordinary import.

    A deferred package has no ``__path__`` until it has run, so importing one of its
    submodules runs the package first, as an ordinary import does. With ``open_package`` it
    keeps its path: a submodule imported by name then runs before its package (for a module
    that imports nothing of its package, such as ``redis.exceptions``)."""
    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        parent_name, _, child = name.rpartition(".")
        parent = importlib.import_module(parent_name) if parent_name else None
        if parent is not None and is_deferred(parent) and "__path__" not in vars(parent):
            continue  # finding it would run the package now
        spec = importlib.util.find_spec(name)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            continue
        module = importlib.util.module_from_spec(spec)
        if not open_package:
            module.__dict__.pop("__path__", None)
        module.__class__ = DeferredModule
        sys.modules[name] = module
        if parent is not None:
            setattr(parent, child, module)
        deferred.append(name)
    return deferred


def is_deferred(module: object) -> bool:
    """True while ``module``'s code has not run yet."""
    return type(module) is DeferredModule


def defer_unused_at_start() -> list[str]:
    """Defer :data:`CLIENT_SIDE`, :data:`REDIS` and :data:`OTHER_DIALECTS` (call it before
    python-socketio and Loket's modules are imported)."""
    return [*defer(*CLIENT_SIDE), *defer(*REDIS, open_package=True), *defer(*OTHER_DIALECTS)]
