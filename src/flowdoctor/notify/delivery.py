"""Sending one rendered message to one channel, and saying whether a failure is worth a retry.

Every send ends in a ``DeliveryResult``; nothing raises. Connection errors, timeouts, HTTP 408,
429 and 5xx (and SMTP 4xx) are retryable: the receiver may take it later. Other 4xx (and SMTP
5xx), a malformed channel URL or a redirect are permanent: sending again would fail again.
Reasons never contain the channel URL or its secrets.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

import httpx

from flowdoctor.domain.notifications import Channel
from flowdoctor.errors import InputError
from flowdoctor.notify.channels import EmailTarget, HttpTarget, PagerDutyTarget, parse_channel_url
from flowdoctor.notify.messages import Message
from flowdoctor.notify.payloads import http_payload

DEFAULT_TIMEOUT = 10.0
"""Seconds for each connect, read and write of a send."""


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """How a send went; ``retryable`` only matters when ``ok`` is false."""

    ok: bool
    retryable: bool
    reason: str
    status: int | None = None


class Deliverer(Protocol):
    """Anything that sends a message to a channel (the real ``Sender``, or a test fake)."""

    def deliver(self, channel: Channel, message: Message, *, dedup_key: str) -> DeliveryResult:
        """Send once; never raise."""
        ...


class Sender:
    """Sends over HTTP (httpx) and SMTP (smtplib), with a timeout on every call."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``tls_context`` verifies SMTP servers (default: the system's trusted CAs)."""
        self._timeout = timeout
        self._tls = tls_context
        # Redirects are refused: a webhook that moved should be reconfigured, not followed with
        # the payload (and whatever token its URL carried) to wherever it points now.
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False
        )

    def deliver(self, channel: Channel, message: Message, *, dedup_key: str) -> DeliveryResult:
        """Send ``message`` to ``channel`` once."""
        try:
            target = parse_channel_url(channel.url)
        except InputError as exc:
            return DeliveryResult(False, False, f"bad channel configuration: {exc}")
        if isinstance(target, EmailTarget):
            return send_email(target, message, timeout=self._timeout, tls_context=self._tls)
        return self._post(target, message, dedup_key=dedup_key, receiver=channel.name)

    def _post(
        self,
        target: HttpTarget | PagerDutyTarget,
        message: Message,
        *,
        dedup_key: str,
        receiver: str,
    ) -> DeliveryResult:
        url = target.events_url if isinstance(target, PagerDutyTarget) else target.url
        body = http_payload(target, message, dedup_key=dedup_key, receiver=receiver)
        headers = {"User-Agent": "flowdoctor", "Idempotency-Key": dedup_key}
        try:
            response = self._client.post(url, json=body, headers=headers, timeout=self._timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return DeliveryResult(False, False, "bad channel configuration: unusable URL")
        except httpx.TimeoutException as exc:
            return DeliveryResult(False, True, f"timed out ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return DeliveryResult(False, True, f"connection failed ({type(exc).__name__})")
        return http_result(response.status_code, response.reason_phrase, response.text)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


def http_result(status: int, phrase: str, body: str = "") -> DeliveryResult:
    """Classify an HTTP answer.

    >>> http_result(503, "Service Unavailable").retryable
    True
    >>> http_result(400, "Bad Request").retryable
    False
    """
    # The receiver's own words help ("invalid_token", "no_service"), but only a little of them.
    said = " ".join(body.split())[:200]
    reason = f"HTTP {status} {phrase}".strip() + (f": {said}" if said else "")
    if 200 <= status < 300:
        return DeliveryResult(True, False, f"HTTP {status}", status)
    if status in (408, 429) or status >= 500:
        return DeliveryResult(False, True, reason, status)
    if 300 <= status < 400:
        return DeliveryResult(False, False, f"{reason} (redirects are not followed)", status)
    return DeliveryResult(False, False, reason, status)


def email_message(target: EmailTarget, message: Message) -> EmailMessage:
    """The mail for ``message``: plain text, the title as subject."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.recipients)
    mail.set_content(message.text())
    return mail


def send_email(
    target: EmailTarget,
    message: Message,
    *,
    timeout: float,
    tls_context: ssl.SSLContext | None = None,
) -> DeliveryResult:
    """Send ``message`` over SMTP, classifying the server's answer."""
    context = tls_context or ssl.create_default_context()
    try:
        if target.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=timeout)
        with smtp:
            if target.starttls and not target.ssl:
                smtp.starttls(context=context)
            if target.username:
                smtp.login(target.username, target.password or "")
            refused = smtp.send_message(email_message(target, message))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryResult(False, all(400 <= c < 500 for c in codes), "every recipient refused")
    except smtplib.SMTPResponseException as exc:
        return _smtp_answer(exc.smtp_code, exc.smtp_error)
    except smtplib.SMTPNotSupportedError as exc:
        return DeliveryResult(False, False, f"SMTP server refused: {exc}")
    except ssl.SSLCertVerificationError:
        return DeliveryResult(False, False, "the SMTP server's certificate is not trusted")
    except (smtplib.SMTPException, OSError) as exc:
        return DeliveryResult(False, True, f"SMTP connection failed ({type(exc).__name__})")
    if refused:
        return DeliveryResult(True, False, f"sent; {len(refused)} recipient(s) refused")
    return DeliveryResult(True, False, "sent")


def _smtp_answer(code: int, error: bytes | str) -> DeliveryResult:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    reason = f"SMTP {code}: {' '.join(text.split())[:200]}"
    return DeliveryResult(False, not 500 <= code < 600, reason, code)


@dataclass
class RecordingSender:
    """A fake ``Deliverer`` for tests: records what it was given and answers from a script.

    ``script`` results are used in order, then ``default``.
    """

    script: list[DeliveryResult] = field(default_factory=list)
    default: DeliveryResult = field(default_factory=lambda: DeliveryResult(True, False, "sent"))
    sent: list[tuple[str, Message, str]] = field(default_factory=list)

    def deliver(self, channel: Channel, message: Message, *, dedup_key: str) -> DeliveryResult:
        """Record the send and answer from the script."""
        self.sent.append((channel.channel_id, message, dedup_key))
        return self.script.pop(0) if self.script else self.default
