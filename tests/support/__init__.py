"""Helpers shared by several test modules (no tests here; test modules never import each
other, they import from this package):

- ``hall``: the small test hall, free ports, ``LiveHub`` (a ``loket serve`` process),
  ``wait_healthy``, a hall of many counters.
- ``wait``: ``wait_until``/``wait_for`` (the one poll loop) and ``Collected``/``Lines``
  (items from another thread, awaited without polling).
- ``login`` (test-client sign-in and CSRF), ``staff`` (accounts and sign-in in Chromium),
  ``axe`` (accessibility checks).
- ``kiosk`` (pairing), ``display`` (the TV page), ``signage``, ``keypads``.
- ``outbox`` (an in-process hub with its notice worker), ``notify`` and ``gateways`` (notice
  tests and fake SMS/WhatsApp gateways), ``receivers`` (webhook receivers).
- ``services`` (real PostgreSQL and Redis servers), ``open_data`` (a seeded day of service).
"""
