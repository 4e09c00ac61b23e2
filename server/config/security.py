"""``[security]``: sessions, login lockout and connection limits (see docs/security.md)."""

from __future__ import annotations

from pydantic import Field

from loket.server.config.base import Section


class SecuritySection(Section):
    officer_idle_timeout_min: int = Field(default=720, ge=5, le=7 * 24 * 60)
    """Minutes without a request after which an officer's session ends and the officer logs in
    again (12 hours by default: a whole day at the counter)."""
    supervisor_idle_timeout_min: int = Field(default=240, ge=5, le=7 * 24 * 60)
    """The same for supervisors and admins, whose sessions can do more (4 hours by default).
    Only requests count as activity, not live updates received by an open dashboard: raise
    it for a dashboard left on a wall screen all day."""
    login_max_failures: int = Field(default=5, ge=1, le=100)
    """Failed logins for one account from one address before that account is locked for that
    address. Successful logins never count."""
    login_account_max_failures: int = Field(default=20, ge=1, le=1000)
    """Failed logins for one account from all addresses together before the account is locked
    everywhere (slows guessing spread over many machines)."""
    login_address_max_failures: int = Field(default=30, ge=1, le=10000)
    """Failed logins from one address (all accounts) before wrong passwords from it are
    answered "locked"; a correct password for an account that is not locked still logs in, so
    one person's typos never lock out a colleague in the same office."""
    login_lockout_min: int = Field(default=15, ge=1, le=24 * 60)
    """How far back failures are counted, in minutes; a lock ends when its failures are older."""
    max_connections_per_address: int = Field(default=100, ge=1, le=100000)
    """Most Socket.IO/WebSocket connections one address may hold open; more are refused with
    429. Raise it when many phones reach the hub through one NAT address."""
    connection_reserve: int = Field(default=64, ge=8, le=100000)
    """File descriptors kept free for the database, logs, kiosks and ``/healthz``: new
    Socket.IO connections are refused with 503 when the open connections come within this
    many of the process's limit (``RLIMIT_NOFILE``, ``LimitNOFILE`` in the systemd unit)."""
    snapshot_interval_s: float = Field(default=1.0, ge=0.0, le=60.0)
    """Shortest time between two ``snapshot`` requests of one display connection; a faster
    request is answered with an error object instead of the state."""
