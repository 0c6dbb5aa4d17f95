"""A fork server for `flowdoctor serve`, for tests that kill and restart the server many times.

Run as a script, it imports the command line and what serving needs once (and builds the default
classifier, which every `serve` builds from the same files), then reads stdin line by line: each
line is a log file path, a tab, and the command's arguments (``serve --host 127.0.0.1 --port
8123``). For each it forks a child that writes its output to that file and runs the command line
with those arguments, as ``python -m flowdoctor`` does, and answers with the child's pid on stdout.
An empty line or the end of stdin ends it.

A child is a process of its own serving the port: kill it with SIGKILL by its pid and nothing runs
its cleanup. What the fork saves is the seconds of importing scikit-learn and the rest on every
start: nothing reads the settings, opens the database or starts a thread before the fork. Killed
children stay zombies (dead, ``Z``) until this process reaps them, at each line and at the end.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

import uvicorn  # noqa: F401  (`serve` imports it lazily: imported ahead here)

import flowdoctor.api.app  # what `serve` imports when it runs, imported ahead
import flowdoctor.runtime  # noqa: F401
from flowdoctor.cli.main import main
from flowdoctor.detect.classifier import default_classifier


def _child(log: str, arguments: list[str]) -> None:
    code = 1
    try:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.argv = ["flowdoctor", *arguments]
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(children: set[int]) -> None:
    """Reap the children that ended (a pid is reused only once reaped: until then it is ours)."""
    for pid in list(children):
        if os.waitpid(pid, os.WNOHANG)[0]:
            children.discard(pid)


def serve_forever() -> None:
    children: set[int] = set()
    while line := sys.stdin.readline():
        log, _, arguments = line.rstrip("\n").partition("\t")
        if not log:
            break
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(log, arguments.split())
        children.add(pid)
        print(pid, flush=True)
        _reap(children)
    for pid in children:  # not reaped yet, so still ours: told to stop, then reaped
        os.kill(pid, signal.SIGTERM)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    default_classifier()
    serve_forever()
