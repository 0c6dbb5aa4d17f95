"""The demo data set comes with rules, the alerts they raise and recorded changes, so `make run`
shows monitoring populated."""

from __future__ import annotations

from flowdoctor.demo.loader import load_demo
from flowdoctor.domain import AlertState
from flowdoctor.runtime import Runtime


def test_demo_provisions_rules_alerts_and_changes(runtime: Runtime) -> None:
    result = load_demo(runtime)
    assert result.loaded
    assert {r.rule_id for r in runtime.rules.list()} == {
        "demo-error-rate",
        "demo-slow-runs",
        "demo-silent-workflow",
    }
    firing = runtime.alerts.list(states=[AlertState.FIRING])
    assert firing, "the demo's ongoing incidents should raise alerts"
    assert all(a.annotations.get("condition") for a in firing)
    assert runtime.changes.list(), "fixed incidents come with the change that caused them"
    assert not load_demo(runtime).loaded  # a second load is skipped
