"""The seed's monitoring interface: a MonitoringRule with the seed's six fields (plain strings),
then a real server on loopback that serves /metrics and evaluates the rule by itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from flowdoctor import MonitoringRule, WorkflowMonitoringSystem
from flowdoctor.config import Settings
from flowdoctor.domain import RunEvent, RunStatus


async def test_add_rule_and_serve_metrics(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, evaluation_interval_seconds=1)
    monitoring = WorkflowMonitoringSystem(settings)
    rule = monitoring.add_monitoring_rule(
        MonitoringRule("sf_sync", "error_rate", "greater_than", 0.1, "error_rate_high", "high")  # type: ignore[arg-type]
    )
    assert rule.rule_id and rule.condition.value == "greater_than"
    now = datetime.now(UTC)
    monitoring.runtime.intake.add_runs(
        [
            RunEvent("sf_sync", f"r{i}", RunStatus.FAILURE, now - timedelta(minutes=i))
            for i in range(3)
        ]
    )
    await monitoring.start_monitoring_server(port=0)
    try:
        base = f"http://127.0.0.1:{monitoring.port}"
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            deadline = asyncio.get_running_loop().time() + 15
            text = ""
            while asyncio.get_running_loop().time() < deadline:
                text = (await client.get("/metrics")).text
                if 'flowdoctor_alerts{severity="high",state="firing"} 1.0' in text:
                    break
                await asyncio.sleep(0.2)
            assert 'flowdoctor_alerts{severity="high",state="firing"} 1.0' in text
            alerts = (await client.get("/api/workflow-troubleshooting/alerts")).json()["items"]
            assert alerts[0]["labels"]["alertname"] == "error_rate_high"
    finally:
        await monitoring.stop_monitoring_server()
        monitoring.close()
