"""Helpers shared by the supervisor part's tests: logging a test client in, CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

from loket.server.auth import add_user

PASSWORD = "rahasia-supervisor-1"


def login(client: Any, hub: Any, username: str = "sup", role: str = "supervisor",
          counters: list[str] | None = None) -> str:
    """Create the user (an officer acts only at ``counters``), log the test client in; return
    the page's CSRF token."""
    add_user(hub.db, username, PASSWORD, role, counters)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        token = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert token, "login form has no csrf_token"
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_from(client)


def csrf_from(client: Any, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)
