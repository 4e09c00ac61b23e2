"""Loket keypad protocol v1 and the UB485 dialect: pure functions, no I/O."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.counter_panel import protocol
from loket.counter_panel.dialects import CounterView, UnknownKey, get_dialect, ub485
from loket.counter_panel.protocol import BadKey, FrameError, Press


def test_checksum_is_nmea_xor() -> None:
    # The classic NMEA example: $GPGLL,5300.97914,N,00259.98174,E,125926,A*28
    body = b"GPGLL,5300.97914,N,00259.98174,E,125926,A"
    assert protocol.checksum(body) == 0x28
    assert protocol.frame("K,1,NEXT,7") == b"$K,1,NEXT,7*" + (
        f"{protocol.checksum(b'K,1,NEXT,7'):02X}".encode()) + b"\r\n"


def test_hub_frames() -> None:
    assert protocol.unframe(protocol.ack_frame(3, 200)) == "A,3,200"
    assert protocol.unframe(protocol.display_frame(3, "A-012", 4)) == "D,3,A-012,4"
    assert protocol.unframe(protocol.display_frame(3, None, 0)) == "D,3,---,0"
    assert protocol.unframe(protocol.error_frame(3, "EMPTY")) == "E,3,EMPTY"
    with pytest.raises(ValueError):
        protocol.error_frame(3, "NOPE")
    parsed = protocol.parse_hub_frame("D,3,---,0")
    assert parsed.kind == "D" and parsed.ticket is None and parsed.waiting == 0


def test_parse_presses() -> None:
    assert protocol.parse_press("K,1,NEXT,0") == Press(1, "NEXT", 0)
    assert protocol.parse_press("K,99,TRANSFER,b,255") == Press(99, "TRANSFER", 255, "B")
    assert protocol.parse_press("K,2,COFFEE,3") == BadKey(2, "COFFEE", 3)
    assert protocol.parse_press("K,2,TRANSFER,3") == BadKey(2, "TRANSFER", 3)
    for bad in ("K,0,NEXT,1", "K,100,NEXT,1", "K,1,NEXT,256", "K,1,NEXT", "X,1,NEXT,1",
                "K,1,NEXT,1,2", "K,a,NEXT,1", "K,1,TRANSFER,B!,1"):
        with pytest.raises(FrameError):
            protocol.parse_press(bad)


def test_unframe_rejects_bad_checksums() -> None:
    good = protocol.press_frame(1, "NEXT", 5)
    assert protocol.unframe(good) == "K,1,NEXT,5"
    assert protocol.unframe(good.lower().replace(b"k,", b"K,").replace(b"next", b"NEXT")) \
        == "K,1,NEXT,5"  # lower-case hex digits are accepted
    with pytest.raises(FrameError, match="checksum"):
        protocol.unframe(good.replace(b"5*", b"6*"))
    with pytest.raises(FrameError):
        protocol.unframe(b"$K,1,NEXT,5\r\n")
    with pytest.raises(FrameError):
        protocol.unframe(b"$K,1,NEXT,5*ZZ\r\n")


def test_framer_survives_noise_and_broken_frames() -> None:
    framer = protocol.LineFramer()
    good = protocol.press_frame(1, "NEXT", 1)
    data = b"garbage$K,1,NE" + good + b"$" + b"x" * 200 + b"\r\n" + good
    lines = [protocol.unframe(line) for line in framer.feed(data)]
    assert lines == ["K,1,NEXT,1", "K,1,NEXT,1"]
    assert framer.dropped["broken"] >= 1 and framer.dropped["overlong"] == 1
    assert framer.dropped["noise"] >= 1


@given(st.lists(st.binary(max_size=50), min_size=1, max_size=20),
       st.lists(st.integers(0, 255), min_size=1, max_size=20))
def test_framer_finds_every_frame_between_noise(noise: list[bytes], seqs: list[int]) -> None:
    framer = protocol.LineFramer()
    stream = b""
    for i, seq in enumerate(seqs):
        stream += noise[i % len(noise)] + protocol.press_frame(1, "DONE", seq)
    found = []
    # feed in awkward chunks
    for i in range(0, len(stream), 7):
        for line in framer.feed(stream[i:i + 7]):
            with contextlib.suppress(FrameError):
                found.append(protocol.parse_press(protocol.unframe(line)))
    assert [p.seq for p in found if isinstance(p, Press)] == seqs


def test_ub485_decoder_resyncs() -> None:
    decoder = get_dialect("ub485").decoder()
    data = b"\x00\x07\x01" + ub485.press_frame(1, 0x31) + b"\x01\x05" + ub485.press_frame(7, 0x34)
    presses = decoder.feed(data[:5]) + decoder.feed(data[5:])
    assert presses == [Press(1, "CALL"), Press(7, "FINISH")]
    assert decoder.feed(bytes([1, 3, 0x39, 7])) == [BadKey(3, "0x39")]


def test_ub485_keys_depend_on_state() -> None:
    dialect = get_dialect("ub485")
    idle = CounterView(None, None, 3, "idle")
    called = CounterView("A-012", "called", 3, "serving")
    serving = CounterView("A-012", "serving", 3, "serving")
    call, start, finish, redirect = (Press(1, k) for k in ("CALL", "START", "FINISH", "REDIRECT"))
    assert dialect.resolve(call, idle, None).action == "next"
    assert dialect.resolve(call, called, None).action == "recall"
    assert dialect.resolve(call, serving, None).action is None
    assert dialect.resolve(start, called, None).action == "start"
    assert dialect.resolve(finish, called, None).action == "skip"
    assert dialect.resolve(finish, serving, None).action == "done"
    assert dialect.resolve(redirect, serving, "B").service == "B"
    with pytest.raises(UnknownKey):
        dialect.resolve(redirect, serving, None)


def test_ub485_screens() -> None:
    dialect = get_dialect("ub485")
    assert dialect.display(5, CounterView("A-012", "called", 2)) == b"\x01\x05\x21A12\x07"
    assert dialect.display(5, CounterView("C-105", "serving", 2)) == b"\x01\x05\x20C05\x07"
    assert dialect.display(5, CounterView(None, None, 2)) == b"\x01\x05\x20CAL\x07"
    assert dialect.display(5, CounterView(None, None, 0)) == b"\x01\x05\x20   \x07"
    assert dialect.error(5, "EMPTY") == b"\x01\x05\x24---\x07"


def test_unknown_dialect() -> None:
    with pytest.raises(KeyError):
        get_dialect("nonesuch")
