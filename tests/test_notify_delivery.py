"""Delivering notices through real HTTP gateways (answering, failing with 500, dropping the
connection, hanging) and a real SMTP server: exactly once, in order per ticket, with retries,
fallback, dead letters, rate limits; secrets; bookings; `loket notify test`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent import futures
from pathlib import Path

import pytest

from loket.server.config import LoketConfig
from loket.server.notify import enqueue_notice, outbox
from loket.server.notify.models import NotifyChannelStat
from loket.server.notify.worker import Worker
from tests.support import notify as notify_helpers
from tests.support.gateways import Gateway, MailBox
from tests.support.notify import (
    PUBLIC,
    Hall,
    assert_exactly_once_in_order,
    busy_day,
    channel_stat,
    webhook,
)

# The shared fixtures, under the names the tests ask for.
gateways = notify_helpers.gateways
notify_hall = notify_helpers.notify_hall
hall = notify_helpers.hall


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
    assert "connection" in (channel_stat(h, "gw").last_error or "")


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
    stat = channel_stat(h, "slow")
    assert stat.failing_streak == len(h.outbox()) and "no answer within 0.3 s" in stat.last_error
    health = h.client.get("/api/notify/health")
    assert health.status_code == 401, "supervisors only"
    from loket.server.notify.health import delivery_health

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


def test_rate_limited_channel_defers_without_spending_attempts(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways()
    h = hall(notify_hall(webhook("gw", gateway.url, extra="rate_per_minute = 2")))
    for i in range(4):
        h.ticket(phone=f"0812 3456 {i:04d}")
    h.worker.run_once()
    futures.wait(tuple(h.worker.in_flight), timeout=10)
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

    from loket.server.commands import cli

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
    from loket.server.notify import cancel_notices

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


def test_delivered_exactly_once_after_timeouts_on_the_only_channel(
        notify_hall: Callable[..., LoketConfig], hall: Callable[..., Hall],
        gateways: Callable[..., Gateway]) -> None:
    gateway = gateways("hang", failures=4)
    h = hall(notify_hall(webhook("gw", gateway.url, timeout=0.3)))
    busy_day(h, tickets=2)
    h.worker.drain(timeout=30)
    assert_exactly_once_in_order(h, gateway)
    assert gateway.requests >= len(h.outbox()) + 4
    assert channel_stat(h, "gw").failed == 4

