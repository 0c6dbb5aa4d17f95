"""The pure parts of the stages: no database, so the CLI can run them on a file as well."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flowdoctor.detect.classifier import Classifier, unclassified
from flowdoctor.domain import Classification, IssueCategory, LogRecord, RunEvent, WorkflowIssue
from flowdoctor.mining.grouping import IssueGrouper


@dataclass(slots=True)
class Identification:
    """What identification found in a stream of log records."""

    issues: list[WorkflowIssue]
    records_seen: int = 0
    errors_seen: int = 0
    overflow: int = 0
    by_category: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """The stage output recorded on the session."""
        return {
            "records_seen": self.records_seen,
            "errors_seen": self.errors_seen,
            "issues": len(self.issues),
            "unclassified": self.by_category.get(IssueCategory.UNCLASSIFIED.value, 0),
            "overflow": self.overflow,
            "by_category": dict(self.by_category),
        }


def classify_record(record: LogRecord, classifier: Classifier) -> Classification:
    """Classify one record, passing along the hints its fields carry."""
    result = classifier.classify(
        record.message,
        platform=record.platform,
        http_status=record.http_status,
        error_code=record.error_code,
    )
    if result is None:  # a bare classifier with no fallback: report, don't guess
        return unclassified()
    return result


def identify(
    records: Iterable[LogRecord],
    *,
    classifier: Classifier,
    workflow_id: str | None = None,
    max_groups: int = 10_000,
) -> Identification:
    """Classify every error record and group repeats into issues by fingerprint.

    Streams: memory grows with the number of distinct issues (bounded by ``max_groups``), not with
    the number of records. Records below error level are counted but not classified.
    """
    grouper = IssueGrouper(max_groups=max_groups)
    seen = errors = 0
    categories: Counter[str] = Counter()
    for record in records:
        seen += 1
        if not record.is_error or not record.message.strip():
            continue
        errors += 1
        classification = classify_record(record, classifier)
        categories[classification.category.value] += 1
        grouper.add(record, classification, workflow_id=record.workflow_id or workflow_id)
    return Identification(
        issues=grouper.issues(),
        records_seen=seen,
        errors_seen=errors,
        overflow=grouper.overflow,
        by_category=dict(categories),
    )


def records_from_runs(events: Iterable[RunEvent]) -> Iterable[LogRecord]:
    """The failed runs among ``events`` as error records, keeping their platform/status hints."""
    for event in events:
        if not event.failed or not event.error_message:
            continue
        yield LogRecord(
            message=event.error_message,
            raw=event.error_message,
            timestamp=event.started_at,
            workflow_id=event.workflow_id,
            run_id=event.run_id,
            step=event.step,
            platform=event.platform,
            error_code=event.error_code,
            http_status=event.http_status,
        )
