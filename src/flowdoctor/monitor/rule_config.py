"""Rules as data: parse and validate a rule from a mapping (the API body, a YAML file), and back.

Every problem is an ``InputError`` naming the field (``rules[2].threshold``), so a provisioning
file with a typo says where. Durations are seconds or text: ``90s``, ``5m``, ``1h``, ``2d``.

A provisioning file::

    rules:
      - name: Salesforce sync failing
        workflow_id: salesforce_sync_001        # or matchers: ["team=crm"], or neither: all
        metric_name: error_rate
        condition: greater_than
        threshold: 0.1
        for: 5m
        window: 15m
        severity: high
        alert_type: error_rate_high
        labels: {team: crm}
        annotations: {summary: "Salesforce sync fails"}
        runbook_url: https://wiki.example.com/runbooks/sf-sync
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import yaml

from flowdoctor.domain import AlertRule, Condition, Matcher, Severity
from flowdoctor.errors import InputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*(.*?)\s*$")
MAX_FOR = timedelta(days=7)
MAX_WINDOW = timedelta(days=31)
KNOWN = {
    "rule_id", "name", "workflow_id", "matchers", "metric_name", "condition", "threshold",
    "alert_type", "severity", "for", "window", "labels", "annotations", "runbook_url", "enabled",
}  # fmt: skip


MAX_DURATION = timedelta(days=3650)
"""The longest ``for``, window or step: ten years is already no rule anyone means."""


def parse_duration(value: object, field: str) -> timedelta:
    """``90``, ``"90s"``, ``"5m"``, ``"1h"``, ``"2d"`` as a ``timedelta``.

    >>> parse_duration("5m", "for"), parse_duration(30, "for")
    (datetime.timedelta(seconds=300), datetime.timedelta(seconds=30))
    """
    if isinstance(value, bool):
        raise InputError("a duration must be seconds or text like 5m", field=field)
    try:
        if isinstance(value, int | float):
            seconds = float(value)
        elif isinstance(value, str) and (found := _DURATION.match(value)):
            seconds = float(found.group(1)) * _UNITS[found.group(2)]
        else:
            raise InputError(f"{value!r} is not a duration (like 90s, 5m, 1h)", field=field)
    except OverflowError:  # an integer beyond any float
        seconds = math.inf
    if not math.isfinite(seconds) or seconds < 0:
        raise InputError("a duration must be finite and not negative", field=field)
    if seconds > MAX_DURATION.total_seconds():
        raise InputError("a duration is at most 3650 days", field=field)
    return timedelta(seconds=seconds)


def parse_matcher(text: object, field: str) -> Matcher:
    """``"team=crm"`` or ``"env!=test"``."""
    found = _MATCHER.match(text) if isinstance(text, str) else None
    if found is None:
        raise InputError(f"{text!r} is not a matcher like team=crm or env!=test", field=field)
    return Matcher(found.group(1), found.group(3), negate=found.group(2) == "!=")


def rule_from_mapping(data: Mapping[str, Any], *, where: str = "rule") -> AlertRule:
    """A validated rule from ``data`` (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise InputError("a rule must be a mapping of fields", field=where)
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}", field=f"{where}.{unknown[0]}")
    condition = _enum(Condition, data.get("condition"), f"{where}.condition")
    threshold = _threshold(condition, data.get("threshold"), f"{where}.threshold")
    rule = AlertRule(
        workflow_id=_optional_text(data.get("workflow_id"), f"{where}.workflow_id", 200),
        metric_name=_text(data.get("metric_name"), f"{where}.metric_name", 200),
        condition=condition,
        threshold=threshold,
        alert_type=_text(
            data.get("alert_type", data.get("metric_name")), f"{where}.alert_type", 100
        ),
        severity=_enum(Severity, data.get("severity", "medium"), f"{where}.severity"),
        rule_id=_optional_text(data.get("rule_id"), f"{where}.rule_id", 64) or "",
        name=_optional_text(data.get("name"), f"{where}.name", 200) or "",
        matchers=tuple(
            parse_matcher(m, f"{where}.matchers[{i}]")
            for i, m in enumerate(_list(data.get("matchers"), f"{where}.matchers"))
        ),
        for_duration=_bounded(data.get("for", 0), f"{where}.for", MAX_FOR),
        window=_bounded(data.get("window", "15m"), f"{where}.window", MAX_WINDOW),
        labels=_labels(data.get("labels"), f"{where}.labels"),
        annotations=_labels(data.get("annotations"), f"{where}.annotations", 2000),
        runbook_url=_url(data.get("runbook_url"), f"{where}.runbook_url"),
        enabled=_bool(data.get("enabled", True), f"{where}.enabled"),
    )
    if rule.workflow_id is not None and rule.matchers:
        raise InputError("give workflow_id or matchers, not both", field=f"{where}.matchers")
    if rule.window <= timedelta(0):
        raise InputError("the window must be longer than 0", field=f"{where}.window")
    return rule


def rules_from_yaml(text: str) -> list[AlertRule]:
    """Every rule of a provisioning file; the first bad one raises, naming ``rules[i].field``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"the rules file is not valid YAML: {exc}", field="rules") from exc
    except RecursionError:  # PyYAML recurses once per level of nesting
        raise InputError("the rules file is nested too deeply", field="rules") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise InputError("the rules file needs a top-level list `rules:`", field="rules")
    rules = [rule_from_mapping(item, where=f"rules[{i}]") for i, item in enumerate(data["rules"])]
    names = [r.name for r in rules if r.name]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"rule name {repeated[0]!r} is used twice", field="rules")
    return rules


def rule_to_mapping(rule: AlertRule) -> dict[str, Any]:
    """The rule as plain data (the inverse of ``rule_from_mapping``)."""
    return {
        "rule_id": rule.rule_id or None,
        "name": rule.name or None,
        "workflow_id": rule.workflow_id,
        "matchers": [str(m) for m in rule.matchers],
        "metric_name": rule.metric_name,
        "condition": Condition(rule.condition).value,  # the seed's callers pass plain strings
        "threshold": rule.threshold,
        "alert_type": rule.alert_type,
        "severity": Severity(rule.severity).value,
        "for": rule.for_duration.total_seconds(),
        "window": rule.window.total_seconds(),
        "labels": dict(rule.labels),
        "annotations": dict(rule.annotations),
        "runbook_url": rule.runbook_url,
        "enabled": rule.enabled,
    }


def _enum(kind: Any, value: object, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise InputError(f"{value!r} is not one of: {known}", field=field) from None


def _threshold(condition: Condition, value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("the threshold must be a finite number", field=field)
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise InputError("the threshold must be a finite number", field=field)
    if condition is Condition.ANOMALY and not 0.0 <= number <= 1.0:
        raise InputError("an anomaly threshold is a score in [0, 1]", field=field)
    if condition in (Condition.ABSENT, Condition.RATE_OF_CHANGE) and number <= 0:
        what = "minutes without data" if condition is Condition.ABSENT else "a relative change"
        raise InputError(f"the threshold ({what}) must be above 0", field=field)
    return number


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("must be a non-empty string", field=field)
    if len(value) > limit:
        raise InputError(f"at most {limit} characters", field=field)
    return value


def _optional_text(value: object, field: str, limit: int) -> str | None:
    return None if value is None else _text(value, field, limit)


def _list(value: object, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError("must be a list", field=field)
    return value


def _labels(value: object, field: str, limit: int = 200) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= limit for k, v in value.items()
    ):
        raise InputError(f"must map names to strings of at most {limit} characters", field=field)
    return dict(value)


def _bounded(value: object, field: str, limit: timedelta) -> timedelta:
    duration = parse_duration(value, field)
    if duration > limit:
        raise InputError(f"at most {limit}", field=field)
    return duration


def _url(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise InputError("must be an http(s) URL", field=field)
    return value


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InputError("must be true or false", field=field)
    return value
