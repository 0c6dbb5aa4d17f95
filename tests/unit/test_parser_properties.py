"""Properties of every parser of outside input not already covered by
``tests/property/test_ingest_properties.py``: timestamps and epochs, line decoding and cutting,
``key=value`` fields, levels and HTTP statuses, JSON nesting, batches of run events, channel URLs
and their redaction, rules (durations, matchers, mappings, YAML files) and the Alertmanager
webhook payload.

Each parser answers arbitrary input with a result or its documented error (``InputError``, or
pydantic's ``ValidationError`` for a request model), never with anything else; where a value can
be written back out, parsing what was written gives the value again.

The last section keeps, as plain examples, the inputs these properties first failed on (each
escaped as OverflowError, ValueError or RecursionError; each is fixed).
"""

from __future__ import annotations

import math
import re
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from flowdoctor.api.routes.alertmanager import AlertmanagerPayload
from flowdoctor.api.routes.alertmanager import _end as alertmanager_end_time
from flowdoctor.domain import AlertRule, Condition, Matcher, Severity
from flowdoctor.errors import InputError
from flowdoctor.ingest import (
    IngestReport,
    parse_json_line,
    parse_run_events,
    records_from_strings,
)
from flowdoctor.ingest.decoding import cut_utf8, decode_line, scrub_surrogates
from flowdoctor.ingest.inline import MAX_ID_CHARS, find_http_status, take_key_values
from flowdoctor.ingest.jsonl import as_http_status
from flowdoctor.ingest.levels import LEVEL_NAMES, level_from_name, level_from_value
from flowdoctor.ingest.timestamps import from_epoch, parse_iso_timestamp, parse_timestamp_value
from flowdoctor.monitor import rule_config
from flowdoctor.monitor.alertmanager import _fingerprint as alertmanager_fingerprint
from flowdoctor.monitor.rule_config import (
    KNOWN,
    MAX_FOR,
    MAX_WINDOW,
    parse_duration,
    parse_matcher,
    rule_from_mapping,
    rule_to_mapping,
    rules_from_yaml,
)
from flowdoctor.notify.channels import parse_channel_url, redacted_url

EXAMPLES = settings(max_examples=300, deadline=None)
FEW = settings(max_examples=100, deadline=None)

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _outcome(parse: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``parse`` returns, or the ``InputError`` it raises (anything else propagates)."""
    try:
        return parse(*args, **kwargs)
    except InputError as exc:
        return exc


# -- timestamps --------------------------------------------------------------------------------

_TIMESTAMP_FRAGMENTS = st.sampled_from(
    ["2024", "-", "01", "02", "T", " ", ":", "03", "04", "05", ".", ",", "123", "Z", "UTC", "GMT",
     "+02:00", "-0530", "+14", "/", "9999", "0001", "12-31", "1704164645", "1e9", "nan", "\x00"]
)  # fmt: skip
TIMESTAMPISH = st.one_of(
    st.lists(_TIMESTAMP_FRAGMENTS, max_size=10).map("".join), st.text(max_size=40)
)
AWARE = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
    ),
)


@EXAMPLES
@given(TIMESTAMPISH)
def test_iso_timestamps_parse_to_utc_or_none(text: str) -> None:
    moment = parse_iso_timestamp(text)
    assert moment is None or moment.utcoffset() == timedelta(0)


@EXAMPLES
@given(AWARE)
def test_iso_timestamps_round_trip(moment: datetime) -> None:
    expected = moment.astimezone(UTC)
    assert parse_iso_timestamp(moment.isoformat()) == expected
    assert parse_iso_timestamp(moment.isoformat(sep=" ")) == expected
    assert parse_timestamp_value(moment.isoformat()) == expected
    assert parse_timestamp_value(moment) == expected


@EXAMPLES
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30)))
def test_epochs_give_a_utc_time_or_none(value: float) -> None:
    moment = from_epoch(float(value))
    assert moment is None or moment.tzinfo is UTC
    as_value = parse_timestamp_value(value)
    assert as_value is None or as_value.utcoffset() == timedelta(0)


@EXAMPLES
@given(
    st.datetimes(min_value=datetime(1974, 1, 1), max_value=datetime(2262, 4, 11)),
    st.sampled_from([(1, 1), (1_000, 1e3), (1_000_000, 1e6), (1_000_000_000, 1e9)]),
)
def test_epochs_in_any_unit_round_trip(moment: datetime, unit: tuple[int, float]) -> None:
    """Seconds, milliseconds, microseconds and nanoseconds since 1970 are told apart by size
    (nanoseconds up to 2262, where they outgrow 64 bits and the 19 digits epoch text may have)."""
    moment = moment.replace(tzinfo=UTC, microsecond=0)
    number = int(moment.timestamp()) * unit[0]
    # a float holds 15-16 digits: nanoseconds since 1970 come back to within a microsecond
    for value in (number, str(number)):
        parsed = parse_timestamp_value(value)
        assert parsed is not None and abs(parsed - moment) <= timedelta(microseconds=1)


@EXAMPLES
@given(JSON_VALUES)
def test_timestamp_values_never_raise(value: Any) -> None:
    moment = parse_timestamp_value(value)
    assert moment is None or moment.utcoffset() == timedelta(0)


@FEW
@given(st.integers(min_value=10**21, max_value=10**400) | st.integers(max_value=-(10**21)))
def test_integers_beyond_any_clock_are_no_time(value: int) -> None:
    assert parse_timestamp_value(value) is None
    assert parse_timestamp_value(str(value)) is None


# -- bytes, lines, fields --------------------------------------------------------------------


@EXAMPLES
@given(st.binary(max_size=300))
def test_decoded_lines_are_text_or_a_reason(data: bytes) -> None:
    text, problem = decode_line(data)
    if problem is None:
        assert "\x00" not in text and "\x1b[" not in text
        text.encode("utf-8")
    else:
        assert text == "" and problem


@EXAMPLES
@given(st.text(max_size=200), st.integers(min_value=0, max_value=300))
def test_cutting_utf8_keeps_whole_characters(text: str, limit: int) -> None:
    data = scrub_surrogates(text).encode("utf-8")
    cut = cut_utf8(data, limit)
    assert len(cut) <= limit and data.startswith(cut)
    assert data.startswith(cut.decode("utf-8").encode("utf-8"))  # decodes cleanly
    assert len(data) - len(cut) <= 3 or len(cut) >= limit - 3  # at most one character dropped


@EXAMPLES
@given(st.text(max_size=100))
def test_scrubbing_surrogates_leaves_encodable_text(text: str) -> None:
    scrubbed = scrub_surrogates(text)
    scrubbed.encode("utf-8")
    assert len(scrubbed) == len(text)
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert scrubbed == text


_PAIR_FRAGMENTS = st.sampled_from(
    ["workflow=", "run_id=", "step=", "level=", "lvl=", "time=", "ts=", "msg=", 'msg="', "code=",
     "error_code=", "platform=", "=", '"', "'", "\\", " ", "error", "sync", "2024-01-02T03:04:05Z",
     "35ms", "HTTP 503", "status=429", "status code 404", "http_status: 500"]
)  # fmt: skip
PAIRISH = st.one_of(
    st.lists(_PAIR_FRAGMENTS | st.text(max_size=6), max_size=14).map("".join), st.text()
)


@EXAMPLES
@given(PAIRISH)
def test_key_values_never_raise_and_stay_bounded(text: str) -> None:
    found = take_key_values(text)
    assert isinstance(found.message, str)
    for value in (found.workflow_id, found.run_id, found.step, found.platform, found.error_code):
        assert value is None or (value.strip() and len(value) <= MAX_ID_CHARS)
    assert found.timestamp is None or found.timestamp.utcoffset() == timedelta(0)
    status = find_http_status(text)
    assert status is None or 100 <= status <= 599


@EXAMPLES
@given(
    st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True),
)
def test_workflow_pairs_round_trip(key_suffix: str, workflow: str) -> None:
    found = take_key_values(f"boom {key_suffix}=1 workflow={workflow} run_id=r1")
    assert found.workflow_id == workflow and found.run_id == "r1"
    assert "workflow=" not in found.message


@EXAMPLES
@given(JSON_VALUES)
def test_levels_and_statuses_of_any_json_value(value: Any) -> None:
    level_from_value(value)
    status = as_http_status(value)
    assert status is None or (100 <= status <= 599 and not isinstance(value, bool))


@EXAMPLES
@given(st.integers(min_value=100, max_value=599))
def test_http_statuses_round_trip(status: int) -> None:
    assert as_http_status(status) == status
    assert as_http_status(str(status)) == status
    assert as_http_status(float(status)) == status


@given(st.sampled_from(sorted(LEVEL_NAMES)), st.sampled_from([str.lower, str.upper, str.title]))
def test_level_names_in_any_case(name: str, case: Any) -> None:
    assert level_from_name(case(name)) is LEVEL_NAMES[name]
    assert level_from_value(f"  {case(name)} ") is LEVEL_NAMES[name]


@FEW
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from(["[", '{"a":']))
def test_json_lines_nested_to_any_depth_are_records_or_input_errors(
    depth: int, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    inner = "1" if opener != "[" else ""
    line = '{"msg": "x", "detail": ' + opener * depth + inner + closer * depth + "}"
    try:
        record = parse_json_line(line)
    except InputError:
        return
    assert record.message == "x"


@EXAMPLES
@given(st.lists(st.text(max_size=300), max_size=8), st.integers(min_value=1, max_value=200))
def test_strings_are_cut_to_the_line_limit(lines: list[str], limit: int) -> None:
    report = IngestReport()
    records = list(records_from_strings(lines, report=report, max_line_bytes=limit))
    assert report.records == len(records)
    for record in records:
        assert len(record.raw.encode("utf-8")) <= limit


@pytest.mark.parametrize("limit", [0, -1])
def test_a_line_limit_below_one_is_an_input_error(limit: int) -> None:
    with pytest.raises(InputError):
        list(records_from_strings(["x"], max_line_bytes=limit))


_VALID_RUN = {
    "workflow_id": "w",
    "run_id": "r",
    "status": "ok",
    "started_at": "2024-01-02T03:04:05Z",
}


RUNISH = st.one_of(
    st.just(_VALID_RUN), st.dictionaries(st.sampled_from(sorted(_VALID_RUN)), JSON_VALUES)
)


@EXAMPLES
@given(st.lists(RUNISH, min_size=1, max_size=6))
def test_a_batch_of_run_events_names_its_first_bad_event(batch: list[dict[str, Any]]) -> None:
    bad = [
        i
        for i, obj in enumerate(batch)
        if isinstance(_outcome(parse_run_events, [obj]), InputError)
    ]
    events = _outcome(parse_run_events, batch)
    if isinstance(events, InputError):
        assert bad and events.field is not None and events.field.startswith(f"events[{bad[0]}]")
    else:
        assert not bad and len(events) == len(batch)


# -- channel URLs ---------------------------------------------------------------------------

_SCHEMES = ["slack", "msteams", "discord", "pagerduty", "mailto", "smtp", "smtps", "http",
            "https", "json+http", "json+https", "webhook+https", "alertmanager+http", "slack+https",
            "discord+http", "msteams+https", "ftp", "json+ftp", "", "SLACK",
            "Json+Https"]  # fmt: skip
_URL_PARTS = st.sampled_from(
    ["://", ":", "//", "/", "@", "?", "&", "=", "#", "%", "%2F", "%40", ":25", ":99999", ":-1",
     "user", "pass", "host", "127.0.0.1", "hooks.slack.com", "discord.com", "/api/webhooks/",
     "outlook.office.com", "x.webhook.office.com", "a.logic.azure.com", "services", "T0", "B0",
     "to=a@b.c", "from=f@b.c", "starttls=yes", "starttls=maybe", "format=adaptive",
     "format=card", "events_url=https://e.example/v2", "events_url=ftp://x", "port=25",
     "port=0", "port=70000", ",", ";", "<", ">", " ", "\t", "\n", "é", "\u00a0"]
)  # fmt: skip
URLISH = st.one_of(
    st.builds(
        lambda scheme, parts: scheme + "".join(parts),
        st.sampled_from(_SCHEMES).map(lambda s: f"{s}:" if s else s),
        st.lists(_URL_PARTS | st.text(max_size=5), max_size=12),
    ),
    st.text(max_size=80),
)


@settings(max_examples=600, deadline=None)
@given(URLISH)
@example("pagerduty://")
@example("mailto:?port=")
@example("smtp://:@:0/?to=@")
@example("json+http://[127.0.0.1/x")
@example("pagerduty://key?events_url=http://[x")
@example("webhook+https://\u2100/x")
def test_channel_urls_parse_or_are_input_errors(text: str) -> None:
    target = _outcome(parse_channel_url, text)
    if isinstance(target, InputError):
        assert target.field == "url" and str(target)
    else:
        assert target.kind.value in CHANNEL_KINDS
    assert isinstance(redacted_url(text), str)


@EXAMPLES
@given(URLISH)
def test_redacting_any_text_never_raises(text: str) -> None:
    assert isinstance(redacted_url(text), str)


CHANNEL_KINDS = {"slack", "msteams", "discord", "pagerduty", "email", "webhook", "alertmanager"}
SECRET = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=12, max_size=32)
"""Upper case and digits: nothing else in the URLs below is, so a secret shows only if leaked."""
HOST = st.from_regex(r"[a-z][a-z0-9-]{0,15}(\.[a-z][a-z0-9-]{0,10}){1,2}", fullmatch=True)
WORD = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)
PORT = st.integers(min_value=1, max_value=65535)


def _secret_urls() -> st.SearchStrategy[tuple[str, str]]:
    """``(url, secret)``: every shape of channel URL, with a secret where its secrets go."""

    def with_secret(template: str, **parts: st.SearchStrategy[Any]) -> Any:
        return st.builds(
            lambda secret, **p: (template.format(secret=secret, **p), secret), SECRET, **parts
        )

    return st.one_of(
        with_secret(
            "smtp://{user}:{secret}@{host}:{port}/?to={user}@{host}",
            user=WORD,
            host=HOST,
            port=PORT,
        ),
        with_secret(
            "smtps://{user}:{secret}@{host}/?to=a@{host}&from=f@{host}&starttls=0",
            user=WORD,
            host=HOST,
        ),
        with_secret("slack://{secret}/{secret}/{secret}"),
        with_secret("discord://{port}/{secret}", port=PORT),
        with_secret("pagerduty://{secret}"),
        with_secret("pagerduty://{secret}?events_url=https://{host}/v2/enqueue", host=HOST),
        with_secret("json+https://{host}/{word}/{secret}?token={secret}", host=HOST, word=WORD),
        with_secret("webhook+http://{host}:{port}/hooks/{secret}", host=HOST, port=PORT),
        with_secret(
            "alertmanager+https://{word}:{secret}@{host}/api/v2/alerts", word=WORD, host=HOST
        ),
        with_secret("slack+https://{host}/{secret}?format=x", host=HOST),
        with_secret("https://hooks.slack.com/services/{secret}/{secret}/{secret}"),
        with_secret("https://discord.com/api/webhooks/{port}/{secret}", port=PORT),
        with_secret("msteams://{word}.webhook.office.com/webhookb2/{secret}", word=WORD),
        with_secret(
            "https://{word}.logic.azure.com/workflows/{secret}?sig={secret}&format=adaptive",
            word=WORD,
        ),
        with_secret("json+https://{host}/x?api_key={secret}&from=a@{host}", host=HOST),
    )


@EXAMPLES
@given(_secret_urls())
def test_redacted_urls_never_show_the_secret(url_and_secret: tuple[str, str]) -> None:
    url, secret = url_and_secret
    target = parse_channel_url(url)
    shown = redacted_url(url)
    assert secret not in shown, shown
    assert secret not in repr(target)
    assert shown.split(":", 1)[0] == url.split(":", 1)[0]  # the scheme stays


@EXAMPLES
@given(HOST, st.lists(WORD, max_size=4), st.sampled_from(["json", "webhook", "alertmanager"]))
def test_webhook_urls_post_to_the_url_given(host: str, path: list[str], kind: str) -> None:
    tail = "/" + "/".join(path)
    target = parse_channel_url(f"{kind}+https://{host}{tail}")
    assert target.url == f"https://{host}{tail}"  # type: ignore[union-attr]


# -- rules: durations, matchers, mappings, YAML -------------------------------------------------

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_LONGEST = getattr(rule_config, "MAX_DURATION", timedelta.max)
"""The longest duration a rule takes (``rule_config.MAX_DURATION`` where it is set)."""

DURATIONISH = st.one_of(
    JSON_VALUES,
    st.integers(),
    st.floats(),
    st.builds(
        lambda n, unit, pad: f"{pad}{n}{unit}{pad}",
        st.one_of(st.integers(0, 10**25), st.floats(0, 1e30).map(lambda f: f"{f:.3f}")),
        st.sampled_from(["", "ms", "s", "m", "h", "d", "w", "S", " s"]),
        st.sampled_from(["", " ", "\t", "\n"]),
    ),
)


@settings(max_examples=500, deadline=None)
@given(DURATIONISH)
def test_durations_parse_or_are_input_errors(value: Any) -> None:
    duration = _outcome(parse_duration, value, "for")
    if isinstance(duration, InputError):
        assert duration.field == "for"
    else:
        assert timedelta(0) <= duration <= _LONGEST


@EXAMPLES
@given(
    st.one_of(
        st.integers(0, 10**9).map(lambda n: (n, float(n))),
        st.floats(0, 1e9, allow_nan=False).map(lambda f: (f, f)),
    ),
    st.sampled_from(["", "ms", "s", "m", "h", "d"]),
)
def test_durations_round_trip(number: tuple[Any, float], unit: str) -> None:
    value, seconds = number
    if unit:
        value = f"{value}{unit}" if isinstance(value, int) else f"{value:.6f}{unit}"
        seconds = float(value[: -len(unit)]) * _UNIT_SECONDS[unit]
    if seconds > _LONGEST.total_seconds():
        with pytest.raises(InputError):
            parse_duration(value, "window")
    else:
        assert parse_duration(value, "window") == timedelta(seconds=seconds)


MATCHER_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
MATCHER_VALUE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"), max_size=30
).filter(lambda v: v == v.strip())


@EXAMPLES
@given(st.one_of(JSON_VALUES, st.text(max_size=40)))
def test_matchers_parse_or_are_input_errors(value: Any) -> None:
    matcher = _outcome(parse_matcher, value, "matchers[0]")
    if isinstance(matcher, InputError):
        assert matcher.field == "matchers[0]"
    else:
        assert isinstance(matcher, Matcher) and matcher.name


@EXAMPLES
@given(MATCHER_NAME, MATCHER_VALUE, st.booleans(), st.sampled_from(["", " ", "  "]))
def test_matchers_round_trip(name: str, value: str, negate: bool, pad: str) -> None:
    matcher = Matcher(name, value, negate=negate)
    written = str(matcher)
    assert parse_matcher(written, "m") == matcher
    operator = "!=" if negate else "="
    assert parse_matcher(f"{pad}{name}{pad}{operator}{pad}{value}{pad}", "m") == matcher


RULE_KEYS = st.one_of(st.sampled_from(sorted(KNOWN)), st.text(max_size=8))
_RULE_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from([c.value for c in Condition] + [s.value for s in Severity]),
    st.sampled_from(["5m", "90s", "1h", "team=crm", "https://wiki.example.com/x"]),
    st.lists(st.sampled_from(["team=crm", "env!=test", "bad matcher"]), max_size=3),
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(RULE_KEYS, _RULE_VALUES, max_size=12))
def test_rule_mappings_are_rules_or_input_errors(data: dict[str, Any]) -> None:
    rule = _outcome(rule_from_mapping, data, where="rules[3]")
    if isinstance(rule, InputError):
        assert rule.field is not None and rule.field.startswith("rules[3]")
    else:
        assert isinstance(rule, AlertRule) and math.isfinite(rule.threshold)
        assert timedelta(0) <= rule.for_duration <= MAX_FOR
        assert timedelta(0) < rule.window <= MAX_WINDOW


@EXAMPLES
@given(st.one_of(JSON_VALUES, st.lists(JSON_VALUES), st.text()))
def test_anything_but_a_mapping_is_not_a_rule(value: Any) -> None:
    assume(not isinstance(value, dict))
    with pytest.raises(InputError):
        rule_from_mapping(value)


LABEL_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " _-.:/", max_size=20)


@st.composite
def valid_rule_mappings(draw: st.DrawFn) -> dict[str, Any]:
    condition = draw(st.sampled_from(list(Condition)))
    if condition is Condition.ANOMALY:
        threshold = draw(st.floats(0, 1))
    elif condition in (Condition.ABSENT, Condition.RATE_OF_CHANGE):
        threshold = draw(st.floats(0.001, 1e6))
    else:
        threshold = draw(st.floats(-1e12, 1e12))
    data: dict[str, Any] = {
        "metric_name": draw(WORD),
        "condition": condition.value,
        "threshold": threshold,
        "severity": draw(st.sampled_from(list(Severity))).value,
        "for": draw(st.floats(0, MAX_FOR.total_seconds())),
        "window": draw(st.sampled_from(["1m", "15m", "1h", "2d", 30, 0.5])),
        "labels": draw(st.dictionaries(WORD, LABEL_TEXT, max_size=3)),
        "annotations": draw(st.dictionaries(WORD, LABEL_TEXT, max_size=3)),
        "enabled": draw(st.booleans()),
    }
    if draw(st.booleans()):
        data["workflow_id"] = draw(WORD)
    else:
        data["matchers"] = draw(
            st.lists(st.builds(lambda n, v: f"{n}={v}", MATCHER_NAME, WORD), max_size=3)
        )
    for key, strategy in (("name", WORD), ("rule_id", WORD), ("alert_type", WORD)):
        if draw(st.booleans()):
            data[key] = draw(strategy)
    if draw(st.booleans()):
        data["runbook_url"] = "https://wiki.example.com/" + draw(WORD)
    return data


@EXAMPLES
@given(valid_rule_mappings())
def test_rules_round_trip_through_plain_data(data: dict[str, Any]) -> None:
    rule = rule_from_mapping(data)
    written = rule_to_mapping(rule)
    assert rule_from_mapping(written) == rule
    assert rule_to_mapping(rule_from_mapping(written)) == written
    assert set(written) == KNOWN


@FEW
@given(st.lists(valid_rule_mappings(), max_size=5))
def test_provisioning_files_round_trip(mappings: list[dict[str, Any]]) -> None:
    rules = []
    for i, data in enumerate(mappings):
        rules.append(rule_from_mapping({**data, "name": f"rule {i}"}))
    text = yaml.safe_dump({"rules": [rule_to_mapping(r) for r in rules]}, allow_unicode=True)
    assert rules_from_yaml(text) == rules


_YAML_FRAGMENTS = st.sampled_from(
    ["rules:", "\n", "  - ", "- ", "{", "}", "[", "]", ": ", ", ", "name: a", "metric_name: e",
     "condition: greater_than", "threshold: 1", "threshold: .nan", "for: 5m", "window: 1e400",
     "&a ", "*a", "!!str ", "!!python/object:os.system", "? ", "'", '"', "#", "\t", "%YAML 1.1",
     "---", "...", "labels: {a: 1}", "matchers: [x]", "enabled: yes", "null", "~"]
)  # fmt: skip
YAMLISH = st.one_of(
    st.lists(_YAML_FRAGMENTS | st.text(max_size=5), max_size=20).map("".join), st.text()
)


@settings(max_examples=500, deadline=None)
@given(YAMLISH)
def test_provisioning_files_are_rules_or_input_errors(text: str) -> None:
    rules = _outcome(rules_from_yaml, text)
    if isinstance(rules, InputError):
        assert rules.field is not None and rules.field.startswith("rules")
    else:
        assert all(isinstance(r, AlertRule) for r in rules)


# -- the Alertmanager webhook ---------------------------------------------------------------

_AM_ALERT = {
    "status": "firing",
    "labels": {"alertname": "X"},
    "startsAt": "2026-11-27T11:50:00Z",
}
_AM_FIELDS = ["status", "labels", "annotations", "startsAt", "endsAt", "fingerprint"]
AM_ALERTISH = st.one_of(
    st.just(_AM_ALERT), st.dictionaries(st.sampled_from(_AM_FIELDS), JSON_VALUES)
)
AM_PAYLOADISH = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {
            "version": st.sampled_from(["4", 4, "3"]),
            "status": st.sampled_from(["firing", "resolved", "x"]),
            "receiver": st.text(max_size=5) | st.none(),
        },
        optional={"alerts": st.lists(AM_ALERTISH, max_size=3)},
    ),
)


@EXAMPLES
@given(AM_PAYLOADISH)
def test_alertmanager_payloads_validate_or_are_validation_errors(value: Any) -> None:
    try:
        payload = AlertmanagerPayload.model_validate(value)
    except ValidationError:
        return
    for alert in payload.alerts:
        assert alert.status in ("firing", "resolved")
        assert alertmanager_end_time(alert.endsAt) is None or isinstance(
            alertmanager_end_time(alert.endsAt), datetime
        )


@EXAMPLES
@given(st.one_of(st.none(), TIMESTAMPISH, AWARE.map(datetime.isoformat)))
def test_alertmanager_end_times_never_raise(text: str | None) -> None:
    end = alertmanager_end_time(text)
    assert end is None or isinstance(end, datetime)


@EXAMPLES
@given(AWARE)
def test_alertmanager_end_times_round_trip(moment: datetime) -> None:
    assume(moment.year > 1)
    assert alertmanager_end_time(moment.isoformat().replace("+00:00", "Z")) == moment
    assert alertmanager_end_time("0001-01-01T00:00:00Z") is None  # Alertmanager's "not ended"


@EXAMPLES
@given(st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=8), st.randoms())
def test_alertmanager_fingerprints_ignore_label_order(labels: dict[str, str], rnd: Any) -> None:
    shuffled = list(labels.items())
    rnd.shuffle(shuffled)
    assert alertmanager_fingerprint(labels) == alertmanager_fingerprint(dict(shuffled))
    assert re.fullmatch(r"[0-9a-f]{16}", alertmanager_fingerprint(labels))


# -- regressions: the inputs these properties first failed on ------------------------------


@pytest.mark.parametrize(
    "url",
    ["json+http://[127.0.0.1/x", "https://[::1", "slack://[x/a/b", "smtp://[x/?to=a@b",
     "webhook+https://\u2100/x", "pagerduty://key?events_url=http://[x",
     "pagerduty://key?events_url=https://a\uff0fb/x"],
)  # fmt: skip
def test_urls_urllib_refuses_are_input_errors(url: str) -> None:
    """Was: urllib's ValueError (an unclosed IPv6 bracket, a host invalid under NFKC) escaped."""
    with pytest.raises(InputError):
        parse_channel_url(url)


@pytest.mark.parametrize(
    "value", [10**400, -(10**400), 1e308, 1e14, "99999999999999999999d", "9" * 20]
)
def test_durations_beyond_timedelta_are_input_errors(value: Any) -> None:
    """Was: OverflowError from float() (10**400) and from timedelta() (1e308 s)."""
    with pytest.raises(InputError):
        parse_duration(value, "for")


def test_a_threshold_beyond_any_float_is_an_input_error() -> None:
    """Was: OverflowError from math.isfinite(10**400)."""
    rule = {"metric_name": "e", "condition": "greater_than", "threshold": 10**400}
    with pytest.raises(InputError):
        rule_from_mapping(rule)


@pytest.mark.parametrize(
    "text",
    ["x: " + "[" * 10_000 + "]" * 10_000, "rules:\n  - " + "{a: " * 3000 + "1" + "}" * 3000,
     "rules: [" * 1000],
)  # fmt: skip
def test_yaml_nested_deep_is_an_input_error(text: str) -> None:
    """Was: yaml.safe_load's RecursionError escaped (it is not a YAMLError)."""
    with pytest.raises(InputError):
        rules_from_yaml(text)


@pytest.mark.parametrize("field", ["startsAt", "endsAt"])
def test_alertmanager_times_without_an_offset_are_refused_or_aware(field: str) -> None:
    """Was: kept naive, so the store refused them later (a 500 at the webhook)."""
    alert = {**_AM_ALERT, "status": "resolved", field: "2026-11-27T11:00:00"}
    try:
        payload = AlertmanagerPayload.model_validate(
            {"version": "4", "status": "resolved", "receiver": "r", "alerts": [alert]}
        )
    except ValidationError:
        return
    parsed = payload.alerts[0]
    moment = parsed.startsAt if field == "startsAt" else alertmanager_end_time(parsed.endsAt)
    assert moment is not None and moment.tzinfo is not None
