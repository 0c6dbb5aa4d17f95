"""Notifications that are never lost, drawn like Alertmanager's notification pipeline.

::

    alert ─► routing ─► messages ─► outbox (database) ─► delivery ─► attempts log
                                       ▲        │ retryable: backoff (retry)
                                       └────────┘

Modules:

- ``channels``: ``Channel``; what a channel URL means (``parse_channel_url``) and
  ``redacted_url``, the only form a URL is ever shown in.
- ``channel_service``: ``ChannelService``, channels in the database (create, get, list, update,
  delete) and ``describe`` for APIs.
- ``routing``: which channels an alert goes to (severities and label matchers).
- ``messages``: ``render_message``, what fired, why, the first thing to try and a link.
- ``payloads``: each service's JSON (Slack, Teams, Discord, PagerDuty, webhook, Alertmanager v4).
- ``delivery``: ``Sender`` (httpx, smtplib) returning ``DeliveryResult(ok, retryable, reason,
  status)``; ``RecordingSender``, a fake for tests.
- ``retry``: ``RetryPolicy``, exponential backoff with jitter.
- ``outbox``: ``NotificationService``, ``enqueue`` before any send and ``deliver_due`` with
  leases, attempts and retries.
"""
