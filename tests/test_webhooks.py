"""Event webhooks with real HTTP receivers: every event type written by the database triggers
in the hub's own transactions, signed with HMAC-SHA256 (checked here with hmac), no personal
data unless allowed, every event delivered after a receiver outage (its port really refuses
connections; the worker's clock runs a minute on), none twice by id, in order per ticket,
dead letters, the admin API and the dashboard's delivery health."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loket.server.config import ConfigError, LoketConfig, load_config
from loket.server.integrations.models import WebhookSubscription
from loket.server.notify.models import NotifyOutbox
from loket.server.supervisor import survey
from tests.support.login import csrf_from, login
from tests.support.outbox import OutboxHall, halls
from tests.support.receivers import OTHER_SECRET, SECRET, Receiver
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(mode: str = "ok", failures: int = 0) -> Receiver:
        made.append(Receiver(mode, failures))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def hook(url: str, events: str = '["*"]', secret: str = "env:LOKET_TEST_HOOK_SECRET",
         extra: str = "") -> str:
    return f"""
[[integrations.webhooks]]
url = "{url}"
events = {events}
secret = "{secret}"
timeout_s = 1
{extra}
"""


@pytest.fixture
def hooked_hall(write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
                ) -> Callable[..., LoketConfig]:
    monkeypatch.setenv("LOKET_TEST_HOOK_SECRET", SECRET)

    def make(hooks: str, settings: str = "", storage: str = "") -> LoketConfig:
        return load_config(write_config(extra=f"""
{f'[storage]{chr(10)}url = "{storage}"' if storage else ""}
[integrations]
retry_base_s = 1
retry_max_s = 8
{settings or "max_attempts = 60"}
{hooks}
"""))

    return make


class Hall(OutboxHall):
    """An in-process hub whose worker (on a fake clock) sends the webhook events."""

    kind = "webhook"


hall = halls(Hall)


def busy_day(h: Hall) -> None:
    """Every event type: issued, called, recalled, transferred, done, no-show, a counter
    closed and opened again, a survey answer."""
    tickets = [h.ticket("A") for _ in range(4)]
    h.hub.counter_action("1", "next", officer="budi.santoso")   # A-001 called
    h.hub.counter_action("1", "recall")
    h.hub.counter_action("1", "transfer", service="B")          # A-001 to B
    h.hub.counter_action("1", "next")                           # A-002 called
    h.hub.counter_action("1", "done")
    h.hub.counter_action("1", "next")                           # A-001 (priority? no: B line)
    h.hub.counter_action("1", "skip")
    h.hub.counter_action("5", "next")
    h.hub.counter_action("5", "close")                          # finishes it: done
    h.hub.counter_action("5", "open")
    survey.record_response(h.hub, tickets[1]["status_token"], [4] * 9,
                           comment="Petugas Budi ramah, HP saya 0812 3456 7890")


def verify(record: dict[str, Any], secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), record["raw"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(record["headers"]["X-Loket-Signature"], expected)


def rows_for(h: Hall, receiver: Receiver) -> list[NotifyOutbox]:
    with h.hub.db.read() as s:
        ids = set(s.scalars(select(WebhookSubscription.id).where(
            WebhookSubscription.url == receiver.url)))
    return [r for r in h.outbox() if r.channel in {f"wh:{i}" for i in ids}]


def per_ticket_ids(rows: list[NotifyOutbox]) -> dict[str, list[str]]:
    order: dict[str, list[str]] = {}
    for row in rows:
        order.setdefault(row.stream, []).append(row.key.split(":", 1)[1])
    assert any(len(ids) >= 3 for ids in order.values()), "some tickets had several events"
    return order


def assert_complete_once_in_order(h: Hall, receiver: Receiver) -> None:
    rows = rows_for(h, receiver)
    assert rows and all(r.state == "sent" for r in rows), [(r.key, r.state) for r in rows]
    ids = [e["id"] for e in receiver.events()]
    assert len(ids) == len(set(ids)), "an event arrived twice"
    assert sorted(i.split(":", 1)[1] for i in ids) == sorted(
        r.key.split(":", 1)[1] for r in rows), "every event arrived"
    arrived = [i.split(":", 1)[1] for i in ids]
    for stream, expected in per_ticket_ids(rows).items():
        got = [i for i in arrived if i in expected]
        assert got == expected, f"{stream}: events out of order"


def test_every_event_type_is_signed_and_carries_no_personal_data(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    plain, trusted = receivers(), receivers()
    h = hall(hooked_hall(
        hook(plain.url, extra='name = "dukcapil"')
        + hook(trusted.url, secret=OTHER_SECRET,
               extra='name = "internal"\nallow_personal_data = true')))
    busy_day(h)
    h.settle()
    types = [e["type"] for e in plain.events()]
    for kind in ("ticket.issued", "ticket.called", "ticket.recalled", "ticket.transferred",
                 "ticket.done", "ticket.no_show", "counter.opened", "counter.closed",
                 "survey.submitted"):
        assert kind in types, kind
    assert_complete_once_in_order(h, plain)
    assert_complete_once_in_order(h, trusted)
    for record in plain.acked:
        assert verify(record, SECRET)
        assert not verify(record, OTHER_SECRET)
        body = json.loads(record["raw"])
        assert record["headers"]["X-Loket-Event-Id"] == body["id"]
        assert record["headers"]["X-Loket-Event-Type"] == body["type"]
        assert record["headers"]["Content-Type"] == "application/json"
        text = record["raw"].decode()
        for secret_bit in ("budi", "0812", "status_token", "Petugas", "officer", "comment"):
            assert secret_bit not in text, (secret_bit, text)
    for record in trusted.acked:
        assert verify(record, OTHER_SECRET)
    trusted_text = b"".join(r["raw"] for r in trusted.acked).decode()
    assert "budi.santoso" in trusted_text and "Petugas Budi ramah" in trusted_text
    assert "status_token" not in trusted_text
    # the same event has the same id for every receiver
    assert {e["id"] for e in plain.events()} == {e["id"] for e in trusted.events()}
    called = next(e for e in plain.events()
                  if e["type"] == "ticket.called" and e["data"]["ticket"] == "A-001")
    assert called["data"]["counter"] == "1"
    assert called["data"]["counter_name"] == "Loket 1"
    assert called["data"]["agency"] == "dukcapil" and called["hall"]["name"] == "MPP Uji"
    assert called["occurred_at"].endswith("+07:00")
    moved = next(e for e in plain.events() if e["type"] == "ticket.transferred")
    assert (moved["data"]["from_service"], moved["data"]["service"]) == ("A", "B")
    done = next(e for e in plain.events() if e["type"] == "ticket.done")
    assert done["data"]["wait_s"] >= 0 and "service_s" in done["data"]


def test_only_the_subscribed_types_are_sent(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    h = hall(hooked_hall(hook(receiver.url, events='["ticket.called", "counter.closed"]')))
    busy_day(h)
    h.settle()
    assert {e["type"] for e in receiver.events()} == {"ticket.called", "counter.closed"}


def test_every_event_arrives_after_the_receiver_was_down_for_a_minute(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    clock = FakeClock()
    h = hall(hooked_hall(hook(receiver.url)), clock)
    receiver.down()
    with pytest.raises(OSError):  # really down: the port refuses connections
        socket.create_connection(("127.0.0.1", receiver.port), timeout=1).close()
    busy_day(h)
    for _ in range(60):  # a minute of the worker's time, retrying with backoff
        h.worker.run_once()
        futures.wait(tuple(h.worker.in_flight), timeout=5)
        clock.advance(1.0)
    rows = h.outbox()
    assert not receiver.requests
    assert all(r.state == "queued" for r in rows)
    assert max(r.attempts for r in rows) >= 4, "retried during the outage"
    health = h.client.get("/api/integrations/webhooks")
    assert health.status_code == 401  # admins only
    from loket.server.integrations.health import webhook_health

    figures = webhook_health(h.hub)
    assert figures is not None and figures["subscriptions"][0]["failing"]
    assert figures["subscriptions"][0]["queued"] == len(rows)
    assert figures["alerts"] and figures["alerts"][0]["kind"] == "webhook"
    receiver.up()  # the same port again
    h.settle(clock)
    assert_complete_once_in_order(h, receiver)
    for record in receiver.acked:
        assert verify(record, SECRET)
    figures = webhook_health(h.hub)
    assert figures is not None and not figures["subscriptions"][0]["failing"]
    assert figures["subscriptions"][0]["sent"] == len(rows)


def test_order_per_ticket_holds_through_failures_and_dead_letters(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    receiver = receivers("fail", failures=3)
    clock = FakeClock()
    h = hall(hooked_hall(hook(receiver.url), settings="max_attempts = 2"), clock)
    h.ticket("A")
    h.hub.counter_action("1", "next")
    h.hub.counter_action("1", "done")
    rows = h.outbox()
    assert [r.key.split(":", 2)[2] for r in rows] == ["issued", "call:1", "done:0"]
    h.settle(clock)
    states = [r.state for r in h.outbox()]
    # the first event failed twice (dead letter), the second once and then went through;
    # the done event never overtook the call
    assert states == ["dead", "sent", "sent"], states
    got = [e["type"] for e in receiver.events()]
    assert got == ["ticket.called", "ticket.done"]
    order = [json.loads(r["raw"])["type"] for r in receiver.requests]
    assert order == ["ticket.issued", "ticket.issued", "ticket.called", "ticket.called",
                     "ticket.done"]


def test_a_hanging_receiver_holds_nothing_up(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    hanging = receivers("hang")
    h = hall(hooked_hall(hook(hanging.url)))
    stop = threading.Event()
    worker = threading.Thread(target=h.worker.run_forever, args=(stop,), daemon=True)
    worker.start()
    try:
        for _ in range(30):
            h.hub.issue_ticket("A", False)
        wait_until(lambda: len(hanging.requests) >= 4, 10)
        times = []
        for _ in range(30):
            start = time.perf_counter()
            h.hub.counter_action("1", "next")
            times.append(time.perf_counter() - start)
        times.sort()
        assert len(hanging.requests) >= 4, "every sending thread hangs on the receiver"
        assert times[len(times) // 2] < 0.2 and times[-1] < 0.5, times
    finally:
        hanging.release.set()
        stop.set()
        worker.join(10)


def test_admin_api_creates_lists_and_deletes_subscriptions(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    h = hall(hooked_hall(hook("http://127.0.0.1:9/never", extra='name = "from-config"',
                              events='["counter.closed"]')))
    c = h.client
    assert c.get("/api/integrations/webhooks").status_code == 401
    token = login(c, h.hub, "sup", "supervisor")
    assert c.get("/api/integrations/webhooks").status_code == 403
    c.post("/logout", data={"csrf_token": token})
    token = login(c, h.hub, "adm", "admin")
    listed = c.get("/api/integrations/webhooks").json["webhooks"]
    assert [w["name"] for w in listed] == ["from-config"]
    assert SECRET not in json.dumps(listed)
    body = {"name": "bpjs", "url": receiver.url, "events": ["ticket.called"]}
    assert c.post("/api/integrations/webhooks", json=body).status_code == 400  # no CSRF
    headers = {"X-CSRFToken": csrf_from(c)}
    for bad, why in (
        ({**body, "events": ["ticket.eaten"]}, "unknown event"),
        ({**body, "url": "ftp://x"}, "bad url"),
        ({**body, "secret": "plain-text-secret"}, "a secret in the request"),
        ({**body, "name": "Bad Name"}, "bad name"),
        ({**body, "timeout_s": 99}, "timeout"),
        ({**body, "extra": 1}, "unknown field"),
    ):
        answer = c.post("/api/integrations/webhooks", json=bad, headers=headers)
        assert answer.status_code == 400, why
        assert answer.json["error"] == "bad_request" and answer.json["message"], why
    created = c.post("/api/integrations/webhooks", json=body, headers=headers)
    assert created.status_code == 201, created.json
    secret = created.json["secret"]
    assert len(secret) == 64 and created.json["secret_shown_once"]
    again = c.post("/api/integrations/webhooks", json=body, headers=headers)
    assert again.status_code == 409 and again.json["error"] == "webhook_exists"
    listed = c.get("/api/integrations/webhooks").json["webhooks"]
    assert [w["name"] for w in listed] == ["from-config", "bpjs"]
    assert secret not in json.dumps(listed)
    with h.hub.db.read() as s:  # the database never holds the generated secret
        row = s.scalars(select(WebhookSubscription).where(
            WebhookSubscription.name == "bpjs")).one()
        assert secret not in json.dumps({k: str(v) for k, v in vars(row).items()})
    h.ticket("A")
    h.hub.counter_action("1", "next")
    h.settle()
    (record,) = receiver.acked
    assert verify(record, secret)
    assert json.loads(record["raw"])["type"] == "ticket.called"
    config_id = listed[0]["id"]
    refused = c.delete(f"/api/integrations/webhooks/{config_id}", headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "webhook_from_config"
    gone = c.delete(f"/api/integrations/webhooks/{created.json['id']}", headers=headers)
    assert gone.status_code == 200
    assert c.delete(f"/api/integrations/webhooks/{created.json['id']}",
                    headers=headers).status_code == 404
    assert [w["name"] for w in c.get("/api/integrations/webhooks").json["webhooks"]] == [
        "from-config"]
    h.ticket("A")  # nothing more for the deleted subscription
    h.hub.counter_action("1", "next")
    assert not [r for r in h.outbox() if r.channel == f"wh:{created.json['id']}"
                and r.state == "queued"]


def test_no_subscription_writes_nothing(config: LoketConfig, hall: Callable[..., Hall]) -> None:
    h = hall(config)
    h.ticket("A")
    h.hub.counter_action("1", "next")
    assert h.outbox() == []


def test_dashboard_shows_delivery_health(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    h = hall(hooked_hall(hook(receiver.url, extra='name = "dukcapil"')))
    h.ticket("A")
    h.settle()
    from loket.server.supervisor.dashboard import build

    figures = build(h.hub)["webhooks"]
    assert figures["subscriptions"][0]["name"] == "dukcapil"
    assert figures["subscriptions"][0]["sent"] == 1


def test_dashboard_page_has_the_webhook_section(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver], config: LoketConfig) -> None:
    receiver = receivers("fail", failures=100)
    h = hall(hooked_hall(hook(receiver.url, extra='name = "dukcapil"'),
                         settings="max_attempts = 60\nalert_after = 2"))
    h.ticket("A")
    for _ in range(3):
        h.worker.run_once()
        futures.wait(tuple(h.worker.in_flight), timeout=5)
        with h.hub.db.session() as s:  # due again at once
            s.execute(NotifyOutbox.__table__.update().values(next_attempt_ts=0))
    c = h.client
    assert c.get("/api/integrations/webhooks/health").status_code == 401
    login(c, h.hub, "sup", "supervisor")
    page = c.get("/supervisor").get_data(as_text=True)
    assert 'id="webhook-health"' in page and "Pengiriman webhook" in page
    figures = c.get("/api/integrations/webhooks/health").json["webhooks"]
    (entry,) = figures["subscriptions"]
    assert entry["name"] == "dukcapil" and entry["failing"] and entry["queued"] == 1
    assert entry["last_error"] == "HTTP 500"
    assert "dukcapil" in figures["alerts"][0]["text"]
    # a hall without webhooks shows no section
    plain = hall(config)
    login(plain.client, plain.hub, "sup2", "supervisor")
    assert 'id="webhook-health"' not in plain.client.get("/supervisor").get_data(as_text=True)


@pytest.mark.parametrize(("hooks", "problem"), [
    (hook("http://x", events='["ticket.eaten"]'), "unknown event type"),
    (hook("ftp://x"), "http:// or https://"),
    (hook("http://x", secret=""), "secret"),
    (hook("http://x", extra='name = "a"') + hook("http://y", extra='name = "a"'), "twice"),
])
def test_config_errors(hooked_hall: Callable[..., LoketConfig], hooks: str,
                       problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        hooked_hall(hooks)


@pytest.mark.services
def test_postgresql_triggers_write_every_event(
        hooked_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        receivers: Callable[..., Receiver], pg_url: str) -> None:  # noqa: F811
    plain, trusted = receivers(), receivers()
    h = hall(hooked_hall(
        hook(plain.url, events='["ticket.called", "ticket.done", "ticket.no_show", '
                               '"ticket.transferred", "counter.closed", "counter.opened", '
                               '"survey.submitted", "ticket.issued", "ticket.recalled"]')
        + hook(trusted.url, secret=OTHER_SECRET, extra="allow_personal_data = true"),
        storage=pg_url))
    busy_day(h)
    h.settle()
    assert_complete_once_in_order(h, plain)
    assert_complete_once_in_order(h, trusted)
    assert {e["type"] for e in plain.events()} == {
        "ticket.issued", "ticket.called", "ticket.recalled", "ticket.transferred",
        "ticket.done", "ticket.no_show", "counter.opened", "counter.closed",
        "survey.submitted"}
    for record in plain.acked:
        assert verify(record, SECRET)
        assert b"budi" not in record["raw"]
    called = next(e for e in plain.events() if e["type"] == "ticket.issued")
    assert called["data"]["priority"] is False
    assert any(b"budi.santoso" in r["raw"] for r in trusted.acked)
