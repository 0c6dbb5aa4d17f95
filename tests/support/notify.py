"""Builders for notification tests: alerts, a migrated database, services with quick retries."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flowdoctor.clock import FixedClock
from flowdoctor.domain import Alert, AlertState, Severity
from flowdoctor.notify.channel_service import ChannelService
from flowdoctor.notify.delivery import Deliverer
from flowdoctor.notify.outbox import NotificationService
from flowdoctor.notify.retry import RetryPolicy
from flowdoctor.store import Database, upgrade

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FAST = RetryPolicy(
    base=timedelta(seconds=10), factor=2.0, cap=timedelta(minutes=5), max_attempts=8, jitter=0.5
)


def make_alert(
    fingerprint: str = "fp-orders-errors",
    *,
    state: AlertState = AlertState.FIRING,
    severity: Severity = Severity.HIGH,
    workflow_id: str | None = "orders",
    labels: dict[str, str] | None = None,
    value: float | None = 0.31,
    at: datetime = T0,
) -> Alert:
    return Alert(
        fingerprint=fingerprint,
        rule_id="rule-error-rate",
        workflow_id=workflow_id,
        state=state,
        severity=severity,
        labels={"alertname": "HighErrorRate", "team": "data", **(labels or {})},
        annotations={
            "summary": "Orders sync fails often",
            "description": "error rate over 15 minutes",
            "threshold": "0.05",
        },
        value=value,
        started_at=at - timedelta(minutes=5),
        updated_at=at,
        fired_at=at,
        resolved_at=at + timedelta(minutes=30) if state is AlertState.RESOLVED else None,
    )


def migrated(url: str) -> Database:
    db = Database(url)
    upgrade(db.engine)
    return db


def services(
    db: Database,
    clock: FixedClock,
    *,
    sender: Deliverer | None = None,
    policy: RetryPolicy = FAST,
    batch_size: int = 100,
    worker_id: str = "worker-a",
) -> tuple[ChannelService, NotificationService]:
    notifications = NotificationService(
        db=db,
        clock=clock,
        sender=sender,
        policy=policy,
        lease=timedelta(minutes=2),
        batch_size=batch_size,
        dashboard_url="http://127.0.0.1:8000",
        worker_id=worker_id,
        rng=random.Random(7),
    )
    return ChannelService(db=db, clock=clock), notifications
