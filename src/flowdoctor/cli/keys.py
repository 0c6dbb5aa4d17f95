"""``flowdoctor keys``: issue, list and revoke API keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flowdoctor.cli.common import err, with_runtime
from flowdoctor.domain.access import Scope

keys_app = typer.Typer(
    help="API keys: once one exists, every API request but /healthz needs one.",
    no_args_is_help=True,
)


@keys_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'prometheus'.")],
    scope: Annotated[
        Scope, typer.Option(help="read < write < admin; each includes the ones before it.")
    ] = Scope.READ,
) -> None:
    """Issue a key and print it, once: only its hash is stored."""
    key, token = with_runtime(lambda runtime: runtime.keys.create(name, scope))
    sys.stdout.write(token + "\n")
    err.print(
        f"key {key.key_id} ({key.name}, scope {key.scope.value}) created; "
        "this is the only time it is shown",
        highlight=False,
        soft_wrap=True,
    )


@keys_app.command("list")
def list_command() -> None:
    """Every key with its scope, and when it was revoked (never the key itself)."""
    keys = with_runtime(lambda runtime: runtime.keys.list())
    table = Table("key id", "name", "scope", "created", "revoked")
    for key in keys:
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
        table.add_row(
            key.key_id,
            key.name,
            key.scope.value,
            key.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160).print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: Annotated[str, typer.Argument(help="The key id `list` shows.")],
) -> None:
    """Revoke a key (other server processes stop taking it within 5 seconds)."""
    with_runtime(lambda runtime: runtime.keys.revoke(key_id))
    err.print(f"key {key_id} revoked", highlight=False, soft_wrap=True)
