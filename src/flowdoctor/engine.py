"""The library facade: ``WorkflowTroubleshootingEngine``, the interface of the original design.

::

    from flowdoctor import WorkflowTroubleshootingEngine

    engine = WorkflowTroubleshootingEngine()
    session = engine.start_troubleshooting_session(
        workflow_id="salesforce_sync_001",
        error_logs=["Connection timeout", "Authentication failed"],
    )
    await engine.analyze_workflow_metrics(
        session.session_id, {"avg_response_time": 8.5, "error_rate": 0.15}
    )
    recommendations = engine.generate_recommendations(session.session_id)

Sessions are stored (by default in a SQLite file in the user's data folder, or wherever
``FLOWDOCTOR_DATABASE_URL`` points), so another process opening the same database sees them.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType

from flowdoctor.config import Settings
from flowdoctor.domain import (
    ChangeEvent,
    ChangeKind,
    DiagnosticFinding,
    LogRecord,
    Recommendation,
    RunEvent,
    Stage,
    TroubleshootingSession,
    VerificationResult,
)
from flowdoctor.ingest import parse_text_line, read_log_records, records_from_strings
from flowdoctor.ingest.decoding import scrub_surrogates
from flowdoctor.runtime import Runtime, build


class WorkflowTroubleshootingEngine:
    """Start troubleshooting sessions and take them from symptoms to a verified fix."""

    def __init__(self, settings: Settings | None = None, *, runtime: Runtime | None = None) -> None:
        self._runtime = runtime or build(settings or Settings())

    @property
    def runtime(self) -> Runtime:
        """The wired services underneath, for callers who need more than the facade."""
        return self._runtime

    def start_troubleshooting_session(
        self,
        workflow_id: str,
        error_logs: Iterable[str] | None = None,
        *,
        run_events: Sequence[RunEvent] = (),
    ) -> TroubleshootingSession:
        """Open a session for ``workflow_id`` and identify the issues in ``error_logs``.

        Each entry is one error message, plain text or a JSON object; an exception with its
        traceback stays one message. An entry that is a pasted log (two or more of its lines
        start with a timestamp or level, or are JSON objects) is read as a log file is, with
        continuation lines joining their record. With no logs and no run events the session
        reads the workflow's stored errors of the last 24 hours.
        """
        records = None if error_logs is None else _records(error_logs)
        return self._runtime.sessions.start(
            workflow_id=workflow_id, error_logs=records, run_events=run_events
        )

    async def analyze_workflow_metrics(
        self,
        session_id: str,
        metrics: Mapping[str, float],
        *,
        baseline: Mapping[str, float] | None = None,
    ) -> list[DiagnosticFinding]:
        """Analyse a metrics snapshot for the session; returns the analysis findings.

        Besides the snapshot, the workflow's stored runs, metric samples and recorded changes are
        analysed as series: anomalies, trends, change points and correlations of the last 24 h.

        The database work runs in a worker thread so an event loop is never blocked.
        """
        session = await asyncio.to_thread(
            self._runtime.sessions.analyze, session_id, metrics=metrics, baseline=baseline
        )
        return [f for f in session.findings if f.stage is Stage.ANALYSIS]

    def diagnose(self, session_id: str) -> list[DiagnosticFinding]:
        """Name the probable root causes, most confident first."""
        return self._runtime.sessions.diagnose(session_id).root_causes

    def generate_recommendations(self, session_id: str) -> list[Recommendation]:
        """Ranked recommendations; runs any stage still missing before resolution first."""
        return self._runtime.sessions.recommend(session_id)

    def verify_fix(
        self,
        session_id: str,
        *,
        fix_applied_at: datetime | None = None,
        before: Mapping[str, float] | None = None,
        after: Mapping[str, float] | None = None,
    ) -> VerificationResult:
        """Did the fix work? Compares runs (or metric snapshots) before and after it."""
        session = self._runtime.sessions.verify(
            session_id, fix_applied_at=fix_applied_at, before=before, after=after
        )
        assert session.verification is not None
        return session.verification

    def record_change(
        self,
        kind: ChangeKind | str,
        description: str,
        *,
        occurred_at: datetime | None = None,
        workflow_id: str | None = None,
        platform: str | None = None,
        author: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> ChangeEvent:
        """Record a change (an edit, a rotated credential, a deployment, a vendor incident).

        Analysis links shifts in a workflow's metrics to the changes recorded for it, and to the
        fleet-wide ones (no ``workflow_id``). ``occurred_at`` defaults to now.
        """
        return self._runtime.changes.record(
            kind=kind,
            description=description,
            occurred_at=occurred_at,
            workflow_id=workflow_id,
            platform=platform,
            author=author,
            labels=labels,
        )

    def list_changes(
        self,
        *,
        workflow_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[ChangeEvent]:
        """Recorded changes in time order; with ``workflow_id``, its own and the fleet-wide ones."""
        return self._runtime.changes.list(workflow_id=workflow_id, since=since, until=until)

    def get_session(self, session_id: str) -> TroubleshootingSession:
        """The session in full, with its stages and audit trail."""
        return self._runtime.sessions.get(session_id)

    def list_sessions(
        self, *, workflow_id: str | None = None, limit: int = 50
    ) -> list[TroubleshootingSession]:
        """Newest sessions first."""
        return self._runtime.sessions.list(workflow_id=workflow_id, limit=limit)

    def close(self) -> None:
        """Release the database connections."""
        self._runtime.close()

    def __enter__(self) -> WorkflowTroubleshootingEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _records(entries: Iterable[str]) -> Iterator[LogRecord]:
    for entry in entries:
        text = str(entry)
        if "\n" in text and _is_pasted_log(text):
            data = scrub_surrogates(text).encode("utf-8")
            yield from read_log_records(io.BytesIO(data))
        else:
            yield from records_from_strings([text])


def _is_pasted_log(text: str) -> bool:
    """Whether two or more lines of ``text`` start a record of their own (see above)."""
    starts = 0
    for line in text.splitlines():
        if line.lstrip().startswith("{") or _has_prefix(line):
            starts += 1
            if starts >= 2:
                return True
    return False


def _has_prefix(line: str) -> bool:
    record = parse_text_line(line)
    return record.timestamp is not None or record.level is not None
