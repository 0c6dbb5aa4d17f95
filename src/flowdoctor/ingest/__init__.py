"""Ingest: bytes, JSON and text -> domain records (streaming, with bounded memory).

* :func:`read_log_records` / :func:`records_from_strings`: mixed text and JSON log lines.
* :func:`parse_text_line` / :func:`parse_json_line`: one line of either kind.
* :func:`parse_run_event` / :func:`parse_run_events`: strictly validated run events.

Only :mod:`flowdoctor.domain` and :mod:`flowdoctor.errors` are imported from flowdoctor.
"""

from flowdoctor.ingest.jsonl import parse_json_line
from flowdoctor.ingest.reader import (
    DEFAULT_MAX_LINE_BYTES,
    IngestReport,
    RejectedLine,
    read_log_records,
    records_from_strings,
)
from flowdoctor.ingest.runs import STATUS_SYNONYMS, parse_run_event, parse_run_events
from flowdoctor.ingest.text import parse_text_line

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "STATUS_SYNONYMS",
    "IngestReport",
    "RejectedLine",
    "parse_json_line",
    "parse_run_event",
    "parse_run_events",
    "parse_text_line",
    "read_log_records",
    "records_from_strings",
]
