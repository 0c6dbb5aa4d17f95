"""Masking: each token type, the order they apply in, and bounded output on any input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowdoctor.mining.masking import MAX_TEMPLATE_CHARS, mask


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # <TS>
        ("at 2024-11-27T17:24:02.225Z failed", "at <TS> failed"),
        ("at 2024-11-27 17:24:02,123 +0100 failed", "at <TS> failed"),
        ("[27/Nov/2024:17:24:02 +0000] GET", "[<TS>] GET"),
        ("Date: Mon, 02 Jan 2006 15:04:05 GMT", "Date: <TS>"),
        ("Jan 12 10:11:12 web kernel: oom", "<TS> web kernel: oom"),
        ("retry at 17:24:02.225", "retry at <TS>"),
        # <UUID>
        ("run 123e4567-e89b-12d3-a456-426614174000 failed", "run <UUID> failed"),
        # <EMAIL>
        ("user bob.smith+tag@example.co.uk not found", "user <EMAIL> not found"),
        # <URL>
        ("GET https://api.x.com/v1/users/42?expand=true failed", "GET <URL> failed"),
        ("could not connect to postgresql://app@db:5432/prod", "could not connect to <URL>"),
        # <IP>, v4 (with port) and v6
        ("connect ECONNREFUSED 10.0.0.5:5432", "connect ECONNREFUSED <IP>"),
        ("from 192.168.1.20 denied", "from <IP> denied"),
        ("from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 denied", "from <IP> denied"),
        ("from fe80::1ff:fe23:4567:890a denied", "from <IP> denied"),
        ("connect to ::1 failed", "connect to <IP> failed"),
        # <HEX>
        ("object at 0x7f3a2b1c", "object at <HEX>"),
        ("commit 3f786850e387550fdab836ed7e6dc881de23001b missing", "commit <HEX> missing"),
        ("doc 507f1f77bcf86cd799439011 gone", "doc <HEX> gone"),
        # <ID>
        ("record a1b2c3d4zz locked", "record <ID> locked"),
        ("deployed 9fcc309 to prod", "deployed <HEX> to prod"),
        ("Contact 0015g00000XyZabAAB not found", "Contact <ID> not found"),
        ("workflow wf_e39632ad failed", "workflow <ID> failed"),
        ("pod worker-17 evicted", "pod <ID> evicted"),
        # <NUM>
        (
            "retrying in 30 seconds (attempt 3 of 5)",
            "retrying in <NUM> seconds (attempt <NUM> of <NUM>)",
        ),
        ("timeout of 5000ms exceeded", "timeout of <NUM>ms exceeded"),
        ("took 12.5 s", "took <NUM> s"),
        # <QUOTED>
        ("KeyError: 'email'", "KeyError: <QUOTED>"),
        (
            "Duplicate entry 'john' for key 'users.email'",
            "Duplicate entry <QUOTED> for key 'users.email'",
        ),
        ('column "emial" does not exist', "column <QUOTED> does not exist"),
        # whitespace collapsed
        ("  a \t\n  b  ", "a b"),
    ],
)
def test_masks_each_token(message: str, expected: str) -> None:
    assert mask(message) == expected


def test_keys_codes_and_prose_stay_because_they_say_which_error() -> None:
    masked = mask("{'ok': False, 'error': 'ratelimited', 'user': 'bob'}")
    assert masked == "{'ok': False, 'error': 'ratelimited', 'user': <QUOTED>}"
    assert mask('{"error":"invalid_grant","message":"Channel not found"}') == (
        '{"error":"invalid_grant","message":"Channel not found"}'
    )
    assert mask("error: 'channel_not_found'") == "error: 'channel_not_found'"


def test_apostrophes_in_words_are_not_quotes() -> None:
    assert mask("can't connect to 'db1', doesn't exist") == (
        "can't connect to <QUOTED>, doesn't exist"
    )


def test_codes_with_digits_survive_when_short() -> None:
    assert mask("E11000 duplicate key") == "E11000 duplicate key"
    assert mask("HTTP 429 Too Many Requests") == "HTTP <NUM> Too Many Requests"


def test_repeats_of_one_error_mask_alike() -> None:
    first = mask("2024-01-01T00:00:00Z Timeout after 5000ms calling https://a.io/u/1 for x@y.com")
    second = mask("2024-02-02T11:11:11Z Timeout after 7000ms calling https://a.io/u/2 for z@y.com")
    assert first == second == "<TS> Timeout after <NUM>ms calling <URL> for <EMAIL>"


def test_output_is_capped() -> None:
    assert len(mask("word " * 10_000)) == MAX_TEMPLATE_CHARS


@pytest.mark.parametrize(
    "message",
    [
        "a" * 1_000_000,
        "1" * 1_000_000,
        "'" * 1_000_000,
        '"a' * 500_000,
        "@" * 1_000_000,
        "a@" * 500_000,
        "1." * 500_000,
        ":" * 1_000_000,
        "a:" * 500_000,
        "0x" * 500_000,
        "a1-" * 300_000,
        "http://" * 100_000,
    ],
    ids=lambda m: f"{m[:6]!r}",
)
def test_adversarial_input_is_quick(message: str) -> None:
    started = time.perf_counter()
    masked = mask(message)
    assert time.perf_counter() - started < 1.0
    assert len(masked) <= MAX_TEMPLATE_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3_000))
def test_any_text_masks_to_a_bounded_single_line(message: str) -> None:
    masked = mask(message)
    assert len(masked) <= MAX_TEMPLATE_CHARS
    assert "\n" not in masked
    assert "  " not in masked
    assert masked == masked.strip()
