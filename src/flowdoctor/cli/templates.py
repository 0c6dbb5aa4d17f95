"""``flowdoctor templates``: the template of every input line (JSON lines), or a summary table.

Lines are read as :func:`~flowdoctor.cli.lines.line_record` describes (a timestamp or level
prefix is removed first, so the time of day does not split templates) and added to one
:class:`~flowdoctor.mining.TemplateMiner` in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowdoctor.cli.lines import InputLine, LineTally, input_batches, line_record, write_answers
from flowdoctor.mining import TemplateMiner

HELP = (
    "Name every line by its template: one JSON object per input line, or a summary table.\n\n"
    'jsonl (default): {"template_id", "template"} per input line, in order, streamed. The '
    "template is the one known when the line was read. Templates widen as lines come (a word "
    "seen to vary becomes <*>), so an early line can show a narrower template than a later "
    "line with the same id, and a template later merged into an older one keeps its own id "
    "in the lines already written. Blank and binary lines get null for both.\n\n"
    "table: once the input ends, the templates that remain, with their counts, most frequent "
    "first.\n\n"
    "Lines are read as flowdoctor classify reads them (JSON lines by their text field): a "
    "leading timestamp, level or syslog header is removed first, so the time of day does not "
    "split templates. A line over 64 KiB is read up to 64 KiB."
)

TABLE_TEMPLATE_CHARS = 300
"""Templates longer than this are shortened in the table (the JSON output keeps them whole)."""


def run_templates_jsonl(path: str, *, out: BinaryIO) -> LineTally:
    """Write ``{"template_id", "template"}`` for every line of ``path`` (``-`` for stdin)."""
    return write_answers(path, template_lines(TemplateMiner()), out)


def template_lines(miner: TemplateMiner) -> Callable[[InputLine], dict[str, object]]:
    """A function naming one input line at a time by its template, as it stands then.

    >>> answer = template_lines(TemplateMiner())
    >>> answer(InputLine(1, "2024-01-02 03:04:05 ERROR Retrying request 3 of 5 to the CRM API"))
    {'template_id': 'T1', 'template': 'Retrying request <*> of <*> to the CRM API'}
    >>> answer(InputLine(2, ""))
    {'template_id': None, 'template': None}
    """

    def answer(line: InputLine) -> dict[str, object]:
        record = None if line.text is None else line_record(line.text, line.number)
        if record is None:
            return {"template_id": None, "template": None}
        match = miner.add(record.message)
        return {"template_id": match.template_id, "template": match.template}

    return answer


def run_templates_table(path: str, *, console: Console) -> LineTally:
    """Read all of ``path`` and print every template with its count, most frequent first."""
    miner = TemplateMiner()
    answer = template_lines(miner)
    tally = LineTally()
    with input_batches(path) as batches:
        for batch in batches:
            for line in batch:
                tally.count(line)
                answer(line)
    templates = miner.templates()
    table = Table(title=f"{len(templates)} templates in {tally.lines} lines")
    table.add_column("id", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("template", overflow="fold")
    for template in templates:
        text = template.template
        if len(text) > TABLE_TEMPLATE_CHARS:
            text = text[: TABLE_TEMPLATE_CHARS - 1] + "…"
        # Text, not a str: a "[db]" in a template is log text, not rich markup.
        table.add_row(template.template_id, str(template.count), Text(text))
    console.print(table)
    return tally
