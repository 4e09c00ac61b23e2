"""Notices: phone numbers and the opt-in, the outbox written by the hub's own transactions,
"your turn is near", wording, retention of phone numbers, config errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loket.server.app import create_app, database_url
from loket.server.config import ConfigError, LoketConfig, load_config
from loket.server.db import Database
from loket.server.hub import Hub
from loket.server.models import Ticket
from loket.server.notify import outbox
from loket.server.notify.models import NotifyOutbox, NotifyPhone
from loket.server.notify.notices import render
from loket.server.notify.phone import BadPhone, mask, normalize
from tests.support import notify as notify_helpers
from tests.support.gateways import Gateway
from tests.support.notify import (
    PUBLIC,
    Hall,
    busy_day,
    webhook,
)

# The shared fixtures, under the names the tests ask for.
gateways = notify_helpers.gateways
notify_hall = notify_helpers.notify_hall
hall = notify_helpers.hall


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
    from tests.support.hall import SMALL_HALL

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


