"""What is worth a retry: HTTP answers, transport failures and bad configuration, through httpx's
mock transport (no network)."""

from __future__ import annotations

import httpx
import pytest

from flowdoctor.domain.notifications import Channel
from flowdoctor.notify.delivery import DeliveryResult, RecordingSender, Sender, http_result
from flowdoctor.notify.messages import render_message
from support.notify import make_alert

MESSAGE = render_message(make_alert())
CHANNEL = Channel("c", "ops", "json+http://127.0.0.1:9/hook?token=SECRET")


@pytest.mark.parametrize(
    ("status", "ok", "retryable"),
    [
        (200, True, False),
        (202, True, False),
        (204, True, False),
        (301, False, False),
        (400, False, False),
        (401, False, False),
        (404, False, False),
        (408, False, True),
        (429, False, True),
        (500, False, True),
        (503, False, True),
    ],
)
def test_http_answers(status: int, ok: bool, retryable: bool) -> None:
    result = http_result(status, "x", "body")
    assert (result.ok, result.retryable, result.status) == (ok, retryable, status)


def sender_answering(handler: httpx.MockTransport) -> Sender:
    return Sender(client=httpx.Client(transport=handler))


def test_transport_failures_are_retryable_and_name_no_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler, reason in ((refuse, "connection failed"), (slow, "timed out")):
        result = sender_answering(httpx.MockTransport(handler)).deliver(
            CHANNEL, MESSAGE, dedup_key="k"
        )
        assert not result.ok and result.retryable and result.reason.startswith(reason)
        assert "SECRET" not in result.reason


def test_the_request_carries_json_and_the_dedup_key() -> None:
    seen: list[httpx.Request] = []

    def ok(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    result = sender_answering(httpx.MockTransport(ok)).deliver(CHANNEL, MESSAGE, dedup_key="k1")
    assert result == DeliveryResult(True, False, "HTTP 200", 200)
    assert seen[0].headers["Idempotency-Key"] == "k1"
    assert seen[0].headers["Content-Type"] == "application/json"
    assert str(seen[0].url) == "http://127.0.0.1:9/hook?token=SECRET"


def test_a_broken_channel_url_is_a_permanent_failure() -> None:
    broken = Channel("c", "ops", "ftp://127.0.0.1/x")
    result = Sender().deliver(broken, MESSAGE, dedup_key="k")
    assert (result.ok, result.retryable) == (False, False)
    assert result.reason.startswith("bad channel configuration: unknown channel URL scheme")


def test_the_recording_fake_follows_its_script() -> None:
    fake = RecordingSender(script=[DeliveryResult(False, True, "503")])
    assert fake.deliver(CHANNEL, MESSAGE, dedup_key="a").retryable
    assert fake.deliver(CHANNEL, MESSAGE, dedup_key="b").ok
    assert [key for _, _, key in fake.sent] == ["a", "b"]
