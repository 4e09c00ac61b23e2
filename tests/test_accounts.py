"""Issue 12 items 5, 6 and 11: sessions end on logout, password change, disable and role change
and after an idle time; officers without counters act nowhere; the password policy; a login
lockout that counts failures only and never locks a colleague out; `loket user enable`; no
officer names in the public state; a counter's officer is set only by an explicit sign-in."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from loket.server.auth import AuthError, add_user, create_token, set_active, set_password, set_role
from loket.server.commands import cli
from loket.server.config import ConfigError, load_config
from loket.server.extensions import socketio
from loket.server.models import Ticket, User, UserSession

PASSWORD = "rahasia-petugas-1"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def try_login(client: Any, username: str, password: str = PASSWORD, lang: str = "") -> Any:
    query = f"?lang={lang}" if lang else ""
    token = csrf_of(client.get("/login" + query).get_data(True))
    return client.post("/login" + query, data={"csrf_token": token, "username": username,
                                               "password": password})


def login(client: Any, username: str) -> str:
    response = try_login(client, username)
    assert response.status_code == 302, response.get_data(True)[:500]
    return csrf_of(client.get("/").get_data(True))


def cookie_copy(app: Any, client: Any) -> Any:
    """A second browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def signed_in(client: Any) -> bool:
    return client.get("/counter/1/data").status_code == 200


@pytest.fixture
def siti(hub: Any) -> str:
    add_user(hub.db, "siti", PASSWORD, "officer", ["1"])
    return "siti"


# ------------------------------------------------------------------ item 5: sessions


def test_copied_cookie_is_worthless_after_logout(app: Any, client: Any, siti: str) -> None:
    csrf = login(client, siti)
    thief = cookie_copy(app, client)
    assert signed_in(thief)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)


@pytest.mark.parametrize("change", ["password", "disable", "role"])
def test_sessions_end_on_account_changes(app: Any, client: Any, hub: Any, siti: str,
                                         change: str) -> None:
    login(client, siti)
    thief = cookie_copy(app, client)
    assert signed_in(client) and signed_in(thief)
    if change == "password":
        set_password(hub.db, siti, "sandi-baru-yang-panjang")
    elif change == "disable":
        set_active(hub.db, siti, False)
    else:
        set_role(hub.db, siti, "officer", ["1", "2"])
    assert not signed_in(client)
    assert not signed_in(thief)
    with hub.db.session() as s:
        assert s.scalars(select(UserSession)).all() == []


def _age_sessions(hub: Any, hours: float) -> None:
    with hub.db.session() as s:
        s.execute(update(UserSession).values(last_seen_ts=time.time() - hours * 3600))


def test_idle_officer_session_ends_after_12_hours(client: Any, hub: Any, siti: str) -> None:
    login(client, siti)
    _age_sessions(hub, 11.5)
    assert signed_in(client)  # and this request counts as activity
    _age_sessions(hub, 12.1)
    assert not signed_in(client)


def test_idle_supervisor_session_ends_sooner(client: Any, hub: Any) -> None:
    add_user(hub.db, "budi", PASSWORD, "supervisor")
    login(client, "budi")
    _age_sessions(hub, 3.9)
    assert signed_in(client)
    _age_sessions(hub, 4.1)
    assert not signed_in(client)


def test_idle_timeouts_are_configured_and_checked(write_config: Any) -> None:
    config = load_config(write_config(extra="[security]\nofficer_idle_timeout_min = 60\n"))
    assert config.security.officer_idle_timeout_min == 60
    with pytest.raises(ConfigError) as err:
        load_config(write_config(extra="[security]\nsupervisor_idle_timeout_min = 0\n"))
    assert "loket.toml: security.supervisor_idle_timeout_min" in str(err.value)


# ------------------------------------------------------------------ item 6: accounts


def test_officer_without_counters_acts_nowhere(client: Any, hub: Any) -> None:
    add_user(hub.db, "nobody", PASSWORD, "officer")
    csrf = login(client, "nobody")
    hub.issue_ticket("A")
    response = client.post("/api/counters/1/next", headers={"X-CSRFToken": csrf})
    assert response.status_code == 403
    assert client.get("/counter/1").status_code == 403
    choose = client.get("/counter")
    assert choose.status_code == 200 and "/counter/1" not in choose.get_data(True)
    assert client.get("/api/counters/1").status_code == 403


def test_cli_officer_needs_counters_and_user_enable(write_config: Any) -> None:
    path = str(write_config())
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "ani", "--role", "officer", "--password-stdin",
                                 "--config", path], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "--counters" in result.output
    result = runner.invoke(cli, ["user", "add", "ani", "--role", "officer", "--counters", "1",
                                 "--password-stdin", "--config", path], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["user", "disable", "ani", "--config", path]).exit_code == 0
    assert "ani\tofficer\t1\tdisabled" in runner.invoke(
        cli, ["user", "list", "--config", path]).output
    result = runner.invoke(cli, ["user", "enable", "ani", "--config", path])
    assert result.exit_code == 0 and "enabled" in result.output
    assert "ani\tofficer\t1\tactive" in runner.invoke(
        cli, ["user", "list", "--config", path]).output
    result = runner.invoke(cli, ["user", "role", "ani", "--role", "supervisor", "--config", path])
    assert result.exit_code == 0 and "supervisor" in result.output


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", " " * 10, "qwertyuiop", "password1234",
                                  "1234567890", "iloveyou12", "siti123456"])
def test_weak_passwords_refused(hub: Any, weak: str) -> None:
    with pytest.raises(AuthError, match=r"easy|at least"):
        add_user(hub.db, "siti", weak, "officer", ["1"])
    add_user(hub.db, "siti", "kata-sandi-panjang", "officer", ["1"])  # a passphrase passes


def test_successful_logins_never_lock(client: Any, hub: Any, siti: str) -> None:
    for _ in range(15):  # a whole office logging in from one address at the shift start
        csrf = login(client, siti)
        client.post("/logout", data={"csrf_token": csrf})


def test_lockout_counts_failures_per_account_and_address(client: Any, hub: Any,
                                                         siti: str) -> None:
    add_user(hub.db, "budi", PASSWORD, "officer", ["2"])
    codes = [try_login(client, siti, "salah-sandi-1234").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    # siti is locked here, even with the right password ...
    locked = try_login(client, siti)
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.get_data(True)
    assert "Too Many Requests" not in locked.get_data(True)
    english = try_login(client, siti, lang="en")
    assert "Too many failed login attempts" in english.get_data(True)
    # ... but a colleague in the same office still logs in.
    assert try_login(client, "budi").status_code == 302


def test_a_noisy_address_never_locks_out_a_correct_login(write_config: Any) -> None:
    from loket.server.app import create_app
    from tests.support.hall import SMALL_HALL

    config = load_config(write_config(SMALL_HALL, "[security]\nlogin_address_max_failures = 6\n"))
    app = create_app(config, async_mode="threading", testing=True)
    try:
        add_user(app.extensions["loket.db"], "siti", PASSWORD, "officer", ["1"])
        client = app.test_client()
        for i in range(6):  # [security] login_address_max_failures, over many names
            assert try_login(client, f"tamu{i}", "salah-sandi-1234").status_code == 401
        # wrong passwords from this address are now refused as locked ...
        assert try_login(client, "lain", "salah-sandi-1234").status_code == 429
        # ... yet a correct password for an account that is not locked works.
        assert try_login(client, "siti").status_code == 302
    finally:
        app.extensions["loket.hub"].db.dispose()


def test_public_state_has_no_officer_names(app: Any, client: Any, hub: Any, siti: str) -> None:
    hub.issue_ticket("A")
    csrf = login(client, siti)
    client.post("/api/counters/1/next", headers={"X-CSRFToken": csrf})
    staff = client.get("/api/state").get_json()
    assert {c["counter"]: c["officer"] for c in staff["counters"]}["1"] == "siti"
    public = app.test_client().get("/api/state")
    assert "siti" not in public.get_data(True)
    assert all("officer" not in c for c in public.get_json()["counters"])
    display = socketio.test_client(app, namespace="/display")
    snapshot = [m for m in display.get_received("/display") if m["name"] == "snapshot"]
    assert snapshot and "siti" not in str(snapshot)
    answer = display.emit("snapshot", {}, namespace="/display", callback=True)
    assert "siti" not in str(answer)
    display.disconnect(namespace="/display")


# ------------------------------------------------------------------ item 11: credit


def test_only_an_explicit_sign_in_sets_the_counters_officer(app: Any, hub: Any,
                                                            siti: str) -> None:
    officer = app.test_client()
    login(officer, siti)
    page = officer.get("/counter/1")
    assert page.status_code == 200 and hub.counter_state("1")["officer"] is None
    assert officer.post("/counter/1/signin").status_code == 400  # CSRF
    assert officer.get("/counter/1/signin").status_code == 405
    response = officer.post("/counter/1/signin", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 302 and hub.counter_state("1")["officer"] == "siti"

    add_user(hub.db, "budi", PASSWORD, "supervisor")
    supervisor = app.test_client()
    login(supervisor, "budi")
    assert supervisor.get("/counter/1").status_code == 200
    assert hub.counter_state("1")["officer"] == "siti"  # looking changes nothing

    hub.issue_ticket("A")
    token = create_token(hub.db, "keypads", "device", ["1"])
    keypad = app.test_client().post("/api/counters/1/next",
                                    headers={"Authorization": f"Bearer {token}"})
    assert keypad.status_code == 200
    with hub.db.session() as s:
        assert s.scalars(select(Ticket.officer)).one() == "siti"

    set_role(hub.db, siti, "officer", ["1", "2"])
    login(officer, siti)
    page = officer.get("/counter/2")
    officer.post("/counter/2/signin", data={"csrf_token": csrf_of(page.text)})
    assert hub.counter_state("2")["officer"] == "siti"
    assert hub.counter_state("1")["officer"] is None  # one counter at a time


def test_logout_signs_the_officer_out_of_the_counter(client: Any, hub: Any, siti: str) -> None:
    login(client, siti)
    page = client.get("/counter/1").get_data(True)
    client.post("/counter/1/signin", data={"csrf_token": csrf_of(page)})
    assert hub.counter_state("1")["officer"] == "siti"
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert hub.counter_state("1")["officer"] is None
    with hub.db.session() as s:
        assert s.scalars(select(User.username)).all() == ["siti"]


def test_live_connections_end_with_the_session(app: Any, client: Any, hub: Any,
                                               siti: str) -> None:
    csrf = login(client, siti)
    panel = socketio.test_client(app, namespace="/counter", flask_test_client=client,
                                 auth={"counter": "1"})
    assert panel.is_connected("/counter")
    client.post("/logout", data={"csrf_token": csrf})
    assert not panel.is_connected("/counter")  # logout closes the panel's live link

    csrf = login(client, siti)
    panel = socketio.test_client(app, namespace="/counter", flask_test_client=client,
                                 auth={"counter": "1"})
    assert panel.is_connected("/counter")
    sockets = app.extensions["loket.socket_sessions"]
    assert sockets.sweep() == 0  # a live session keeps its connection
    set_password(hub.db, siti, "sandi-baru-yang-panjang")  # e.g. `loket user passwd`
    assert sockets.sweep() == 1
    assert not panel.is_connected("/counter")
