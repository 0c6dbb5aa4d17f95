"""``flowdoctor notifications``: read the outbox and send a failed notification again."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flowdoctor.cli.common import err, with_runtime
from flowdoctor.domain.notifications import NotificationStatus
from flowdoctor.notify.channel_service import describe_notification

notifications_app = typer.Typer(
    help="The notification outbox: list rows, show a row's attempts, retry a failed row.",
    no_args_is_help=True,
)


@notifications_app.command("list")
def list_command(
    status: Annotated[
        NotificationStatus | None, typer.Option(help="Only rows in this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=5000, help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """The outbox's rows, oldest first."""
    rows = with_runtime(lambda runtime: runtime.notifications.list(status=status, limit=limit))
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(describe_notification(row), default=str) + "\n")
        return
    table = Table("id", "state", "status", "attempts", "channel", "last reason")
    for row in rows:
        table.add_row(
            str(row.notification_id),
            row.alert_state,
            row.status.value,
            str(row.attempts),
            row.channel_id,
            row.last_reason or "",
        )
    Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160).print(table)


@notifications_app.command("retry")
def retry_command(
    notification_id: Annotated[int, typer.Argument(help="The failed row's id (see `list`).")],
    by: Annotated[str | None, typer.Option(help="Who asks, for the row's reason.")] = None,
) -> None:
    """Send a failed notification again at the next delivery pass (exit 1 unless it failed)."""
    entry = with_runtime(lambda runtime: runtime.notifications.retry(notification_id, by=by))
    err.print(
        f"notification {entry.notification_id} is due again (attempts so far: {entry.attempts})",
        highlight=False,
        soft_wrap=True,
    )
