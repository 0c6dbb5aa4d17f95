"""``flowdoctor classify``: one JSON verdict per input line, for scripts.

Each line becomes the record :func:`~flowdoctor.cli.lines.line_record` describes; its message is
classified with the hints the line carries (platform, HTTP status, error code), exactly as
``diagnose`` classifies it, and named by the template miner as it stands when the line is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import BinaryIO

from flowdoctor.cli.lines import InputLine, LineTally, line_record, write_answers
from flowdoctor.detect.classifier import default_classifier, unclassified
from flowdoctor.domain import Classification
from flowdoctor.mining import TemplateMiner

CONFIDENCE_DIGITS = 3
"""Confidences are rounded to this many decimals: more is noise, and it keeps the output short."""

HELP = (
    "Classify every line: one JSON object per input line, in order, for scripts.\n\n"
    "Keys, in this order: category, severity, retryable, platform, confidence (0 to 1, three "
    "decimals), template_id. --explain appends rule_id and evidence.\n\n"
    'Input is plain text or JSON lines. A JSON object\'s "text" field is the line (its other '
    "fields are ignored); an object without one is read like a JSON log line (its message or "
    "msg field, else the whole line); invalid JSON is plain text. A leading timestamp, level "
    "or syslog header is removed first, and the hints a line carries (platform, HTTP status, "
    "error code) are used as diagnose uses them.\n\n"
    "Every input line gets exactly one object: a blank or binary line is unclassified with "
    "template_id null, and a line over 64 KiB is read up to 64 KiB. template_id is the "
    "template the line joined when it was read (T1, T2, ... by first appearance; the same "
    "input always gives the same ids; see flowdoctor templates). Output is UTF-8, flushed as "
    "input arrives."
)

KEYS = ("category", "severity", "retryable", "platform", "confidence", "template_id")
"""The keys of every answer, in this order; ``--explain`` appends ``rule_id`` and ``evidence``."""


def run_classify(path: str, *, explain: bool, out: BinaryIO) -> LineTally:
    """Classify every line of ``path`` (``-`` for stdin), writing one JSON object per line."""
    return write_answers(path, classify_lines(explain=explain), out)


def classify_lines(*, explain: bool = False) -> Callable[[InputLine], dict[str, object]]:
    """A function answering one input line at a time; it keeps one template miner throughout.

    >>> answer = classify_lines()
    >>> answer(InputLine(1, "2024-01-02T03:04:05Z ERROR Slack error: ratelimited"))
    {'category': 'resource', 'severity': 'medium', 'retryable': True, 'platform': 'slack', \
'confidence': 0.95, 'template_id': 'T1'}
    >>> answer(InputLine(2, ""))["category"], answer(InputLine(2, ""))["template_id"]
    ('unclassified', None)
    """
    classifier = default_classifier()
    miner = TemplateMiner()

    def answer(line: InputLine) -> dict[str, object]:
        record = None if line.text is None else line_record(line.text, line.number)
        if record is None:
            verdict = unclassified()
            template_id = None
            evidence = [f"not text: {line.problem}" if line.text is None else "blank line"]
        else:
            verdict = classifier.classify(
                record.message,
                platform=record.platform,
                http_status=record.http_status,
                error_code=record.error_code,
            )
            template_id = miner.add(record.message).template_id
            evidence = list(verdict.evidence)
        result = _verdict(verdict, template_id)
        if explain:
            if line.cut:
                evidence.append("line longer than the limit: only its beginning was read")
            result["rule_id"] = verdict.rule_id
            result["evidence"] = evidence
        return result

    return answer


def _verdict(verdict: Classification, template_id: str | None) -> dict[str, object]:
    confidence = verdict.confidence if math.isfinite(verdict.confidence) else 0.0
    return {
        "category": verdict.category.value,
        "severity": verdict.severity.value,
        "retryable": verdict.retryable,
        "platform": verdict.platform,
        "confidence": round(min(max(confidence, 0.0), 1.0), CONFIDENCE_DIGITS),
        "template_id": template_id,
    }
