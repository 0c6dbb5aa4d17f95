"""Everything wired together from one ``Settings``: used by the API, the CLI, the library facade
and the tests, so all four run the same objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flowdoctor.access.keys import KeyService
from flowdoctor.clock import Clock, SystemClock
from flowdoctor.config import Settings
from flowdoctor.detect.classifier import Classifier, default_classifier
from flowdoctor.monitor.alertmanager import AlertmanagerReceiver
from flowdoctor.monitor.alerts import AlertService
from flowdoctor.monitor.changes import ChangeLogService
from flowdoctor.monitor.evaluator import Evaluator
from flowdoctor.monitor.intake import IntakeService
from flowdoctor.monitor.metrics_source import StoreMetricsSource
from flowdoctor.monitor.overview import OverviewService
from flowdoctor.monitor.prometheus import Instruments, NotificationOutcome, SourceCollector
from flowdoctor.monitor.rules import RuleService
from flowdoctor.monitor.workflows import WorkflowService
from flowdoctor.notify.channel_service import ChannelService
from flowdoctor.notify.outbox import NotificationService
from flowdoctor.sessions.issues import IssueService
from flowdoctor.sessions.service import TroubleshootingService
from flowdoctor.store import Database, PoolSettings, require_current, upgrade


@dataclass(frozen=True, slots=True)
class Runtime:
    """The wired services of one flowdoctor instance."""

    settings: Settings
    db: Database
    clock: Clock
    classifier: Classifier
    sessions: TroubleshootingService
    issues: IssueService
    """Issues across sessions and the recurring error templates, read page by page."""
    intake: IntakeService
    workflows: WorkflowService
    overview: OverviewService
    """The fleet at a glance, for the dashboard."""
    changes: ChangeLogService
    rules: RuleService
    alerts: AlertService
    evaluator: Evaluator
    alertmanager: AlertmanagerReceiver
    channels: ChannelService
    notifications: NotificationService
    instruments: Instruments
    """The Prometheus registry served at /metrics, and the counters the services update."""
    keys: KeyService

    def close(self) -> None:
        """Release database connections and the notification sender's."""
        self.notifications.close()
        self.db.dispose()


def build(
    settings: Settings, *, clock: Clock | None = None, classifier: Classifier | None = None
) -> Runtime:
    """Connect to the database (migrating it when ``auto_migrate``) and wire the services."""
    pool = PoolSettings(
        size=settings.db_pool_size,
        overflow=settings.db_max_overflow,
        timeout=settings.db_pool_timeout_seconds,
    )
    db = Database(settings.database_url, pool)
    if settings.auto_migrate:
        upgrade(db.engine)
    else:
        require_current(db.engine)
    clock = clock or SystemClock()
    classifier = classifier or default_classifier()
    instruments = Instruments()
    workflows = WorkflowService(db=db, clock=clock)
    instruments.registry.register(
        SourceCollector(
            StoreMetricsSource(db=db, workflows=workflows),
            max_workflow_series=settings.max_workflow_series,
        )
    )
    sessions = TroubleshootingService(
        db=db, classifier=classifier, clock=clock, max_issue_groups=settings.max_issue_groups
    )
    notifications = NotificationService(
        db=db,
        clock=clock,
        dashboard_url=settings.dashboard_url,
        recommend=lambda alert: sessions.top_recommendation(alert.workflow_id),
        repeat_interval=timedelta(minutes=settings.repeat_interval_minutes),
        on_attempt=lambda outcome: instruments.count_notification(NotificationOutcome(outcome)),
    )
    return Runtime(
        settings=settings,
        db=db,
        clock=clock,
        classifier=classifier,
        sessions=sessions,
        issues=IssueService(db=db),
        intake=IntakeService(
            db=db, clock=clock, max_batch_items=settings.max_batch_items, instruments=instruments
        ),
        workflows=workflows,
        overview=OverviewService(db=db, clock=clock),
        changes=ChangeLogService(db=db, clock=clock, max_batch_items=settings.max_batch_items),
        rules=RuleService(db=db, clock=clock),
        alerts=AlertService(db=db, clock=clock),
        evaluator=Evaluator(
            db=db,
            clock=clock,
            instruments=instruments,
            on_pass=notifications.on_pass,
            lease_for=timedelta(seconds=settings.evaluator_lease_seconds),
        ),
        alertmanager=AlertmanagerReceiver(db=db, clock=clock),
        channels=ChannelService(db=db, clock=clock),
        notifications=notifications,
        instruments=instruments,
        keys=KeyService(db=db, clock=clock),
    )
