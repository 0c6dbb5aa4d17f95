"""The pure parts of the stages: no database, so the CLI can run them on a file as well."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flowdoctor.detect.classifier import Classifier, unclassified
from flowdoctor.domain import Classification, IssueCategory, LogRecord, RunEvent, WorkflowIssue
from flowdoctor.mining import TemplateMiner
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


def needs_classifying(record: LogRecord) -> bool:
    """Whether :func:`identify` classifies ``record``: an error (or no level) with a message."""
    return record.is_error and bool(record.message.strip())


def identify(
    records: Iterable[LogRecord],
    *,
    classifier: Classifier,
    workflow_id: str | None = None,
    max_groups: int = 10_000,
    on_error: Callable[[LogRecord], object] | None = None,
) -> Identification:
    """Classify every error record and group repeats into issues by fingerprint.

    Streams: memory grows with the number of distinct issues (bounded by ``max_groups``), not with
    the number of records. Records below error level are counted but not classified.
    ``on_error`` is called with every error record (to mine templates, see ``TemplateTally``).
    """
    grouper = IssueGrouper(max_groups=max_groups)
    seen = errors = 0
    categories: Counter[str] = Counter()
    for record in records:
        seen += 1
        if not needs_classifying(record):
            continue
        errors += 1
        if on_error is not None:
            on_error(record)
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


@dataclass(slots=True)
class _Seen:
    template: str
    count: int
    first: datetime
    last: datetime


class TemplateTally:
    """Feeds error lines to a workflow's template miner and counts the lines of each template.

    ``counts()`` gives what ``TemplateRepository.record`` takes. A line without a timestamp counts
    as seen at ``default_time`` (when the session looked at it).
    """

    def __init__(self, miner: TemplateMiner, *, default_time: datetime) -> None:
        self.miner = miner
        self._default_time = default_time
        self._seen: dict[str, _Seen] = {}

    def add(self, record: LogRecord) -> None:
        """Mine one error record and count it under its template."""
        match = self.miner.add(record.message)
        moment = record.timestamp or self._default_time
        if moment.tzinfo is None:  # read naive times as UTC, as grouping does
            moment = moment.replace(tzinfo=UTC)
        seen = self._seen.get(match.template_id)
        if seen is None:
            self._seen[match.template_id] = _Seen(match.template, 1, moment, moment)
            return
        seen.template = match.template
        seen.count += 1
        seen.first = min(seen.first, moment)
        seen.last = max(seen.last, moment)

    def __len__(self) -> int:
        """Lines counted."""
        return sum(seen.count for seen in self._seen.values())

    def counts(self) -> list[tuple[str, str, int, datetime, datetime]]:
        """(template id, template, lines, first seen, last seen) per template, as they stand now.

        A template merged into another since its lines were counted is reported under the one it
        joined, with that one's text, so a session never records a template that no longer exists.
        """
        current = {t.template_id: t.template for t in self.miner.templates()}
        merged: dict[str, _Seen] = {}
        for template_id, seen in self._seen.items():
            survivor = self.miner.resolve(template_id) or template_id  # evicted: keep its own
            text = current.get(survivor, seen.template)
            into = merged.get(survivor)
            if into is None:
                merged[survivor] = _Seen(text, seen.count, seen.first, seen.last)
            else:
                into.count += seen.count
                into.first = min(into.first, seen.first)
                into.last = max(into.last, seen.last)
        return [(tid, s.template, s.count, s.first, s.last) for tid, s in merged.items()]
