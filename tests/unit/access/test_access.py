"""Scopes, key parsing, the scope table, loopback detection and the per-key token bucket."""

from __future__ import annotations

import pytest

from flowdoctor.access import RateLimiter, parse_token
from flowdoctor.api.auth import is_loopback, presented_key, required_scope
from flowdoctor.api.paths import API_PREFIX
from flowdoctor.domain.access import Scope
from flowdoctor.errors import AuthenticationError

P = API_PREFIX
GOOD = "fd_0123456789abcdef_" + "A" * 43


def test_each_scope_includes_the_ones_below_it() -> None:
    assert Scope.ADMIN.grants(Scope.WRITE) and Scope.ADMIN.grants(Scope.READ)
    assert Scope.WRITE.grants(Scope.READ) and not Scope.WRITE.grants(Scope.ADMIN)
    assert not Scope.READ.grants(Scope.WRITE)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "fd_",
        "fd_0123456789abcdef_short",
        "xx_0123456789abcdef_" + "A" * 43,
        GOOD + "A",
        "A" * 63,
    ],
)
def test_malformed_keys_are_refused_without_quoting_them(token: str) -> None:
    with pytest.raises(AuthenticationError) as caught:
        parse_token(token)
    assert str(caught.value) == "the API key is malformed"


def test_a_well_formed_key_splits_into_id_and_secret() -> None:
    assert parse_token(f"  {GOOD} ") == ("0123456789abcdef", "A" * 43)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/healthz", None),
        ("GET", "/metrics", Scope.READ),
        ("GET", f"{P}/sessions", Scope.READ),
        ("HEAD", f"{P}/alerts", Scope.READ),
        ("POST", f"{P}/rules/backtest", Scope.READ),
        ("POST", f"{P}/runs", Scope.WRITE),
        ("POST", f"{P}/alerts/abc/acknowledge", Scope.WRITE),
        ("POST", "/api/v1/alertmanager", Scope.WRITE),
        ("DELETE", f"{P}/silences/s1", Scope.WRITE),
        ("POST", f"{P}/rules", Scope.ADMIN),
        ("PUT", f"{P}/rules/r1", Scope.ADMIN),
        ("PATCH", f"{P}/channels/c1", Scope.ADMIN),
        ("POST", f"{P}/notifications/1/retry", Scope.ADMIN),
        ("GET", "/docs", Scope.READ),
    ],
)
def test_the_scope_table(method: str, path: str, scope: Scope | None) -> None:
    assert required_scope(method, path) is scope


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("flowdoctor.internal", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_key_comes_from_bearer_or_x_api_key() -> None:
    assert presented_key([(b"authorization", f"Bearer {GOOD}".encode())]) == GOOD
    assert presented_key([(b"authorization", f"bearer  {GOOD}".encode())]) == GOOD
    assert presented_key([(b"x-api-key", GOOD.encode())]) == GOOD
    assert presented_key([(b"authorization", b"Basic dXNlcjpwYXNz")]) is None
    assert presented_key([(b"authorization", b"Bearer ")]) is None
    assert presented_key([]) is None


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_burst_then_its_rate() -> None:
    ticks = Ticks()
    limiter = RateLimiter(per_minute=60, burst=3, monotonic=ticks)
    assert [limiter.check("a") for _ in range(3)] == [None, None, None]
    assert limiter.check("a") == 1  # one a second: wait a second
    assert limiter.check("b") is None  # another key has its own bucket
    ticks.now += 1.0
    assert limiter.check("a") is None
    assert limiter.check("a") == 1
    ticks.now += 60.0  # refills up to the burst, not beyond
    assert [limiter.check("a") for _ in range(4)] == [None, None, None, 1]


def test_a_slow_rate_says_how_long_to_wait() -> None:
    ticks = Ticks()
    limiter = RateLimiter(per_minute=2, burst=1, monotonic=ticks)
    assert limiter.check("a") is None
    assert limiter.check("a") == 30
    ticks.now += 29.5
    assert limiter.check("a") == 1
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(per_minute=0, burst=1)
