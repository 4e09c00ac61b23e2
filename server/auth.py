"""People and devices: users with hashed passwords and roles, API tokens stored hashed, and
the checks every protected endpoint makes.

Roles: ``officer`` (bound to counters; none given means none), ``supervisor``, ``admin`` for
people; ``device`` (keypad bridges, bound to counters or all), ``announcer`` and ``supervisor``
for tokens.

Sessions are kept on the server (:class:`server.models.UserSession`): the cookie holds a random
id, so logout, a password change, a disable or a role change ends them, and an idle session
expires after ``[security] officer_idle_timeout_min`` / ``supervisor_idle_timeout_min``."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, request
from flask_login import UserMixin, current_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from loket.server import context
from loket.server.context import find_hub, get_db, get_extension, hall_or_city_config
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.extensions import login_manager
from loket.server.hub import hash_token
from loket.server.models import ApiToken, AuditEntry, User, UserSession
from loket.server.token_cache import TtlCache

USER_ROLES = ("officer", "supervisor", "admin")
TOKEN_ROLES = ("device", "announcer", "supervisor", "admin", "integration", "integration-act")
INTEGRATION_ROLES = ("integration", "integration-act")
"""Agencies' systems: ``integration`` reads (GET), ``integration-act`` may also issue
tickets (``loket token create --role integration [--scope read|act]``)."""
MIN_PASSWORD = 10
MIN_STRENGTH = 3
"""zxcvbn score (0-4) a password needs: 3 is "safely unguessable" for an online attack and
refuses common passwords, keyboard walks, repeats and dictionary words with digits."""
SEEN_EVERY_S = 60.0
"""A session's last request is written back at most this often."""
TOKEN_CACHE_S = 5.0
"""A valid token's principal is remembered this long (not read from the database on every
request). A token revoked in this process is refused at once; one revoked by another process
(``loket token revoke`` from a shell, another hub process) within this many seconds."""
TOKEN_CACHE_SIZE = 256
"""Most tokens remembered at once (the least recently used is forgotten first)."""
TOKENS: TtlCache[Principal] = TtlCache(TOKEN_CACHE_S, TOKEN_CACHE_SIZE)
"""Recently verified tokens: (database URL, the token's SHA-256) → principal. Only tokens
found valid are kept: an unknown token is looked up every time."""


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a logged-in person or a token."""

    kind: str
    """"user" or "token"."""
    name: str
    role: str
    counters: frozenset[str] | None
    """Counters this principal may act for; None means all."""
    user_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    def may_operate(self, counter_id: str) -> bool:
        if self.role in ("supervisor", "admin"):
            return True
        if self.role not in ("officer", "device"):
            return False
        return self.counters is None or counter_id in self.counters

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def is_integration(self) -> bool:
        return self.role in INTEGRATION_ROLES


class LoginUser(UserMixin):
    """The Flask-Login view of a :class:`User` row, with the session it is signed in by."""

    def __init__(self, row: User, session_id: str = "") -> None:
        self.id = str(row.id)
        self.session_id = session_id
        self.username = row.username
        self.display_name = row.display_name or row.username
        self.role = row.role
        # A person's counters are exactly those listed: none listed means none.
        self.counters: frozenset[str] | None = _counters(row.counters) or frozenset()

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the user's id and the session's random id."""
        return f"{self.id}:{self.session_id}"

    @property
    def principal(self) -> Principal:
        return Principal("user", self.username, self.role, self.counters, int(self.id))


def _counters(text: str) -> frozenset[str] | None:
    ids = frozenset(c.strip() for c in text.split(",") if c.strip())
    return ids or None


class AuthError(ValueError):
    """A user or token command that cannot be done; the message says why."""


def check_password_strength(password: str, username: str) -> None:
    """Refuse short passwords, one character repeated (``aaaaaaaaaa``, ten spaces), and
    anything zxcvbn finds easy to guess: common passwords, words, patterns, the user's name."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(set(password)) == 1 or not password.strip():
        raise AuthError("the password is too easy to guess: one character repeated")
    if password.lower() == username.lower():
        raise AuthError("the password is too easy to guess: it is the user name")
    # Imported here: its dictionaries are 12 MB that a serving hub needs only when a password
    # is set. Its time grows with the length; the first 100 characters decide.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[username])
    if result["score"] < MIN_STRENGTH:
        hint = result["feedback"].get("warning") or "a common password, word or pattern"
        raise AuthError(f"the password is too easy to guess ({hint.rstrip('.').lower()}); "
                        "use a longer phrase of several unusual words")


def _end_sessions(s: Any, user_id: int) -> None:
    s.execute(delete(UserSession).where(UserSession.user_id == user_id))


def add_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    counters: list[str] | None = None,
    display_name: str = "",
    now: float = 0.0,
    actor: str = "cli",
) -> None:
    _check_role(role)
    plain = username.replace(".", "").replace("_", "").replace("-", "")
    if not username or len(username) > 64 or not plain.isalnum():
        raise AuthError("username must be 1-64 letters, digits, '.', '_' or '-'")
    check_password_strength(password, username)
    with db.session() as s:
        if s.scalars(select(User).where(User.username == username)).first():
            raise AuthError(f"user {username!r} already exists")
        s.add(
            User(
                username=username,
                display_name=display_name,
                password_hash=generate_password_hash(password),
                role=role,
                counters=",".join(counters or []),
                active=True,
                created_ts=now,
            )
        )
        s.add(AuditEntry(ts=now, actor=actor, action="user:add", target=username, detail=role))


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise AuthError(f"role must be one of {', '.join(USER_ROLES)}")


def set_password(db: Database, username: str, password: str, now: float = 0.0,
                 actor: str = "cli") -> None:
    """Change a password; every session of the user ends."""
    check_password_strength(password, username)
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise AuthError(f"no user {username!r}")
        user.password_hash = generate_password_hash(password)
        _end_sessions(s, user.id)
        s.add(AuditEntry(ts=now, actor=actor, action="user:passwd", target=username))


def set_active(db: Database, username: str, active: bool, now: float = 0.0,
               actor: str = "cli") -> None:
    """Enable or disable a user; disabling ends every session of the user."""
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise AuthError(f"no user {username!r}")
        user.active = active
        if not active:
            _end_sessions(s, user.id)
        action = "user:enable" if active else "user:disable"
        s.add(AuditEntry(ts=now, actor=actor, action=action, target=username))


def set_role(
    db: Database, username: str, role: str, counters: list[str] | None = None, now: float = 0.0,
    actor: str = "cli",
) -> None:
    """Change a user's role and counters; every session of the user ends."""
    _check_role(role)
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise AuthError(f"no user {username!r}")
        user.role = role
        user.counters = ",".join(counters or [])
        _end_sessions(s, user.id)
        s.add(AuditEntry(ts=now, actor=actor, action="user:role", target=username,
                         detail=f"{role} {user.counters}".strip()))


def start_session(db: Database, user: LoginUser, now: float) -> LoginUser:
    """Record a new signed-in session for ``user``; returns the user bound to it."""
    session_id = secrets.token_urlsafe(32)
    with db.session() as s:
        s.add(UserSession(id=hash_token(session_id), user_id=int(user.id), created_ts=now,
                          last_seen_ts=now))
    user.session_id = session_id
    return user


def end_session(db: Database, session_id: str) -> None:
    """Logout: the session's row goes, so a copy of its cookie is refused afterwards."""
    with db.session() as s:
        s.execute(delete(UserSession).where(UserSession.id == hash_token(session_id)))


def idle_timeout_s(role: str) -> float:
    """Seconds of inactivity after which a session of ``role`` ends."""
    config = hall_or_city_config()
    security = config.security
    minutes = (security.officer_idle_timeout_min if role == "officer"
               else security.supervisor_idle_timeout_min)
    return minutes * 60.0


def load_session_user(
    db: Database, cookie_id: str, now: float, touch: bool = True
) -> LoginUser | None:
    """The user of a session cookie's id (``"<user id>:<session id>"``), or None when the
    session ended (logout, password or role change, disable) or has been idle too long.
    ``touch``: count this as activity (False for the check of open sockets)."""
    user_id, _, session_id = cookie_id.partition(":")
    if not user_id.isdigit() or not session_id:
        return None
    key = hash_token(session_id)
    with db.read() as s:
        found = s.get(UserSession, key)
        row = s.get(User, int(user_id))
        if found is None or row is None or found.user_id != row.id or not row.active:
            return None
        user = LoginUser(row, session_id)
        last_seen = found.last_seen_ts
    if now - last_seen > idle_timeout_s(user.role):
        end_session(db, session_id)
        return None
    if touch and now - last_seen > SEEN_EVERY_S:
        with db.best_effort() as s:  # a read never waits for the write lock for this
            seen = s.get(UserSession, key)
            if seen is not None:
                seen.last_seen_ts = now
    return user


def verify_user(db: Database, username: str, password: str) -> LoginUser | None:
    with db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            # Spend the same time as a real check so usernames cannot be probed.
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not user.active or not check_password_hash(user.password_hash, password):
            return None
        return LoginUser(user)


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def create_token(
    db: Database, name: str, role: str, counters: list[str] | None = None, now: float = 0.0,
    actor: str = "cli",
) -> str:
    """Create a token and return it; only its hash is stored, so it is shown once."""
    if role not in TOKEN_ROLES:
        raise AuthError(f"role must be one of {', '.join(TOKEN_ROLES)}")
    if not name or len(name) > 64:
        raise AuthError("a token needs a name of 1-64 characters")
    token = "lkt_" + secrets.token_urlsafe(32)
    with db.session() as s:
        s.add(
            ApiToken(
                name=name,
                role=role,
                token_hash=hash_token(token),
                counters=",".join(counters or []),
                created_ts=now,
            )
        )
        s.add(AuditEntry(ts=now, actor=actor, action="token:create", target=name, detail=role))
    return token


def revoke_token(db: Database, token_id: int, now: float = 0.0, actor: str = "cli") -> None:
    with db.session() as s:
        row = s.get(ApiToken, token_id)
        if row is None:
            raise AuthError(f"no token with id {token_id}")
        row.revoked_ts = now
        s.add(AuditEntry(ts=now, actor=actor, action="token:revoke", target=row.name))
    TOKENS.clear()


def principal_for_token(db: Database, token: str) -> Principal | None:
    """The principal of a valid API token, or None (unknown or revoked). Remembered for
    :data:`TOKEN_CACHE_S` seconds (see there)."""
    key = (db.url, hash_token(token))
    known = TOKENS.get(key)
    if known is not None:
        return known
    with db.read() as s:
        row = s.scalars(select(ApiToken).where(ApiToken.token_hash == key[1])).first()
        if row is None or row.revoked_ts is not None:
            return None
        principal = Principal("token", row.name, row.role, _counters(row.counters))
    TOKENS.put(key, principal)
    return principal


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_principal() -> Principal | None:
    """The request's principal: a Bearer token if one is sent, else the logged-in user."""
    if "principal" in g:
        known: Principal | None = g.principal
        return known
    principal: Principal | None = None
    token = bearer_token()
    if token is not None:
        principal = principal_for_token(get_db(), token)
    elif current_user.is_authenticated:
        principal = current_user.principal
    g.principal = principal
    return principal


def require_principal(*roles: str) -> Principal:
    """The request's principal, or HubError 401 (nobody) / 403 (wrong role)."""
    principal = current_principal()
    if principal is None:
        raise HubError("unauthorized")
    if roles and principal.role not in roles:
        raise HubError("forbidden")
    return principal


def principal_from_socket(auth: Any) -> Principal | None:
    """For Socket.IO connects: ``auth={"token": ...}`` or the session's logged-in user."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return principal_for_token(get_db(), auth["token"])
    if current_user.is_authenticated:
        # The connection ends with the session (logout, password change, idle timeout):
        # server.socket_sessions watches it (found through the app, not imported: it imports
        # this module).
        sessions: Any = get_extension(context.SOCKET_SESSIONS)
        if sessions is not None:
            sessions.opened(request.namespace, request.sid,  # type: ignore[attr-defined]
                            current_user.get_id())
        user: LoginUser = current_user
        return user.principal
    return None


def audit(actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Record a login or logout: through the hub (its clock) in a hall, directly in the city."""
    hub = find_hub()
    if hub is not None:
        hub.audit(actor, action, target, detail)
        return
    db: Database = get_db()
    with db.session() as s:
        s.add(AuditEntry(ts=time.time(), actor=actor, action=action, target=target,
                         detail=detail))


def init_app(app: Flask) -> None:
    login_manager.login_view = "web.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def _load(cookie_id: str) -> LoginUser | None:
        return load_session_user(get_db(app), cookie_id, time.time())
