"""Notices on citizens' phones: opt-in, the outbox written by the hub's own transactions,
delivery through real HTTP gateways and a real SMTP server, exactly once and in order per
ticket, retries and dead letters, retention of phone numbers, config errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.app import create_app, database_url
from server.config import ConfigError, LoketConfig, load_config
from server.db import Database
from server.hub import Hub
from server.models import Ticket
from server.notify import enqueue_notice, outbox
from server.notify.models import NotifyChannelStat, NotifyOutbox, NotifyPhone
from server.notify.notices import render
from server.notify.phone import BadPhone, mask, normalize
from server.notify.worker import Worker
from tests.notify_gateways import Gateway, MailBox

PUBLIC = "https://antrean.example.go.id"


def webhook(name: str, url: str, timeout: float = 2.0, extra: str = "") -> str:
    return f"""
[[notify.channels]]
name = "{name}"
kind = "webhook"
url = "{url}/send"
timeout_s = {timeout}
body = {{ to = "{{phone}}", message = "{{text}}", ticket = "{{ticket}}" }}
{extra}
"""


@pytest.fixture
def gateways() -> Iterator[Callable[..., Gateway]]:
    started: list[Gateway] = []

    def make(mode: str = "ok", failures: int = 0, delay_s: float = 0.0) -> Gateway:
        gateway = Gateway(mode=mode, failures=failures, delay_s=delay_s).start()
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        gateway.stop()


@pytest.fixture
def notify_hall(write_config: Callable[..., Path]) -> Callable[..., LoketConfig]:
    def make(channels: str, settings: str = "") -> LoketConfig:
        return load_config(write_config(extra=f"""
[kiosk]
public_url = "{PUBLIC}"

[notify]
retry_base_s = 0.05
retry_max_s = 0.2
poll_s = 0.05
{settings if "max_attempts" in settings else "max_attempts = 30" + chr(10) + settings}
{channels}
"""))

    return make


class Hall:
    """An in-process hub with notices, plus its sender."""

    def __init__(self, config: LoketConfig, clock: Callable[[], float] = time.time) -> None:
        db = Database(database_url(config))
        db.upgrade()
        self.hub = Hub(config, db, clock=clock)
        self.app = create_app(config, async_mode="threading", testing=True, hub=self.hub)
        self.client = self.app.test_client()
        self.worker = Worker(config, db, clock=clock)

    def ticket(self, service: str = "A", phone: str | None = "0812 3456 0001",
               lang: str = "id") -> dict[str, Any]:
        body: dict[str, Any] = {"service": service}
        if phone:
            body["phone"] = phone
        response = self.client.post(f"/api/tickets?lang={lang}", json=body)
        assert response.status_code == 201, response.json
        return response.json

    def outbox(self) -> list[NotifyOutbox]:
        with self.hub.db.read() as s:
            return list(s.scalars(select(NotifyOutbox).order_by(NotifyOutbox.id)))

    def close(self) -> None:
        self.worker.close()
        self.hub.db.dispose()


@pytest.fixture
def hall() -> Iterator[Callable[..., Hall]]:
    made: list[Hall] = []

    def make(config: LoketConfig, clock: Callable[[], float] = time.time) -> Hall:
        made.append(Hall(config, clock))
        return made[-1]

    yield make
    for h in made:
        h.close()


def busy_day(h: Hall, tickets: int = 4) -> None:
    """Tickets with phones, called, recalled, skipped and finished at counter 1."""
    for i in range(tickets):
        h.ticket("A", phone=f"0812 3456 {i:04d}")
    for i in range(tickets):
        h.hub.counter_action("1", "next")
        h.hub.counter_action("1", "recall")
        if i % 2:
            h.hub.counter_action("1", "skip")


def assert_exactly_once_in_order(h: Hall, *gateways: Gateway) -> None:
    rows = h.outbox()
    assert rows and all(r.state == "sent" for r in rows), [(r.key, r.state) for r in rows]
    acked = [k for g in gateways for k in g.acked_keys()]
    assert sorted(acked) == sorted(r.key for r in rows), "each notice exactly once"
    order = {r.key: r.id for r in rows}
    for gateway in gateways:
        per_ticket: dict[str, list[int]] = {}
        for key in gateway.acked_keys():
            per_ticket.setdefault(key.split(":")[0], []).append(order[key])
        for ids in per_ticket.values():
            assert ids == sorted(ids), "notices of one ticket arrive in order"


# ---------------------------------------------------------------------------- phone numbers
@pytest.mark.parametrize("raw", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890",
                                 "(0812) 3456 7890", " 081234567890 "])
def test_indonesian_mobile_numbers_are_normalised(raw: str) -> None:
    assert normalize(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["", "abc", "12345", "812345678901", "+1 202 555 0100",
                                 "+65 8123 4567", "021 555 1234", "0812", "08123456789012345",
                                 "+62 812 3456 7890 ext 5", "0812<script>"])
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(BadPhone):
        normalize(raw)


def test_staff_see_only_the_last_four_digits() -> None:
    assert mask("+6281234567890") == "••••7890"


def test_bad_phone_is_refused_before_a_ticket_is_issued(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    h = hall(notify_hall(webhook("gw", gateways().url)))
    for bad in ("12345", "+1 202 555 0100", 81234567890):
        response = h.client.post("/api/tickets", json={"service": "A", "phone": bad})
        assert response.status_code == 400
        assert response.json["error"] in ("bad_phone", "bad_request")
    response = h.client.post("/api/tickets", json={"service": "A", "phone": "12345"})
    assert response.json["error"] == "bad_phone"
    assert "0812" in response.json["message"]
    assert h.hub.snapshot()["services"][0]["issued"] == 0, "no ticket was issued"
    token = h.ticket(phone=None)["status_token"]
    later = h.client.post(f"/api/tickets/status/{token}/notify?lang=en", json={"phone": "abc"})
    assert later.status_code == 400 and later.json["error"] == "bad_phone"
    assert "Indonesian" in later.json["message"]
    assert h.outbox() == []


def test_opt_in_later_from_the_status_page(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    h = hall(notify_hall(webhook("gw", gateways().url)))
    token = h.ticket(phone=None)["status_token"]
    response = h.client.post(f"/api/tickets/status/{token}/notify",
                             json={"phone": "+62 813 1111 2222"})
    assert response.status_code == 200
    assert response.json == {"notify": True, "phone": "••••2222"}
    with h.hub.db.read() as s:
        phone = s.scalars(select(NotifyPhone)).one()
    assert phone.phone == "+6281311112222"
    assert phone.status_url == f"{PUBLIC}/t/{token}", "the link comes from the config"
    assert h.client.post("/api/tickets/status/unknown-token-xxxxxxxxxxxx/notify",
                         json={"phone": "081311112222"}).status_code == 404
    assert h.client.post(f"/api/tickets/status/{token}/notify",
                         json={"phone": "081311112222", "x": 1}).status_code == 400
    h.hub.counter_action("1", "next")
    h.hub.counter_action("1", "done")
    closed = h.client.post(f"/api/tickets/status/{token}/notify", json={"phone": "081311112222"})
    assert closed.status_code == 409 and closed.json["error"] == "ticket_closed"


def test_phone_without_channels_is_refused(client: Any) -> None:
    response = client.post("/api/tickets", json={"service": "A", "phone": "081234567890"})
    assert response.status_code == 409 and response.json["error"] == "notify_unavailable"
    assert client.post("/api/tickets", json={"service": "A"}).status_code == 201


# ---------------------------------------------------------------------------- the outbox
def test_calls_recalls_and_skips_are_queued_by_the_hubs_own_transactions(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    h = hall(notify_hall(webhook("gw", gateways().url)))
    h.ticket("C", phone=None)  # no phone: nothing queued for it
    h.hub.counter_action("5", "next")
    busy_day(h, tickets=2)
    kinds = [(r.key.split(":")[0], r.kind) for r in h.outbox()]
    assert kinds == [
        ("t2", "issued"), ("t3", "issued"),
        ("t2", "called"), ("t2", "recalled"),
        ("t3", "called"), ("t3", "recalled"), ("t3", "skipped"),
    ]
    assert all(r.counter_id == "1" for r in h.outbox() if r.kind != "issued")


def test_delivered_exactly_once_in_order_after_the_gateway_recovers_from_500s(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("fail", failures=7)
    h = hall(notify_hall(webhook("gw", gateway.url)))
    busy_day(h)
    h.worker.drain(timeout=30)
    assert_exactly_once_in_order(h, gateway)
    assert gateway.requests >= len(h.outbox()) + 7
    first = next(a for a in gateway.acked if a["key"] == "t1:issued")
    assert first["body"]["to"] == "6281234560000"
    assert first["body"]["message"].startswith("MPP Uji: nomor antrean Anda A-001")
    assert f"{PUBLIC}/t/" in first["body"]["message"]
    called = next(a for a in gateway.acked if a["key"].endswith(":call:1"))
    assert "Loket 1" in called["body"]["message"] and "lantai-1" in called["body"]["message"]
    with h.hub.db.read() as s:
        stat = s.get(NotifyChannelStat, "gw")
        assert stat is not None and stat.failed == 7 and stat.failing_streak == 0
        assert stat.sent == len(h.outbox())


def test_delivered_exactly_once_after_dropped_connections(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("drop", failures=5)
    h = hall(notify_hall(webhook("gw", gateway.url)))
    busy_day(h)
    h.worker.drain(timeout=30)
    assert_exactly_once_in_order(h, gateway)
    assert "connection" in (_stat(h, "gw").last_error or "")


def test_a_hanging_gateway_times_out_and_the_next_channel_delivers(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    hanging, backup = gateways("hang", failures=10**6), gateways("ok")
    h = hall(notify_hall(webhook("slow", hanging.url, timeout=0.3) + webhook("sms", backup.url),
                         settings="alert_after = 3"))
    busy_day(h, tickets=2)
    started = time.monotonic()
    h.worker.drain(timeout=30)
    assert time.monotonic() - started < 20
    assert_exactly_once_in_order(h, backup)
    assert hanging.acked_keys() == []
    assert {r.sent_channel for r in h.outbox()} == {"sms"}
    stat = _stat(h, "slow")
    assert stat.failing_streak == len(h.outbox()) and "no answer within 0.3 s" in stat.last_error
    health = h.client.get("/api/notify/health")
    assert health.status_code == 401, "supervisors only"
    from server.notify.health import delivery_health

    figures = delivery_health(h.hub)
    assert figures is not None
    slow = next(c for c in figures["channels"] if c["name"] == "slow")
    assert slow["failing"] and slow["sent"] == 0
    assert any(a["kind"] == "notify" and a["channel"] == "slow" for a in figures["alerts"])


def test_dead_letter_after_max_attempts(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("fail", failures=10**6)
    h = hall(notify_hall(webhook("gw", gateway.url), settings="max_attempts = 3"))
    h.ticket()
    h.worker.drain(timeout=30)
    (row,) = h.outbox()
    assert row.state == "dead" and row.attempts == 3 and "HTTP 500" in (row.last_error or "")
    assert gateway.requests == 3


def test_two_workers_never_send_one_notice_twice(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("ok", delay_s=0.02)
    config = notify_hall(webhook("gw", gateway.url))
    h = hall(config)
    busy_day(h, tickets=6)
    other = Worker(config, h.hub.db)
    errors: list[BaseException] = []

    def run(worker: Worker) -> None:
        try:
            worker.drain(timeout=30)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in (h.worker, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert not errors
    assert_exactly_once_in_order(h, gateway)


def test_enqueueing_the_same_key_twice_sends_once(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways()
    h = hall(notify_hall(webhook("gw", gateway.url)))
    params = {"code": "K7P-4QX", "service": "Paspor", "date": "2026-12-01", "start": "09:30",
              "booking_url": f"{PUBLIC}/b/abc"}
    for _ in range(2):
        with h.hub.db.session() as s:
            enqueue_notice(s, kind="booking_confirmed", key="b1:confirmed", to="0812 3456 7890",
                           lang="en", params=params, now=time.time())
    h.worker.drain()
    assert gateway.acked_keys() == ["b1:confirmed"]
    text = gateway.acked[0]["body"]["message"]
    assert text.startswith("MPP Uji: booking K7P-4QX for Paspor on 2026-12-01 at 09:30")
    (row,) = h.outbox()
    assert row.address is None, "the number is forgotten once sent"


def test_near_notice_once_when_few_are_ahead(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways()
    h = hall(notify_hall(webhook("gw", gateway.url), settings="near_position = 2"))
    for _ in range(4):
        h.ticket(phone=None)
    h.ticket(phone="0812 3456 9999")  # t5, four ahead
    assert h.worker.scan_near() == 0
    h.hub.counter_action("1", "next")
    assert h.worker.scan_near() == 0  # three ahead
    h.hub.counter_action("1", "next")
    assert h.worker.scan_near() == 1  # two ahead
    h.hub.counter_action("1", "next")
    assert h.worker.scan_near() == 0, "never the same notice twice"
    h.worker.drain()
    assert [k.split(":")[1] for k in gateway.acked_keys()] == ["issued", "near"]
    assert "2 orang lagi" in gateway.acked[1]["body"]["message"]


def test_english_ticket_gets_english_and_hall_templates_override(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways()
    h = hall(notify_hall(webhook("gw", gateway.url), settings="""
[notify.templates.id]
called = "Nomor {ticket} ke {counter}, {zone}. Terima kasih."
"""))
    h.ticket(phone="0812 3456 0001", lang="en")
    h.ticket(phone="0812 3456 0002", lang="id")
    h.hub.counter_action("1", "next")
    h.hub.counter_action("1", "next")
    h.worker.drain()
    texts = {a["key"]: a["body"]["message"] for a in gateway.acked}
    assert texts["t1:issued"].startswith("MPP Uji: your queue number is A-001 (KTP-el)")
    assert texts["t1:call:1"] == "MPP Uji: number A-001, please go to Loket 1 (lantai-1) now."
    assert texts["t2:call:2"] == "Nomor A-002 ke Loket 1, lantai-1. Terima kasih."


def test_render_leaves_unknown_placeholders_empty() -> None:
    assert render("skipped", "xx", {"hall": "H", "ticket": "A-001"}).startswith(
        "H: nomor A-001 dilewati")
    assert render("booking_cancelled", "id", {"code": "X"}).endswith("dibatalkan.")


# ---------------------------------------------------------------------------- channels
def test_whatsapp_cloud_template_message(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway], monkeypatch: pytest.MonkeyPatch) -> None:
    graph = gateways()
    monkeypatch.setenv("LOKET_WA_TOKEN", "EAAG-test-token")
    h = hall(notify_hall(f"""
[[notify.channels]]
name = "wa"
kind = "whatsapp_cloud"
base_url = "{graph.url}/v21.0"
phone_number_id = "1234567890"
token = "env:LOKET_WA_TOKEN"
template = "antrean_loket"
"""))
    h.ticket(phone="0812 3456 7890", lang="en")
    h.worker.drain()
    (request,) = graph.acked
    assert request["path"] == "/v21.0/1234567890/messages"
    assert request["headers"]["Authorization"] == "Bearer EAAG-test-token"
    body = request["body"]
    assert body["messaging_product"] == "whatsapp" and body["to"] == "6281234567890"
    assert body["type"] == "template"
    assert body["template"]["name"] == "antrean_loket"
    assert body["template"]["language"] == {"code": "en"}
    (parameter,) = body["template"]["components"][0]["parameters"]
    assert parameter["type"] == "text" and "A-001" in parameter["text"]


def test_webhook_form_encoding_and_secret_headers(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    gateway = gateways()
    monkeypatch.setenv("GW_KEY", "s3cret")
    key_file = tmp_path / "gw.key"
    key_file.write_text("from-file\n")
    key_file.chmod(0o600)
    h = hall(notify_hall(f"""
[[notify.channels]]
name = "fonnte"
kind = "webhook"
url = "{gateway.url}/send"
format = "form"
headers = {{ Authorization = "env:GW_KEY", X-Key = "file:{key_file}" }}
body = {{ target = "{{phone}}", message = "{{text}}", apikey = "env:GW_KEY" }}
"""))
    h.ticket()
    h.worker.drain()
    (request,) = gateway.acked
    assert request["headers"]["Authorization"] == "s3cret"
    assert request["headers"]["X-Key"] == "from-file"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["body"]["target"] == "6281234560001" and request["body"]["apikey"] == "s3cret"


def test_missing_secret_is_a_clear_error_not_a_crash(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway], tmp_path: Path) -> None:
    gateway = gateways()
    open_file = tmp_path / "open.key"
    open_file.write_text("x")
    open_file.chmod(0o644)
    channels = (webhook("a", gateway.url, extra='headers = { K = "env:NOPE_NOT_SET" }')
                + webhook("b", gateway.url, extra=f'headers = {{ K = "file:{open_file}" }}'))
    h = hall(notify_hall(channels, settings="max_attempts = 1"))
    h.ticket()
    h.worker.drain()
    (row,) = h.outbox()
    assert row.state == "dead"
    assert "NOPE_NOT_SET is not set" in (row.last_error or "")
    assert "may be read by others" in (row.last_error or "")
    assert gateway.requests == 0


def test_booking_email_through_a_real_smtp_server(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    box = MailBox().start()
    try:
        h = hall(notify_hall(webhook("gw", gateways().url) + f"""
[[notify.channels]]
name = "mail"
kind = "smtp"
host = "127.0.0.1"
port = {box.port}
security = "none"
from_addr = "antrean@mpp.example.go.id"
"""))
        with h.hub.db.session() as s:
            enqueue_notice(s, kind="booking_reminder_day", key="b9:reminder_day",
                           to="warga@example.com", now=time.time(),
                           params={"code": "K7P", "service": "Paspor", "date": "2026-12-01",
                                   "start": "09:30", "subject": "Pengingat reservasi"})
        h.worker.drain()
        (mail,) = box.messages
        assert mail.rcpt_tos == ["warga@example.com"]
        content = mail.content.decode()
        assert "Subject: Pengingat reservasi" in content
        assert "reservasi K7P (Paspor) besok" in content
        assert h.outbox()[0].sent_channel == "mail", "e-mail never goes to a phone gateway"
    finally:
        box.stop()


# ---------------------------------------------------------------------------- retention
def test_phone_numbers_are_gone_after_the_tickets_day(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    now = [time.time()]
    gateway = gateways("fail", failures=10**6)
    h = hall(notify_hall(webhook("gw", gateway.url)), clock=lambda: now[0])
    h.ticket(phone="0812 3456 7890")
    h.worker.purge()
    with h.hub.db.read() as s:
        assert s.scalars(select(NotifyPhone)).all() != [], "kept during the ticket's day"
    now[0] += 86400
    assert h.worker.purge() == 1
    with h.hub.db.read() as s:
        assert s.scalars(select(NotifyPhone)).all() == []
        text = " ".join(str(v) for r in s.scalars(select(NotifyOutbox))
                        for v in vars(r).values())
    assert "7890" not in text
    (row,) = h.outbox()
    assert row.state == "dead" and row.last_error == "recipient_gone"


def test_the_hub_purges_old_numbers_when_it_starts(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    config = notify_hall(webhook("gw", gateways().url))
    now = [time.time()]
    h = hall(config, clock=lambda: now[0])
    h.ticket()
    now[0] += 86400
    restarted = Hub(config, h.hub.db, clock=lambda: now[0])
    create_app(config, async_mode="threading", testing=True, hub=restarted)
    with h.hub.db.read() as s:
        assert s.scalars(select(NotifyPhone)).all() == []


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize(("extra", "key", "problem"), [
    ('[[notify.channels]]\nname = "x"\nkind = "webhook"\nbody = {a = "{text}"}\n',
     "notify.channels[0]", "needs 'url'"),
    ('[[notify.channels]]\nname = "x"\nkind = "webhook"\nurl = "ftp://x"\nbody = {a = "b"}\n',
     "notify.channels[0]", "http://"),
    ('[[notify.channels]]\nname = "x"\nkind = "webhook"\nurl = "http://x"\n'
     'body = {a = "{phon}"}\n', "notify.channels[0]", "unknown placeholder(s) phon"),
    ('[[notify.channels]]\nname = "x"\nkind = "smtp"\nhost = "m"\nfrom_addr = "a@b"\n'
     'url = "http://x"\n', "notify.channels[0]", "'url' is not a setting of a smtp channel"),
    ('[[notify.channels]]\nname = "x"\nkind = "whatsapp_cloud"\nphone_number_id = "1"\n'
     'token = "EAAG123"\n', "notify.channels[0]", "not the secret itself"),
    ('[[notify.channels]]\nname = "x"\nkind = "sms"\n', "notify.channels[0].kind", "'webhook'"),
    ('[[notify.channels]]\nname = "x"\nkind = "webhook"\nurl = "http://x"\nbody = {a = "b"}\n'
     '[[notify.channels]]\nname = "x"\nkind = "webhook"\nurl = "http://y"\nbody = {a = "b"}\n',
     "notify", "used twice"),
    ('[notify]\nnear_position = 0\n', "notify.near_position", "greater than or equal to 1"),
    ('[notify.templates.id]\ncalled = "{tiket}"\n', "notify.templates", "tiket"),
    ('[notify.templates.id]\ncalld = "x"\n', "notify.templates", "unknown notice kind"),
    ('[notify]\ntimeout = 3\n', "notify.timeout", "not a known setting"),
])
def test_config_errors_name_the_key_and_the_file(
        write_config: Callable[..., Path], extra: str, key: str, problem: str) -> None:
    path = write_config(extra=extra)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}"), message
    assert problem in message


def _stat(h: Hall, name: str) -> NotifyChannelStat:
    with h.hub.db.read() as s:
        stat = s.get(NotifyChannelStat, name)
    assert stat is not None
    return stat


# ---------------------------------------------------------------------------- rate, CLI
def test_rate_limited_channel_defers_without_spending_attempts(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways()
    h = hall(notify_hall(webhook("gw", gateway.url, extra="rate_per_minute = 2")))
    for i in range(4):
        h.ticket(phone=f"0812 3456 {i:04d}")
    h.worker.run_once()
    deadline = time.monotonic() + 10
    while h.worker.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(gateway.acked_keys()) == 2
    assert h.worker.run_once() == 0, "nothing claimed while the channel may not send"
    waiting = [r for r in h.outbox() if r.state == "queued"]
    assert len(waiting) == 2 and all(r.attempts == 0 for r in waiting)
    # A claim that races with the limit is given back untried, for when a token is free.
    (first,) = h.worker.channels
    claimed = waiting[0]
    with h.hub.db.session() as s:
        (message,) = outbox.claim(s, "racer", time.time(), 30, 1)
    assert message.id == claimed.id
    racer = Worker(h.hub.config, h.hub.db)
    racer.name = "racer"
    racer.channels = [first]
    racer.deliver(message)
    racer.close()
    row = next(r for r in h.outbox() if r.id == claimed.id)
    assert row.state == "queued" and row.attempts == 0 and row.next_attempt_ts > time.time() + 10


def test_loket_notify_test_and_status(
        write_config: Callable[..., Path], gateways: Callable[..., Gateway]) -> None:
    from click.testing import CliRunner

    from server.commands import cli

    good, bad = gateways(), gateways("fail", failures=10**6)
    path = write_config(extra=webhook("gw", good.url) + webhook("down", bad.url))
    runner = CliRunner()
    result = runner.invoke(cli, ["notify", "test", "--config", str(path), "--channel", "gw",
                                 "--to", "0812 3456 7890"])
    assert result.exit_code == 0, result.output
    assert "gw: delivered to ••••7890" in result.output
    (request,) = good.acked
    assert request["body"]["to"] == "6281234567890"
    assert "pesan uji dari Loket" in request["body"]["message"]
    result = runner.invoke(cli, ["notify", "test", "--config", str(path), "--channel", "down",
                                 "--to", "0812 3456 7890"])
    assert result.exit_code == 1 and "HTTP 500" in result.output
    assert bad.requests == 1 and good.requests == 1, "only the named channel, once"
    result = runner.invoke(cli, ["notify", "test", "--config", str(path), "--channel", "nope",
                                 "--to", "0812 3456 7890"])
    assert result.exit_code == 1 and "no channel 'nope'" in result.output
    result = runner.invoke(cli, ["notify", "test", "--config", str(path), "--channel", "gw",
                                 "--to", "12345"])
    assert result.exit_code == 1 and "not an Indonesian mobile number" in result.output
    result = runner.invoke(cli, ["notify", "status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "gw" in result.output and "sent 1" in result.output
    assert "HTTP 500" in result.output


def test_booking_reminders_wait_for_their_time_and_a_cancellation_drops_them(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    from server.notify import cancel_notices

    gateway = gateways()
    now = [time.time()]
    h = hall(notify_hall(webhook("gw", gateway.url)), clock=lambda: now[0])
    params = {"code": "K7P", "service": "Paspor", "date": "2026-12-01", "start": "09:30"}
    with h.hub.db.session() as s:
        for kind, delay in (("booking_confirmed", None), ("booking_reminder_day", 3600.0),
                            ("booking_reminder_hour", 7200.0)):
            enqueue_notice(s, kind=kind, key=f"b1:{kind}", to="0812 3456 7890", params=params,
                           now=now[0], send_at=None if delay is None else now[0] + delay)
    h.worker.run_once()
    h.worker.close()
    assert gateway.acked_keys() == ["b1:booking_confirmed"]
    now[0] += 3601
    h.worker = Worker(h.hub.config, h.hub.db, clock=lambda: now[0])
    h.worker.run_once()
    h.worker.close()
    assert gateway.acked_keys()[-1] == "b1:booking_reminder_day"
    with h.hub.db.session() as s:
        assert cancel_notices(s, "b1", "closure") == 1
        enqueue_notice(s, kind="booking_cancelled", key="b1:booking_cancelled",
                       to="0812 3456 7890", params={**params, "reason": "Gerai tutup."},
                       now=now[0])
    h.worker = Worker(h.hub.config, h.hub.db, clock=lambda: now[0])
    h.worker.drain()
    assert gateway.acked_keys()[2:] == ["b1:booking_cancelled"]
    assert gateway.acked[-1]["body"]["message"].endswith("dibatalkan. Gerai tutup.")
    assert [r.state for r in h.outbox()] == ["sent", "sent", "dead", "sent"]


def test_near_notice_when_the_estimate_falls_under_near_minutes(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    h = hall(notify_hall(webhook("gw", gateways().url),
                         settings="near_position = 1\nnear_minutes = 240"))
    for _ in range(4):
        h.ticket(phone=None)
    h.ticket(phone="0812 3456 9999")  # four ahead: far by position
    h.hub.counter_action("1", "next")  # three ahead, estimated well under four hours
    assert h.worker.scan_near() == 1
    near = [r for r in h.outbox() if r.kind == "near"]
    assert len(near) == 1 and '"ahead": 3' in (near[0].params or "")


@pytest.mark.parametrize("policy", ["first", "interleave"])
def test_places_agree_with_the_hubs_count_of_people_ahead(
        write_config: Callable[..., Path], policy: str) -> None:
    from tests.conftest import SMALL_HALL

    config = load_config(write_config(SMALL_HALL.replace(
        'priority_policy = "first"', f'priority_policy = "{policy}"')))
    db = Database(database_url(config))
    db.upgrade()
    hub = Hub(config, db)
    hub.start()
    tokens = {}
    for i in range(9):
        ticket = hub.issue_ticket("AB"[i % 2], priority=i in (4, 7))
        tokens[ticket["status_token"]] = ticket["ticket"]
    hub.counter_action("1", "next")
    with db.read() as s:
        ahead = outbox.places(s, hub.day(), {"A", "B"}, config.queue.priority_policy == "first")
        ids = {t.label: t.id for t in s.scalars(select(Ticket))}
    for token, label in tokens.items():
        status = hub.ticket_by_token(token)
        assert status is not None
        if status["status"] == "waiting":
            assert ahead[ids[label]] == status["ahead"], label
    db.dispose()


def test_delivered_exactly_once_after_timeouts_on_the_only_channel(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("hang", failures=4)
    h = hall(notify_hall(webhook("gw", gateway.url, timeout=0.3)))
    busy_day(h, tickets=2)
    h.worker.drain(timeout=30)
    assert_exactly_once_in_order(h, gateway)
    assert gateway.requests >= len(h.outbox()) + 4
    assert _stat(h, "gw").failed == 4
