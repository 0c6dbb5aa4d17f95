"""The Python interface of the original design, run as written, and seen from a second process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from flowdoctor import WorkflowTroubleshootingEngine
from flowdoctor.domain import Stage

SECOND_PROCESS = textwrap.dedent(
    """
    import json, sys
    from flowdoctor import WorkflowTroubleshootingEngine
    engine = WorkflowTroubleshootingEngine()
    session = engine.get_session(sys.argv[1])
    print(json.dumps({
        "workflow_id": session.workflow_id,
        "stage": session.stage.value,
        "categories": sorted(i.category.value for i in session.issues),
        "recommendations": [r.title for r in session.recommendations],
        "metrics": session.metrics,
    }))
    engine.close()
    """
)


async def test_original_snippet_runs_and_persists(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWDOCTOR_DATABASE_URL", database_url)

    # --- the snippet, as written in the issue ---
    engine = WorkflowTroubleshootingEngine()
    session = engine.start_troubleshooting_session(
        workflow_id="salesforce_sync_001",
        error_logs=["Connection timeout", "Authentication failed"],
    )
    await engine.analyze_workflow_metrics(
        session.session_id, {"avg_response_time": 8.5, "error_rate": 0.15}
    )
    recommendations = engine.generate_recommendations(session.session_id)
    # --- end of snippet ---

    categories = sorted(i.category.value for i in session.issues)
    assert categories == ["permissions", "timeout"]
    assert recommendations, "the snippet must yield recommendations"
    assert all(r.steps for r in recommendations)
    assert engine.get_session(session.session_id).stage is Stage.RESOLUTION
    engine.close()

    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, session.session_id],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["workflow_id"] == "salesforce_sync_001"
    assert seen["stage"] == "resolution"
    assert seen["categories"] == categories
    assert seen["recommendations"] == [r.title for r in recommendations]
    assert seen["metrics"] == {"avg_response_time": 8.5, "error_rate": 0.15}
