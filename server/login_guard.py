"""Login lockout: failed logins only (a successful login is never counted), per account and
address, per account everywhere, and per address.

* ``login_max_failures`` failures for one account from one address lock that account for that
  address: the password is not even checked.
* ``login_account_max_failures`` failures for one account from anywhere lock the account.
* ``login_address_max_failures`` failures from one address make its wrong passwords answer
  "locked", but a correct password for an account that is not locked still logs in: one
  person's typos (or a colleague's forgotten password) never lock out the rest of an office
  behind the same address.

Failures are rows in the database, so every hub process and a restart see the same counts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from loket.server.config.security import SecuritySection
from loket.server.db import Database
from loket.server.models import LoginFailure


@dataclass(frozen=True)
class Lock:
    """Why a login is refused and for how many more minutes."""

    scope: str
    """"account" (this account everywhere), "pair" (this account from this address) or
    "address" (wrong passwords from this address)."""
    minutes: int


class LoginGuard:
    def __init__(self, db: Database, settings: SecuritySection) -> None:
        self.db = db
        self.settings = settings

    @property
    def window_s(self) -> float:
        return self.settings.login_lockout_min * 60.0

    def _oldest(self, s: Session, now: float, **where: str) -> tuple[int, float]:
        query = select(func.count(), func.min(LoginFailure.ts)).where(
            LoginFailure.ts > now - self.window_s)
        for column, value in where.items():
            query = query.where(getattr(LoginFailure, column) == value)
        count, first = s.execute(query).one()
        return int(count or 0), float(first or now)

    def lock(self, username: str, address: str, now: float) -> Lock | None:
        """The lock in force before the password is checked ("address" locks only refuse
        wrong passwords)."""
        username, address = username[:64], address[:64]
        st = self.settings
        with self.db.read() as s:
            checks = (
                ("pair", st.login_max_failures, {"username": username, "address": address}),
                ("account", st.login_account_max_failures, {"username": username}),
                ("address", st.login_address_max_failures, {"address": address}),
            )
            for scope, limit, where in checks:
                count, first = self._oldest(s, now, **where)
                if count >= limit:
                    left = max(1, math.ceil((first + self.window_s - now) / 60.0))
                    return Lock(scope, left)
        return None

    def failed(self, username: str, address: str, now: float) -> None:
        """Count one failed login (and forget failures older than the window)."""
        with self.db.session() as s:
            s.execute(delete(LoginFailure).where(LoginFailure.ts <= now - self.window_s))
            s.add(LoginFailure(ts=now, username=username[:64], address=address[:64]))
