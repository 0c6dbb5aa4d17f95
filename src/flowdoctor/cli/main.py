"""The ``flowdoctor`` command line."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from flowdoctor._version import __version__
from flowdoctor.cli.classify import HELP as CLASSIFY_HELP
from flowdoctor.cli.classify import run_classify
from flowdoctor.cli.common import err
from flowdoctor.cli.common import fail as _fail
from flowdoctor.cli.common import load_settings as _settings
from flowdoctor.cli.keys import keys_app
from flowdoctor.cli.notifications import notifications_app
from flowdoctor.cli.templates import HELP as TEMPLATES_HELP
from flowdoctor.cli.templates import run_templates_jsonl, run_templates_table
from flowdoctor.errors import FlowdoctorError, InputError

app = typer.Typer(
    name="flowdoctor",
    help="Troubleshooting for workflow automations: what is broken, why, and what to do.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(notifications_app, name="notifications")
app.add_typer(keys_app, name="keys")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"flowdoctor {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Troubleshooting for workflow automations: what is broken, why, and what to do."""


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


@app.command("diagnose")
def diagnose_command(
    path: Annotated[str, typer.Argument(help="A log file (text or JSON lines), or - for stdin.")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TABLE,
    workflow: Annotated[
        str | None, typer.Option(help="Workflow ID for lines that name none.")
    ] = None,
    save: Annotated[
        bool, typer.Option(help="Store the result as a troubleshooting session.")
    ] = False,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Force the progress bar on/off.")
    ] = None,
) -> None:
    """Classify the errors in a log and print issues, root causes and recommendations."""
    from flowdoctor.cli.diagnose import run_diagnose
    from flowdoctor.cli.render import RENDERERS

    settings = _settings()
    try:
        diagnosis = run_diagnose(
            path,
            settings=settings,
            workflow_id=workflow,
            save=save,
            progress=progress,
            err_console=err,
        )
    except InputError as exc:
        _fail(str(exc), code=2)
    except FlowdoctorError as exc:
        _fail(str(exc))
    out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    RENDERERS[output_format.value](diagnosis, out)


@app.command("classify", help=CLASSIFY_HELP)
def classify_command(
    path: Annotated[
        str, typer.Argument(help="A log file (text or JSON lines), or - for stdin.")
    ] = "-",
    explain: Annotated[
        bool, typer.Option("--explain", help="Also give each line's rule_id and evidence.")
    ] = False,
) -> None:
    """One JSON verdict per input line (the help is CLASSIFY_HELP)."""
    try:
        tally = run_classify(path, explain=explain, out=sys.stdout.buffer)
    except InputError as exc:
        _fail(str(exc), code=2)
    except FlowdoctorError as exc:
        _fail(str(exc))
    _note(tally.note())


class TemplatesFormat(StrEnum):
    JSONL = "jsonl"
    TABLE = "table"


@app.command("templates", help=TEMPLATES_HELP)
def templates_command(
    path: Annotated[
        str, typer.Argument(help="A log file (text or JSON lines), or - for stdin.")
    ] = "-",
    output_format: Annotated[
        TemplatesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TemplatesFormat.JSONL,
) -> None:
    """One template per input line, or a summary table (the help is TEMPLATES_HELP)."""
    try:
        if output_format is TemplatesFormat.TABLE:
            out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
            tally = run_templates_table(path, console=out)
        else:
            tally = run_templates_jsonl(path, out=sys.stdout.buffer)
    except InputError as exc:
        _fail(str(exc), code=2)
    _note(tally.note())


def _note(note: str | None) -> None:
    # Lines that were not read whole are worth a word on stderr; stdout stays pure JSON lines.
    if note:
        err.print(f"flowdoctor: {note}", highlight=False, soft_wrap=True)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).", min=1, max=65535)] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes serving the one port (default 1).", min=1)
    ] = 1,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from flowdoctor.api.app import create_app
    from flowdoctor.runtime import build

    settings = _settings()
    # The app must know where it listens: beyond loopback it always requires an API key.
    settings = settings.model_copy(
        update={"host": host or settings.host, "port": port or settings.port}
    )
    try:
        runtime = build(settings)  # migrates (or checks) the schema once, before any worker starts
    except FlowdoctorError as exc:
        _fail(str(exc))
    bind_host, bind_port = settings.host, settings.port
    several = f", {workers} workers" if workers > 1 else ""
    err.print(f"flowdoctor serving on http://{bind_host}:{bind_port} (docs at /docs{several})")
    if workers > 1:
        from flowdoctor.cli.workers import serve_workers

        runtime.close()  # each worker builds its own from the same environment
        # Workers read their settings from the environment: give them the address too.
        os.environ.update(FLOWDOCTOR_HOST=bind_host, FLOWDOCTOR_PORT=str(bind_port))
        serve_workers(host=bind_host, port=bind_port, workers=workers, log_level=settings.log_level)
        return
    try:
        uvicorn.run(
            create_app(runtime, evaluate_rules=True, tune_gc=True),
            host=bind_host,
            port=bind_port,
            log_level=settings.log_level,
        )
    finally:
        runtime.close()


@app.command("demo")
def demo_command(
    force: Annotated[bool, typer.Option(help="Load even if demo data is already there.")] = False,
) -> None:
    """Load the demo data set: workflows, runs, failures, metrics and sessions."""
    from flowdoctor.demo.loader import load_demo
    from flowdoctor.runtime import build

    try:
        runtime = build(_settings())
        try:
            result = load_demo(runtime, force=force)
        finally:
            runtime.close()
    except FlowdoctorError as exc:
        _fail(str(exc))
    err.print(result.describe())


@db_app.command("upgrade")
def db_upgrade_command() -> None:
    """Create the schema or bring it up to date."""
    from flowdoctor.store import Database, current_revision, upgrade

    settings = _settings()
    try:
        db = Database(settings.database_url)
        try:
            upgrade(db.engine)
            revision = current_revision(db.engine)
        finally:
            db.dispose()
    except FlowdoctorError as exc:
        _fail(str(exc))
    err.print(f"database at revision {revision}: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    # user:password@host -> user:***@host, so a password never reaches the terminal
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        return f"{scheme}://{creds}@{host}"
    return url


def main() -> None:
    """Console-script entry point."""
    app()
