"""The troubleshooting service: runs a session's stages in order and keeps every step on record.

Each public method is one transaction: it reads the session, checks the move against the
lifecycle table, runs the stage and writes the output and the audit events together, so a crash
leaves a session either before or after a stage, never half through one.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flowdoctor.analyze.diagnosis import MAX_ROOT_CAUSES, diagnose
from flowdoctor.analyze.metrics import analyze_metrics
from flowdoctor.analyze.outages import fold_into_outages
from flowdoctor.analyze.runs import summarize_runs
from flowdoctor.analyze.verification import verify_fix, verify_metrics
from flowdoctor.analyze.workflow_findings import analyze_workflow_series
from flowdoctor.analyze.workflow_rca import merge_ranked, rank_workflow_causes
from flowdoctor.clock import Clock
from flowdoctor.detect.classifier import Classifier
from flowdoctor.detect.knowledge import KnowledgeBase
from flowdoctor.domain import (
    LogRecord,
    Recommendation,
    RunEvent,
    SessionStatus,
    Stage,
    StageRecord,
    TroubleshootingSession,
    VerificationResult,
)
from flowdoctor.domain.paging import Key, Page
from flowdoctor.errors import InputError, SessionNotFoundError, StoreError
from flowdoctor.mining import TemplateMiner
from flowdoctor.recommend.ranking import recommend
from flowdoctor.recommend.similar import SimilarIssue, find_similar
from flowdoctor.sessions.context import platform_outages, workflow_series
from flowdoctor.sessions.lifecycle import check_stage, check_status, next_stage
from flowdoctor.sessions.stages import TemplateTally, identify, records_from_runs
from flowdoctor.store import Database, Store

LOOKBACK = timedelta(hours=24)
"""How far back a session looks for stored errors and current metrics when given none."""
BASELINE_WINDOW = timedelta(days=7)
"""How much history before that forms the baseline."""
MAX_WORKFLOW_ID = 200
SIMILAR_SESSIONS = 50
"""How many of the most recent resolved sessions are searched for similar past issues."""


class TroubleshootingService:
    """Start sessions and move them through identification → … → verification."""

    def __init__(
        self,
        *,
        db: Database,
        classifier: Classifier,
        clock: Clock,
        max_issue_groups: int = 10_000,
        knowledge: KnowledgeBase | None = None,
    ) -> None:
        """``knowledge`` is the error knowledge base recommendations draw on (default: shipped)."""
        self._db = db
        self._classifier = classifier
        self._clock = clock
        self._max_groups = max_issue_groups
        self._knowledge = knowledge

    # -- reading -----------------------------------------------------------------------------

    def get(self, session_id: str) -> TroubleshootingSession:
        """The session in full; ``SessionNotFoundError`` when there is none."""
        with self._db.transaction() as store:
            return _load(store, session_id)

    def list(
        self, *, workflow_id: str | None = None, limit: int = 50
    ) -> list[TroubleshootingSession]:
        """Newest sessions first (without their children)."""
        with self._db.transaction() as store:
            return store.sessions.list(workflow_id=workflow_id, limit=limit)

    def page(
        self,
        *,
        workflow_id: str | None = None,
        statuses: Sequence[SessionStatus] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        after: Key | None = None,
        limit: int = 100,
    ) -> Page[TroubleshootingSession]:
        """A page of sessions, newest first (without their children), created in
        ``[since, until)``; ``after`` is the previous page's ``next_key``."""
        with self._db.transaction() as store:
            return store.sessions.page(
                workflow_id=workflow_id,
                statuses=statuses,
                since=since,
                until=until,
                after=after,
                limit=limit,
            )

    def top_recommendation(self, workflow_id: str | None) -> str | None:
        """The first recommendation of the workflow's newest session that made any (for alert
        notifications: "the first thing to try"); ``None`` when there is none."""
        if not workflow_id:
            return None
        with self._db.transaction() as store:
            for brief in store.sessions.list(workflow_id=workflow_id, limit=5):
                session = store.sessions.get(brief.session_id)
                if session is not None and session.recommendations:
                    return session.recommendations[0].title
        return None

    def similar_past_issues(
        self, session_id: str, *, limit: int = 3
    ) -> builtins.list[SimilarIssue]:
        """For each issue of the session, up to ``limit`` similar issues of earlier sessions whose
        verification ran (the newest ``SIMILAR_SESSIONS``), with what fixed them and whether the
        fix was verified. ``SessionNotFoundError`` when there is no such session.
        """
        with self._db.transaction() as store:
            session = _load(store, session_id)
            past = store.sessions.resolved(
                exclude=session_id, created_before=session.created_at, limit=SIMILAR_SESSIONS
            )
        return find_similar(session.issues, past, top_k=limit)

    # -- the stages --------------------------------------------------------------------------

    def start(
        self,
        *,
        workflow_id: str,
        error_logs: Iterable[LogRecord] | None = None,
        run_events: Sequence[RunEvent] = (),
    ) -> TroubleshootingSession:
        """Open a session and run identification.

        With neither ``error_logs`` nor ``run_events`` the session looks at what is stored for the
        workflow over the last 24 hours (failed runs and error logs). Given run events are stored.
        """
        _check_workflow_id(workflow_id)
        now = self._clock.now()
        session = TroubleshootingSession(
            session_id=str(uuid.uuid4()), workflow_id=workflow_id, created_at=now, updated_at=now
        )
        with self._db.transaction() as store:
            store.sessions.create(session)
            _event(store, session, now, "session_created", {"workflow_id": workflow_id})
            if run_events:
                store.runs.add_many(run_events, ingested_at=now)
            source, records = self._identification_input(store, session, error_logs, run_events)
            started = self._clock.now()
            miner, saved_before = _workflow_miner(store, workflow_id)
            tally = TemplateTally(miner, default_time=now)
            found = identify(
                records,
                classifier=self._classifier,
                workflow_id=workflow_id,
                max_groups=self._max_groups,
                on_error=tally.add,
            )
            templates = _save_templates(store, workflow_id, tally, now, replace=saved_before)
            store.sessions.replace_issues(session.session_id, found.issues)
            session.issues = found.issues
            output = {"source": source, **found.summary(), "templates": templates}
            self._complete(store, session, Stage.IDENTIFICATION, started, output)
            return session

    def analyze(
        self,
        session_id: str,
        *,
        metrics: Mapping[str, float] | None = None,
        baseline: Mapping[str, float] | None = None,
    ) -> TroubleshootingSession:
        """Run analysis on ``metrics`` (or, when none are given, on the workflow's stored runs)."""
        with self._db.transaction() as store:
            session = _load(store, session_id)
            check_stage(session.stage, Stage.ANALYSIS, status=session.status)
            self._analyze(store, session, metrics, baseline)
            return session

    def diagnose(self, session_id: str) -> TroubleshootingSession:
        """Run diagnosis (running analysis on stored runs first if it has not run)."""
        with self._db.transaction() as store:
            session = _load(store, session_id)
            self._catch_up(store, session, Stage.DIAGNOSIS)
            return session

    def recommend(self, session_id: str) -> builtins.list[Recommendation]:
        """Run resolution (and any earlier stage still missing); return ranked recommendations.

        Called again after resolution, it returns the recommendations already made.
        """
        with self._db.transaction() as store:
            session = _load(store, session_id)
            if session.stage in (Stage.RESOLUTION, Stage.VERIFICATION):
                return session.recommendations
            self._catch_up(store, session, Stage.RESOLUTION)
            return session.recommendations

    def verify(
        self,
        session_id: str,
        *,
        fix_applied_at: datetime | None = None,
        before: Mapping[str, float] | None = None,
        after: Mapping[str, float] | None = None,
    ) -> TroubleshootingSession:
        """Run verification: did the fix work?

        With ``before`` and ``after`` metric snapshots they are compared; otherwise the workflow's
        stored runs before ``fix_applied_at`` (default: when resolution finished) are compared with
        the runs since.
        """
        with self._db.transaction() as store:
            session = _load(store, session_id)
            check_stage(session.stage, Stage.VERIFICATION, status=session.status)
            self._verify(store, session, fix_applied_at, before, after)
            return session

    def advance(self, session_id: str) -> TroubleshootingSession:
        """Run the session's next stage with what is stored (analysis on the stored runs,
        verification against the runs since resolution finished), as the lifecycle table allows;
        ``InvalidTransitionError`` when nothing follows (after verification, or once closed)."""
        with self._db.transaction() as store:
            session = _load(store, session_id)
            stage = next_stage(session.stage, status=session.status)
            if stage is Stage.ANALYSIS:
                self._analyze(store, session, None, None)
            elif stage is Stage.DIAGNOSIS:
                self._diagnose(store, session)
            elif stage is Stage.RESOLUTION:
                self._resolve(store, session)
            else:  # identification ran when the session started: no stored session lacks it
                assert stage is Stage.VERIFICATION
                self._verify(store, session, None, None, None)
            return session

    def close(self, session_id: str, *, reason: str = "") -> TroubleshootingSession:
        """Close the session; it accepts no further stages."""
        with self._db.transaction() as store:
            session = _load(store, session_id)
            check_status(session.status, SessionStatus.CLOSED)
            now = self._clock.now()
            session.status = SessionStatus.CLOSED
            session.updated_at = now
            store.sessions.save_state(session)
            _event(store, session, now, "session_closed", {"reason": reason})
            return session

    # -- internals ---------------------------------------------------------------------------

    def _identification_input(
        self,
        store: Store,
        session: TroubleshootingSession,
        error_logs: Iterable[LogRecord] | None,
        run_events: Sequence[RunEvent],
    ) -> tuple[str, Iterable[LogRecord]]:
        if error_logs is not None or run_events:
            return "given", _chain(error_logs or (), records_from_runs(run_events))
        since = session.created_at - LOOKBACK
        runs = store.runs.list(workflow_id=session.workflow_id, since=since)
        logs = store.logs.list(workflow_id=session.workflow_id, since=since)
        return "stored", _chain(logs, records_from_runs(runs))

    def _catch_up(self, store: Store, session: TroubleshootingSession, target: Stage) -> None:
        """Run every stage between the session's current one and ``target``, in order."""
        if session.stage is Stage.IDENTIFICATION:
            check_stage(session.stage, Stage.ANALYSIS, status=session.status)
            self._analyze(store, session, None, None)
        check_stage(session.stage, Stage.DIAGNOSIS, status=session.status)
        self._diagnose(store, session)
        if target is Stage.RESOLUTION:
            check_stage(session.stage, Stage.RESOLUTION, status=session.status)
            self._resolve(store, session)

    def _analyze(
        self,
        store: Store,
        session: TroubleshootingSession,
        metrics: Mapping[str, float] | None,
        baseline: Mapping[str, float] | None,
    ) -> None:
        started = self._clock.now()
        source = "given"
        if baseline is None:
            history = store.runs.list(
                workflow_id=session.workflow_id,
                since=session.created_at - LOOKBACK - BASELINE_WINDOW,
                until=session.created_at - LOOKBACK,
            )
            baseline = summarize_runs(history).as_metrics() if history else None
        if metrics is None:
            source = "stored runs"
            recent = store.runs.list(
                workflow_id=session.workflow_id, since=session.created_at - LOOKBACK
            )
            metrics = summarize_runs(recent).as_metrics() if recent else {}
        stored = workflow_series(store, session, lookback=LOOKBACK, baseline=BASELINE_WINDOW)
        from_series = analyze_workflow_series(
            stored.series,
            grid=stored.grid,
            baseline_end=stored.baseline_end,
            workflow_id=session.workflow_id,
            changes=stored.changes,
        )
        findings = analyze_metrics(metrics, baseline=baseline) + from_series
        findings.sort(key=lambda f: -f.confidence)
        session.metrics.update({k: float(v) for k, v in metrics.items()})
        session.findings = [f for f in session.findings if f.stage is not Stage.ANALYSIS]
        session.findings.extend(findings)
        store.sessions.replace_findings(session.session_id, Stage.ANALYSIS, findings)
        output = {
            "source": source,
            "metrics": len(metrics),
            "findings": len(findings),
            "series": len(stored.series),
            "series_findings": len(from_series),
            "baseline": dict(baseline) if baseline else None,
        }
        self._complete(store, session, Stage.ANALYSIS, started, output)

    def _diagnose(self, store: Store, session: TroubleshootingSession) -> None:
        started = self._clock.now()
        metric_findings = [f for f in session.findings if f.stage is Stage.ANALYSIS]
        outages = platform_outages(store, session, lookback=LOOKBACK)
        history = workflow_series(store, session, lookback=LOOKBACK, baseline=BASELINE_WINDOW)
        ranked = rank_workflow_causes(
            history.series,
            history.edges,
            workflow_id=session.workflow_id,
            grid=history.grid,
            baseline_end=history.baseline_end,
            changes=history.changes,
        )
        causes = merge_ranked(diagnose(session.issues, metric_findings), ranked)
        causes = fold_into_outages(causes, outages, workflow_id=session.workflow_id)[
            :MAX_ROOT_CAUSES
        ]
        session.findings = metric_findings + causes
        store.sessions.replace_findings(session.session_id, Stage.DIAGNOSIS, causes)
        output = {
            "root_causes": [
                {"description": c.description, "confidence": round(c.confidence, 3)}
                for c in causes[:3]
            ],
            "platform_outages": [o.platform for o in outages],
            "ranked_from_metrics": len(ranked),
        }
        self._complete(store, session, Stage.DIAGNOSIS, started, output)

    def _resolve(self, store: Store, session: TroubleshootingSession) -> None:
        started = self._clock.now()
        recommendations = recommend(session.issues, session.root_causes, knowledge=self._knowledge)
        session.recommendations = recommendations
        store.sessions.replace_recommendations(session.session_id, recommendations)
        output = {
            "recommendations": len(recommendations),
            "first": recommendations[0].title if recommendations else None,
        }
        self._complete(store, session, Stage.RESOLUTION, started, output)

    def _verify(
        self,
        store: Store,
        session: TroubleshootingSession,
        fix_applied_at: datetime | None,
        before: Mapping[str, float] | None,
        after: Mapping[str, float] | None,
    ) -> None:
        started = self._clock.now()
        if (before is None) != (after is None):
            raise InputError("give both before and after metrics, or neither", field="after")
        if before is not None and after is not None:
            result = verify_metrics(before, after)
        else:
            result = self._verify_with_runs(store, session, fix_applied_at)
        status = SessionStatus.VERIFIED if result.verified else SessionStatus.NOT_VERIFIED
        check_status(session.status, status)
        session.status = status
        session.verification = result
        output = {"verified": result.verified, "reason": result.reason}
        self._complete(store, session, Stage.VERIFICATION, started, output)

    def _verify_with_runs(
        self, store: Store, session: TroubleshootingSession, fix_applied_at: datetime | None
    ) -> VerificationResult:
        fixed = fix_applied_at or _resolution_time(session) or session.updated_at
        if fixed.tzinfo is None:
            raise InputError("fix_applied_at must include a timezone", field="fix_applied_at")
        runs_before = store.runs.list(
            workflow_id=session.workflow_id, since=fixed - LOOKBACK, until=fixed
        )
        runs_after = store.runs.list(workflow_id=session.workflow_id, since=fixed)
        return verify_fix(
            summarize_runs(runs_before), summarize_runs(runs_after), fix_applied_at=fixed
        )

    def _complete(
        self,
        store: Store,
        session: TroubleshootingSession,
        stage: Stage,
        started: datetime,
        output: dict[str, Any],
    ) -> None:
        finished = self._clock.now()
        record = StageRecord(stage=stage, started_at=started, finished_at=finished, output=output)
        session.stage = stage
        session.updated_at = finished
        session.stages.append(record)
        store.sessions.add_stage(session.session_id, record)
        store.sessions.save_state(session)
        detail = {"stage": stage.value, "duration_ms": round(record.duration_ms, 3), **output}
        _event(store, session, finished, "stage_completed", detail)


def _load(store: Store, session_id: str) -> TroubleshootingSession:
    session = store.sessions.get(session_id)
    if session is None:
        raise SessionNotFoundError(session_id)
    return session


def _workflow_miner(store: Store, workflow_id: str) -> tuple[TemplateMiner, bool]:
    """The workflow's template miner as saved (locked until the transaction ends), and whether
    there was a saved one: template ids are only meaningful within one line of saved states."""
    state = store.templates.load_state(workflow_id, for_update=True)
    if state is None:
        return TemplateMiner(), False
    try:
        return TemplateMiner.from_state(state), True
    except ValueError as exc:
        raise StoreError(f"the template-miner state of {workflow_id!r} is unusable: {exc}") from exc


def _save_templates(
    store: Store, workflow_id: str, tally: TemplateTally, at: datetime, *, replace: bool
) -> int:
    """Save the miner and add this session's template counts; returns how many templates."""
    if not len(tally):
        return 0  # no error lines: leave the saved state as it was
    counts = tally.counts()
    store.templates.save_state(workflow_id, tally.miner.to_state(), at=at, replace=replace)
    store.templates.record(workflow_id, counts)
    return len(counts)


def _event(
    store: Store, session: TroubleshootingSession, at: datetime, kind: str, detail: dict[str, Any]
) -> None:
    session.events.append(
        store.sessions.append_event(session.session_id, at=at, kind=kind, detail=detail)
    )


def _check_workflow_id(workflow_id: str) -> None:
    if not isinstance(workflow_id, str) or not workflow_id.strip():
        raise InputError("workflow_id must be a non-empty string", field="workflow_id")
    if len(workflow_id) > MAX_WORKFLOW_ID:
        raise InputError(
            f"workflow_id is longer than {MAX_WORKFLOW_ID} characters", field="workflow_id"
        )


def _resolution_time(session: TroubleshootingSession) -> datetime | None:
    done = [s.finished_at for s in session.stages if s.stage is Stage.RESOLUTION]
    return done[-1] if done else None


def _chain(*parts: Iterable[LogRecord]) -> Iterable[LogRecord]:
    for part in parts:
        yield from part
